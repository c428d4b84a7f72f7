package dev.switchboard.simulator;

import java.io.IOException;
import org.eclipse.jetty.io.QuietException;

/**
 * The cause a faulty path fails a Jetty callback with. It is a {@link QuietException}, so Jetty logs it at debug
 * level: an injected fault is the requested behaviour, not a server problem worth a warning and a stack trace.
 */
final class InjectedFault extends IOException implements QuietException {

    InjectedFault(String message) {
        super(message);
    }

    InjectedFault(String message, Throwable cause) {
        super(message, cause);
    }
}
