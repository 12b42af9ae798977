package io.snapline.runtime.launch;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * Loads one rank's program so that its static fields belong to that rank alone, as if it ran in its own process.
 * Program classes (from the user class path) and the {@code mpi} facade are defined here, child first; the engine
 * (every other class from the runtime's own jar), the JDK and libraries are shared from the parent.
 */
final class RankClassLoader extends URLClassLoader {
    private static final String[] FACADE = {"mpi.", "mpjdev.", "mpjbuf.", "xdev."};
    private static final String[] SHARED = {"java.", "javax.", "jdk.", "sun.", "com.sun.",
        "com.esotericsoftware.", "org.objenesis.", "org.junit.", "org.opentest4j.", "org.apiguardian.", "com.hazelcast."};
    /** Where the runtime's own classes live: classes from there (the engine) are shared by all ranks. */
    private static final String RUNTIME_ROOT = String.valueOf(
            RankClassLoader.class.getProtectionDomain().getCodeSource().getLocation());

    static {
        registerAsParallelCapable();
    }

    RankClassLoader(int rank, URL[] userClassPath, ClassLoader parent) {
        this("rank-" + rank, userClassPath, parent);
    }

    RankClassLoader(String name, URL[] userClassPath, ClassLoader parent) {
        super(name, userClassPath, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (startsWith(name, FACADE)) {
                    c = defineFromParent(name);
                } else if (startsWith(name, SHARED) || isRuntimeClass(name)) {
                    c = sharedOrOwn(name);
                } else {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        c = getParent().loadClass(name);
                    }
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    /** A shared library class from the parent; one the launcher does not have may still be on the program's path. */
    private Class<?> sharedOrOwn(String name) throws ClassNotFoundException {
        try {
            return getParent().loadClass(name);
        } catch (ClassNotFoundException e) {
            if (name.startsWith("java.")) {
                throw e;
            }
            return findClass(name);
        }
    }

    private Class<?> defineFromParent(String name) throws ClassNotFoundException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = getParent().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    private boolean isRuntimeClass(String name) {
        URL u = getParent().getResource(name.replace('.', '/') + ".class");
        return u != null && u.toString().contains(RUNTIME_ROOT);
    }

    private static boolean startsWith(String name, String[] prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public URL getResource(String name) {
        URL u = findResource(name);
        return u != null ? u : super.getResource(name);
    }
}
