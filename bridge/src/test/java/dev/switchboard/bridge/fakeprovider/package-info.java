/**
 * A scripted fake LLM provider for adapter tests: a real Jetty server on loopback port 0 that answers each
 * request by playing a per-test list of {@link dev.switchboard.bridge.fakeprovider.Step}s (status and headers,
 * SSE text, stalls, latches, abrupt closes, silence), and records what it received and how each exchange ended.
 *
 * <p>Provider-neutral: OpenAI and Anthropic adapter tests build their transcripts on top of it.
 *
 * <p>Threading: scripts play on Jetty server threads and on its scheduler; no thread is parked while a script
 * waits. {@link dev.switchboard.bridge.fakeprovider.ScriptedProvider} and
 * {@link dev.switchboard.bridge.fakeprovider.Exchange} are safe to use from the test thread.
 */
@NullMarked
package dev.switchboard.bridge.fakeprovider;

import org.jspecify.annotations.NullMarked;
