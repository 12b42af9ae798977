package io.snapline.checkpoint.independent.logging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.checkpoint.SavedMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SenderLogTest {
    /** A message of rank 0 with {@code text} as its payload; type 0 is a byte code of the runtime. */
    private static SavedMessage msg(int tag, String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        return new SavedMessage(0, 3, tag, 0, p.length, p);
    }

    private static List<String> texts(List<SenderLog.Entry> entries) {
        return entries.stream().map(e -> e.seq() + ":" + new String(e.message().payload(), StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void shouldGiveARestartedReceiverWhatItHadReceivedAfterItsCheckpointInChannelOrder() {
        SenderLog log = new SenderLog(3);
        log.append(1, 1, msg(7, "a"));
        log.append(2, 1, msg(7, "x"));
        log.append(1, 2, msg(8, "b"));
        log.append(1, 3, msg(7, "c"));
        log.append(2, 2, msg(7, "y"));
        log.append(1, 4, msg(9, "d"));

        // Rank 1 checkpointed having received messages 1 and 2 from this rank: they are no longer needed.
        log.dropThrough(1, 2);
        assertEquals(List.of("3:c", "4:d"), texts(log.after(1, 2)), "a restart from that checkpoint gets 3 and 4");
        assertEquals(List.of("4:d"), texts(log.after(1, 3)));
        assertEquals(List.of("1:x", "2:y"), texts(log.after(2, 0)), "the channel to rank 2 is untouched");
        assertEquals(List.of(), texts(log.after(0, 0)), "nothing was sent to this rank itself");
        assertEquals(4, log.size());
    }

    @Test
    void shouldRefuseARestartFromACheckpointOlderThanTheOneThatLetMessagesBeDropped() {
        SenderLog log = new SenderLog(2);
        for (int s = 1; s <= 5; s++) {
            log.append(1, s, msg(0, "m" + s));
        }
        log.dropThrough(1, 3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> log.after(1, 1));
        assertEquals("messages 2..3 to rank 1 were dropped from the log when a checkpoint of rank 1 covered them, so a "
                + "restart of rank 1 from an older checkpoint cannot get them again", e.getMessage());
        log.dropThrough(1, 9); // a checkpoint after messages this rank has not even sent yet (none are logged)
        assertEquals(List.of(), log.after(1, 9));
        assertEquals(0, log.size());
    }

    @Test
    void shouldRefuseMessagesWhoseNumbersDoNotGrowOnTheirChannel() {
        SenderLog log = new SenderLog(2);
        log.append(1, 4, msg(0, "a"));
        assertEquals("message 4 to rank 1 logged after message 4: numbers on a channel must grow",
                assertThrows(IllegalArgumentException.class, () -> log.append(1, 4, msg(0, "b"))).getMessage());
        assertEquals("rank 2 is not a rank of the job (0..1)",
                assertThrows(IllegalArgumentException.class, () -> log.append(2, 1, msg(0, "b"))).getMessage());
        log.append(0, 1, msg(0, "c")); // channels are numbered separately
        log.dropThrough(1, 10);
        assertEquals("message 7 to rank 1 logged after message 10: numbers on a channel must grow",
                assertThrows(IllegalArgumentException.class, () -> log.append(1, 7, msg(0, "d"))).getMessage(),
                "a number already dropped is refused, or the log could not be read back");
        log.append(1, 11, msg(0, "e"));
        assertEquals(List.of("11:e"), texts(SenderLog.decode(log.encode(), 0, 2, "here").after(1, 10)));
    }

    @Test
    void shouldCountBytesAndTheirPeakAsMessagesAreLoggedAndDropped() {
        SenderLog log = new SenderLog(2);
        log.append(1, 1, msg(0, "x".repeat(100)));
        log.append(1, 2, msg(0, "x".repeat(50)));
        long both = 150 + 2 * SenderLog.ENTRY_OVERHEAD;
        assertEquals(both, log.bytes());
        assertEquals(100 + SenderLog.ENTRY_OVERHEAD, log.dropThrough(1, 1));
        assertEquals(50 + SenderLog.ENTRY_OVERHEAD, log.bytes());
        assertEquals(both, log.peakBytes());
        log.dropThrough(1, 2);
        assertEquals(0, log.bytes());
        assertEquals(both, log.peakBytes());
    }

    @Test
    void shouldComeBackFromItsEncodingWithTheSameMessagesAndWhatWasDropped() {
        SenderLog log = new SenderLog(3);
        log.append(1, 1, msg(1, "one"));
        log.append(1, 2, msg(2, ""));
        log.append(2, 1, msg(3, "three"));
        log.dropThrough(1, 1);
        log.dropThrough(0, 6);

        SenderLog back = SenderLog.decode(log.encode(), 0, 3, "rank 0's checkpoint 4");
        assertEquals(log.after(1, 1), back.after(1, 1));
        assertEquals(log.after(2, 0), back.after(2, 0));
        assertEquals(log.bytes(), back.bytes());
        assertArrayEquals(log.encode(), back.encode());
        assertThrows(IllegalStateException.class, () -> back.after(1, 0), "what was dropped stays dropped");
        assertThrows(IllegalStateException.class, () -> back.after(0, 5));
    }

    @Test
    void shouldNameTheCheckpointWhenItsLogIsDamaged() {
        SenderLog log = new SenderLog(2);
        log.append(1, 1, msg(1, "payload"));
        byte[] good = log.encode();
        String where = "rank 0's checkpoint 2";

        byte[] magic = good.clone();
        magic[0] = 'X';
        assertEquals(where + " holds no message log (wrong magic)", damaged(magic, 2, where));
        assertEquals(where + " holds the message log of a job of 2 ranks, not 3", damaged(good, 3, where));
        assertEquals(where + ": the message log is cut short",
                damaged(Arrays.copyOf(good, good.length - 3), 2, where));
        assertEquals(where + ": the message log is cut short", damaged(Arrays.copyOf(good, good.length + 1), 2,
                where));
        byte[] type = good.clone();
        type[10 + 16 + 4 + 8 + 4 + 4] = (byte) 200; // the first message: its type byte
        assertEquals(where + ": message 1 to rank 1 of the message log is damaged (type 200, 7 payload bytes)",
                damaged(type, 2, where));
        byte[] dest = good.clone();
        dest[10 + 16 + 3] = 5; // the first message's destination
        assertEquals(where + ": the message log names rank 5 as a destination", damaged(dest, 2, where));
    }

    /** A checkpoint of the first format (grouped by destination) still reads, and its damage is still named. */
    @Test
    void shouldReadTheLogOfTheFirstFormat() {
        byte[] payload = "v1".getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + 2 * 12 + 2 * (25 + payload.length));
        b.putInt(0x534C4D4C).putShort((short) 1).putInt(2);
        b.putLong(0).putInt(0); // rank 0: nothing
        b.putLong(3).putInt(2); // rank 1: dropped through 3, then messages 4 and 5
        for (long seq = 4; seq <= 5; seq++) {
            b.putLong(seq).putInt(3).putInt(9).put((byte) 0).putInt(payload.length).putInt(payload.length).put(payload);
        }
        SenderLog log = SenderLog.decode(b.array(), 0, 2, "rank 0's checkpoint 1");
        assertEquals(List.of("4:v1", "5:v1"), texts(log.after(1, 3)));
        assertEquals(9, log.after(1, 4).get(0).message().tag());
        assertThrows(IllegalStateException.class, () -> log.after(1, 2));
        assertEquals("rank 0's checkpoint 1: 1 stray bytes after the message log",
                damaged(Arrays.copyOf(b.array(), b.capacity() + 1), 2, "rank 0's checkpoint 1"));
    }

    /** A log bounded at 1 MiB in memory, spilling to {@code dir}. */
    private static SenderLog bounded(int ranks, java.nio.file.Path dir) {
        return new SenderLog(ranks, new SenderLog.Bound(1 << 20, dir, "test-"));
    }

    /** A message of rank 0 of {@code size} bytes, each {@code (byte) (seed + i)}. */
    private static SavedMessage big(int seed, int size) {
        byte[] p = new byte[size];
        for (int i = 0; i < size; i++) {
            p[i] = (byte) (seed + i);
        }
        return new SavedMessage(0, 3, seed, 0, size, p);
    }

    @Test
    void shouldSpillCompressedPayloadsAndGiveThemBackAsTheyWere(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) {
        for (io.snapline.runtime.checkpoint.Compression c : List.of(io.snapline.runtime.checkpoint.Compression.LZ4,
                io.snapline.runtime.checkpoint.Compression.ZSTD)) {
            SenderLog plain = bounded(2, dir);
            SenderLog packed = new SenderLog(2, new SenderLog.Bound(1 << 20, dir, "packed-", c));
            List<SavedMessage> sent = new java.util.ArrayList<>();
            for (int k = 1; k <= 40; k++) { // 40 x 100 KB of repetitive bytes, and a few small ones between
                SavedMessage m = big(k, 100_000);
                sent.add(m);
                plain.append(1, 2 * k - 1, m);
                packed.append(1, 2 * k - 1, m);
                SavedMessage s = msg(k, "small " + k);
                sent.add(s);
                plain.append(1, 2 * k, s);
                packed.append(1, 2 * k, s);
            }
            assertEquals(sent, packed.after(1, 0).stream().map(SenderLog.Entry::message).toList(), c.toString());
            assertTrue(packed.spilledBytes() < plain.spilledBytes() / 4, c + ": " + packed.spilledBytes() + " spilled "
                    + "against " + plain.spilledBytes());
            assertArrayEquals(plain.encode(), packed.encode(), "a checkpoint holds the log as it is either way");
            plain.close();
            packed.close();
        }
    }

    @Test
    void shouldSpillBeyondItsMemoryBoundAndGiveEverythingBackInChannelOrder(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws java.io.IOException {
        SenderLog log = bounded(3, dir);
        List<SavedMessage> to1 = new java.util.ArrayList<>();
        List<SavedMessage> to2 = new java.util.ArrayList<>();
        for (int k = 1; k <= 40; k++) { // 40 x 100 KB to rank 1, small ones to rank 2 between them
            SavedMessage m = big(k, 100_000);
            to1.add(m);
            log.append(1, k, m);
            SavedMessage s = msg(k, "small " + k);
            to2.add(s);
            log.append(2, k, s);
        }
        assertTrue(log.bytes() <= 1 << 20, "memory stays within its bound: " + log.bytes());
        assertTrue(log.spilledBytes() >= 40 * 100_000 - (1 << 20), "the rest is spilled: " + log.spilledBytes());
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(0, files.count(), "spill files are unlinked at once: nothing is left behind");
        }
        assertEquals(to1, log.after(1, 0).stream().map(SenderLog.Entry::message).toList());
        assertEquals(to2, log.after(2, 0).stream().map(SenderLog.Entry::message).toList());
        assertEquals(List.of(38L, 39L, 40L), log.after(1, 37).stream().map(SenderLog.Entry::seq).toList());
        assertArrayEquals(new int[] {1, 2}, log.destinations());

        // Back from its encoding into a log with a bound: the same messages, spilled again.
        SenderLog back = SenderLog.decode(log.encode(), 0, 3, "rank 0's checkpoint 1", new SenderLog.Bound(1 << 20,
                dir, "back-"));
        assertEquals(log.after(1, 0), back.after(1, 0));
        assertEquals(log.after(2, 0), back.after(2, 0));
        assertTrue(back.spilledBytes() > 0 && back.bytes() <= 1 << 20, back.bytes() + " " + back.spilledBytes());
        assertArrayEquals(log.encode(), back.encode());
        back.close();

        // Drops free the spilled part as well: once rank 1 and 2 hold everything, nothing is left.
        log.dropThrough(1, 20);
        assertEquals(to1.subList(20, 40), log.after(1, 20).stream().map(SenderLog.Entry::message).toList());
        assertThrows(IllegalStateException.class, () -> log.after(1, 19));
        log.dropThrough(1, 40);
        log.dropThrough(2, 40);
        assertEquals(0, log.spilledBytes());
        assertEquals(0, log.bytes());
        assertArrayEquals(new int[0], log.destinations());
        assertTrue(log.spilledPeakBytes() >= 40 * 100_000 - (1 << 20));

        // And it goes on after being emptied: numbers still grow, spilled and in memory alike.
        assertThrows(IllegalArgumentException.class, () -> log.append(1, 40, big(1, 10)));
        assertTrue(!log.accepts(1, 40) && log.accepts(1, 41) && log.accepts(0, 1));
        for (int k = 41; k <= 60; k++) {
            log.append(1, k, big(k, 100_000));
        }
        assertEquals(20, log.after(1, 40).size());
        assertEquals(big(60, 100_000), log.after(1, 59).get(0).message());
        log.close();
    }

    @Test
    void shouldReadBackAMessageLargerThanItsScanBlock(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        SenderLog log = bounded(2, dir);
        SavedMessage huge = big(7, 3 << 20);
        log.append(1, 1, msg(1, "before"));
        log.append(1, 2, huge);
        log.append(1, 3, msg(3, "after"));
        assertTrue(log.spilledBytes() > 3 << 20, "the large one spilled: " + log.spilledBytes());
        List<SenderLog.Entry> all = log.after(1, 0);
        assertEquals(List.of(1L, 2L, 3L), all.stream().map(SenderLog.Entry::seq).toList());
        assertEquals(huge, all.get(1).message());
        assertEquals("after", new String(all.get(2).message().payload(), StandardCharsets.UTF_8));
        log.close();
    }

    private static String damaged(byte[] bytes, int ranks, String where) {
        return assertThrows(CheckpointException.class, () -> SenderLog.decode(bytes, 0, ranks, where)).getMessage();
    }

    @Test
    void shouldReuseTheArraysOfDroppedMessagesAndKeepSmallMessagesTogether() {
        SenderLog log = new SenderLog(2);
        byte[] big = new byte[300_000];
        big[299_999] = 7;
        for (long seq = 1; seq <= 3; seq++) {
            log.append(1, seq, new SavedMessage(0, 0, 5, 1, big.length, big));
        }
        assertEquals(0, log.pooledBytes());
        log.dropThrough(1, 2);
        assertEquals(2 * 512 * 1024, log.pooledBytes(), "two arrays of the 512 KiB size class are free");
        log.append(1, 4, new SavedMessage(0, 0, 5, 1, big.length, big));
        assertEquals(512 * 1024, log.pooledBytes(), "the new message took one of them");
        for (long seq = 5; seq <= 104; seq++) {
            log.append(1, seq, new SavedMessage(0, 0, 6, 1, 8, new byte[] {(byte) seq, 0, 0, 0, 0, 0, 0, 0}));
        }
        List<SenderLog.Entry> after = log.after(1, 2);
        assertEquals(102, after.size());
        assertArrayEquals(big, after.get(0).message().payload());
        assertEquals(50, after.get(47).message().payload()[0], "message 50, packed with the other small ones");
        assertEquals(new SavedMessage(0, 0, 6, 1, 8, new byte[] {104, 0, 0, 0, 0, 0, 0, 0}),
                after.get(101).message());
    }

    @Test
    void shouldReuseTheChunkOfADestinationWhoseSmallMessagesWereAllDroppedWithoutShowingItsOldBytes() {
        SenderLog log = new SenderLog(2);
        for (long seq = 1; seq <= 4; seq++) {
            log.append(1, seq, new SavedMessage(0, 0, 5, 1, 8, new byte[] {9, 9, 9, 9, 9, 9, 9, (byte) seq}));
        }
        log.dropThrough(1, 4);
        assertEquals(4096, log.pooledBytes(), "the destination's emptied first chunk is free");
        log.append(1, 5, new SavedMessage(0, 0, 5, 1, 3, new byte[] {1, 2, 3}));
        assertEquals(0, log.pooledBytes(), "the next message to it took that chunk instead of a new one");
        log.append(1, 6, new SavedMessage(0, 0, 5, 1, 2, new byte[] {4, 5}));
        List<SenderLog.Entry> after = log.after(1, 4);
        assertEquals(2, after.size());
        assertArrayEquals(new byte[] {1, 2, 3}, after.get(0).message().payload());
        assertArrayEquals(new byte[] {4, 5}, after.get(1).message().payload(), "nothing of the dropped messages shows");
        assertEquals(2 * 48 + 5, log.totalBytes(), "read without the lock, as the last append left it");
    }

    @Test
    void shouldKeepChannelOrderAcrossWrapsGrowthAndShrinkingOfItsStorage() {
        SenderLog log = new SenderLog(3);
        long next = 1;
        long dropped = 0;
        // Appends and drops interleaved so that the storage wraps, doubles while wrapped, and after the big drop
        // shrinks; every message carries its number so that any mix-up shows.
        for (int round = 0; round < 40; round++) {
            int burst = round == 20 ? 200_000 : 37 + round;
            for (int k = 0; k < burst; k++, next++) {
                log.append(2, next, new SavedMessage(1, 0, (int) next, 1, 8, java.nio.ByteBuffer.allocate(8)
                        .putLong(next).array()));
            }
            dropped = Math.max(dropped, next - 1 - (round % 3 == 0 ? 0 : 5 + round));
            log.dropThrough(2, dropped);
            List<SenderLog.Entry> left = log.after(2, dropped);
            assertEquals(next - 1 - dropped, left.size(), "round " + round);
            for (int k = 0; k < left.size(); k++) {
                long seq = dropped + 1 + k;
                assertEquals(seq, left.get(k).seq());
                assertEquals(seq, java.nio.ByteBuffer.wrap(left.get(k).message().payload()).getLong());
                assertEquals((int) seq, left.get(k).message().tag());
            }
            assertEquals(left.size(), log.size());
        }
        SenderLog back = SenderLog.decode(log.encode(), 1, 3, "test");
        assertEquals(log.after(2, dropped), back.after(2, dropped), "the encoding keeps the same messages in order");
    }

    @Test
    void shouldKeepItsIndexWhenReceiversCheckpointRegularlyAndShrinkItOnceABurstIsOver() {
        SenderLog log = new SenderLog(2);
        long next = 1;
        int[] capacity = new int[6];
        // Five intervals of 100 000 messages each dropped by a checkpoint, then one of 100.
        for (int round = 0; round < 6; round++) {
            int messages = round < 5 ? 100_000 : 100;
            for (int k = 0; k < messages; k++, next++) {
                log.append(1, next, 0, 0, 7, 1, 8, 8, (dst, at) -> dst[at] = 1);
            }
            log.dropThrough(1, next - 1);
            capacity[round] = log.indexCapacity(1);
        }
        assertEquals(131_072, capacity[0], "room for an interval's messages");
        for (int round = 1; round < 5; round++) {
            assertEquals(capacity[0], capacity[round], "kept across drops, so not grown again (round " + round + ")");
        }
        assertEquals(65_536, capacity[5], "shrunk at the drop after an interval that needed far less");
    }

    @Test
    void shouldLetTheThreadHoldingTheLockTakeItAgainAndFreeItOnlyAtTheLastUnlock() {
        SenderLog log = new SenderLog(2);
        assertFalse(log.isHeldByCurrentThread());
        log.lock();
        log.append(1, 1, msg(7, "a")); // takes the lock again
        assertEquals(List.of("1:a"), texts(log.after(1, 0)));
        assertTrue(log.isHeldByCurrentThread(), "still held after the nested calls");
        log.unlock();
        assertFalse(log.isHeldByCurrentThread());
        assertThrows(IllegalMonitorStateException.class, log::unlock, "unlocking a lock not held");
    }

    @Test
    @Timeout(30)
    void shouldKeepAnotherThreadOutWhileTheLockIsHeld() throws Exception {
        SenderLog log = new SenderLog(2);
        log.append(1, 1, msg(7, "a"));
        log.lock();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Long> freed = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread dropper = new Thread(() -> {
            started.countDown();
            try {
                freed.set(log.dropThrough(1, 1)); // waits for the lock
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        dropper.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        // While this thread holds the lock the drop cannot have happened: the message is still logged.
        log.append(1, 2, msg(7, "b"));
        assertEquals(List.of("1:a", "2:b"), texts(log.after(1, 0)));
        assertEquals(null, freed.get());
        log.unlock();
        dropper.join(10_000);
        assertFalse(dropper.isAlive());
        assertEquals(null, failure.get());
        assertEquals(List.of("2:b"), texts(log.after(1, 1)), "the drop ran once the lock was free");
    }

    @Test
    @Timeout(60)
    void shouldLoseNoAppendWhenTwoThreadsAppendAndDropAtOnce() throws Exception {
        SenderLog log = new SenderLog(3);
        int n = 20_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                for (int k = 1; k <= n; k++) {
                    log.append(2, k, msg(7, "y"));
                    if (k % 100 == 0) {
                        log.dropThrough(2, k - 50);
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        other.start();
        for (int k = 1; k <= n; k++) {
            log.lock();
            try {
                log.appendHeld(1, k, 0, 3, 7, 0, 1, 1, (dst, at) -> dst[at] = 'x');
            } finally {
                log.unlock();
            }
        }
        other.join(30_000);
        assertFalse(other.isAlive());
        assertEquals(null, failure.get());
        assertEquals(n, log.after(1, 0).size(), "every message to rank 1 is logged");
        assertEquals(50, log.after(2, n - 50).size(), "rank 2's messages after the last drop");
    }
}
