package io.snapline.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks, by reflection, that every public class, constructor, method and field of the mpiJava 1.2 user API as
 * MPJ Express exposes it (the javap listing in {@code api/mpijava-1.2-section-a.txt}) exists here with the same
 * signature, static-ness and return type, so programs written against MPJ Express compile unchanged.
 */
class ApiSurfaceTest {
    /** MPJ Express internals leaked into its public API; programs do not use them, and they are left out on purpose. */
    private static final Set<String> OMITTED = Set.of(
            "mpi.Comm.mpjdevComm", "mpi.Request.req", "mpi.Group.mpjdevGroup",
            "mpi.Request(mpjdev.Request)", "mpi.Status(mpjdev.Status)", "mpi.Group(mpjdev.Group)");

    private static final Pattern CLASS = Pattern.compile("^public (abstract )?(class|interface) ([\\w.]+)(?: extends ([\\w.]+))?.*\\{$");
    private static final Pattern MEMBER = Pattern.compile("^  public (static )?(final )?(abstract )?(?:([\\w.\\[\\]]+) )?([\\w.]+)(?:\\((.*)\\))?(?: throws [\\w., ]+)?(?: = .*)?;$");

    @Test
    void shouldProvideEveryClassAndMemberOfTheMpjExpressUserApi() throws Exception {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        Class<?> current = null;
        for (String line : listing()) {
            Matcher c = CLASS.matcher(line);
            if (c.matches()) {
                current = Class.forName(c.group(3));
                if (c.group(4) != null && c.group(4).startsWith("mpi.")) {
                    assertEquals(c.group(4), current.getSuperclass().getName(), current + " superclass");
                }
                continue;
            }
            Matcher m = MEMBER.matcher(line);
            if (current == null || !m.matches()) {
                continue;
            }
            boolean isStatic = m.group(1) != null;
            String type = m.group(4);
            String name = m.group(5);
            String params = m.group(6);
            checked++;
            if (params == null) {
                String key = current.getName() + "." + name;
                if (OMITTED.contains(key)) {
                    continue;
                }
                try {
                    Field f = current.getField(name);
                    if (f.getType() != typeOf(type) || Modifier.isStatic(f.getModifiers()) != isStatic) {
                        missing.add("field " + key + " has type " + f.getType().getName());
                    }
                } catch (NoSuchFieldException e) {
                    missing.add("field " + key);
                }
                continue;
            }
            if (type == null && OMITTED.contains(name + "(" + params + ")")) {
                continue;
            }
            Class<?>[] types;
            try {
                types = parameterTypes(params);
            } catch (ClassNotFoundException e) {
                missing.add(current.getName() + "." + name + "(" + params + "): type " + e.getMessage() + " missing");
                continue;
            }
            if (type == null) {
                String key = name + "(" + params + ")";
                if (OMITTED.contains(key)) {
                    continue;
                }
                try {
                    Constructor<?> k = current.getConstructor(types);
                    assertTrue(Modifier.isPublic(k.getModifiers()));
                } catch (NoSuchMethodException e) {
                    missing.add("constructor " + key);
                }
                continue;
            }
            String key = current.getName() + "." + name + "(" + params + ")";
            try {
                Method meth = current.getMethod(name, types);
                if (meth.getReturnType() != typeOf(type)) {
                    missing.add(key + " returns " + meth.getReturnType().getName() + ", expected " + type);
                } else if (Modifier.isStatic(meth.getModifiers()) != isStatic) {
                    missing.add(key + (isStatic ? " must be static" : " must not be static"));
                }
            } catch (NoSuchMethodException e) {
                missing.add("method " + key);
            }
        }
        assertTrue(checked > 200, "listing parsed: " + checked);
        assertEquals(List.of(), missing, "API members missing or different");
    }

    @Test
    void shouldKeepMpiExceptionUncheckedWithMpjSupertypes() {
        assertTrue(RuntimeException.class.isAssignableFrom(mpi.MPIException.class));
        assertEquals(mpjdev.MPJDevException.class, mpi.MPIException.class.getSuperclass());
        assertEquals(xdev.XDevException.class, mpjdev.MPJDevException.class.getSuperclass());
    }

    private static List<String> listing() throws IOException {
        try (InputStream in = ApiSurfaceTest.class.getResourceAsStream("/api/mpijava-1.2-section-a.txt")) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        }
    }

    private static Class<?>[] parameterTypes(String params) throws ClassNotFoundException {
        if (params.isBlank()) {
            return new Class<?>[0];
        }
        String[] parts = params.split(",\\s*");
        Class<?>[] out = new Class<?>[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = typeOf(parts[i].trim());
        }
        return out;
    }

    private static Class<?> typeOf(String name) throws ClassNotFoundException {
        if (name.endsWith("[]")) {
            return typeOf(name.substring(0, name.length() - 2)).arrayType();
        }
        switch (name) {
            case "void": return void.class;
            case "int": return int.class;
            case "long": return long.class;
            case "boolean": return boolean.class;
            case "double": return double.class;
            case "float": return float.class;
            case "short": return short.class;
            case "char": return char.class;
            case "byte": return byte.class;
            default: return Class.forName(name);
        }
    }
}
