package io.snapline.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentEnvironmentTest {
    private static final ClusterSecret SECRET = ClusterSecret.of(
            "0123456789abcdef0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    @Test
    void shouldGiveAProcessTheAgentsClusterAndSecret() {
        AgentEnvironment agent = new AgentEnvironment(SECRET.clusterName("lab"), "127.0.0.1:5701", SECRET);
        AgentEnvironment seen = AgentEnvironment.of(agent.variables(Map.of(AgentEnvironment.NEEDS_SECRET, "1")))
                .orElseThrow();

        assertEquals(SECRET.clusterName("lab"), seen.clusterName());
        assertEquals("127.0.0.1:5701", seen.member());
        byte[] sealed = SECRET.sealer("snapline.store.ck").seal("k", new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, seen.secret().sealer("snapline.store.ck").open("k", sealed),
                "the process seals and opens as the agent does");
    }

    @Test
    void shouldGiveTheSecretOnlyToAProcessThatOpensAStoreInTheCluster() {
        Map<String, String> plain = new AgentEnvironment("c", "h:1", SECRET).variables(Map.of("OTHER", "1"));
        assertEquals(Map.of(AgentEnvironment.NAME_ENV, "c", AgentEnvironment.MEMBER_ENV, "h:1"), plain);
        assertTrue(AgentEnvironment.of(plain).isEmpty(), "no store in the cluster for it to open");
    }

    @Test
    void shouldSayNothingWhenNoAgentStartedTheProcess() {
        Map<String, String> partial = new HashMap<>(new AgentEnvironment("c", "h:1", SECRET).variables(
                Map.of(AgentEnvironment.NEEDS_SECRET, "1")));
        partial.remove(AgentEnvironment.SECRET_ENV);
        assertTrue(AgentEnvironment.of(partial).isEmpty());
        assertTrue(AgentEnvironment.of(Map.of()).isEmpty());
    }
}
