package io.snapline.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
    private static ClusterView.Agent agent(String id, int slots, int free) {
        return new ClusterView.Agent(id, new AgentRecord("host-" + id, new InetSocketAddress("127.0.0.1", 7000),
                slots, free));
    }

    private static final List<ClusterView.Agent> THREE = List.of(agent("a", 4, 2), agent("b", 4, 4), agent("c", 2, 0));

    @Test
    void shouldPlaceRanksInBlocksByFreeSlot() {
        Placement p = Placement.of(THREE, 5, 0);

        assertEquals(Map.of("a", List.of(0, 1), "b", List.of(2, 3, 4)), p.byAgent());
        assertEquals(List.of("a", "b"), p.agents().stream().map(ClusterView.Agent::member).toList());
        assertEquals("b", p.agentOf(4).member());
    }

    @Test
    void shouldPutExactlyTheRanksPerHostOnAgentsThatHaveThem() {
        Placement p = Placement.of(List.of(agent("a", 4, 2), agent("b", 4, 4), agent("d", 8, 8)), 6, 3);

        assertEquals(Map.of("b", List.of(0, 1, 2), "d", List.of(3, 4, 5)), p.byAgent());
    }

    @Test
    void shouldSayWhatIsMissingWhenTheSlotsDoNotSuffice() {
        IllegalArgumentException bySlot = assertThrows(IllegalArgumentException.class, () -> Placement.of(THREE, 7, 0));
        assertEquals("7 ranks need 7 free slots; the cluster's 3 agent(s) have 6: start more agents or give them more "
                + "--slots", bySlot.getMessage());
        IllegalArgumentException perHost = assertThrows(IllegalArgumentException.class,
                () -> Placement.of(THREE, 6, 3));
        assertEquals("6 ranks at 3 per host need 2 agents with 3 free slots; the cluster has 1 (of 3 agents): start "
                + "more agents, give them more --slots, or lower --ranks-per-host", perHost.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Placement.of(THREE, 0, 0));
    }

    @Test
    void shouldMoveOnlyTheLostRanksToAgentsWithFreeSlots() {
        Placement p = Placement.of(THREE, 5, 0); // a: 0 1, b: 2 3 4
        // b is lost; a has no free slot left, e has two
        List<ClusterView.Agent> left = List.of(agent("a", 4, 0), agent("e", 2, 2), agent("f", 1, 1));
        Placement moved = p.moving(new int[] {2, 3, 4}, left);

        assertEquals("a", moved.agentOf(0).member());
        assertEquals("a", moved.agentOf(1).member());
        assertEquals(List.of("e", "e", "f"), List.of(moved.agentOf(2).member(), moved.agentOf(3).member(),
                moved.agentOf(4).member()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.moving(new int[] {2, 3, 4}, List.of(agent("a", 4, 0), agent("e", 2, 2))));
        assertEquals("3 rank(s) to restart need 3 free slots; the 2 agent(s) left have 2", e.getMessage());
    }
}
