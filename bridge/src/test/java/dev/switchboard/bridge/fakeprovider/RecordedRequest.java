package dev.switchboard.bridge.fakeprovider;

import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;

/**
 * A request as the fake provider received it.
 *
 * @param method the HTTP method
 * @param path the path, without the query
 * @param headers an immutable copy of the request headers
 * @param body the whole body, decoded as UTF-8
 */
public record RecordedRequest(String method, String path, HttpFields headers, String body) {

    /** The value of a header, when present. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }
}
