package io.snapline.runtime.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.ProtectionDomain;
import java.util.Enumeration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads one rank's program so that its static fields belong to that rank alone, as if it ran in its own process.
 * Three kinds of class, decided by name once per JVM:
 * <ul>
 *   <li><b>per rank</b>: the runtime's classes that hold a rank's static state, {@code mpi.MPI} ({@code MPI.COMM_WORLD},
 *       the predefined datatypes, ...); defined here, in every rank's loader, from bytes read once per JVM. A program
 *       class of the same name is not used;</li>
 *   <li><b>shared</b>: the JDK, the libraries the runtime uses and the rest of the runtime, from the parent: the engine,
 *       and the other classes of the {@code mpi}, {@code mpjdev}, {@code mpjbuf} and {@code xdev} packages, which hold
 *       no static state (see {@code mpi.MPISupport}), so that a rank defines one class instead of fifteen and their
 *       code is compiled once for all ranks;</li>
 *   <li><b>the program's</b>: everything else, child first: defined here from the program's class path
 *       ({@link ProgramClasses}, read once per job), else from the parent. This includes program classes in packages
 *       under {@code mpi} that the runtime does not provide ({@code mpi.pt2pt.getcount} of the MPJ Express test
 *       suite).</li>
 * </ul>
 * The parent is always the loader of the runtime itself.
 */
final class RankClassLoader extends URLClassLoader {
    /** The runtime's classes with static state of a rank: defined once per rank. */
    static final java.util.Set<String> PER_RANK = java.util.Set.of("mpi.MPI");
    private static final String[] SHARED = {"java.", "javax.", "jdk.", "sun.", "com.sun.",
        "com.esotericsoftware.", "org.objenesis.", "org.junit.", "org.opentest4j.", "org.apiguardian.", "com.hazelcast."};
    private static final ClassLoader RUNTIME = RankClassLoader.class.getClassLoader();
    /** Where the runtime's own classes live: the {@link #PER_RANK} ones among them are defined per rank, the rest shared. */
    private static final String RUNTIME_ROOT = String.valueOf(
            RankClassLoader.class.getProtectionDomain().getCodeSource().getLocation());
    private static final ProtectionDomain RUNTIME_DOMAIN = RankClassLoader.class.getProtectionDomain();

    /** How a class of a given name is loaded; decided once per JVM from the name and the runtime's own classes. */
    private enum Kind {
        PER_RANK, SHARED, PROGRAM
    }

    private static final ConcurrentHashMap<String, Kind> KINDS = new ConcurrentHashMap<>();
    /** The class files of the {@link #PER_RANK} classes, read once. */
    private static final ConcurrentHashMap<String, byte[]> PER_RANK_BYTES = new ConcurrentHashMap<>();

    private final ProgramClasses program;

    RankClassLoader(int rank, ProgramClasses program) {
        this("rank-" + rank, program);
    }

    RankClassLoader(String name, ProgramClasses program) {
        super(name, program.classPath(), RUNTIME);
        this.program = program;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) { // this loader: only its rank's threads load through it
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = switch (KINDS.computeIfAbsent(name, RankClassLoader::kindOf)) {
                    case PER_RANK -> defineClass(name, PER_RANK_BYTES.get(name), RUNTIME_DOMAIN);
                    case SHARED -> sharedOrOwn(name);
                    case PROGRAM -> ownOrShared(name);
                };
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private Class<?> defineClass(String name, byte[] bytes, ProtectionDomain domain) {
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    /** A shared library class from the parent; one the launcher does not have may still be on the program's path. */
    private Class<?> sharedOrOwn(String name) throws ClassNotFoundException {
        try {
            return getParent().loadClass(name);
        } catch (ClassNotFoundException e) {
            if (name.startsWith("java.")) {
                throw e;
            }
            return ownOrShared(name);
        }
    }

    /** The program's class, defined here from its class path, else the parent's. */
    private Class<?> ownOrShared(String name) throws ClassNotFoundException {
        ProgramClasses.ClassFile f = program.find(name);
        if (f != null) {
            return defineClass(name, f.bytes(), f.domain());
        }
        return getParent().loadClass(name);
    }

    private static Kind kindOf(String name) {
        if (startsWith(name, SHARED)) {
            return Kind.SHARED;
        }
        String resource = name.replace('.', '/') + ".class";
        URL u = RUNTIME.getResource(resource);
        if (u == null || !u.toString().startsWith(runtimeLocation(u))) {
            return Kind.PROGRAM;
        }
        if (!PER_RANK.contains(name)) {
            return Kind.SHARED;
        }
        try (InputStream in = u.openStream()) {
            PER_RANK_BYTES.put(name, in.readAllBytes());
            return Kind.PER_RANK;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the runtime's class " + name + " from " + u, e);
        }
    }

    /** The prefix a resource URL of the runtime's own jar or directory has ({@code jar:file:...!/} for a jar). */
    private static String runtimeLocation(URL resource) {
        return resource.getProtocol().equals("jar") ? "jar:" + RUNTIME_ROOT + "!/" : RUNTIME_ROOT;
    }

    private static boolean startsWith(String name, String[] prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** The program's resources come first, as its classes do. */
    @Override
    public URL getResource(String name) {
        URL u = findResource(name);
        return u != null ? u : super.getResource(name);
    }

    @Override
    public URL findResource(String name) {
        return program.findResource(name);
    }

    @Override
    public Enumeration<URL> findResources(String name) throws IOException {
        return program.findResources(name);
    }
}
