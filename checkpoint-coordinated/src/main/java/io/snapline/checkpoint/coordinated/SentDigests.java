package io.snapline.checkpoint.coordinated;

import java.util.Arrays;

/**
 * The messages a rank sent while it recorded its events for a checkpoint: for each, the destination, its number on
 * that channel and the CRC-32C of its packed payload, in the order sent. A restart from the checkpoint checks each
 * re-executed send that its receiver already holds against them. Not thread safe.
 */
final class SentDigests {
    private int[] to = new int[16];
    private long[] seq = new long[16];
    private int[] crc = new int[16];
    private int size;

    void add(int dest, long number, int digest) {
        if (size == to.length) {
            int grown = size * 2;
            to = Arrays.copyOf(to, grown);
            seq = Arrays.copyOf(seq, grown);
            crc = Arrays.copyOf(crc, grown);
        }
        to[size] = dest;
        seq[size] = number;
        crc[size] = digest;
        size++;
    }

    int size() {
        return size;
    }

    int to(int k) {
        return to[k];
    }

    long seq(int k) {
        return seq[k];
    }

    int crc(int k) {
        return crc[k];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SentDigests d && d.size == size && Arrays.equals(d.to, 0, size, to, 0, size)
                && Arrays.equals(d.seq, 0, size, seq, 0, size) && Arrays.equals(d.crc, 0, size, crc, 0, size);
    }

    @Override
    public int hashCode() {
        int h = size;
        for (int k = 0; k < size; k++) {
            h = 31 * h + Long.hashCode(seq[k] * 31 + to[k]) + crc[k];
        }
        return h;
    }

    @Override
    public String toString() {
        return "SentDigests[" + size + " messages]";
    }
}
