package io.snapline.runtime.cluster;

/**
 * What the agent tests start: prints its arguments and {@code ECHO_ENV} to standard output, a line to standard error,
 * then exits with the status its first argument gives, or (with {@code wait}) waits until it is killed.
 */
public final class Echo {
    private Echo() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("out: " + String.join(" ", args) + " env=" + System.getenv("ECHO_ENV"));
        System.out.flush();
        System.err.println("err: on stderr");
        System.err.flush();
        if (args[0].equals("wait")) {
            System.in.read(); // the agent closes stdin: read returns at once, so wait on something else
            new java.util.concurrent.CountDownLatch(1).await();
        }
        System.exit(Integer.parseInt(args[0]));
    }
}
