// Runs the unmodified OpenAI Node SDK against a Switchboard broker in dev mode.
// Usage: node check.mjs http://127.0.0.1:PORT dev-key      (exit 0 when every check passes)
import OpenAI from "openai";
import { check, expect, finish } from "./checks.mjs";

const [base, key] = process.argv.slice(2);
if (!base || !key) {
  console.error("usage: node check.mjs BASE_URL KEY");
  process.exit(2);
}
const client = new OpenAI({ apiKey: key, baseURL: `${base}/v1`, timeout: 20_000, maxRetries: 0 });
const messages = [{ role: "user", content: "Hello there" }];
await check("models.list", async () => {
  const ids = (await client.models.list()).data.map((m) => m.id);
  for (const id of ["sim-chat", "sim-claude", "sim-failover", "sim-realtime"]) {
    expect(ids.includes(id), `missing ${id} in ${ids}`);
  }
  return ids.join(",");
});

let reference = "";
await check("chat.completions non-streaming", async () => {
  const done = await client.chat.completions.create({ model: "sim-chat", messages,
    metadata: { sim_tokens: "60", sim_ttft_ms: "0" }, temperature: 0.2 });
  const choice = done.choices[0];
  expect(choice.finish_reason === "stop", `finish_reason ${choice.finish_reason}`);
  expect(choice.message.content?.length > 0, "empty content");
  expect(done.usage?.completion_tokens > 0, `usage ${JSON.stringify(done.usage)}`);
  reference = choice.message.content;
  return `${reference.length} chars, usage ${JSON.stringify(done.usage)}`;
});

await check("chat.completions streaming with failover (sim-failover equals sim-chat)", async () => {
  const stream = await client.chat.completions.create({ model: "sim-failover", messages, stream: true,
    stream_options: { include_usage: true }, metadata: { sim_tokens: "60", sim_ttft_ms: "0",
      sim_tokens_per_second: "500" } });
  let text = "", finish = null, usage = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  expect(finish === "stop", `finish_reason ${finish}`);
  expect(usage?.completion_tokens > 0, `usage ${JSON.stringify(usage)}`);
  expect(text === reference, `streamed text differs from the sim-chat answer:\n${text}\n---\n${reference}`);
  return `${text.length} chars`;
});

await check("tool call through the anthropic adapter (sim-claude)", async () => {
  const tools = [{ type: "function", function: { name: "get_weather", description: "Weather by city",
    parameters: { type: "object", properties: { city: { type: "string" } } } } }];
  const call = await client.chat.completions.create({ model: "sim-claude", messages, tools,
    metadata: { sim_tool_call: "get_weather", sim_ttft_ms: "0" } });
  const choice = call.choices[0];
  expect(choice.finish_reason === "tool_calls", `finish_reason ${choice.finish_reason}`);
  const tool = choice.message.tool_calls?.[0];
  expect(tool?.function?.name === "get_weather", JSON.stringify(choice.message));
  JSON.parse(tool.function.arguments);
  return tool.function.arguments;
});

// The checks below need models the compatibility test configures (OpenAiSdkCompatibilityTest); a plain dev
// broker does not serve them, so they are skipped there.
const served = new Set((await client.models.list()).data.map((m) => m.id));

for (const model of ["sim-splice-restart", "sim-splice-refused"]) {
  if (!served.has(model)) continue;
  await check(`a failover that cannot continue the text exactly is an error, not a spliced answer (${model})`,
    async () => {
      const stream = await client.chat.completions.create({ model, messages, stream: true,
        metadata: { sim_tokens: "60", sim_ttft_ms: "0", sim_tokens_per_second: "500" } });
      let text = "", finish = null;
      try {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? "";
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
      } catch (e) {
        const code = e?.code ?? e?.error?.code;
        expect(code === "upstream_stream_broken", `error code ${code}: ${e}`);
        expect(finish === null, `a finish_reason (${finish}) came before the error`);
        expect(reference.startsWith(text), `the text before the error is not a prefix of the answer:\n${text}`);
        return `raised ${code} after ${text.length} chars`;
      }
      throw new Error(`no error; the stream ended with finish_reason ${finish} and ${text.length} chars`);
    });
}

if (served.has("sim-failover-named")) {
  await check("chunks and completions report the model that answered, after a failover", async () => {
    const done = await client.chat.completions.create({ model: "sim-failover-named", messages,
      metadata: { sim_tokens: "60", sim_ttft_ms: "0" } });
    expect(done.model === "sim-backup", `completion model ${done.model}`);
    const stream = await client.chat.completions.create({ model: "sim-failover-named", messages, stream: true,
      metadata: { sim_tokens: "60", sim_ttft_ms: "0", sim_tokens_per_second: "500" } });
    const models = [];
    for await (const chunk of stream) {
      if (models[models.length - 1] !== chunk.model) models.push(chunk.model);
    }
    expect(models[0] === "sim-primary" && models[models.length - 1] === "sim-backup",
      `chunk models ${models}`);
    return `completion ${done.model}; chunks ${models.join(" -> ")}`;
  });
}

await check("an invalid key is an AuthenticationError (401)", async () => {
  const bad = new OpenAI({ apiKey: "not-a-key", baseURL: `${base}/v1`, maxRetries: 0 });
  try {
    await bad.models.list();
  } catch (e) {
    expect(e instanceof OpenAI.AuthenticationError && e.status === 401, `got ${e?.constructor?.name} ${e?.status}`);
    return e.error?.code ?? "";
  }
  throw new Error("no error for an invalid key");
});

// A tenant limited to 2 requests per minute (its key is passed as the third argument): the SDK reads the
// x-ratelimit-* headers and raises its RateLimitError, with OpenAI's body and Retry-After, when the limit is reached.
const limitedKey = process.argv[4];
if (limitedKey) {
  const limited = new OpenAI({ apiKey: limitedKey, baseURL: `${base}/v1`, timeout: 20_000, maxRetries: 0 });
  await check("rate-limit headers, then a RateLimitError (429) with Retry-After", async () => {
    const seen = [];
    for (let i = 0; i < 2; i++) {
      const { response } = await limited.chat.completions.create({ model: "sim-chat", messages,
        metadata: { sim_tokens: "4", sim_ttft_ms: "0" } }).withResponse();
      seen.push(response.headers.get("x-ratelimit-remaining-requests"));
      expect(response.headers.get("x-ratelimit-limit-requests") === "2",
        `x-ratelimit-limit-requests ${response.headers.get("x-ratelimit-limit-requests")}`);
      expect(response.headers.get("x-ratelimit-reset-requests"), "no x-ratelimit-reset-requests");
    }
    expect(seen.join(",") === "1,0", `x-ratelimit-remaining-requests ${seen}`);
    try {
      await limited.chat.completions.create({ model: "sim-chat", messages, stream: true,
        metadata: { sim_tokens: "4", sim_ttft_ms: "0" } });
    } catch (e) {
      expect(e instanceof OpenAI.RateLimitError && e.status === 429, `got ${e?.constructor?.name} ${e?.status}`);
      expect(e.error?.code === "rate_limit_exceeded" && e.error?.type === "requests",
        `error ${JSON.stringify(e.error)}`);
      const retry = Number(e.headers?.get?.("retry-after") ?? e.headers?.["retry-after"]);
      expect(retry >= 1, `Retry-After ${retry}`);
      return `remaining ${seen}; then ${e.error.code} (${e.error.type}), Retry-After ${retry}s`;
    }
    throw new Error("no error for a third request within the minute");
  });
}

finish();
