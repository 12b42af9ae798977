package mpjdev;

/** Kept so programs that catch MPJ Express's exception supertypes still compile; unchecked. */
public class MPJDevException extends xdev.XDevException {
    private static final long serialVersionUID = 1L;

    public MPJDevException() {
    }

    public MPJDevException(String message) {
        super(message);
    }

    public MPJDevException(Throwable cause) {
        super(cause);
    }

    public MPJDevException(String message, Throwable cause) {
        super(message, cause);
    }
}
