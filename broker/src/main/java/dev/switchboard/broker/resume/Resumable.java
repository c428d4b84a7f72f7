package dev.switchboard.broker.resume;

/** A session the {@link SessionStore} can find by token and expire. */
public interface Resumable {

    /** The session id, as in the token. */
    String id();

    /** The id of the tenant that owns the session. */
    String tenantId();

    /**
     * The session had no connection for the resume TTL and was removed from the store. Called on a scheduler
     * thread; the implementation hands the work to its own thread and must tolerate a connection having attached
     * meanwhile (it then {@linkplain SessionStore#attached re-registers}).
     */
    void onExpired();
}
