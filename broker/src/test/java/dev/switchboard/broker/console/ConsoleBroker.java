package dev.switchboard.broker.console;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.Audit;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Optional;

/** The dev-mode broker (embedded simulator, tenant {@code dev} with key {@code dev-key}) on an ephemeral port. */
final class ConsoleBroker implements AutoCloseable {
    static final String KEY = "dev-key";
    final Broker broker;

    private ConsoleBroker(Broker broker) {
        this.broker = broker;
    }

    static ConsoleBroker dev() throws Exception {
        BrokerConfig config = new ConfigLoader(System::getenv).loadDev();
        return new ConsoleBroker(Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0))));
    }

    /** The dev-mode broker with an audit log in {@code auditDir}. */
    static ConsoleBroker devWithAudit(Path auditDir) throws Exception {
        BrokerConfig config = new ConfigLoader(System::getenv).loadDev()
                .withAudit(Optional.of(new Audit(auditDir, Audit.Fsync.BATCH, Audit.OnFailure.CLOSED)));
        return new ConsoleBroker(Broker.start(config.withListen(new BrokerConfig.Listen("127.0.0.1", 0))));
    }

    /** http://127.0.0.1:PORT: the origin the console is served from. */
    String origin() {
        return "http://127.0.0.1:" + broker.port();
    }

    @Override
    public void close() {
        broker.close();
    }
}
