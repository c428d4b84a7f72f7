package dev.switchboard.simulator;

import java.util.List;
import java.util.Objects;

/**
 * The single tool call a {@code sim_tool_call} request is answered with: deterministic JSON arguments,
 * {@code {"city":"<name>","days":<n>}}, chosen from the request seed and split into fragments that are streamed
 * like tokens. Immutable.
 *
 * @param name      the called function, one of the request's tools
 * @param idSuffix  24 hex digits derived from the seed; the API adds its prefix ({@code call_}, {@code toolu_})
 * @param fragments the arguments JSON in streaming order, at least three
 */
record ToolCall(String name, String idSuffix, List<Token> fragments) {

    static final List<String> CITIES = List.of("Lisbon", "Osaka", "Nairobi", "Quito", "Hobart", "Tromso",
            "Valparaiso", "Tbilisi", "Reykjavik", "Cusco", "Hanoi", "Marrakesh");
    static final int MAX_DAYS = 7;

    ToolCall {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(idSuffix, "idSuffix");
        fragments = List.copyOf(fragments);
        if (fragments.size() < 3) {
            throw new IllegalArgumentException("a tool call streams at least three fragments");
        }
    }

    static ToolCall of(String name, long seed) {
        long pick = TextGenerator.mix64(seed ^ 0x7001_ca11_7001_ca11L);
        String city = CITIES.get((int) Long.remainderUnsigned(pick, CITIES.size()));
        long days = 1 + Long.remainderUnsigned(TextGenerator.mix64(pick), MAX_DAYS);
        String id = String.format("%016x%08x", TextGenerator.mix64(pick ^ seed), pick & 0xffff_ffffL);
        List<Token> fragments = List.of(Token.of("{\"city\":\""), Token.of(city), Token.of("\",\"days\":"),
                Token.of(Long.toString(days)), Token.of("}"));
        return new ToolCall(name, id, fragments);
    }

    /** The complete arguments JSON. */
    String arguments() {
        StringBuilder json = new StringBuilder();
        for (Token fragment : fragments) {
            json.append(fragment.text());
        }
        return json.toString();
    }
}
