package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.store.CheckpointFormatException;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.CheckpointStore;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The launcher's side of job fingerprints: computing this job's (once, at launch) and refusing a {@code --resume}
 * of checkpoints another job took, naming every difference and what to do.
 */
final class JobFingerprints {
    private JobFingerprints() {
    }

    /** The fingerprint of the job {@code options} describe, checkpointed by {@code policy} under {@code settings}. */
    static JobFingerprint of(LaunchOptions options, CheckpointPolicy policy, PolicySettings settings) {
        return JobFingerprint.of(options.mainClass(), options.programArgs(),
                ClassPathDigest.of(ProgramLoader.classPathFiles(options)), settings.policy(),
                policy.fingerprint(settings), options.np());
    }

    /**
     * Refuses to resume from {@code store} unless every checkpoint in it that can be read records {@code job}'s
     * fingerprint (damaged ones are left to the restart's fallback, which names them). With {@code allowNewArgs},
     * checkpoints taken with other program arguments are accepted, and {@code warn} is told once.
     *
     * @throws UsageException listing each difference (old value → new value) and how to proceed
     */
    static void requireSameJob(CheckpointStore store, JobFingerprint job, CheckpointPolicy policy,
            PolicySettings settings, boolean allowNewArgs, String dir, Consumer<String> warn) {
        boolean warned = false;
        for (Recorded r : recorded(store, dir)) {
            if (r.fingerprint().isEmpty()) {
                throw new UsageException("--resume " + dir + ": " + r.what() + " records no job fingerprint (it was "
                        + "not written by snaprun), so it cannot be shown to belong to this job; start a fresh job "
                        + "with another --store");
            }
            JobFingerprint old = r.fingerprint().get();
            List<JobFingerprint.Field> differences = new ArrayList<>(job.differencesFrom(old));
            if (old.policy().equals(job.policy()) && policy.continues(old.policyOptions(), settings)) {
                differences.remove(JobFingerprint.Field.POLICY_OPTIONS);
            }
            if (allowNewArgs && differences.remove(JobFingerprint.Field.ARGUMENTS) && !warned) {
                warned = true;
                warn.accept("continuing with other program arguments (--allow-new-args): "
                        + describe(JobFingerprint.Field.ARGUMENTS, old, job));
            }
            if (!differences.isEmpty()) {
                throw new UsageException(refusal(dir, r.what(), old, job, differences, allowNewArgs));
            }
        }
    }

    /** A checkpoint's fingerprint as read from the store (empty: it records none). */
    private record Recorded(String what, Optional<JobFingerprint> fingerprint) {
    }

    /** The fingerprints of every readable checkpoint: committed ones newest first, then local ones by rank. */
    private static List<Recorded> recorded(CheckpointStore store, String dir) {
        List<Recorded> out = new ArrayList<>();
        List<CheckpointId> ids = store.list();
        for (int i = ids.size() - 1; i >= 0; i--) {
            CheckpointId id = ids.get(i);
            read("checkpoint " + id, () -> store.fingerprint(id), dir, out);
        }
        for (int rank : store.localRanks()) {
            for (long index : store.localIndexes(rank)) {
                read("rank " + rank + "'s local checkpoint " + index, () -> store.localFingerprint(rank, index), dir,
                        out);
            }
        }
        return out;
    }

    private static void read(String what, java.util.function.Supplier<Optional<JobFingerprint>> read, String dir,
            List<Recorded> out) {
        try {
            out.add(new Recorded(what, read.get()));
        } catch (CheckpointFormatException e) {
            throw new UsageException("--resume " + dir + ": " + e.getMessage());
        } catch (CheckpointStoreException damaged) {
            // a damaged checkpoint is never restored; the restart's fallback names it
        }
    }

    private static String refusal(String dir, String what, JobFingerprint old, JobFingerprint job,
            List<JobFingerprint.Field> differences, boolean allowNewArgs) {
        StringBuilder m = new StringBuilder("--resume ").append(dir).append(": ").append(what)
                .append(" there was taken by another job (old value \u2192 this job's):");
        for (JobFingerprint.Field f : differences) {
            m.append("\n  ").append(describe(f, old, job));
        }
        boolean argumentsOnly = differences.equals(List.of(JobFingerprint.Field.ARGUMENTS));
        m.append("\nResume with the same ").append(argumentsOnly ? "arguments" : "program, arguments, policy and -np")
                .append(argumentsOnly && !allowNewArgs ? ", add --allow-new-args to continue the job with the new "
                        + "arguments (its state must suit them)" : "")
                .append(", or start a fresh job with another --store");
        return m.toString();
    }

    /** {@code "program arguments: 20 → 40"}. */
    static String describe(JobFingerprint.Field f, JobFingerprint old, JobFingerprint now) {
        return f.label() + ": " + show(f, old) + " \u2192 " + show(f, now);
    }

    private static String show(JobFingerprint.Field f, JobFingerprint fp) {
        Object v = fp.value(f);
        if (f == JobFingerprint.Field.ARGUMENTS) {
            List<?> args = (List<?>) v;
            return args.isEmpty() ? "(none)" : ShellWords.join(fp.arguments());
        }
        String s = String.valueOf(v);
        return s.isEmpty() ? "(none)" : s;
    }
}
