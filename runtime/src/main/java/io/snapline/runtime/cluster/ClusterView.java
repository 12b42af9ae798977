package io.snapline.runtime.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What a client (or any member) sees of the cluster's agents: the published {@link AgentRecord}s of the members that
 * are in the cluster now, opened with the cluster's secret. An entry that does not open (written by a process without
 * the secret) is left out and reported in {@link Agents#refused()}.
 */
public final class ClusterView {
    private ClusterView() {
    }

    /** The agents, in the order of their members' join, and the keys of entries that did not open. */
    public record Agents(List<Agent> agents, List<String> refused) {
        public Agents {
            agents = List.copyOf(agents);
            refused = List.copyOf(refused);
        }

        /** Free slots of all agents together. */
        public int freeSlots() {
            return agents.stream().mapToInt(a -> a.record().free()).sum();
        }
    }

    /** An agent: its member's id and what it published. */
    public record Agent(String member, AgentRecord record) {
    }

    /** The agents of the cluster {@code hazelcast} is a member or client of. */
    public static Agents agents(HazelcastInstance hazelcast, ClusterSecret secret) {
        IMap<String, byte[]> map = hazelcast.getMap(AgentRecord.MAP);
        Sealer sealer = secret.sealer(AgentRecord.MAP);
        Set<Member> members = hazelcast.getCluster().getMembers();
        List<String> order = members.stream().map(m -> m.getUuid().toString()).toList();
        Set<UUID> present = members.stream().map(Member::getUuid).collect(Collectors.toSet());
        List<Agent> agents = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : map.entrySet()) {
            UUID id;
            try {
                id = UUID.fromString(e.getKey());
            } catch (IllegalArgumentException notAnId) {
                refused.add(e.getKey());
                continue;
            }
            if (!present.contains(id)) {
                continue; // an agent that left without removing its entry
            }
            try {
                agents.add(new Agent(e.getKey(), AgentRecord.decode(sealer.open(AgentRecord.MAP + "/" + e.getKey(),
                        e.getValue()))));
            } catch (Sealer.SealException | IllegalArgumentException bad) {
                refused.add(e.getKey());
            }
        }
        agents.sort(java.util.Comparator.comparingInt(a -> order.indexOf(a.member())));
        return new Agents(agents, refused);
    }
}
