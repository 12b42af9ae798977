package io.snapline.runtime.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The jobs running on a cluster, as their launchers publish them ({@link JobRecord}), and the requests to cancel them.
 * Both are sealed with the cluster's secret and bound to the job's id: a process without the secret reads no job and
 * cancels none (a request that does not open is ignored and reported).
 */
final class ClusterJobs {
    /** The map cancel requests are put in, under the job's id. */
    static final String CANCELS = "snapline.cancels";
    /** How long a job's record lives unless its launcher publishes it again (every third of that). */
    static final int RECORD_TTL_SECONDS = 30;

    private ClusterJobs() {
    }

    /** The jobs, oldest first, and the keys of entries that did not open. */
    record Jobs(List<JobRecord> jobs, List<String> refused) {
        Jobs {
            jobs = List.copyOf(jobs);
            refused = List.copyOf(refused);
        }
    }

    /**
     * Publishes {@code record} without waiting for the cluster (a launcher's threads never wait for status), for
     * {@link #RECORD_TTL_SECONDS}: the launcher publishes it again well before, so that the record of a launcher that
     * died goes by itself.
     */
    static void publish(HazelcastInstance hz, ClusterSecret secret, JobRecord record) {
        hz.<String, byte[]>getMap(JobRecord.MAP).setAsync(record.job(), secret.sealer(JobRecord.MAP)
                .seal(JobRecord.MAP + "/" + record.job(), record.encode()), RECORD_TTL_SECONDS, TimeUnit.SECONDS);
    }

    static void remove(HazelcastInstance hz, String job) {
        hz.getMap(JobRecord.MAP).delete(job);
        hz.getMap(CANCELS).delete(job);
    }

    static Jobs list(HazelcastInstance hz, ClusterSecret secret) {
        Sealer sealer = secret.sealer(JobRecord.MAP);
        List<JobRecord> jobs = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : hz.<String, byte[]>getMap(JobRecord.MAP).entrySet()) {
            try {
                JobRecord r = JobRecord.decode(sealer.open(JobRecord.MAP + "/" + e.getKey(), e.getValue()));
                if (r.job().equals(e.getKey())) {
                    jobs.add(r);
                    continue;
                }
            } catch (Sealer.SealException | IllegalArgumentException bad) {
                // refused below
            }
            refused.add(e.getKey());
        }
        jobs.sort(Comparator.comparing(JobRecord::started));
        return new Jobs(jobs, refused);
    }

    /** Asks the launcher of {@code job} to cancel it, saying {@code by} whom; false when no such job runs. */
    static boolean cancel(HazelcastInstance hz, ClusterSecret secret, String job, String by) {
        if (!hz.getMap(JobRecord.MAP).containsKey(job)) {
            return false;
        }
        hz.<String, byte[]>getMap(CANCELS).set(job, secret.sealer(CANCELS).seal(CANCELS + "/" + job,
                by.getBytes(StandardCharsets.UTF_8)));
        return true;
    }

    /**
     * Tells {@code cancelled} who asked, when a request to cancel {@code job} that opens with the secret arrives;
     * {@code refused} hears of one that does not.
     */
    static void onCancel(HazelcastInstance hz, ClusterSecret secret, String job, Consumer<String> cancelled,
            Consumer<String> refused) {
        Sealer sealer = secret.sealer(CANCELS);
        IMap<String, byte[]> map = hz.getMap(CANCELS);
        Consumer<byte[]> request = value -> {
            try {
                cancelled.accept(new String(sealer.open(CANCELS + "/" + job, value), StandardCharsets.UTF_8));
            } catch (Sealer.SealException bad) {
                refused.accept("a request to cancel job " + job + " that does not open with the cluster's secret was "
                        + "ignored");
            }
        };
        class Listener implements EntryAddedListener<String, byte[]>, EntryUpdatedListener<String, byte[]> {
            @Override
            public void entryAdded(com.hazelcast.core.EntryEvent<String, byte[]> e) {
                request.accept(e.getValue());
            }

            @Override
            public void entryUpdated(com.hazelcast.core.EntryEvent<String, byte[]> e) {
                request.accept(e.getValue());
            }
        }
        map.addEntryListener(new Listener(), job, true);
    }
}
