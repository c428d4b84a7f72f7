package dev.switchboard.broker.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.switchboard.broker.config.Logging;

/**
 * Logback's configuration before the broker has read its own: {@code text} at {@code info}, as
 * {@link LogSetup} writes it (found by Logback through {@code META-INF/services}). Without it Logback would log
 * everything, Jetty's debug lines included, to standard output until {@code Main} applies the {@code logging}
 * section; an in-process broker (tests) keeps this configuration. In an application that embeds the broker, a
 * {@code logback.xml} on the class path takes precedence (Logback's file configurator ranks higher).
 */
@ConfiguratorRank(-5)
public final class DefaultLogConfigurator extends ContextAwareBase implements Configurator {

    /** Called by Logback's {@code ServiceLoader}. */
    public DefaultLogConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        LogSetup.configure(context, Logging.defaults());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
