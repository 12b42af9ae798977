package io.snapline.runtime.launch;

import java.util.List;
import java.util.regex.Pattern;

/** Command-line words written so that a POSIX shell reads them back unchanged (for commands users copy). */
final class ShellWords {
    /** Words a shell takes as they are: no quoting needed. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellWords() {
    }

    /** {@code word}, single-quoted if the shell would otherwise change it. */
    static String quote(String word) {
        if (PLAIN.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** The words, each {@link #quote quoted} as needed, separated by spaces. */
    static String join(List<String> words) {
        StringBuilder out = new StringBuilder();
        for (String w : words) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(quote(w));
        }
        return out.toString();
    }
}
