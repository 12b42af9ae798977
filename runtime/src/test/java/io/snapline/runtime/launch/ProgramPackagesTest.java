package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import mpi.MPI;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Program classes in packages the runtime also uses ({@code mpi.pt2pt.getcount} of the MPJ Express test suite, or a
 * class directly in {@code mpi}) load from the program's class path on both devices; the runtime's own {@code mpi}
 * classes stay the runtime's, one copy per rank on {@code shm}. The programs are compiled here, into a directory only
 * the job's {@code -cp} names, as a user's would be.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProgramPackagesTest {
    private static final Map<String, String> SOURCES = Map.of(
            "mpi/pt2pt/UserHello.java", """
                    package mpi.pt2pt;

                    import mpi.*;

                    public class UserHello {
                        public static void main(String[] args) {
                            MPI.Init(args);
                            mpi.UserCounter.count++;
                            boolean ownMpi = MPI.class.getClassLoader() == UserHello.class.getClassLoader();
                            boolean runtimeMpi = MPI.class.getProtectionDomain().getCodeSource()
                                    != UserHello.class.getProtectionDomain().getCodeSource();
                            MPI.COMM_WORLD.Barrier();
                            System.out.println("rank " + MPI.COMM_WORLD.Rank() + " of " + MPI.COMM_WORLD.Size()
                                    + " count " + mpi.UserCounter.count + " mpi per rank " + ownMpi
                                    + " mpi from the runtime " + runtimeMpi + " " + new mpi.MPI_Fake().name());
                            MPI.Finalize();
                        }
                    }
                    """,
            "mpi/UserCounter.java", """
                    package mpi;

                    public class UserCounter {
                        public static int count;
                    }
                    """,
            "mpi/MPI_Fake.java", """
                    package mpi;

                    public class MPI_Fake {
                        public String name() {
                            return "fake";
                        }
                    }
                    """);

    /** Compiles {@link #SOURCES} against the runtime's {@code mpi} classes into {@code dir}. */
    private static Path compile(Path dir) throws IOException {
        Path src = dir.resolve("src");
        Path out = dir.resolve("classes");
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-cp", MpiRun.classPathOf(MPI.class)));
        for (Map.Entry<String, String> e : SOURCES.entrySet()) {
            Path f = src.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(new String[0]));
        assertEquals(0, rc, diagnostics.toString(StandardCharsets.UTF_8));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"shm", "tcp"})
    void shouldLoadProgramClassesFromProgramClassPathWhenTheirPackageIsUnderMpi(String device, @TempDir Path dir)
            throws IOException {
        Path classes = compile(dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(new String[] {"-np", "2", "-dev", device, "-cp", classes.toString(),
            "mpi.pt2pt.UserHello"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, stderr);
        // on shm each rank's loader defines the runtime's mpi classes; on tcp the rank process's one loader holds all
        assertEquals(List.of("rank 0 of 2 count 1 mpi per rank true mpi from the runtime true fake",
                "rank 1 of 2 count 1 mpi per rank true mpi from the runtime true fake"),
                out.toString(StandardCharsets.UTF_8).lines().sorted().toList());
        assertTrue(stderr.isEmpty(), stderr);
    }
}
