package io.snapline.runtime.device.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.Request;
import io.snapline.runtime.engine.SendMode;
import io.snapline.runtime.engine.TypeMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tcp device of a job whose ranks rejoin ({@link TcpConfig#rejoin()}): a lost peer is down, not failed, until its
 * new incarnation connects, and only a message it was still sending that a rank had taken is reported as lost.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpRejoinTest {
    private static final TypeMap INT = TypeMap.basic(BaseType.INT);

    @Test
    void shouldKeepWhatIsPendingOnADownPeerAndCarryOnWithItsNewIncarnation() throws Exception {
        try (TcpCluster c = TcpCluster.startRejoining(3)) {
            Communicator w0 = c.world(0);
            Request fromOne = w0.irecv(new int[1], 0, 1, INT, 1, 0);
            int large = (int) (TcpConfig.DEFAULT_EAGER_WINDOW / 4 + 1); // announced by RTS, waits for rank 1's CTS
            Request toOne = w0.isend(SendMode.STANDARD, new int[large], 0, large, INT, 1, 0);
            Request ssendToOne = w0.isend(SendMode.SYNCHRONOUS, new int[] {1}, 0, 1, INT, 1, 0);
            c.devices[1].terminate();

            // Completed as if delivered: the sender's message log has them for rank 1's next incarnation.
            w0.endpoint().await(toOne);
            w0.endpoint().await(ssendToOne);
            w0.endpoint().await(w0.isend(SendMode.STANDARD, new int[] {3}, 0, 1, INT, 1, 0));
            assertFalse(fromOne.isComplete(), "a receive from a peer that is down stays posted");

            c.rejoin(1);
            Communicator w1 = c.world(1);
            w1.endpoint().await(w1.isend(SendMode.STANDARD, new int[] {42}, 0, 1, INT, 0, 0));
            w0.endpoint().await(fromOne);
            assertEquals(1, fromOne.statusSource());
            int[] got = new int[1];
            Request toNew = w1.irecv(got, 0, 1, INT, 0, 5);
            w0.endpoint().await(w0.isend(SendMode.SYNCHRONOUS, new int[] {7}, 0, 1, INT, 1, 5));
            w1.endpoint().await(toNew);
            assertEquals(7, got[0]);
            // Rank 2 too talks to the new incarnation, both ways, including a message too large to go eagerly.
            Communicator w2 = c.world(2);
            int[] big = new int[large];
            big[large - 1] = 99;
            int[] into = new int[large];
            Request bigIn = w1.irecv(into, 0, large, INT, 2, 6);
            w2.endpoint().await(w2.isend(SendMode.STANDARD, big, 0, large, INT, 1, 6));
            w1.endpoint().await(bigIn);
            assertEquals(99, into[large - 1]);
            for (int r = 0; r < 3; r++) {
                assertEquals(List.of(), c.failures[r], "rank " + r + " reports no failure");
                assertEquals(List.of(), c.lost[r], "rank " + r + " lost nothing");
            }
        }
    }

    @Test
    void shouldReportALargeMessageTakenFromAPeerLostBeforeItsDataCame() throws Exception {
        try (TcpCluster c = TcpCluster.startRejoining(2)) {
            Communicator w1 = c.world(1);
            int large = (int) (TcpConfig.DEFAULT_EAGER_WINDOW / 4 + 1);
            w1.isend(SendMode.STANDARD, new int[large], 0, large, INT, 0, 0);
            TcpCluster.awaitTrue(() -> c.mailboxes[0].unexpectedCount() == 1, "rank 1's announcement to arrive");
            c.devices[1].terminate();
            TcpCluster.awaitTrue(() -> !c.lost[0].isEmpty(), "rank 0 to report what it lost");
            assertTrue(c.lost[0].get(0).startsWith("1: rank 1 was lost (its connection closed without a goodbye) "
                    + "while this rank held 1 large message(s) from it not yet received"), c.lost[0].toString());
            assertEquals(List.of(), c.failures[0]);
            c.devices[1] = null; // nothing to close
        }
    }

    @Test
    void shouldConnectTwoRanksThatComeBackOneAfterTheOther() throws Exception {
        try (TcpCluster c = TcpCluster.startRejoining(3)) {
            c.devices[1].terminate();
            c.devices[2].terminate();
            c.rejoin(1, 2); // rank 2 is still down: the new rank 1 skips it
            c.rejoin(2); // connects to rank 0 and to the new rank 1
            for (int[] pair : new int[][] {{1, 2}, {2, 1}, {0, 2}, {1, 0}}) {
                Communicator from = c.world(pair[0]);
                Communicator to = c.world(pair[1]);
                int[] got = new int[1];
                Request in = to.irecv(got, 0, 1, INT, pair[0], 9);
                from.endpoint().await(from.isend(SendMode.SYNCHRONOUS, new int[] {pair[0] * 10 + pair[1]}, 0, 1, INT,
                        pair[1], 9));
                to.endpoint().await(in);
                assertEquals(pair[0] * 10 + pair[1], got[0], "from " + pair[0] + " to " + pair[1]);
            }
            for (int r = 0; r < 3; r++) {
                assertEquals(List.of(), c.failures[r], "rank " + r + " reports no failure");
            }
        }
    }
}
