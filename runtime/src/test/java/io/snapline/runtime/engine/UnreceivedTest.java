package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The warning about messages left at {@code MPI.Finalize} stays a few lines long, however many there were. */
class UnreceivedTest {

    @Test
    void shouldSayNothingWhenNothingWasLeft() {
        assertTrue(new Unreceived.Counter(3).result().isEmpty());
        assertEquals("", new Unreceived.Counter(3).result().warning());
    }

    @Test
    void shouldNameTheTagOfASenderThatUsedOne() {
        Unreceived.Counter c = new Unreceived.Counter(1);
        for (int i = 0; i < 400_000; i++) {
            c.add(0, 0, 5, 1024);
        }
        assertEquals(List.of(
                "snapline: warning: rank 1 called MPI.Finalize with 400000 messages (390.6 MiB) it never received; they"
                        + " are dropped:",
                "  from rank 0: 400000 messages (390.6 MiB) with tag 5"), c.result().warning().lines().toList());
    }

    @Test
    void shouldMergeConsecutiveTagsAndCapTheListsWhenManySendersAndTagsWereLeft() {
        Unreceived.Counter c = new Unreceived.Counter(0);
        for (int source = 1; source <= 20; source++) {
            for (int tag = 0; tag < 100; tag += (tag < 10 ? 1 : 3)) { // 0..9 consecutive, then every third
                c.add(source, 0, tag, 10);
            }
        }
        c.add(3, 4, 1, 0); // another communicator
        c.add(3, 4, 1, 0);
        Unreceived u = c.result();
        List<String> lines = u.warning().lines().toList();
        assertEquals(1 + Unreceived.LISTED_SENDERS + 1, lines.size(), u.warning());
        assertEquals("snapline: warning: rank 0 called MPI.Finalize with 802 messages (7.8 KiB) it never received; they"
                + " are dropped:", lines.get(0));
        assertEquals("  from rank 1: 40 messages (400 B) with tags 0..10 (11), 13 (1), 16 (1), 19 (1), 22 (1), 25 (1)"
                + " and 24 more", lines.get(1));
        assertEquals("  from rank 3 on another communicator (context 4): 2 messages (0 B) with tag 1", lines.get(4));
        assertEquals("  and 13 more senders: 520 messages (5.1 KiB)", lines.get(lines.size() - 1));
        assertEquals(802, u.messages());
        assertEquals(8000, u.bytes());
    }
}
