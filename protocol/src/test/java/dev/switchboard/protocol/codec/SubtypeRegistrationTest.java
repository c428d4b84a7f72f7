package dev.switchboard.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.protocol.event.ClientEvent;
import dev.switchboard.protocol.event.ServerEvent;
import dev.switchboard.protocol.event.UnknownClientEvent;
import dev.switchboard.protocol.event.UnknownServerEvent;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The sealed hierarchies, the {@code @JsonSubTypes} lists and the golden fixtures stay in step: a new event
 * record without a wire name, or a wire name without a fixture, fails here.
 *
 * <p>{@link UnknownClientEvent} and {@link UnknownServerEvent} are the one exception. They stand for every type we
 * do not model, so they have no single wire name to register; the codec builds them itself when a {@code type}
 * is missing from {@code @JsonSubTypes}, keeping the raw JSON. Registering them would make Jackson claim one
 * name for them and route only that name to a raw holder.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SubtypeRegistrationTest {
    private static final EventCodec CODEC = EventCodec.create();

    @Test
    void every_permitted_client_event_except_unknown_has_a_wire_name() {
        assertRegistered(ClientEvent.class, UnknownClientEvent.class);
    }

    @Test
    void every_permitted_server_event_except_unknown_has_a_wire_name() {
        assertRegistered(ServerEvent.class, UnknownServerEvent.class);
    }

    @Test
    void every_client_wire_name_has_a_golden_fixture_and_every_fixture_a_wire_name() {
        assertFixturesMatch(ClientEvent.class, Golden.Side.CLIENT);
    }

    @Test
    void every_server_wire_name_has_a_golden_fixture_and_every_fixture_a_wire_name() {
        assertFixturesMatch(ServerEvent.class, Golden.Side.SERVER);
    }

    @Test
    void codec_knows_exactly_the_registered_wire_names() {
        assertEquals(Golden.wireNames(ClientEvent.class).keySet(), CODEC.clientTypes());
        assertEquals(Golden.wireNames(ServerEvent.class).keySet(), CODEC.serverTypes());
    }

    @Test
    void wire_names_are_realtime_event_types_not_class_names() {
        Stream.of(ClientEvent.class, ServerEvent.class)
                .flatMap(base -> Golden.wireNames(base).keySet().stream())
                .forEach(name -> assertTrue(name.matches("[a-z_]+(\\.[a-z_]+)*"), name));
    }

    private static void assertRegistered(Class<?> base, Class<?> unknown) {
        Map<String, Class<?>> wireNames = Golden.wireNames(base);
        Set<Class<?>> permitted = new HashSet<>(Set.of(base.getPermittedSubclasses()));
        assertTrue(permitted.remove(unknown), unknown + " should be permitted");

        assertEquals(names(permitted), names(wireNames.values()), "permitted subclasses vs @JsonSubTypes");
        assertEquals(wireNames.size(), Set.copyOf(wireNames.values()).size(), "a class registered twice");
    }

    private static void assertFixturesMatch(Class<?> base, Golden.Side side) {
        Set<String> fixtures = Golden.fixtures(side).stream()
                .map(Golden.Fixture::wireName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Golden.wireNames(base).keySet()), fixtures);
    }

    private static Set<String> names(Collection<Class<?>> classes) {
        return classes.stream().map(Class::getSimpleName).collect(Collectors.toCollection(TreeSet::new));
    }
}
