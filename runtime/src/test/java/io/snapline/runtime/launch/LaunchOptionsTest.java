package io.snapline.runtime.launch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.Interval;
import io.snapline.runtime.checkpoint.NonePolicy;
import io.snapline.runtime.checkpoint.PolicyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LaunchOptionsTest {

    private static String error(String... argv) {
        return assertThrows(UsageException.class, () -> parse(argv)).getMessage();
    }

    /** Parses with the fixture policies installed, none of which the launcher knows by name. */
    private static LaunchOptions parse(String... argv) {
        return LaunchOptions.parse(FixturePolicies.INSTALLED, argv);
    }

    @Test
    void shouldReadRanksClassPathMainClassAndProgramArgsWhenGivenMpjStyle() {
        LaunchOptions o = parse("-np", "4", "-dev", "shm", "-cp", "out/classes", "demo.Heat", "--n", "64");
        assertEquals(4, o.np());
        assertEquals("shm", o.device());
        assertEquals("out/classes", o.classPath());
        assertNull(o.jar());
        assertEquals("demo.Heat", o.mainClass());
        assertEquals(List.of("--n", "64"), o.programArgs());
        assertFalse(o.tagOutput());
        assertEquals("none", o.checkpoint());
        assertEquals(LaunchOptions.DEFAULT_MAX_RESTARTS, o.maxRestarts());
        assertTrue(o.injectFailures().isEmpty());
    }

    @Test
    void shouldGiveEverythingAfterTheMainClassToTheProgramWhenItLooksLikeFlags() {
        LaunchOptions o = parse("-np", "2", "demo.Main", "-np", "5", "--help", "--checkpoint", "x");
        assertEquals(2, o.np());
        assertEquals(List.of("-np", "5", "--help", "--checkpoint", "x"), o.programArgs());
        assertEquals(LaunchOptions.Request.RUN, LaunchOptions.request("-np", "2", "demo.Main", "--help"));
    }

    @Test
    void shouldEndFlagsWhenGivenDoubleDash() {
        LaunchOptions o = parse("-np", "2", "--tag-output", "--", "demo.Main", "--x");
        assertTrue(o.tagOutput());
        assertEquals("demo.Main", o.mainClass());
        assertEquals(List.of("--x"), o.programArgs());
    }

    @Test
    void shouldAcceptAliasesWhenUsersComeFromMpjOrMpirun() {
        LaunchOptions o = parse("-n", "3", "-dev", "multicore", "-classpath", "a:b", "demo.Main");
        assertEquals(3, o.np());
        assertEquals("shm", o.device());
        assertEquals("a:b", o.classPath());
        assertEquals("shm", parse("-np", "1", "--device=shm", "--class-path=c", "X").device());
    }

    @Test
    void shouldAnswerHelpAndVersionWhenAskedAmongTheFlags() {
        assertEquals(LaunchOptions.Request.HELP, LaunchOptions.request("-h"));
        assertEquals(LaunchOptions.Request.HELP, LaunchOptions.request("-np", "4", "--help"));
        assertEquals(LaunchOptions.Request.VERSION, LaunchOptions.request("--version"));
        // --help as the value of -cp is a (strange) class path, not a request for help
        assertEquals(LaunchOptions.Request.RUN, LaunchOptions.request("-np", "2", "-cp", "--help", "X"));
        assertEquals(LaunchOptions.Request.RUN, LaunchOptions.request("-np", "2", "--", "--help"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "X                           | missing -np N (the number of ranks)",
        "-np                         | -np needs a value",
        "-np -cp x X                 | -np needs a value",
        "-np four X                  | -np needs an integer, got 'four'",
        "-np 0 X                     | -np must be between 1 and 4096, got 0",
        "-np 5000 X                  | -np must be between 1 and 4096, got 5000",
        "-np 2                       | missing the main class to run (e.g. snaprun -np 4 -cp classes demo.Hello)",
        "-np 2 -np 3 X               | -np is given more than once",
        "-n 2 -np 3 X                | -np is given more than once",
        "-np 2 --bogus X             | unknown option '--bogus'",
        "-np 2 --np 3 X              | unknown option '--np'; did you mean -np?",
        "-np 2 -tag-output X         | unknown option '-tag-output'; did you mean --tag-output?",
        "-np 2 -dev foo X            | unknown device 'foo'; choose shm (alias multicore) or tcp (alias niodev)",
        "-np 2 -dev mxdev X          | device 'mxdev' is not available in this build; use -dev shm or -dev tcp",
        "-np 2 --tag-output=yes X    | --tag-output takes no value, got '--tag-output=yes'",
        "-np 2 -cp x Hello.class     | 'Hello.class' is not a class name; give the fully qualified name, e.g. demo.Hello, and its directory or jar with -cp",
        "-np 2 --checkpoint bogus X  | checkpoint policy 'bogus' is not installed in this build (installed: logger, none, stepper); its jar must be on the launcher's class path",
        "-np 2 --interval 30s X      | --interval needs a checkpoint policy (--checkpoint logger or stepper); with --checkpoint none nothing is saved",
        "-np 2 --store d X           | --store needs a checkpoint policy (--checkpoint logger or stepper); with --checkpoint none nothing is saved",
        "-np 2 --max-restarts 1 X    | --max-restarts needs a checkpoint policy (--checkpoint logger or stepper); with --checkpoint none nothing is saved",
        "-np 2 --report= X           | --report needs a non-empty value",
    })
    void shouldExplainWhenTheCommandLineIsWrong(String argv, String message) {
        assertEquals(message, error(argv.split(" ")));
    }

    @Test
    void shouldRunAClusterJobOnTcpWhenGivenACluster() {
        LaunchOptions o = parse("-np", "8", "--cluster", "lab@10.0.0.5:5701", "--secret-file", "s", "X");
        assertEquals("tcp", o.device(), "a cluster job runs on tcp without being told");
        assertEquals("lab@10.0.0.5:5701", o.cluster());
        assertEquals("s", o.secretFile());
        assertEquals(0, o.ranksPerHost(), "placed by free slots");
        assertEquals(2, parse("-np", "8", "-dev", "tcp", "--cluster", "lab@h:1", "--secret-file", "s",
                "--ranks-per-host", "2", "X").ranksPerHost());
        assertEquals("shm", parse("-np", "2", "X").device());
        assertEquals(null, parse("-np", "2", "X").cluster());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-np 2 --cluster lab --secret-file s X             | --cluster needs NAME@HOST:PORT (e.g. lab@127.0.0.1:5701), got 'lab'",
        "-np 2 --cluster lab@host --secret-file s X        | --cluster needs NAME@HOST:PORT (e.g. lab@127.0.0.1:5701), got 'lab@host'",
        "-np 2 --cluster @h:1 --secret-file s X            | --cluster needs NAME@HOST:PORT (e.g. lab@127.0.0.1:5701), got '@h:1'",
        "-np 2 --cluster lab@h:99999 --secret-file s X     | --cluster needs NAME@HOST:PORT (e.g. lab@127.0.0.1:5701), got 'lab@h:99999'",
        "-np 2 --cluster lab@h:1 X                         | --cluster needs --secret-file F, the cluster's secret (the file its agents were started with)",
        "-np 2 -dev shm --cluster lab@h:1 --secret-file s X | --cluster runs the ranks as processes on the cluster's agents, so cluster jobs run on -dev tcp; drop -dev shm (or give -dev tcp)",
        "-np 2 --secret-file s X                           | --secret-file goes with --cluster NAME@HOST:PORT, which runs the job on a cluster's agents",
        "-np 2 -dev tcp --ranks-per-host 2 X               | --ranks-per-host goes with --cluster NAME@HOST:PORT, which runs the job on a cluster's agents",
        "-np 2 --cluster lab@h:1 --secret-file s --ranks-per-host 0 X | --ranks-per-host must be between 1 and 4096, got 0",
        "-np 2 --checkpoint stepper --store hazelcast://ck X | --store hazelcast://ck is a store in a cluster, kept by its agents: it needs --cluster NAME@HOST:PORT and --secret-file F (or name a directory)",
        "-np 2 --checkpoint stepper --resume hazelcast://ck X | --resume hazelcast://ck is a store in a cluster, kept by its agents: it needs --cluster NAME@HOST:PORT and --secret-file F (or name a directory)",
        "-np 2 --cluster lab@h:1 --secret-file s --checkpoint stepper --store hazelcast://ck?copies=2 X | --store hazelcast://ck?copies=2: the only setting of a cluster store is backups=N (0 to 6), e.g. hazelcast://ck?backups=2",
        "-np 2 --cluster lab@h:1 --secret-file s --checkpoint stepper --store hazelcast://c/k X | --store hazelcast://c/k: a cluster store's name is 1 to 100 letters, digits, '_' or '-'",
        "-np 2 --cluster lab@h:1 --secret-file s --checkpoint stepper --incremental --store hazelcast://ck X | --incremental needs a store directory: hazelcast://ck (a store kept in the cluster) writes whole pieces only",
        "-np 2 --cluster lab@h:1 --secret-file s --checkpoint stepper --store local+hazelcast://ck?local=rel X | --store local+hazelcast://ck?local=rel: local=DIR names the directory under which the host copies are kept (in DIR/NAME) on every host, an absolute path, e.g. local+hazelcast://ck?local=/scratch",
        "-np 2 --checkpoint stepper --store local+hazelcast://ck X | --store local+hazelcast://ck is a store in a cluster, kept by its agents: it needs --cluster NAME@HOST:PORT and --secret-file F (or name a directory)",
    })
    void shouldExplainWhenClusterFlagsAreWrong(String argv, String message) {
        assertEquals(message, error(argv.trim().split(" +")));
    }

    @Test
    void shouldHintAtSnaplineJavaOptsWhenGivenJvmOption() {
        assertEquals("unknown option '-Xmx2g'; JVM options go in SNAPLINE_JAVA_OPTS (e.g. SNAPLINE_JAVA_OPTS='-Xmx2g' snaprun ...)",
                error("-np", "2", "-Xmx2g", "X"));
    }

    @Test
    void shouldReadCheckpointFlagsWhenAPolicyIsChosen() {
        LaunchOptions o = parse("-np", "4", "--checkpoint", "stepper", "--interval=1.5s", "--store", "ck",
                "--max-restarts", "5", "--resume", "old", "--report", "r.json", "X");
        assertEquals("stepper", o.checkpoint());
        assertEquals(Duration.ofMillis(1500), o.interval());
        assertFalse(o.intervalAuto());
        assertEquals("ck", o.store());
        assertEquals(5, o.maxRestarts());
        assertEquals("old", o.resume());
        assertEquals("r.json", o.report());

        LaunchOptions auto = parse("-np", "2", "--checkpoint", "logger", "--interval", "auto", "--mttf", "6h", "X");
        assertTrue(auto.intervalAuto());
        assertNull(auto.interval());
    }

    @Test
    void shouldReadTheAutomaticIntervalWithItsDefaultsWhenOnlyTheMttfIsGiven() {
        LaunchOptions o = parse("-np", "2", "--checkpoint", "logger", "--interval", "auto", "--mttf", "6h", "X");
        assertEquals(new Interval.Auto(Interval.Formula.YOUNG, Duration.ofHours(6), 0.5), o.auto());
        assertEquals(o.auto(), o.policySettings().auto());
        assertEquals(o.auto(), o.policySettings().checkpointInterval());
        assertNull(o.policySettings().interval());
    }

    @Test
    void shouldReadTheFormulaAndHWhenGiven() {
        assertEquals(new Interval.Auto(Interval.Formula.DALY, Duration.ofMinutes(90), 0.5),
                parse("-np", "2", "--checkpoint", "logger", "--interval=auto", "--mttf=90m", "--formula", "daly", "X")
                        .auto());
        assertEquals(new Interval.Auto(Interval.Formula.WONG_FRANKLIN, Duration.ofSeconds(30), 0.25),
                parse("-np", "2", "--checkpoint", "logger", "--interval", "auto", "--formula", "wong-franklin",
                        "--h", "0.25", "--mttf", "30s", "X").auto());
        assertEquals(1.0, parse("-np", "2", "--checkpoint", "logger", "--interval", "auto", "--formula",
                "wong-franklin", "--h", "1", "--mttf", "30s", "X").auto().h());
        assertEquals(new Interval.Auto(Interval.Formula.YOUNG, Duration.ofHours(6), 0.5, true),
                parse("-np", "2", "--checkpoint", "logger", "--interval", "auto", "--mttf", "6h", "--learn-mttf", "X")
                        .auto());
    }

    @Test
    void shouldRefuseTheAutomaticIntervalsFlagsWithoutIntervalAuto() {
        assertEquals("--mttf goes with --interval auto, which chooses the interval from it; --interval 2s fixes the "
                + "interval", error("-np", "2", "--checkpoint", "logger", "--interval", "2s", "--mttf", "6h", "X"));
        assertEquals("--mttf goes with --interval auto, which chooses the interval from it; without --interval auto "
                + "the interval is fixed (default 30s)", error("-np", "2", "--checkpoint", "logger", "--mttf", "6h",
                "X"));
        assertEquals("--formula goes with --interval auto, which chooses the interval from it; without --interval "
                + "auto the interval is fixed (default 30s)", error("-np", "2", "--checkpoint", "logger", "--formula",
                "daly", "X"));
        assertEquals("--learn-mttf goes with --interval auto, which chooses the interval from it; --interval 2s fixes "
                + "the interval", error("-np", "2", "--checkpoint", "logger", "--interval", "2s", "--learn-mttf", "X"));
        assertEquals("--h goes with --interval auto, which chooses the interval from it; without --interval auto the "
                + "interval is fixed (default 30s)", error("-np", "2", "--checkpoint", "logger", "--h", "0.5", "X"));
    }

    @Test
    void shouldRefuseIntervalAutoWithoutAnMttf() {
        assertEquals("--interval auto needs --mttf M, the mean time between failures of the job as a whole (a "
                + "failure of any of its ranks counts), e.g. --mttf 6h",
                error("-np", "2", "--checkpoint", "logger", "--interval", "auto", "X"));
    }

    @Test
    void shouldRefuseAnUnknownFormulaAndAnHOutsideZeroToOne() {
        assertEquals("--formula must be young, daly or wong-franklin, got 'vaidya'", error("-np", "2", "--checkpoint",
                "logger", "--interval", "auto", "--mttf", "6h", "--formula", "vaidya", "X"));
        for (String h : List.of("0", "1.5", "-0.5", "half", "NaN")) {
            assertEquals("--h must be a number in (0, 1] (the average fraction of an interval a failure loses), got '"
                    + h + "'", error("-np", "2", "--checkpoint", "logger", "--interval", "auto", "--mttf", "6h",
                    "--formula", "wong-franklin", "--h=" + h, "X"), h);
        }
        assertEquals("--h is a parameter of --formula wong-franklin, not of --formula young", error("-np", "2",
                "--checkpoint", "logger", "--interval", "auto", "--mttf", "6h", "--h", "0.5", "X"));
    }

    @Test
    void shouldRefuseAnMttfThatIsNotAPositiveDurationOfAtLeastASecond() {
        assertEquals("--mttf must be between 1ms and 8760h (a year), got '0'", error("-np", "2", "--checkpoint",
                "logger", "--interval", "auto", "--mttf", "0", "X"));
        assertEquals("--mttf needs a duration such as 500ms, 30s or 2m, got '-6h'", error("-np", "2", "--checkpoint",
                "logger", "--interval", "auto", "--mttf=-6h", "X"));
        assertEquals("--mttf must be at least 1s (the mean time between failures of the whole job), got '500ms'",
                error("-np", "2", "--checkpoint", "logger", "--interval", "auto", "--mttf", "500ms", "X"));
    }

    @Test
    void shouldRefuseIntervalAutoWithAPolicyThatSavesNothing() {
        assertEquals("--interval needs a checkpoint policy (--checkpoint logger or stepper); with --checkpoint none "
                + "nothing is saved", error("-np", "2", "--interval", "auto", "--mttf", "6h", "X"));
    }

    @Test
    void shouldSayInTheHelpWhatTheMttfIs() {
        String help = LaunchOptions.usage(FixturePolicies.INSTALLED);
        assertTrue(help.contains("--interval auto"), help);
        assertTrue(help.contains("--mttf M              with --interval auto (required): the mean time between "
                + "failures of the job as a"), help);
        assertTrue(help.contains("whole, i.e. of any of its ranks"), help);
        assertTrue(help.contains("young (default; sqrt(2 t_c M)), daly"), help);
    }

    @Test
    void shouldPassAPolicysOwnOptionsToItWhereverTheyStandAmongTheFlags() {
        LaunchOptions o = parse("-np", "2", "--logging", "b", "--fast", "--checkpoint", "logger", "--interval", "2s",
                "X", "--every", "3");
        assertEquals(new java.util.LinkedHashMap<>(java.util.Map.of("--logging", "b", "--fast", "")),
                o.policyOptions());
        assertEquals(List.of("--every", "3"), o.programArgs(), "after the main class, flags are the program's");
        assertEquals(java.util.Map.of("--every", "10"),
                parse("-np", "2", "--checkpoint", "stepper", "--every=10", "X").policySettings().options());
        assertEquals("b", o.policySettings().option("--logging"));
        assertEquals(Duration.ofSeconds(2), o.policySettings().interval());
    }

    @Test
    void shouldRefuseAPolicyOptionThatTheChosenPolicyDoesNotDeclare() {
        assertEquals("--every is an option of --checkpoint stepper, not of --checkpoint logger",
                error("-np", "2", "--checkpoint", "logger", "--every", "3", "X"));
        assertEquals("--logging is an option of --checkpoint logger, not of --checkpoint none",
                error("-np", "2", "--logging", "a", "X"));
        assertEquals("--every needs a value", error("-np", "2", "--checkpoint", "stepper", "--every"));
        assertEquals("--fast takes no value, got '--fast=1'",
                error("-np", "2", "--checkpoint", "logger", "--fast=1", "X"));
        assertEquals("unknown option '--log'", error("-np", "2", "--checkpoint", "logger", "--log", "a", "X"));
        assertEquals("--logging needs a non-empty value", error("-np", "2", "--checkpoint", "logger", "--logging=",
                "X"));
        assertEquals("unknown option '--bogus'", error("-np", "1", "--bogus", "Main", "--checkpoint", "foo"),
                "--checkpoint after the main class is the program's");
    }

    @Test
    void shouldReadAFlagTwoPoliciesDeclareDifferentlyAsTheChosenPolicyDeclaresIt() {
        Map<String, CheckpointPolicy> installed = new TreeMap<>(FixturePolicies.INSTALLED);
        installed.put("racer", FixturePolicies.policy("racer", new PolicyOption("--fast", "N", "how fast")));
        assertEquals(Map.of("--fast", "3"), LaunchOptions.parse(installed, "-np", "2", "--fast", "3", "--checkpoint",
                "racer", "X").policyOptions());
        LaunchOptions logger = LaunchOptions.parse(installed, "-np", "2", "--fast", "--checkpoint", "logger", "X", "3");
        assertEquals(Map.of("--fast", ""), logger.policyOptions());
        assertEquals(List.of("3"), logger.programArgs());
    }

    @Test
    void shouldSayWhenNoInstalledPolicySavesCheckpoints() {
        assertEquals("--store needs a checkpoint policy and none that saves checkpoints is installed; with "
                + "--checkpoint none nothing is saved", assertThrows(UsageException.class, () -> LaunchOptions.parse(
                        Map.of("none", new NonePolicy()), "-np", "2", "--store", "d", "X")).getMessage());
    }

    @Test
    void shouldAllowNewArgumentsOnlyWithAResume() {
        assertTrue(parse("-np", "2", "--checkpoint", "stepper", "--resume", "old", "--allow-new-args",
                "X", "40").allowNewArgs());
        assertFalse(parse("-np", "2", "--checkpoint", "stepper", "--resume", "old", "X")
                .allowNewArgs());
        assertEquals("--allow-new-args goes with --resume DIR: it lets a resumed job continue with other program "
                + "arguments than the checkpoints in DIR were taken with",
                error("-np", "2", "--checkpoint", "stepper", "--allow-new-args", "X"));
    }

    @Test
    void shouldLetThePolicyRefuseValuesAndCombinationsItCannotFollow() {
        assertEquals("--logging must be a or b, got 'c'", error("-np", "2", "--checkpoint", "logger", "--logging", "c",
                "X"));
        assertEquals("give either --interval or --every, not both",
                error("-np", "2", "--checkpoint", "stepper", "--interval", "1s", "--every", "3", "X"));
        assertEquals("--every must be at least 1, got 0", error("-np", "2", "--checkpoint", "stepper", "--every", "0",
                "X"));
    }

    @Test
    void shouldListEveryInstalledPolicyWithItsOptionsInTheHelp() {
        String help = LaunchOptions.usage(FixturePolicies.INSTALLED);
        assertTrue(help.startsWith(LaunchOptions.SYNOPSIS + "\n"), help);
        assertTrue(help.endsWith(String.join("\n",
                "policies installed (--checkpoint POLICY), each with its own options:",
                "  logger                the logger fixture",
                "      --logging MODE    a or b",
                "      --fast            go fast",
                "  none                  " + new io.snapline.runtime.checkpoint.NonePolicy().description(),
                "  stepper               the stepper fixture",
                "      --every N         every N safe points")), help);
    }

    @ParameterizedTest
    @CsvSource({"250ms, 250", "1.5s, 1500", "30, 30000", "2m, 120000", "1h, 3600000", "10 S, 10000"})
    void shouldParseDurationsWhenGivenWithUnits(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), LaunchOptions.parseDuration("--interval", text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "0s     | --interval must be between 1ms and 8760h (a year), got '0s'",
        "0.1ms  | --interval must be between 1ms and 8760h (a year), got '0.1ms'",
        "9000h  | --interval must be between 1ms and 8760h (a year), got '9000h'",
        "-5s    | --interval needs a duration such as 500ms, 30s or 2m, got '-5s'",
        "5d     | --interval needs a duration such as 500ms, 30s or 2m, got '5d'",
        "NaN    | --interval needs a duration such as 500ms, 30s or 2m, got 'NaN'",
    })
    void shouldRejectDurationsWhenMalformed(String text, String message) {
        assertEquals(message, assertThrows(UsageException.class,
                () -> LaunchOptions.parseDuration("--interval", text)).getMessage());
    }

    @Test
    void shouldParseEveryFailureFormWhenInjectionIsAsked() {
        LaunchOptions o = parse("-np", "4",
                "--inject-failure", "rank=1,after=5s",
                "--inject-failure", "rank=0,point=3",
                "--inject-failure", "rank=3,during-checkpoint=2",
                "--inject-failure", "random,seed=42,count=2", "X");
        List<FailureSpec> f = o.injectFailures();
        assertEquals(new FailureSpec(FailureSpec.Kind.AFTER_TIME, 1, Duration.ofSeconds(5), 0, 0, 1), f.get(0));
        assertEquals(new FailureSpec(FailureSpec.Kind.AT_POINT, 0, null, 3, 0, 1), f.get(1));
        assertEquals(new FailureSpec(FailureSpec.Kind.DURING_CHECKPOINT, 3, null, 2, 0, 1), f.get(2));
        assertEquals(new FailureSpec(FailureSpec.Kind.RANDOM, -1, null, 0, 42, 2), f.get(3));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "rank=1            | expected rank=R with exactly one of after=, point=, during-checkpoint=",
        "rank=1,speed=3    | unknown key; expected after=, point= or during-checkpoint=",
        "rank=-1,point=2   | rank must be a non-negative integer, was '-1'",
        "rank=1,point=0    | point must be at least 1",
        "rank=1,after=soon | ",
        "random,seed=1     | random needs count=",
        "random,seed=1,count=2,rank=1 | random takes only seed= and count=",
        "rank=1,rank=2     | 'rank' given twice",
        "rank              | 'rank' is not key=value",
    })
    void shouldExplainWhenAFailureSpecIsMalformed(String spec, String why) {
        String message = error("-np", "4", "--inject-failure", spec, "X");
        if (why == null) {
            assertEquals("--inject-failure after needs a duration such as 500ms, 30s or 2m, got 'soon'", message);
        } else {
            assertEquals("--inject-failure '" + spec + "': " + why
                    + " (forms: rank=R,after=5s | rank=R,point=K | rank=R,during-checkpoint=K | random,seed=S,count=C)",
                    message);
        }
    }

    @Test
    void shouldRejectFailureForMissingRankWhenRankIsOutOfRange() {
        assertEquals("--inject-failure names rank 4 but the job has ranks 0..3",
                error("-np", "4", "--inject-failure", "rank=4,point=1", "X"));
    }

    @Test
    void shouldTakeMainClassFromManifestAndGiveAllArgsToProgramWhenJarNamesOne(@TempDir Path dir) throws IOException {
        Path jar = jar(dir.resolve("app.jar"), "demo.App");
        LaunchOptions o = parse("-np", "2", "-jar", jar.toString(), "input.txt", "7");
        assertEquals("demo.App", o.mainClass());
        assertEquals(jar.toString(), o.jar());
        assertEquals(List.of("input.txt", "7"), o.programArgs());
    }

    @Test
    void shouldTakeMainClassFromCommandLineWhenJarNamesNone(@TempDir Path dir) throws IOException {
        Path jar = jar(dir.resolve("lib.jar"), null);
        LaunchOptions o = parse("-np", "2", "-jar", jar.toString(), "demo.Other", "x");
        assertEquals("demo.Other", o.mainClass());
        assertEquals(List.of("x"), o.programArgs());
        assertEquals(jar + " names no Main-Class in its manifest; give the main class after -jar " + jar,
                error("-np", "2", "-jar", jar.toString()));
    }

    @Test
    void shouldExplainWhenJarIsMissingOrCombinedWithClassPath(@TempDir Path dir) throws IOException {
        String missing = dir.resolve("nope.jar").toString();
        assertEquals("-jar " + missing + ": no such file", error("-np", "2", "-jar", missing));
        Path jar = jar(dir.resolve("app.jar"), "demo.App");
        assertEquals("give either -cp or -jar, not both (put extra jars on the jar's manifest Class-Path)",
                error("-np", "2", "-cp", "x", "-jar", jar.toString()));
        Path notJar = Files.writeString(dir.resolve("text.jar"), "not a zip");
        assertTrue(error("-np", "2", "-jar", notJar.toString()).startsWith("-jar " + notJar + " cannot be read as a jar: "));
    }

    @Test
    void shouldTakeValuesThatStartWithADashEvenWithOneLetterFlagsInstalled() {
        assertEquals("-noverify", parse("-np", "2", "--jvm-opts", "-noverify", "-dev", "tcp", "-cp", "X", "demo.Echo",
                "x").jvmOpts());
        assertEquals("-noverify", parse("-np", "2", "--jvm-opts=-noverify", "-dev", "tcp", "X").jvmOpts());
        assertEquals("-nfs/ckpt", parse("-np", "2", "--checkpoint", "stepper", "--store", "-nfs/ckpt", "X").store());
        assertEquals("-hlib", parse("-np", "2", "-cp", "-hlib", "X").classPath());
        assertEquals("-h", parse("-np", "2", "--report=-h", "X").report());
        assertEquals("-np", parse("-np", "2", "--jvm-opts=-np", "X").jvmOpts(), "a value after = is never a flag");
        assertEquals("--logging must be a or b, got '-hi'", error("-np", "2", "--checkpoint", "logger", "--logging",
                "-hi", "X"), "the policy, not the launcher, refuses the value");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-np 2 --jvm-opts -np 3 X                          | --jvm-opts needs a value",
        "-np 2 --jvm-opts --tag-output X                   | --jvm-opts needs a value",
        "-np 2 -cp -- X                                    | -cp needs a value",
        "-np 2 -cp                                         | -cp needs a value",
        "-np 2 --checkpoint logger --logging --fast X      | --logging needs a value",
        "-np 2 --checkpoint stepper --store --every 3 X    | --store needs a value",
        "-np 2 --help=1 X                                  | --help takes no value, got '--help=1'",
        "-np 2 -h=1 X                                      | -h takes no value, got '-h=1'",
        "-np 2 --checkpoint logger --fast=yes X            | --fast takes no value, got '--fast=yes'",
    })
    void shouldRefuseAFlagsNameAsItsValueOnlyWhenItIsTheNextArgument(String argv, String message) {
        assertEquals(message, error(argv.trim().split(" +")));
    }

    @Test
    void shouldTakeTheValueOfASingleDashFlagAfterAnEqualsSign(@TempDir Path dir) throws IOException {
        LaunchOptions o = parse("-np=2", "-cp=X", "-dev=tcp", "demo.Main");
        assertEquals(2, o.np());
        assertEquals("X", o.classPath());
        assertEquals("tcp", o.device());
        Path jar = jar(dir.resolve("app.jar"), "demo.App");
        assertEquals(jar.toString(), parse("-np", "1", "-jar=" + jar).jar());
    }

    @Test
    void shouldNameTheFlagByItsFirstNameWhenTheUserTypedAnAlias() {
        assertEquals("-np needs an integer, got 'x'", error("-n", "x", "X"));
        assertEquals("-np needs a value", error("-n"));
        assertEquals("-dev needs a value", error("-np", "1", "--device", "-cp", "x", "X"));
        assertEquals("-cp is given more than once", error("-np", "1", "-classpath", "a", "-cp", "b", "X"));
    }

    @Test
    void shouldAnswerHelpAndVersionEvenWhenAFlagLacksItsValue() {
        assertEquals(LaunchOptions.Request.HELP, LaunchOptions.request("--help", "--checkpoint"));
        assertEquals(LaunchOptions.Request.HELP, LaunchOptions.request("--help", "-np"));
        assertEquals(LaunchOptions.Request.HELP, LaunchOptions.request("--help", "--every"));
        assertEquals(LaunchOptions.Request.VERSION, LaunchOptions.request("--version", "-cp"));
        assertEquals(LaunchOptions.Request.HELP, LaunchOptions.request("-np", "2", "--bogus", "-h"));
        assertEquals(LaunchOptions.Request.RUN, LaunchOptions.request("-np", "2", "--help=1", "X"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(new String[] {"--help", "--checkpoint"}, new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8));
        assertEquals(0, status, err.toString(UTF_8));
        assertEquals(LaunchOptions.usage() + System.lineSeparator(), out.toString(UTF_8));
        assertEquals("", err.toString(UTF_8));
    }

    @Test
    void shouldNameEveryFlagInTheHelpAndNoOther() {
        String help = LaunchOptions.usage(Map.of());
        Set<String> named = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^  (-[\\w-]*(?:, -[\\w-]*)*)").matcher(help);
        while (m.find()) {
            named.addAll(List.of(m.group(1).split(", ")));
        }
        named.remove("--"); // the end of the flags, not a flag
        assertEquals(new TreeSet<>(LaunchOptions.launcherNames()), named);
    }

    static Path jar(Path path, String mainClass) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null) {
            m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        }
        try (OutputStream out = Files.newOutputStream(path); JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.flush();
        }
        return path;
    }

    @Test
    void shouldCarryCompressionToThePolicySettingsAndRefuseAnUnknownCodec() {
        LaunchOptions o = parse("-np", "2", "--checkpoint", "stepper", "--compress", "zstd", "Main");
        assertEquals(io.snapline.runtime.checkpoint.Compression.ZSTD, o.compress());
        assertEquals(io.snapline.runtime.checkpoint.Compression.ZSTD, o.policySettings().compression());
        assertEquals(io.snapline.runtime.checkpoint.Compression.NONE, parse("-np", "2", "--checkpoint",
                "stepper", "Main").policySettings().compression());
        UsageException bad = assertThrows(UsageException.class, () -> parse("-np", "2", "--checkpoint",
                "stepper", "--compress", "gzip", "Main"));
        assertEquals("--compress takes none, lz4 or zstd, got 'gzip'", bad.getMessage());
        UsageException nothingSaved = assertThrows(UsageException.class, () -> parse("-np", "2",
                "--compress", "lz4", "Main"));
        assertTrue(nothingSaved.getMessage().startsWith("--compress needs a checkpoint policy"),
                nothingSaved.getMessage());
    }

    @Test
    void shouldCarryIncrementalToThePolicySettingsOfEveryPolicyThatSavesCheckpoints() {
        assertTrue(parse("-np", "2", "--checkpoint", "stepper", "--incremental", "Main").policySettings()
                .incremental());
        assertFalse(parse("-np", "2", "--checkpoint", "stepper", "Main").policySettings().incremental());
        UsageException nothingSaved = assertThrows(UsageException.class, () -> parse("-np", "2", "--incremental",
                "Main"));
        assertTrue(nothingSaved.getMessage().startsWith("--incremental needs a checkpoint policy"),
                nothingSaved.getMessage());
    }

    @Test
    void shouldCarryAsyncToThePolicySettingsOfEveryPolicyThatSavesCheckpoints() {
        assertTrue(parse("-np", "2", "--checkpoint", "stepper", "--async", "Main").policySettings().async());
        assertFalse(parse("-np", "2", "--checkpoint", "stepper", "Main").policySettings().async());
        UsageException nothingSaved = assertThrows(UsageException.class, () -> parse("-np", "2", "--async", "Main"));
        assertTrue(nothingSaved.getMessage().startsWith("--async needs a checkpoint policy"),
                nothingSaved.getMessage());
    }
}
