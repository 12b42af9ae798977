package io.snapline.recovery;

import io.snapline.recovery.model.History;
import io.snapline.recovery.model.HistoryBuilder;

/** Hand-built histories from the literature, shared by the tests. Times are in milliseconds (as nanoseconds). */
public final class Histories {
    static final int P = 0;
    static final int Q = 1;
    static final int R = 2;
    static final long MS = 1_000_000L;

    /** Snapshot a: consistent, x in transit. */
    static final RecoveryLine SNAPSHOT_A = RecoveryLine.of(1, 1, 1);
    /** Snapshot b: strongly consistent, nothing crosses. */
    static final RecoveryLine SNAPSHOT_B = RecoveryLine.of(2, 2, 2);
    /** Snapshot c: inconsistent, y is an orphan. */
    static final RecoveryLine SNAPSHOT_C = RecoveryLine.of(3, 2, 3);

    private Histories() {
    }

    /**
     * The textbook snapshot figure: P sends x to Q, Q sends y to R, R sends z to P.
     * <pre>
     *   P  P0 ---x-->--- P1 ---------- P2 ---<z-- P3 ------ |90
     *   Q  Q0 ---- Q1 ---x-> ---- Q2 ---y--> ------------- |90
     *   R  R0 ---- R1 ------ R2 -z->-- -->y ---- R3 ------ |90
     * </pre>
     */
    static History snapshotFigure() {
        return new HistoryBuilder("P", "Q", "R")
            .send(P, "x", Q, 10 * MS)
            .checkpoint(Q, 15 * MS).checkpoint(R, 15 * MS)
            .checkpoint(P, 20 * MS)
            .receive(Q, "x", 30 * MS)
            .checkpoint(Q, 40 * MS)
            .checkpoint(R, 45 * MS)
            .checkpoint(P, 50 * MS)
            .send(R, "z", P, 55 * MS)
            .send(Q, "y", R, 60 * MS)
            .receive(P, "z", 60 * MS)
            .receive(R, "y", 65 * MS)
            .checkpoint(P, 70 * MS)
            .checkpoint(R, 75 * MS)
            .end(P, 90 * MS).end(Q, 90 * MS).end(R, 90 * MS)
            .build();
    }

    /**
     * The domino effect (Randell): after every checkpoint of one rank comes a message that the other rank received
     * before its own next checkpoint, so every checkpoint is on a Z-cycle and any failure rolls both back to the
     * start.
     */
    static History domino() {
        return new HistoryBuilder("P", "Q")
            .send(P, "a", Q, 1 * MS).receive(Q, "a", 2 * MS).checkpoint(Q, 3 * MS)
            .send(Q, "b", P, 4 * MS).receive(P, "b", 5 * MS).checkpoint(P, 6 * MS)
            .send(P, "c", Q, 7 * MS).receive(Q, "c", 8 * MS).checkpoint(Q, 9 * MS)
            .send(Q, "d", P, 10 * MS).receive(P, "d", 11 * MS).checkpoint(P, 12 * MS)
            .send(P, "e", Q, 13 * MS).receive(Q, "e", 14 * MS)
            .end(P, 15 * MS).end(Q, 15 * MS)
            .build();
    }

    /**
     * Four ranks in two independent pairs. Rank 1's last interval sends b to rank 0; rank 3's last interval sends e
     * to rank 2, whose interval 1 sent d to rank 3, whose interval 1 sent c to rank 2: a chain back to the start of
     * rank 2.
     */
    static History twoPairs() {
        return new HistoryBuilder("r0", "r1", "r2", "r3")
            .send(0, "f", 2, 5 * MS).receive(2, "f", 6 * MS)
            .checkpoint(1, 10 * MS).checkpoint(3, 12 * MS)
            .send(3, "c", 2, 14 * MS).checkpoint(0, 15 * MS).receive(2, "c", 16 * MS)
            .checkpoint(2, 18 * MS)
            .send(1, "a", 0, 20 * MS).send(2, "d", 3, 20 * MS).receive(3, "d", 22 * MS)
            .checkpoint(3, 24 * MS).receive(0, "a", 25 * MS)
            .send(3, "e", 2, 26 * MS)
            .checkpoint(0, 30 * MS).receive(2, "e", 30 * MS)
            .checkpoint(1, 35 * MS).send(1, "b", 0, 38 * MS).receive(0, "b", 39 * MS)
            .checkpoint(2, 40 * MS)
            .end(0, 50 * MS).end(1, 40 * MS).end(2, 50 * MS).end(3, 50 * MS)
            .build();
    }

    /**
     * A history made from random numbers, for property tests: rank r has {@code counts.get(r)} checkpoints (10 ns
     * apart); each {@code int[5]} of {@code raw} places one message (sender, sender interval, receiver, received or
     * not, receiver interval — each taken modulo what is valid; a rank never receives its own message before sending
     * it). Messages are numbered from {@code firstSeq}.
     */
    public static History random(java.util.List<Integer> counts, java.util.List<int[]> raw, long firstSeq) {
        int n = counts.size();
        java.util.List<io.snapline.recovery.model.RankHistory> ranks = new java.util.ArrayList<>();
        for (int r = 0; r < n; r++) {
            java.util.List<io.snapline.recovery.model.Checkpoint> checkpoints = new java.util.ArrayList<>();
            for (int i = 0; i < counts.get(r); i++) {
                checkpoints.add(new io.snapline.recovery.model.Checkpoint(r, i, i, 10L * i));
            }
            ranks.add(new io.snapline.recovery.model.RankHistory(r, "r" + r, checkpoints, 10L * counts.get(r)));
        }
        java.util.List<io.snapline.recovery.model.Message> messages = new java.util.ArrayList<>();
        long seq = firstSeq;
        for (int[] a : raw) {
            int s = a[0] % n;
            int r = a[2] % n;
            int si = a[1] % counts.get(s);
            int ri = a[3] % 4 == 0 ? io.snapline.recovery.model.Message.NOT_RECEIVED : a[4] % counts.get(r);
            if (s == r && ri != io.snapline.recovery.model.Message.NOT_RECEIVED && ri < si) {
                ri = si;
            }
            messages.add(io.snapline.recovery.model.Message.of(s, si, r, ri, seq++));
        }
        return new History(ranks, messages);
    }
}
