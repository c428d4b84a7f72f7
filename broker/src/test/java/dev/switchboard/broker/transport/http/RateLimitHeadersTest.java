package dev.switchboard.broker.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RateLimitHeadersTest {
    @ParameterizedTest(name = "{0} s is {1}")
    @CsvSource({"0, 0s", "0.0004, 1ms", "0.02, 20ms", "1, 1s", "1.5, 1.5s", "59.25, 59.25s", "60, 1m0s",
        "360, 6m0s", "61.2, 1m2s"})
    void reset_times_are_written_as_openai_writes_them(double seconds, String header) {
        assertEquals(header, RateLimitHeaders.duration(seconds));
    }
}
