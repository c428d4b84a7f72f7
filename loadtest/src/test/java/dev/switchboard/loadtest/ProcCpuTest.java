package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.loadtest.report.JsonReport;
import dev.switchboard.loadtest.report.Summary;
import java.util.OptionalInt;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Reading the broker's CPU from /proc text, and the per-1,000-events figure. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ProcCpuTest {

    @Test
    void utime_and_stime_are_counted_after_a_command_name_with_spaces_and_parentheses() {
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 567 0 0 20 0 60 0 "
                + "100 1000000 5000 18446744073709551615";
        assertEquals(1234 + 567, ProcCpu.processTicks(stat));
    }

    @Test
    void a_cores_busy_time_is_everything_but_idle_and_iowait() {
        String stat = """
                cpu  1000 10 500 8000 100 5 5 0 0 0
                cpu0 600 5 300 4000 50 3 2 1 0 0
                cpu1 400 5 200 4000 50 2 3 0 0 0
                intr 1
                """;
        long[] ticks = ProcCpu.coreTicks(stat, 0);
        assertEquals(600 + 5 + 300 + 3 + 2 + 1, ticks[0]);
        assertEquals(600 + 5 + 300 + 4000 + 50 + 3 + 2 + 1, ticks[1]);
        assertThrows(IllegalArgumentException.class, () -> ProcCpu.coreTicks(stat, 7));
    }

    @Test
    void cpu_per_thousand_events_and_core_busy_come_from_two_readings() {
        ProcCpu.Reading from = new ProcCpu.Reading(1_000, 2_000, 10_000, 0);
        ProcCpu.Reading to = new ProcCpu.Reading(1_350, 2_700, 11_000, 10_000_000_000L);
        Summary.BrokerCpu cpu = ProcCpu.between(from, to, 70_000, OptionalInt.of(1));
        assertEquals(3.5, cpu.cpuS(), 1e-9);
        assertEquals(10, cpu.wallS(), 1e-9);
        assertEquals(0.35, cpu.utilisation(), 1e-9);
        assertEquals(50, cpu.cpuMsPer1000Events(), 1e-9);
        assertEquals(0.7, cpu.coreBusy(), 1e-9);
        assertEquals(1, cpu.pinnedCore());
        assertTrue(cpu.describe().contains("35.0 % of a core"), cpu.describe());
        assertEquals(50.0, JsonReport.brokerCpu(cpu).path("cpu_ms_per_1000_events").asDouble());
    }

    @Test
    void without_events_or_a_pinned_core_those_figures_are_minus_one() {
        ProcCpu.Reading reading = new ProcCpu.Reading(5, -1, -1, 0);
        Summary.BrokerCpu cpu = ProcCpu.between(reading, reading, 0, OptionalInt.empty());
        assertEquals(-1, cpu.cpuMsPer1000Events());
        assertEquals(-1, cpu.coreBusy());
        assertEquals(-1, cpu.pinnedCore());
    }

    @Test
    void the_harness_can_read_its_own_process() throws Exception {
        ProcCpu self = new ProcCpu(ProcessHandle.current().pid(), OptionalInt.of(0));
        ProcCpu.Reading reading = self.read();
        assertTrue(reading.processTicks() >= 0 && reading.coreTotalTicks() > 0, reading::toString);
    }
}
