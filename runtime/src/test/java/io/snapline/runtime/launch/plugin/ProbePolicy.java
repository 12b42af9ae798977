package io.snapline.runtime.launch.plugin;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.NonePolicy;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.PolicyOption;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import java.util.List;

/**
 * A policy that exists only in a jar a test builds ({@code PolicyPluginTest}): {@code --checkpoint probe} with its
 * own option {@code --greeting TEXT}. It saves nothing; each rank counts its safe points and prints the count and the
 * greeting when the program finalizes, which shows that the launcher found it, passed its option, and ran it.
 */
public final class ProbePolicy implements CheckpointPolicy {
    @Override
    public String name() {
        return "probe";
    }

    @Override
    public String description() {
        return "counts safe points (a test policy)";
    }

    @Override
    public boolean restarts() {
        return false;
    }

    @Override
    public List<PolicyOption> options() {
        return List.of(new PolicyOption("--greeting", "TEXT", "what each rank prints with its count"));
    }

    @Override
    public void validate(PolicySettings settings) {
        String g = settings.option("--greeting");
        if (g != null && g.length() > 40) {
            throw new IllegalArgumentException("--greeting must be at most 40 characters, got " + g.length());
        }
    }

    @Override
    public RankPolicy forRank(RankServices services) {
        String greeting = services.settings().option("--greeting");
        return new RankPolicy() {
            private long points;

            @Override
            public void atPoint(long point) {
                points++;
            }

            @Override
            public void onControl(byte[] message) {
            }

            @Override
            public void finish() {
                System.out.println("probe: rank " + services.rank() + " passed " + points + " safe points; "
                        + (greeting == null ? "no greeting" : greeting));
            }
        };
    }

    /** Its supervisor half does nothing, as {@code none}'s. */
    @Override
    public PolicyCoordinator coordinator(CoordinatorServices services) {
        return new NonePolicy().coordinator(services);
    }
}
