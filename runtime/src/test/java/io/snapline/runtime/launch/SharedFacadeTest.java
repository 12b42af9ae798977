package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On {@code shm} only the runtime's classes with a rank's static state ({@code mpi.MPI}) are defined once per rank;
 * the other classes of the mpiJava packages are shared by all ranks. That is right only while they hold no static
 * state and never refer to a per-rank class (a shared class would reach a copy of {@code mpi.MPI} that belongs to no
 * rank): checked here class file by class file, and in a running job.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedFacadeTest {
    private static final List<String> PACKAGES = List.of("mpi", "mpjdev", "mpjbuf", "xdev");

    /** The class names of the runtime in the mpiJava packages. */
    private static List<String> facadeClasses() throws Exception {
        Path root = Path.of(MPI.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(root), "the tests run against the runtime's classes directory, not " + root);
        List<String> names = new ArrayList<>();
        for (String p : PACKAGES) {
            try (Stream<Path> files = Files.list(root.resolve(p))) {
                files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".class"))
                        .filter(f -> !f.equals("package-info.class"))
                        .forEach(f -> names.add(p + "." + f.substring(0, f.length() - ".class".length())));
            }
        }
        return names;
    }

    @Test
    void shouldKeepNoStaticStateInSharedClassesWhenOnlyMpiIsPerRank() throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> classes = facadeClasses();
        assertTrue(classes.size() > 20, "found " + classes);
        for (String name : classes) {
            if (RankClassLoader.PER_RANK.contains(name)) {
                continue;
            }
            for (Field f : Class.forName(name, false, getClass().getClassLoader()).getDeclaredFields()) {
                int m = f.getModifiers();
                boolean constant = Modifier.isFinal(m) && (f.getType().isPrimitive() || f.getType() == String.class);
                if (Modifier.isStatic(m) && !constant && !f.isSynthetic()) { // synthetic: a switch's table
                    problems.add(name + "." + f.getName() + " is static state");
                }
            }
            Set<String> refs = referencedClasses(name);
            for (String perRank : RankClassLoader.PER_RANK) {
                if (refs.contains(perRank.replace('.', '/'))) {
                    problems.add(name + " refers to " + perRank + ", which is per rank");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** Prints, per rank, whether MPI and Comm are this rank's own classes or shared. */
    public static class Loaders {
        public static void main(String[] args) {
            MPI.Init(args);
            ClassLoader mine = Loaders.class.getClassLoader();
            System.out.println("rank " + MPI.COMM_WORLD.Rank() + ": MPI own " + (MPI.class.getClassLoader() == mine)
                    + ", Comm shared " + (mpi.Comm.class.getClassLoader() == MPI.class.getClassLoader().getParent())
                    + ", world " + System.identityHashCode(MPI.COMM_WORLD));
            MPI.Finalize();
        }
    }

    @Test
    void shouldDefineMpiPerRankAndShareTheOtherApiClassesWhenRanksAreThreads() {
        MpiRun.Outcome o = MpiRun.ok(3, Loaders.class);
        Set<String> worlds = new HashSet<>();
        for (String line : o.lines()) {
            assertTrue(line.matches("rank \\d: MPI own true, Comm shared true, world \\d+"), line);
            worlds.add(line.substring(line.lastIndexOf(' ') + 1));
        }
        assertEquals(3, o.lines().size());
        assertEquals(3, worlds.size(), "every rank has its own MPI.COMM_WORLD");
    }

    /** The internal names of the classes a class file refers to (its constant pool's class and descriptor names). */
    private static Set<String> referencedClasses(String className) throws IOException {
        Set<String> out = new HashSet<>();
        try (InputStream raw = SharedFacadeTest.class.getClassLoader()
                .getResourceAsStream(className.replace('.', '/') + ".class");
                DataInputStream in = new DataInputStream(raw)) {
            in.readInt(); // magic
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> {
                        String utf = in.readUTF();
                        out.add(utf);
                        int at = utf.indexOf('L');
                        while (at >= 0) { // descriptors: Lmpi/MPI; anywhere in a method or field type
                            int end = utf.indexOf(';', at);
                            if (end < 0) {
                                break;
                            }
                            out.add(utf.substring(at + 1, end));
                            at = utf.indexOf('L', end);
                        }
                    }
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IOException("unknown constant pool tag " + tag + " in " + className);
                }
            }
        }
        return out;
    }
}
