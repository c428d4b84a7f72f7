/**
 * The embedded provider simulator: a real loopback HTTP server that speaks the OpenAI chat-completions API,
 * used as the broker's default upstream and as a test double.
 *
 * <p>Public surface: {@link dev.switchboard.simulator.ProviderSimulator} (lifecycle),
 * {@link dev.switchboard.simulator.SimulatorConfig}, {@link dev.switchboard.simulator.SimulatorStats},
 * {@link dev.switchboard.simulator.SimulatorModels} and the standalone
 * {@link dev.switchboard.simulator.SimulatorMain}. Everything else is package-private:
 * <ul>
 *   <li>{@code SimulatorHandler}, the one Jetty core handler, routes to one {@code Request.Handler} per endpoint
 *       ({@code ChatCompletionsHandler}, {@code ModelsHandler}, {@code StatsHandler});</li>
 *   <li>{@code TextGenerator} and {@code Vocabulary} make deterministic text from a request hash;</li>
 *   <li>{@code PacedStream} paces any streamed completion; a {@code StreamEncoder} per provider API
 *       ({@code OpenAiChunkEncoder}) decides its bytes;</li>
 *   <li>{@code PacingScheduler} is the shared timer and {@code InFlight} tracks responses still owed.</li>
 * </ul>
 *
 * <p>Threading: Jetty's pool threads run request handling; streamed tokens are paced by one shared scheduler
 * with at most two daemon threads, never by a thread per stream. A stream performs at most one write at a
 * time and schedules its next tick only after the previous write's callback succeeded, so a slow reader
 * applies TCP backpressure instead of growing memory. Each stream completes its Jetty handler callback
 * exactly once.
 *
 * <p>Prompt and completion text is never logged.
 */
@NullMarked
package dev.switchboard.simulator;

import org.jspecify.annotations.NullMarked;
