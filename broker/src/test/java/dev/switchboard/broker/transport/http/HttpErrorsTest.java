package dev.switchboard.broker.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HttpErrorsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Illegal character VCHAR='@'|Illegal character VCHAR",
        "Duplicate Host Header|Duplicate Host Header",
        "Transfer-Encoding and Content-Length|Transfer-Encoding and Content-Length",
        "Bad Transfer-Encoding, chunked not last|Bad Transfer-Encoding",
        "Unknown content coding: <script>|Unknown content coding",
        "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    })
    void a_reason_is_cut_before_the_first_character_that_could_quote_the_request(String reason, String kept) {
        assertEquals(kept, HttpErrors.sanitize(reason));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "400|Illegal character CNTL=0x0|bad_request|the request is not valid HTTP/1.1: Illegal character CNTL",
        "431|Request Header Fields Too Large|request_header_fields_too_large|"
                + "the request headers are too large (request line and headers: at most 8192 bytes)",
        "500|java.lang.IllegalStateException: secret detail|internal_error|internal error",
    })
    void an_error_for_a_status_has_a_fixed_code_and_message(int status, String reason, String code, String message) {
        HttpErrors.HttpError error = HttpErrors.forStatus(status, reason);

        assertEquals(code, error.code());
        assertEquals(message, error.message());
    }
}
