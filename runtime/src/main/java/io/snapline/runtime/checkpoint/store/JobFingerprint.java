package io.snapline.runtime.checkpoint.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What makes a checkpoint belong to one job: the program (main class, its arguments, a digest of the classes and jars
 * it was loaded from), the checkpoint policy and the options that change what its checkpoints hold, the number of
 * ranks, and the checkpoint format. The launcher computes it once; the store records it in every manifest and every
 * piece, and a {@code --resume} whose fingerprint differs is refused, naming each of {@link #differencesFrom}.
 *
 * <p>Each field has a permanent code in the stored form ({@link Field}); never reassign one, leave a gap.
 *
 * @param format         the checkpoint format version the checkpoint was written in
 * @param mainClass      the program's main class
 * @param arguments      the program's own arguments
 * @param classPath      a digest of the program's class-path contents ({@code sha256:} and 64 hex digits)
 * @param policy         the checkpoint policy's name
 * @param policyOptions  the policy options that change what a checkpoint holds, as {@code name=value} pairs
 *                       separated by commas (e.g. {@code logging=none})
 * @param ranks          the number of ranks ({@code -np})
 */
public record JobFingerprint(int format, String mainClass, List<String> arguments, String classPath, String policy,
        String policyOptions, int ranks) {

    /** The fields, with their permanent codes and names in the stored form. */
    public enum Field {
        FORMAT(1, "format", "checkpoint format"),
        MAIN_CLASS(2, "main-class", "main class"),
        ARGUMENTS(3, "arguments", "program arguments"),
        CLASS_PATH(4, "class-path", "class-path contents"),
        POLICY(5, "policy", "checkpoint policy"),
        POLICY_OPTIONS(6, "policy-options", "policy options"),
        RANKS(7, "ranks", "ranks (-np)");

        private final int code;
        private final String key;
        private final String label;

        Field(int code, String key, String label) {
            this.code = code;
            this.key = key;
            this.label = label;
        }

        /** The permanent code of this field in the stored form. */
        public int code() {
            return code;
        }

        /** The name written beside the code. */
        public String key() {
            return key;
        }

        /** How the field is named to users. */
        public String label() {
            return label;
        }
    }

    public JobFingerprint {
        Objects.requireNonNull(mainClass, "mainClass");
        arguments = List.copyOf(arguments);
        Objects.requireNonNull(classPath, "classPath");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(policyOptions, "policyOptions");
        if (format < 1 || ranks < 1) {
            throw new CheckpointStoreException("a job fingerprint needs a format and a rank count of at least 1, got "
                    + format + " and " + ranks);
        }
    }

    /** The fingerprint of a job this build writes (in its own checkpoint format). */
    public static JobFingerprint of(String mainClass, List<String> arguments, String classPath, String policy,
            String policyOptions, int ranks) {
        return new JobFingerprint(CheckpointFormatDescriptor.FORMAT_VERSION, mainClass, arguments, classPath, policy,
                policyOptions, ranks);
    }

    /** This fingerprint with other program arguments. */
    public JobFingerprint withArguments(List<String> newArguments) {
        return new JobFingerprint(format, mainClass, newArguments, classPath, policy, policyOptions, ranks);
    }

    /** Every field in which this (the new job's) fingerprint differs from {@code recorded}, in code order. */
    public List<Field> differencesFrom(JobFingerprint recorded) {
        List<Field> out = new ArrayList<>();
        for (Field f : Field.values()) {
            if (!Objects.equals(value(f), recorded.value(f))) {
                out.add(f);
            }
        }
        return out;
    }

    /** The value of {@code field}: a String, an Integer, or for the arguments a List of Strings. */
    public Object value(Field field) {
        return switch (field) {
            case FORMAT -> format;
            case MAIN_CLASS -> mainClass;
            case ARGUMENTS -> arguments;
            case CLASS_PATH -> classPath;
            case POLICY -> policy;
            case POLICY_OPTIONS -> policyOptions;
            case RANKS -> ranks;
        };
    }
}
