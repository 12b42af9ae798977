package io.snapline.runtime.checkpoint;

import java.util.regex.Pattern;

/**
 * A command-line option a policy declares, such as {@code --logging MODE}. The launcher accepts it anywhere among its
 * own flags when the policy chosen with {@code --checkpoint} declares it, refuses it (naming the policies that do)
 * otherwise, lists it under the policy in {@code snaprun --help}, and passes the value on in
 * {@link PolicySettings#options()}; the policy checks the value in {@link CheckpointPolicy#validate}.
 *
 * @param flag  the option, e.g. {@code --every}: two dashes, then lower-case letters, digits and dashes
 * @param value what the value is called in the help, e.g. {@code N}; null for a switch, which takes no value (its
 *              value in the settings is the empty string)
 * @param help  one line describing it for {@code --help}
 */
public record PolicyOption(String flag, String value, String help) {
    private static final Pattern FLAG = Pattern.compile("--[a-z][a-z0-9-]*");

    public PolicyOption {
        if (flag == null || !FLAG.matcher(flag).matches()) {
            throw new IllegalArgumentException("a policy option is --name (lower case letters, digits, dashes), got '"
                    + flag + "'");
        }
        if (help == null || help.isBlank() || help.contains("\n")) {
            throw new IllegalArgumentException("option " + flag + " needs a one-line help text");
        }
    }

    /** Whether the option takes a value ({@code --every N}) rather than being a switch. */
    public boolean takesValue() {
        return value != null;
    }
}
