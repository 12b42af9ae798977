package io.snapline.runtime.launch;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Enumeration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The class files of one job's program, read once from its class path and shared by every rank's
 * {@link RankClassLoader}, which defines its own class from the same bytes. With thousands of ranks on {@code shm},
 * each class file is found and read once instead of once per rank, and no rank opens the program's jars itself.
 * Thread-safe; closing it closes the jars.
 */
final class ProgramClasses implements Closeable {
    /** A class file and the protection domain (code source) of the class path entry it came from. */
    record ClassFile(byte[] bytes, ProtectionDomain domain) {
    }

    private final URL[] classPath;
    /** Finds the program's files; its parent is the bootstrap loader, and only its own entries are searched. */
    private final URLClassLoader reader;
    private final ConcurrentHashMap<String, Optional<ClassFile>> classes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<URL, ProtectionDomain> domains = new ConcurrentHashMap<>();

    ProgramClasses(URL[] classPath) {
        this.classPath = classPath.clone();
        this.reader = new URLClassLoader("snapline-program", this.classPath, null);
    }

    /** The class path this program was found on. */
    URL[] classPath() {
        return classPath.clone();
    }

    /** The class file of {@code className} on the program's class path, or null when there is none. */
    ClassFile find(String className) {
        return classes.computeIfAbsent(className, this::read).orElse(null);
    }

    private Optional<ClassFile> read(String className) {
        String resource = className.replace('.', '/') + ".class";
        URL url = reader.findResource(resource);
        if (url == null) {
            return Optional.empty();
        }
        try (InputStream in = url.openStream()) {
            return Optional.of(new ClassFile(in.readAllBytes(), domains.computeIfAbsent(entryOf(url, resource),
                    entry -> new ProtectionDomain(new CodeSource(entry, (Certificate[]) null), null))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url + ": " + e.getMessage(), e);
        }
    }

    /** The class path entry (directory or jar) that {@code url}, the location of {@code resource}, lies in. */
    private URL entryOf(URL url, String resource) {
        String s = url.toString();
        String entry = s.startsWith("jar:") && s.contains("!/") ? s.substring(4, s.indexOf("!/"))
                : s.endsWith(resource) ? s.substring(0, s.length() - resource.length()) : s;
        for (URL u : classPath) {
            if (u.toString().equals(entry)) {
                return u;
            }
        }
        try {
            return new URL(entry);
        } catch (java.net.MalformedURLException e) {
            return url;
        }
    }

    /** A resource on the program's class path, or null. */
    URL findResource(String name) {
        return reader.findResource(name);
    }

    /** Every resource of that name on the program's class path. */
    Enumeration<URL> findResources(String name) throws IOException {
        return reader.findResources(name);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
