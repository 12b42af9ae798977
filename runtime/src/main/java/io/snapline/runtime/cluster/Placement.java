package io.snapline.runtime.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a cluster job's ranks run: rank {@code r} on agent {@link #agentOf}{@code (r)}. Ranks are placed by slot, in
 * blocks: the first agent's free slots take ranks 0, 1, ..., the next agent's the ranks after them, so that
 * neighbouring ranks (which exchange the most in most programs) share a host. With a number of ranks per host, each
 * agent in turn takes exactly that many.
 *
 * @param agents the agents used, in the order their blocks of ranks come
 * @param ranks  per rank, its agent's index in {@link #agents}
 */
public record Placement(List<ClusterView.Agent> agents, int[] ranks) {
    public Placement {
        agents = List.copyOf(agents);
        ranks = ranks.clone();
    }

    /** The agent rank {@code r} runs on. */
    public ClusterView.Agent agentOf(int r) {
        return agents.get(ranks[r]);
    }

    /** The ranks on each agent, by the agent's member id, in the order the agents were chosen. */
    public Map<String, List<Integer>> byAgent() {
        Map<String, List<Integer>> by = new LinkedHashMap<>();
        agents.forEach(a -> by.put(a.member(), new ArrayList<>()));
        for (int r = 0; r < ranks.length; r++) {
            by.get(agents.get(ranks[r]).member()).add(r);
        }
        return by;
    }

    /**
     * Places {@code np} ranks on {@code agents} by their free slots, or (with {@code perHost} above 0) exactly
     * {@code perHost} on each agent in turn.
     *
     * @throws IllegalArgumentException saying what is missing when the agents' free slots cannot take the ranks
     */
    public static Placement of(List<ClusterView.Agent> agents, int np, int perHost) {
        if (np < 1) {
            throw new IllegalArgumentException("a job needs at least 1 rank, got " + np);
        }
        int[] ranks = new int[np];
        List<ClusterView.Agent> used = new ArrayList<>();
        int r = 0;
        for (ClusterView.Agent a : agents) {
            if (r == np) {
                break;
            }
            int take = perHost > 0 ? (a.record().free() >= perHost ? perHost : 0) : a.record().free();
            take = Math.min(take, np - r);
            if (take == 0) {
                continue;
            }
            for (int k = 0; k < take; k++) {
                ranks[r++] = used.size();
            }
            used.add(a);
        }
        if (r < np) {
            int free = agents.stream().mapToInt(a -> a.record().free()).sum();
            if (perHost > 0) {
                long fit = agents.stream().filter(a -> a.record().free() >= perHost).count();
                throw new IllegalArgumentException(np + " ranks at " + perHost + " per host need "
                        + ((np + perHost - 1) / perHost) + " agents with " + perHost + " free slots; the cluster has "
                        + fit + " (of " + agents.size() + " agents): start more agents, give them more --slots, or "
                        + "lower --ranks-per-host");
            }
            throw new IllegalArgumentException(np + " ranks need " + np + " free slots; the cluster's "
                    + agents.size() + " agent(s) have " + free + ": start more agents or give them more --slots");
        }
        return new Placement(used, ranks);
    }

    /**
     * This placement with {@code lost} ranks moved to other agents: those of {@code agents} (the cluster as it is
     * now) with free slots, by slot as in {@link #of}; the other ranks stay where they are.
     *
     * @throws IllegalArgumentException when the agents' free slots cannot take the lost ranks, saying how many are
     *     missing
     */
    public Placement moving(int[] lost, List<ClusterView.Agent> agents) {
        List<ClusterView.Agent> now = new ArrayList<>(this.agents);
        int[] moved = ranks.clone();
        int[] free = agents.stream().mapToInt(a -> a.record().free()).toArray();
        int next = 0;
        for (int r : lost) {
            while (next < agents.size() && free[next] == 0) {
                next++;
            }
            if (next == agents.size()) {
                int slots = agents.stream().mapToInt(a -> a.record().free()).sum();
                throw new IllegalArgumentException(lost.length + " rank(s) to restart need " + lost.length
                        + " free slots; the " + agents.size() + " agent(s) left have " + slots);
            }
            ClusterView.Agent to = agents.get(next);
            int index = indexOf(now, to.member());
            if (index < 0) {
                now.add(to);
                index = now.size() - 1;
            }
            moved[r] = index;
            free[next]--;
        }
        return new Placement(now, moved);
    }

    private static int indexOf(List<ClusterView.Agent> agents, String member) {
        for (int i = 0; i < agents.size(); i++) {
            if (agents.get(i).member().equals(member)) {
                return i;
            }
        }
        return -1;
    }
}
