package dev.switchboard.protocol.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.switchboard.protocol.event.ClientEvent;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.InvalidFieldException;
import dev.switchboard.protocol.event.ResponseOutputTextDelta;
import dev.switchboard.protocol.event.ServerEvent;
import dev.switchboard.protocol.event.UnknownClientEvent;
import dev.switchboard.protocol.event.UnknownServerEvent;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Encodes and decodes Realtime events. Immutable and thread-safe.
 *
 * <p>Strict on input shapes: a string where a number belongs (or the reverse) is an error, not a coercion.
 * Unknown fields inside known events are ignored so clients written against newer Realtime versions keep
 * working; unknown event types decode to {@link UnknownClientEvent}.
 */
public final class EventCodec {
    /** Error codes produced by decoding. Documented in {@code docs/protocol.md}. */
    public static final String INVALID_JSON = "invalid_json";
    /** A required parameter (such as {@code type}) is missing. */
    public static final String MISSING_PARAMETER = "missing_required_parameter";
    /** A parameter has the wrong shape or an invalid value. */
    public static final String INVALID_VALUE = "invalid_value";

    private static final int MAX_DETAIL_CHARS = 200;

    private final ObjectMapper mapper;
    private final ObjectWriter serverWriter;
    private final Map<String, Class<?>> clientTypes;
    private final Map<String, Class<?>> serverTypes;

    private EventCodec() {
        JsonMapper jsonMapper = JsonMapper.builder()
                .addModule(new Jdk8Module())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                // Not FAIL_ON_MISSING_CREATOR_PROPERTIES: it makes every absent optional field an error.
                // Compact constructors reject missing required fields instead.
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // A null inside a list or map ("content": [null]) is a shape error with a path, not an NPE
                // from List.copyOf in a compact constructor.
                .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL))
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .serializationInclusion(JsonInclude.Include.NON_ABSENT)
                .build();
        for (LogicalType type : new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Boolean,
            LogicalType.Float}) {
            jsonMapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        this.mapper = jsonMapper;
        this.serverWriter = mapper.writerFor(ServerEvent.class);
        this.clientTypes = subtypes(ClientEvent.class);
        this.serverTypes = subtypes(ServerEvent.class);
    }

    /** A codec with Switchboard's Jackson configuration. Create once and share. */
    public static EventCodec create() {
        return new EventCodec();
    }

    private static Map<String, Class<?>> subtypes(Class<?> base) {
        JsonSubTypes annotation = base.getAnnotation(JsonSubTypes.class);
        return Stream.of(annotation.value()).collect(Collectors.toUnmodifiableMap(JsonSubTypes.Type::name,
                JsonSubTypes.Type::value));
    }

    /** The mapper, configured as this codec uses it (snake_case, Optional support). Do not reconfigure it. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /** Wire names of every modelled client event type. */
    public java.util.Set<String> clientTypes() {
        return clientTypes.keySet();
    }

    /** Wire names of every modelled server event type. */
    public java.util.Set<String> serverTypes() {
        return serverTypes.keySet();
    }

    /**
     * Decodes one client text frame. Never throws: bad input becomes {@link ClientDecoding.Rejected} whose
     * message names the problem (but never echoes the frame back).
     */
    public ClientDecoding decodeClient(String text) {
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return reject(INVALID_JSON, "frame is not valid JSON: " + syntax(e), "", null);
        }
        if (!(node instanceof ObjectNode object)) {
            return reject(INVALID_JSON, "frame must be a JSON object", "", null);
        }
        return decodeClient(object);
    }

    private ClientDecoding decodeClient(ObjectNode object) {
        JsonNode idNode = object.get("event_id");
        if (idNode != null && !idNode.isTextual() && !idNode.isNull()) {
            return reject(INVALID_VALUE, "event_id must be a string", "", "event_id");
        }
        String eventId = idNode == null || idNode.isNull() ? "" : idNode.asText();
        JsonNode typeNode = object.get("type");
        if (typeNode == null || typeNode.isNull()) {
            return reject(MISSING_PARAMETER, "missing required parameter 'type'", eventId, "type");
        }
        if (!typeNode.isTextual() || typeNode.asText().isEmpty()) {
            return reject(INVALID_VALUE, "'type' must be a non-empty string", eventId, "type");
        }
        String type = typeNode.asText();
        if (!clientTypes.containsKey(type)) {
            return new ClientDecoding.Decoded(new UnknownClientEvent(eventId, type, object));
        }
        try {
            return new ClientDecoding.Decoded(mapper.treeToValue(object, ClientEvent.class));
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof InvalidFieldException field) {
                // The path ends at the record that refused the value; the exception names the field within it.
                String where = path(e);
                String param = where == null ? field.field() : where + "." + field.field();
                return reject(field.missing() ? MISSING_PARAMETER : INVALID_VALUE,
                        type + ": " + brief(field.getMessage()), eventId, param);
            }
            // Our records refuse values with IllegalArgumentException and a message for the client; anything else
            // is a library's own wording, which would show Java class names.
            String why = cause instanceof IllegalArgumentException ? brief(cause.getMessage()) : "invalid value";
            return reject(INVALID_VALUE, type + ": " + why, eventId, path(e));
        } catch (JsonMappingException e) {
            String where = path(e);
            String message = where == null
                    ? type + ": invalid event" + expected(e)
                    : type + ": field '" + where + "' has the wrong shape or value" + expected(e);
            return reject(INVALID_VALUE, message, eventId, where);
        } catch (JsonProcessingException e) {
            return reject(INVALID_JSON, type + ": " + syntax(e), eventId, null);
        }
    }

    /**
     * Checks one client frame for relaying without decoding it: it must be one JSON object with a non-empty string
     * {@code type} (and a string {@code event_id}, if any) and nothing after it. The frame is scanned once with a
     * streaming parser and no tree is built, so a large {@code input_audio_buffer.append} costs one pass over its
     * characters. Never throws.
     */
    public ClientDecoding peekClient(String text) {
        String type = null;
        String eventId = "";
        boolean badEventId = false;
        try (JsonParser parser = mapper.getFactory().createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return reject(INVALID_JSON, "frame must be a JSON object", "", null);
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("type".equals(field)) {
                    // {"type": null} is a missing type, as decodeClient says, not an invalid one (issue 10).
                    type = value == JsonToken.VALUE_STRING ? parser.getText()
                            : value == JsonToken.VALUE_NULL ? null : "";
                    if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                        parser.skipChildren();
                    }
                } else if ("event_id".equals(field)) {
                    // Judged once the whole frame is read, and the last of duplicated keys counts, as when the
                    // strict decoder reads a tree: the same frame gets the same code on every session kind.
                    badEventId = value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL;
                    eventId = value == JsonToken.VALUE_STRING ? parser.getText() : "";
                    if (badEventId) {
                        parser.skipChildren();
                    }
                } else if (value == JsonToken.VALUE_STRING) {
                    // Finishing the token into the parser's recycled buffer is Jackson's fast string path;
                    // skipping it instead scans character by character, twice as slow on a 64 KiB audio payload.
                    parser.getTextLength();
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return reject(INVALID_JSON, "frame is not one valid JSON object", "", null);
            }
        } catch (JsonProcessingException e) {
            return reject(INVALID_JSON, "frame is not valid JSON: " + syntax(e), "", null);
        } catch (java.io.IOException e) {
            return reject(INVALID_JSON, "frame is not valid JSON", "", null);
        }
        if (badEventId) {
            return reject(INVALID_VALUE, "event_id must be a string", "", "event_id");
        }
        if (type == null) {
            return reject(MISSING_PARAMETER, "missing required parameter 'type'", eventId, "type");
        }
        if (type.isEmpty()) {
            return reject(INVALID_VALUE, "'type' must be a non-empty string", eventId, "type");
        }
        return new ClientDecoding.Raw(type, eventId, text);
    }

    private static ClientDecoding reject(String code, String message, String eventId, String param) {
        ErrorDetail error = ErrorDetail.invalidRequest(code, message, eventId);
        return new ClientDecoding.Rejected(param == null ? error : error.withParam(param));
    }

    private static String path(JsonMappingException e) {
        if (e.getPath().isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /**
     * What is wrong with unparseable JSON, in the client's terms: never the parser's own message, which names Java
     * types, library features and its source description.
     */
    private static String syntax(JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String what;
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            what = "it is nested too deeply or too long";
        } else if (original.startsWith("Unexpected end-of-input")) {
            what = "it ends before the JSON is complete";
        } else if (original.contains("Trailing token") || original.contains("trailing token")) {
            what = "there is content after the JSON object";
        } else if (original.startsWith("Unexpected character") || original.startsWith("Unrecognized token")
                || original.startsWith("Unexpected close marker")) {
            what = "unexpected character or token";
        } else if (original.contains("surrogate") || original.contains("Invalid UTF")) {
            what = "invalid character encoding";
        } else {
            what = "malformed JSON";
        }
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 0 ? what
                : what + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /** The kind of value a mismatched field expects, as ", expected a string", or nothing when unknown. */
    private static String expected(JsonMappingException e) {
        if (!(e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatch)
                || mismatch.getTargetType() == null) {
            return "";
        }
        Class<?> target = mismatch.getTargetType();
        if (target == String.class || target == Character.class) {
            return ", expected a string";
        }
        if (Number.class.isAssignableFrom(target) || target.isPrimitive() && target != boolean.class) {
            return ", expected a number";
        }
        if (target == Boolean.class || target == boolean.class) {
            return ", expected true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(target) || target.isArray()) {
            return ", expected an array";
        }
        return ", expected an object";
    }

    private static String brief(String message) {
        if (message == null) {
            return "malformed input";
        }
        String oneLine = message.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= MAX_DETAIL_CHARS ? oneLine : oneLine.substring(0, MAX_DETAIL_CHARS) + "…";
    }

    /**
     * Encodes a server event for the wire with its {@code event_id} and {@code seq}.
     *
     * @param eventId a broker-generated id of JSON-safe characters (letters, digits, {@code _}, {@code -})
     * @param seq the sequence number, or a negative value for connection-level events outside the seq stream
     */
    public String encodeServer(ServerEvent event, String eventId, long seq) {
        if (event instanceof UnknownServerEvent unknown) {
            // A relayed upstream event carries the upstream's event_id: replace it rather than append a duplicate
            // key. Removing first puts the envelope fields last, as for modelled events.
            ObjectNode copy = unknown.raw().deepCopy();
            copy.remove("event_id");
            copy.remove("seq");
            copy.put("event_id", eventId);
            if (seq >= 0) {
                copy.put("seq", seq);
            }
            return writeTree(copy, event);
        }
        if (event instanceof ResponseOutputTextDelta delta) {
            return encodeTextDelta(delta, eventId, seq);
        }
        return encodeEnvelope(event, eventId, seq);
    }

    /** {@link #encodeServer(ServerEvent, String, long)} through Jackson for every modelled event (tests compare). */
    String encodeEnvelope(ServerEvent event, String eventId, long seq) {
        String body = encodeServer(event);
        StringBuilder sb = new StringBuilder(body.length() + eventId.length() + 32);
        sb.append(body, 0, body.length() - 1).append(",\"event_id\":\"").append(eventId).append('"');
        if (seq >= 0) {
            sb.append(",\"seq\":").append(seq);
        }
        return sb.append('}').toString();
    }

    /** Room for the text-delta template beyond its four strings: sized so its builder never grows. */
    private static final int TEXT_DELTA_FIXED_CHARS = 192;

    /**
     * The most frequent frame, one per streamed token, written from a template: the same text Jackson writes
     * (field order and escaping; {@code TemplateFramesTest} compares the two), at a fraction of the cost (issue 12).
     */
    private static String encodeTextDelta(ResponseOutputTextDelta delta, String eventId, long seq) {
        // The template's own text is 132 chars and the three numbers up to 39 more: sized so it never grows.
        StringBuilder sb = new StringBuilder(TEXT_DELTA_FIXED_CHARS + delta.delta().length()
                + delta.responseId().length() + delta.itemId().length() + eventId.length());
        sb.append("{\"type\":\"response.output_text.delta\",\"response_id\":");
        JsonText.appendQuoted(sb, delta.responseId()).append(",\"item_id\":");
        JsonText.appendQuoted(sb, delta.itemId()).append(",\"output_index\":").append(delta.outputIndex())
                .append(",\"content_index\":").append(delta.contentIndex()).append(",\"delta\":");
        JsonText.appendQuoted(sb, delta.delta()).append(",\"event_id\":");
        JsonText.appendQuoted(sb, eventId);
        if (seq >= 0) {
            sb.append(",\"seq\":").append(seq);
        }
        return sb.append('}').toString();
    }

    /** Encodes a server event without envelope fields. */
    public String encodeServer(ServerEvent event) {
        try {
            if (event instanceof UnknownServerEvent unknown) {
                ObjectNode copy = unknown.raw().deepCopy();
                copy.remove("seq");
                return mapper.writeValueAsString(copy);
            }
            return serverWriter.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            // Records of our own vocabulary always serialise; failing here is a bug.
            throw new IllegalStateException("cannot encode " + event.getClass().getSimpleName(), e);
        }
    }

    private String writeTree(ObjectNode node, ServerEvent event) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event.getClass().getSimpleName(), e);
        }
    }

    /** Encodes a client event (for clients and the load-test harness). */
    public String encodeClient(ClientEvent event) {
        try {
            if (event instanceof UnknownClientEvent unknown) {
                return mapper.writeValueAsString(unknown.raw());
            }
            ObjectNode node = mapper.valueToTree(event);
            if (event.eventId().isEmpty()) {
                node.remove("event_id");
            }
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot encode " + event.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decodes a server frame as a client sees it.
     *
     * @return the frame, or empty when the text is not a JSON object with a string {@code type}
     */
    public Optional<ServerFrame> decodeServer(String text) {
        try {
            JsonNode node = mapper.readTree(text);
            if (!(node instanceof ObjectNode object) || !object.path("type").isTextual()) {
                return Optional.empty();
            }
            String type = object.get("type").asText();
            long seq = object.path("seq").isIntegralNumber() ? object.get("seq").asLong() : -1;
            String eventId = object.path("event_id").asText("");
            ServerEvent event = serverTypes.containsKey(type)
                    ? mapper.treeToValue(object, ServerEvent.class)
                    : new UnknownServerEvent(type, object);
            return Optional.of(new ServerFrame(type, eventId, seq, event));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
