package dev.switchboard.broker.admin;

/** What a request's credentials come to. */
sealed interface Authentication {

    /** A known caller (who may still hold no role for what it asks: then 403). */
    record Authenticated(Caller caller) implements Authentication {
    }

    /**
     * 401 with {@code WWW-Authenticate: Bearer}: no bearer token, or one that is neither a configured token nor a
     * valid JWT of the configured issuer.
     *
     * @param code {@code missing_token} or {@code invalid_token}
     * @param message why, without the token
     */
    record Refused(String code, String message) implements Authentication {
    }

    /** 503: the JWT could not be checked because the identity provider's keys cannot be fetched now. */
    record Unavailable(String message) implements Authentication {
    }
}
