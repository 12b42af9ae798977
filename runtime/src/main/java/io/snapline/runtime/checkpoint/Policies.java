package io.snapline.runtime.checkpoint;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds installed {@link CheckpointPolicy} implementations by name. */
public final class Policies {
    private Policies() {
    }

    /** Every policy on the class path of {@code loader}, by name. */
    public static Map<String, CheckpointPolicy> installed(ClassLoader loader) {
        Map<String, CheckpointPolicy> byName = new TreeMap<>();
        for (CheckpointPolicy p : ServiceLoader.load(CheckpointPolicy.class, loader)) {
            byName.putIfAbsent(p.name(), p);
        }
        return byName;
    }

    /**
     * The policy called {@code name}.
     *
     * @throws IllegalArgumentException naming the installed policies when there is none by that name
     */
    public static CheckpointPolicy byName(String name, ClassLoader loader) {
        Map<String, CheckpointPolicy> all = installed(loader);
        CheckpointPolicy p = all.get(name);
        if (p == null) {
            throw new IllegalArgumentException("checkpoint policy '" + name + "' is not installed in this build "
                    + "(installed: " + String.join(", ", all.keySet()) + "); its jar must be on the launcher's "
                    + "class path");
        }
        return p;
    }
}
