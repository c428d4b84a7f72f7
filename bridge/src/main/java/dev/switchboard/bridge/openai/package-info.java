/**
 * The {@code openai} provider adapter: OpenAI chat-completions over SSE, for api.openai.com and any
 * OpenAI-compatible server (vLLM, Ollama, llama.cpp, the bundled simulator) by base URL.
 *
 * <p>{@link dev.switchboard.bridge.openai.OpenAiConnector} is thread-safe and shared; each stream gets its own
 * {@code OpenAiChunkMapper}, confined to the stream's read loop.
 */
@NullMarked
package dev.switchboard.bridge.openai;

import org.jspecify.annotations.NullMarked;
