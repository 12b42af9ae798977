package io.snapline.runtime.launch;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the user's program: turns {@code -cp}/{@code -jar} into class path URLs (with {@code dir/*} expanded to the
 * jars in {@code dir}, as {@code java -cp} does, in name order) and checks, before any rank starts, that the main class
 * exists and has
 * {@code public static void main(String[])}. Problems are {@link UsageException}s that say what to change.
 */
final class ProgramLoader {
    private ProgramLoader() {
    }

    /** The class path of the program as files: the jar, the {@code -cp} entries, or the current directory. */
    static List<Path> classPathFiles(LaunchOptions options) {
        List<Path> files = new ArrayList<>();
        for (URL url : classPath(options)) {
            try {
                files.add(Path.of(url.toURI()));
            } catch (java.net.URISyntaxException e) {
                throw new UsageException("bad class path entry '" + url + "': " + e.getMessage());
            }
        }
        return files;
    }

    /** The class path of the program: the jar, the {@code -cp} entries, or the current directory. */
    static URL[] classPath(LaunchOptions options) {
        String cp = options.jar() != null ? options.jar() : options.classPath();
        if (cp == null) {
            cp = ".";
        }
        List<URL> urls = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                addEntry(entry, urls);
            }
        }
        return urls.toArray(new URL[0]);
    }

    private static void addEntry(String entry, List<URL> urls) {
        try {
            if (entry.equals("*") || entry.endsWith(File.separator + "*") || entry.endsWith("/*")) {
                Path dir = Path.of(entry.length() == 1 ? "." : entry.substring(0, entry.length() - 2));
                if (!Files.isDirectory(dir)) {
                    throw new UsageException("class path entry '" + entry + "': " + dir + " is not a directory");
                }
                List<Path> found = new ArrayList<>();
                try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.{jar,JAR}")) {
                    jars.forEach(found::add);
                }
                found.sort(null); // by name, so that every run (and the job's fingerprint) sees the same order
                for (Path j : found) {
                    urls.add(j.toAbsolutePath().toUri().toURL());
                }
                return;
            }
            Path p = Path.of(entry);
            if (!Files.exists(p)) {
                throw new UsageException("class path entry '" + entry + "' does not exist"
                        + (entry.contains("target") ? " (has the project been built? mvn -B -DskipTests package)" : ""));
            }
            urls.add(p.toAbsolutePath().toUri().toURL());
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new UsageException("bad class path entry '" + entry + "': " + e.getMessage());
        } catch (IOException e) {
            throw new UsageException("cannot list the jars in '" + entry + "': " + e.getMessage());
        }
    }

    /**
     * Checks that {@code options.mainClass()} can be found on the program's class path and has a public static
     * {@code main(String[])}. The class is loaded, not initialised, in a loader that is thrown away.
     */
    static void check(LaunchOptions options) {
        URL[] urls = classPath(options);
        String name = options.mainClass();
        try (ProgramClasses program = new ProgramClasses(urls);
                RankClassLoader loader = new RankClassLoader("snaprun-check", program)) {
            Class<?> main = Class.forName(name, false, loader);
            Method m = main.getMethod("main", String[].class);
            if (!Modifier.isStatic(m.getModifiers()) || m.getReturnType() != void.class) {
                throw new UsageException(name + ".main(String[]) must be public static void");
            }
            if (!Modifier.isPublic(main.getModifiers())) {
                throw new UsageException("class " + name + " must be public to be run");
            }
        } catch (ClassNotFoundException e) {
            throw new UsageException("main class " + name + " was not found on the class path "
                    + describe(options) + "; check the package name and -cp");
        } catch (NoSuchMethodException e) {
            throw new UsageException(name + " has no public static void main(String[] args)");
        } catch (LinkageError e) {
            throw new UsageException("main class " + name + " cannot be loaded: " + e);
        } catch (IOException e) {
            // closing a class loader that read only local files; nothing to do
        }
    }

    private static String describe(LaunchOptions options) {
        if (options.jar() != null) {
            return "(-jar " + options.jar() + ")";
        }
        return options.classPath() == null ? "(the current directory; give -cp)" : "'" + options.classPath() + "'";
    }
}
