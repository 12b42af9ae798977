package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line printed to continue a job: the job's own flags, {@code --resume}, absolute paths, shell quoting. */
class ResumeCommandTest {
    private static final String HERE = Path.of("").toAbsolutePath().toString();

    @Test
    void shouldKeepTheJobsFlagsAndDropWhatMustNotBeRepeatedWhenResuming() {
        LaunchOptions o = LaunchOptions.parse(FixturePolicies.INSTALLED, "-np", "4", "-dev", "tcp", "--tag-output", "--jvm-opts", "-Xmx1g -Da=b",
                "--failure-timeout", "1500ms", "--checkpoint", "logger", "--logging", "a", "--fast", "--interval", "2m",
                "--incremental", "--async", "--checkpoint-timeout", "30s", "--max-restarts", "5", "--store", "ck", "--report", "r.json",
                "--inject-failure", "rank=1,point=3", "-cp", "classes" + File.pathSeparator + "lib/*", "demo.Main",
                "it's", "", "--flag");

        assertEquals("snaprun -np 4 -dev tcp --tag-output --jvm-opts '-Xmx1g -Da=b' --failure-timeout 1500ms "
                + "--checkpoint logger --logging a --fast --interval 120s --incremental --async --checkpoint-timeout 30s "
                + "--max-restarts 5 "
                + "--resume " + HERE + "/ck -cp '" + HERE + "/classes" + File.pathSeparator + HERE + "/lib/*' "
                + "demo.Main 'it'\\''s' '' --flag", ResumeCommand.of(o, Path.of("ck")), "the * is quoted, not globbed");
    }

    @Test
    void shouldKeepAllowNewArgsWhenTheStoreStillHoldsCheckpointsOfTheOldArguments() {
        LaunchOptions o = LaunchOptions.parse(FixturePolicies.INSTALLED, "-np", "2", "--checkpoint", "stepper", "--every", "10", "--resume",
                "/data/run", "--allow-new-args", "demo.Main", "40");

        assertEquals("snaprun -np 2 --checkpoint stepper --every 10 --resume /data/run --allow-new-args -cp "
                + HERE + " demo.Main 40", ResumeCommand.of(o, Path.of("/data/run")));
    }

    @Test
    void shouldKeepTheAutomaticIntervalWithItsSettings() {
        LaunchOptions o = LaunchOptions.parse(FixturePolicies.INSTALLED, "-np", "2", "--checkpoint", "logger",
                "--interval", "auto", "--mttf", "6h", "--formula", "wong-franklin", "--h", "0.25", "--store", "/s",
                "demo.Main");

        assertEquals("snaprun -np 2 --checkpoint logger --interval auto --mttf 21600s --formula wong-franklin --h 0.25 "
                + "--resume /s -cp " + HERE + " demo.Main", ResumeCommand.of(o, Path.of("/s")));
        assertEquals(o.auto(), LaunchOptions.parse(FixturePolicies.INSTALLED, "-np", "2", "--checkpoint", "logger",
                "--interval", "auto", "--mttf", "21600s", "--formula", "wong-franklin", "--h", "0.25", "demo.Main")
                .auto(), "the printed flags read back as given");
        LaunchOptions learning = LaunchOptions.parse(FixturePolicies.INSTALLED, "-np", "2", "--checkpoint", "logger",
                "--interval", "auto", "--mttf", "6h", "--learn-mttf", "--store", "/s", "demo.Main");
        assertEquals("snaprun -np 2 --checkpoint logger --interval auto --mttf 21600s --formula young --learn-mttf "
                + "--resume /s -cp " + HERE + " demo.Main", ResumeCommand.of(learning, Path.of("/s")));
    }
}
