package io.snapline.runtime.testing;

import io.snapline.runtime.engine.EagerWindow;
import io.snapline.runtime.engine.Mailbox;
import io.snapline.runtime.launch.RankRegistry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import mpi.MPI;

/**
 * A rank program for flood tests in a JVM of limited heap: rank 0 sends rank 1 four times the heap in messages of
 * 1 KiB with blocking {@code Send}, as bytes or (argument {@code objects}) each as an object holding its bytes, then the
 * CRC of everything. Rank 1 either (argument {@code late}) waits until rank 0 is out of window — its next message would
 * not fit, so it must wait — and then receives everything, checking order and CRC; or (argument {@code never}) calls
 * {@code MPI.Finalize} without receiving anything.
 */
public final class Flood {
    public static final int BYTES = 1024;

    private Flood() {
    }

    /** Messages in the flood: four times this JVM's heap (ranks on tcp all have the same heap). */
    public static int messages() {
        return (int) Math.min(Integer.MAX_VALUE, 4 * Runtime.getRuntime().maxMemory() / BYTES);
    }

    public static void main(String[] args) {
        String[] mine = MPI.Init(args);
        boolean objects = mine[0].equals("objects");
        boolean late = mine[1].equals("late");
        int n = messages();
        byte[] b = new byte[BYTES];
        CRC32 crc = new CRC32();
        if (MPI.COMM_WORLD.Rank() == 0) {
            for (int i = 0; i < n; i++) {
                ByteBuffer.wrap(b).putInt(i).putLong(0x9E3779B97F4A7C15L * (i + 1));
                crc.update(b);
                if (objects) {
                    MPI.COMM_WORLD.Send(new Object[] {b.clone()}, 0, 1, MPI.OBJECT, 1, 5);
                } else {
                    MPI.COMM_WORLD.Send(b, 0, BYTES, MPI.BYTE, 1, 5);
                }
            }
            MPI.COMM_WORLD.Send(new long[] {crc.getValue()}, 0, 1, MPI.LONG, 1, 6);
            System.out.println("rank 0 sent " + n + " messages");
        } else if (late) {
            Mailbox box = RankRegistry.lookup(MPI.class.getClassLoader()).endpoint().mailbox();
            while (box.heldBytesFrom(0) + EagerWindow.cost(2 * BYTES) <= box.window()) {
                Thread.onSpinWait(); // polling takes what rank 0 writes into this rank's ring
            }
            for (int i = 0; i < n; i++) {
                if (objects) {
                    Object[] o = new Object[1];
                    MPI.COMM_WORLD.Recv(o, 0, 1, MPI.OBJECT, 0, 5);
                    b = (byte[]) o[0];
                } else {
                    MPI.COMM_WORLD.Recv(b, 0, BYTES, MPI.BYTE, 0, 5);
                }
                int got = ByteBuffer.wrap(b).getInt();
                if (got != i) {
                    throw new IllegalStateException("message " + i + " arrived as number " + got);
                }
                crc.update(b);
            }
            long[] sent = new long[1];
            MPI.COMM_WORLD.Recv(sent, 0, 1, MPI.LONG, 0, 6);
            System.out.println("rank 1 received " + n + " messages in order, crc "
                    + (sent[0] == crc.getValue() ? "matches" : "DIFFERS") + ", held "
                    + (box.peakHeldBytes() <= box.heldLimit() ? "within" : "BEYOND") + " the window");
        }
        MPI.Finalize();
    }
}
