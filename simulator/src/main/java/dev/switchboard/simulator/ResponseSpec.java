package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * One response as a {@code response.create} asked for it, resolved against the session: the
 * {@code response} object's fields override the session's for this response only. Immutable.
 *
 * @param modality         text, or audio with a transcript
 * @param outputFormat     the audio format of an audio response
 * @param voice            the session's voice, echoed in the response object
 * @param maxOutputTokens  the output cap; empty for {@code "inf"}
 * @param metadata         {@code response.metadata} as given, echoed on {@code response.created}/{@code .done}
 * @param toConversation   {@code conversation: "auto"}: the output joins the default conversation
 * @param messages         the input the text is seeded from: instructions, then the items
 * @param toolResultLast   whether the last input item is a {@code function_call_output}
 * @param toolNames        names of the offered functions
 * @param steering         the metadata and knobs generation follows (including the connection's
 *                         {@code x-switchboard-metadata})
 */
record ResponseSpec(Modality modality, AudioFormat outputFormat, JsonNode voice, OptionalInt maxOutputTokens,
        Map<String, String> metadata, boolean toConversation, List<ChatRequest.Message> messages,
        boolean toolResultLast, List<String> toolNames, Steering steering) {

    ResponseSpec {
        Objects.requireNonNull(modality, "modality");
        Objects.requireNonNull(outputFormat, "outputFormat");
        Objects.requireNonNull(voice, "voice");
        Objects.requireNonNull(maxOutputTokens, "maxOutputTokens");
        Objects.requireNonNull(steering, "steering");
        metadata = Map.copyOf(metadata);
        messages = List.copyOf(messages);
        toolNames = List.copyOf(toolNames);
    }

    /** The chat request the simulator's shared planning ({@link GenerationPlan}) turns into tokens. */
    ChatRequest toChatRequest(String model) {
        return new ChatRequest(model, messages, true, false, maxOutputTokens, steering.metadata(), steering.knobs(),
                toolNames, toolResultLast ? ChatRequest.LastTurn.TOOL_RESULT : ChatRequest.LastTurn.PROMPT);
    }

    /**
     * Resolves {@code response.create}'s optional {@code response} object. Input items come from
     * {@code response.input} (items or {@code item_reference}s to conversation items) or else the conversation; an
     * empty input seeds as one empty user message. {@code newId} names input items that have no id.
     */
    static ParseResult<ResponseSpec> parse(JsonNode event, SessionSettings session, RealtimeConversation conversation,
            Map<String, String> headerMetadata, Supplier<String> newId) {
        JsonFields fields = new JsonFields();
        JsonNode response = event.path("response");
        if (JsonFields.present(response) && !response.isObject()) {
            fields.fail(OpenAiError.invalidType("response", "an object"));
            return fields.invalid();
        }
        String instructions = fields.string(response.path("instructions"), "response.instructions")
                .orElse(session.instructions());
        Modality modality = fields.modality(response.path("output_modalities"), "response.output_modalities")
                .orElse(session.modality());
        OptionalInt max = fields.maxOutputTokens(response.path("max_output_tokens"), "response.max_output_tokens")
                .orElse(session.maxOutputTokens());
        Map<String, String> metadata = fields.metadata(response.path("metadata"), "response.metadata");
        String target = fields.string(response.path("conversation"), "response.conversation").orElse("auto");
        if (!target.equals("auto") && !target.equals("none")) {
            fields.fail(OpenAiError.invalidValue("response.conversation", "expected auto or none"));
        }
        ArrayNode tools = fields.tools(response.path("tools"), "response.tools").orElse(session.tools());
        fields.toolChoice(response.path("tool_choice"), "response.tool_choice");
        List<RealtimeItem> items = input(response.path("input"), session, conversation, newId, fields);
        if (fields.failed()) {
            return fields.invalid();
        }
        List<ChatRequest.Message> messages = new ArrayList<>();
        if (!instructions.isEmpty()) {
            messages.add(new ChatRequest.Message("system", instructions));
        }
        items.forEach(item -> messages.add(item.asChatMessage()));
        if (messages.isEmpty()) {
            messages.add(new ChatRequest.Message("user", ""));
        }
        boolean toolResultLast = !items.isEmpty()
                && items.get(items.size() - 1).type().equals(RealtimeItem.FUNCTION_CALL_OUTPUT);
        List<String> toolNames = JsonFields.toolNames(tools);
        return fields.take(Steering.merged(metadata, "response.metadata.", headerMetadata, toolNames))
                .<ParseResult<ResponseSpec>>map(steering -> ParseResult.valid(new ResponseSpec(modality,
                        session.outputFormat(), session.voice(), max, metadata, target.equals("auto"), messages,
                        toolResultLast, toolNames, steering)))
                .orElseGet(fields::invalid);
    }

    private static List<RealtimeItem> input(JsonNode input, SessionSettings session, RealtimeConversation conversation,
            Supplier<String> newId, JsonFields fields) {
        if (!JsonFields.present(input)) {
            return List.copyOf(conversation.items());
        }
        if (!input.isArray()) {
            fields.fail(OpenAiError.invalidType("response.input", "an array of items"));
            return List.of();
        }
        List<RealtimeItem> items = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            JsonNode node = input.get(i);
            String param = "response.input[" + i + "]";
            if ("item_reference".equals(node.path("type").asText())) {
                String id = fields.requiredString(node.path("id"), param + ".id");
                conversation.find(id).ifPresentOrElse(items::add,
                        () -> fields.fail(RealtimeErrors.itemNotFound(param + ".id", id)));
            } else {
                fields.take(ItemParser.parse(node, param, session.inputFormat(), newId)).ifPresent(items::add);
            }
        }
        return items;
    }
}
