package io.snapline.runtime.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an agent is asked to start: a process of rank {@code rank} of job {@code job}, its command, extra environment
 * variables and class path. In the command, {@link #JAVA} stands for the agent's own {@code java} and
 * {@link #CLASS_PATH} for the class path's files as the agent keeps them, joined with its path separator.
 *
 * @param job       the job's id (for messages and the agent's status)
 * @param rank      the rank the process runs
 * @param command   the command line, with {@link #JAVA} and {@link #CLASS_PATH} where they belong
 * @param env       environment variables added to the agent's
 * @param classPath the class path's files by content (see {@link ClassPathBundle})
 */
public record LaunchSpec(String job, int rank, List<String> command, Map<String, String> env,
        List<ClassPathEntry> classPath) {
    /** In a command: the agent's {@code java}. */
    public static final String JAVA = "@JAVA@";
    /** In a command: the class path as the agent keeps it. */
    public static final String CLASS_PATH = "@CLASS_PATH@";

    /** A class path file by content: a name for messages, its SHA-256 (hex) and size. */
    public record ClassPathEntry(String name, String sha256, long size) {
        public ClassPathEntry {
            if (!sha256.matches("[0-9a-f]{64}") || size < 0) {
                throw new IllegalArgumentException("a class path entry needs a SHA-256 in hex and a size >= 0, got "
                        + sha256 + " and " + size);
            }
        }
    }

    public LaunchSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        classPath = List.copyOf(classPath);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a launch needs a command");
        }
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            str(out, job);
            out.writeInt(rank);
            out.writeInt(command.size());
            for (String c : command) {
                str(out, c);
            }
            out.writeInt(env.size());
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(env).entrySet()) {
                str(out, e.getKey());
                str(out, e.getValue());
            }
            out.writeInt(classPath.size());
            for (ClassPathEntry c : classPath) {
                str(out, c.name());
                str(out, c.sha256());
                out.writeLong(c.size());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static LaunchSpec decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        String job = str(in);
        int rank = in.readInt();
        List<String> command = new ArrayList<>();
        for (int i = count(in); i > 0; i--) {
            command.add(str(in));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = count(in); i > 0; i--) {
            env.put(str(in), str(in));
        }
        List<ClassPathEntry> cp = new ArrayList<>();
        for (int i = count(in); i > 0; i--) {
            cp.add(new ClassPathEntry(str(in), str(in), in.readLong()));
        }
        try {
            return new LaunchSpec(job, rank, command, env, cp);
        } catch (IllegalArgumentException e) {
            throw new IOException("a launch request that does not hold together: " + e.getMessage(), e);
        }
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 100_000) {
            throw new IOException("a launch request with " + n + " items in a list");
        }
        return n;
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String str(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > AgentWire.MAX_PAYLOAD) {
            throw new IOException("a launch request with a string of " + n + " bytes");
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
