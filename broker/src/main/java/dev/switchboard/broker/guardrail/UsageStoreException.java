package dev.switchboard.broker.guardrail;

/** The usage store cannot answer (unreachable, failed, or made to fail by a test). */
public final class UsageStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, for the operator log */
    public UsageStoreException(String message) {
        super(message);
    }
}
