package dev.switchboard.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SimulatorConfigTest {

    @Test
    void loopback_ephemeral_is_127_0_0_1_port_0_without_a_key() {
        assertEquals(new SimulatorConfig("127.0.0.1", 0, Optional.empty()), SimulatorConfig.loopbackEphemeral());
    }

    @Test
    void non_loopback_hosts_bad_ports_and_blank_keys_are_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new SimulatorConfig("0.0.0.0", 0, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new SimulatorConfig("10.1.2.3", 0, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new SimulatorConfig(" ", 0, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new SimulatorConfig("127.0.0.1", 70_000, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new SimulatorConfig("127.0.0.1", 0, Optional.of(" ")));
    }

    @Test
    void command_line_defaults_to_loopback_port_9090() {
        assertEquals(new SimulatorConfig("127.0.0.1", 9090, Optional.empty()), SimulatorMain.parse(new String[0]));
    }

    @Test
    void command_line_reads_host_port_and_api_key() {
        SimulatorConfig config = SimulatorMain.parse(
                new String[] {"--host", "localhost", "--port", "9191", "--api-key", "sk-1"});

        assertEquals(new SimulatorConfig("localhost", 9191, Optional.of("sk-1")), config);
    }

    @Test
    void command_line_rejects_unknown_or_incomplete_arguments() {
        assertThrows(IllegalArgumentException.class, () -> SimulatorMain.parse(new String[] {"--bogus", "1"}));
        assertThrows(IllegalArgumentException.class, () -> SimulatorMain.parse(new String[] {"--port"}));
        assertThrows(IllegalArgumentException.class, () -> SimulatorMain.parse(new String[] {"--port", "x"}));
    }
}
