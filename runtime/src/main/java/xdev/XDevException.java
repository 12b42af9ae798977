package xdev;

/** Kept so programs that catch MPJ Express's exception supertypes still compile; unchecked. */
public class XDevException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public XDevException() {
    }

    public XDevException(String message) {
        super(message);
    }

    public XDevException(Throwable cause) {
        super(cause);
    }

    public XDevException(String message, Throwable cause) {
        super(message, cause);
    }
}
