/**
 * The embedded provider simulator: a real loopback HTTP server that speaks the OpenAI chat-completions, OpenAI
 * Realtime (WebSocket) and Anthropic Messages APIs, used as the broker's default upstream and as a test double,
 * including for failures.
 *
 * <p>Public surface: {@link dev.switchboard.simulator.ProviderSimulator} (lifecycle),
 * {@link dev.switchboard.simulator.SimulatorConfig}, {@link dev.switchboard.simulator.SimulatorStats},
 * {@link dev.switchboard.simulator.SimulatorModels} and the standalone
 * {@link dev.switchboard.simulator.SimulatorMain}. {@link dev.switchboard.simulator.RealtimeSocket} is public only
 * because Jetty requires it of WebSocket listeners. Everything else is package-private:
 * <ul>
 *   <li>{@code SimulatorHandler}, the one Jetty core handler, routes to one endpoint per path (a
 *       {@code CompletionHandler} per {@code ProviderApi}, {@code ModelsHandler}, {@code StatsHandler}) and parses
 *       {@code /faults/{spec}} prefixes into a {@code FaultProfile} ({@code FaultSpecParser},
 *       {@code FaultCounters});</li>
 *   <li>a {@code ProviderApi} ({@code OpenAiApi}, {@code AnthropicApi}) owns one API's auth, request parser
 *       ({@code ChatRequestParser}, {@code AnthropicRequestParser}), stream encoder and error shape
 *       ({@code OpenAiError}, {@code AnthropicError}); both reduce requests to the same {@code ChatRequest}, so the
 *       same conversation gets the same text on either endpoint;</li>
 *   <li>{@code GenerationPlan} decides text, tool call ({@code ToolCall}) or prefill continuation;
 *       {@code TextGenerator} and {@code Vocabulary} make deterministic text from a request hash;</li>
 *   <li>{@code PacedStream} paces any streamed completion and applies stream faults; a {@code StreamEncoder} per
 *       API ({@code OpenAiChunkEncoder}, {@code AnthropicEventEncoder}, both built on {@code EventFrames}) decides
 *       its bytes;</li>
 *   <li>{@code PacingScheduler} is the shared timer and {@code InFlight} tracks responses still owed (streams,
 *       delayed replies, {@code HeldExchange}s and Realtime connections);</li>
 *   <li>the Realtime endpoint: {@code RealtimeEndpoint} refuses or upgrades {@code GET /v1/realtime}; each
 *       connection is a {@code RealtimeSocket} whose {@code RealtimeSession} (settings in
 *       {@code SessionSettings}/{@code SessionUpdate}, items in {@code RealtimeConversation}/{@code RealtimeItem}/
 *       {@code ContentPart}, parsed by {@code ItemParser}, {@code ResponseSpec} and {@code JsonFields}) answers
 *       client events and runs one {@code RealtimeResponse} at a time, which plans with the same
 *       {@code GenerationPlan} as the HTTP endpoints and streams through a {@code ResponseOutput}
 *       ({@code TextOutput}, {@code FunctionCallOutput}); {@code EventWriter} sends the events.</li>
 * </ul>
 *
 * <p>Threading: Jetty's pool threads run request handling; streamed tokens are paced by one shared scheduler
 * with at most two daemon threads, never by a thread per stream. A stream performs at most one write at a
 * time and schedules its next tick only after the previous write's callback succeeded, so a slow reader
 * applies TCP backpressure instead of growing memory. Each stream completes its Jetty handler callback
 * exactly once. Each Realtime connection confines its state to a {@code SerialExecutor}, which runs its tasks
 * one at a time on the Jetty or pacing thread that submitted them; its responses pace the same way streams do,
 * and it reads the next client frame only while its outbound backlog is small. Injected faults fail callbacks
 * with a quiet {@code InjectedFault}, so Jetty does not log them as server errors.
 *
 * <p>Prompt and completion text is never logged.
 */
@NullMarked
package dev.switchboard.simulator;

import org.jspecify.annotations.NullMarked;
