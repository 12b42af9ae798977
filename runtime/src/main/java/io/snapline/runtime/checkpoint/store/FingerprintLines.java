package io.snapline.runtime.checkpoint.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored form of a {@link JobFingerprint}, the same in a MANIFEST and in a piece's fingerprint section: one
 * US-ASCII line per field, in code order, each {@code job <code> <name> <value>} and ending in {@code '\n'}:
 *
 * <pre>
 * job 1 format 2
 * job 2 main-class demo.Heat2D
 * job 3 arguments 2 128 a%20b                    (the count, then each argument)
 * job 4 class-path sha256:3f0c...                (64 hex digits)
 * job 5 policy coordinated
 * job 6 policy-options logging=none
 * job 7 ranks 4
 * </pre>
 *
 * Values are percent-escaped: every UTF-8 byte outside {@code '!'..'~'}, and {@code '%'} itself, is written as
 * {@code %XX} (upper-case hex), so a value holds no space or line break; an empty argument is an empty field.
 */
final class FingerprintLines {
    static final String PREFIX = "job ";
    private static final JobFingerprint.Field[] FIELDS = JobFingerprint.Field.values();

    private FingerprintLines() {
    }

    /** The lines of {@code fingerprint}, or the empty string for none. */
    static String encode(JobFingerprint fingerprint) {
        if (fingerprint == null) {
            return "";
        }
        StringBuilder text = new StringBuilder(256);
        for (JobFingerprint.Field f : FIELDS) {
            text.append(PREFIX).append(f.code()).append(' ').append(f.key()).append(' ');
            if (f == JobFingerprint.Field.ARGUMENTS) {
                text.append(fingerprint.arguments().size());
                for (String a : fingerprint.arguments()) {
                    text.append(' ').append(escape(a));
                }
            } else {
                text.append(escape(String.valueOf(fingerprint.value(f))));
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** {@link #encode} as bytes. */
    static byte[] bytes(JobFingerprint fingerprint) {
        return encode(fingerprint).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses fingerprint lines (each without its {@code '\n'}); none at all is no fingerprint (null).
     *
     * @throws CheckpointStoreException naming {@code where} if they are not one field of each code, in order
     */
    static JobFingerprint decode(String where, List<String> lines) {
        if (lines.isEmpty()) {
            return null;
        }
        if (lines.size() != FIELDS.length) {
            throw new CheckpointStoreException(where + " records " + lines.size() + " job fields, expected "
                    + FIELDS.length);
        }
        Object[] values = new Object[FIELDS.length];
        for (int i = 0; i < FIELDS.length; i++) {
            JobFingerprint.Field f = FIELDS[i];
            String line = lines.get(i);
            String head = PREFIX + f.code() + ' ' + f.key() + ' ';
            if (!line.startsWith(head)) {
                throw new CheckpointStoreException(where + " has '" + line + "' where the job field '" + head.trim()
                        + "' belongs");
            }
            String value = line.substring(head.length());
            try {
                values[i] = switch (f) {
                    case FORMAT, RANKS -> Integer.parseInt(value);
                    case ARGUMENTS -> arguments(value);
                    default -> unescape(value);
                };
            } catch (IllegalArgumentException e) {
                throw new CheckpointStoreException(where + " has a malformed job field '" + line + "': "
                        + e.getMessage());
            }
        }
        @SuppressWarnings("unchecked")
        List<String> args = (List<String>) values[2];
        return new JobFingerprint((Integer) values[0], (String) values[1], args, (String) values[3],
                (String) values[4], (String) values[5], (Integer) values[6]);
    }

    private static List<String> arguments(String value) {
        String[] f = value.split(" ", -1);
        int n = Integer.parseInt(f[0]);
        if (n != f.length - 1) {
            throw new IllegalArgumentException("it says " + n + " arguments but holds " + (f.length - 1));
        }
        List<String> args = new ArrayList<>(n);
        for (int i = 1; i < f.length; i++) {
            args.add(unescape(f[i]));
        }
        return args;
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c > ' ' && c < 0x7F && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    static String unescape(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length()) {
                    throw new IllegalArgumentException("'%' needs two hex digits");
                }
                int hi = Character.digit(value.charAt(i + 1), 16);
                int lo = Character.digit(value.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("'%' needs two hex digits");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c > ' ' && c < 0x7F) {
                out.write(c);
            } else {
                throw new IllegalArgumentException("character " + (int) c + " must be escaped");
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
