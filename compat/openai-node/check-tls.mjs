// Runs the unmodified OpenAI Node SDK against a Switchboard broker over https, trusting only the CA it is given
// (an https.Agent with `ca` replaces Node's default CA list). See OpenAiSdkOverTlsTest.
// Usage: node check-tls.mjs https://127.0.0.1:PORT KEY CA_PEM_FILE      (exit 0 when every check passes)
import OpenAI from "openai";
import { check, expect, finish } from "./checks.mjs";
import fs from "node:fs";
import https from "node:https";

const [base, key, caFile] = process.argv.slice(2);
if (!base || !key || !caFile) {
  console.error("usage: node check-tls.mjs BASE_URL KEY CA_PEM_FILE");
  process.exit(2);
}
const agent = new https.Agent({ ca: fs.readFileSync(caFile), keepAlive: true });
const client = new OpenAI({ apiKey: key, baseURL: `${base}/v1`, httpAgent: agent, timeout: 20_000, maxRetries: 0 });
const messages = [{ role: "user", content: "Hello over TLS" }];
const metadata = { sim_tokens: "20", sim_ttft_ms: "0" };
await check("models.list over https", async () => {
  const ids = (await client.models.list()).data.map((m) => m.id);
  expect(ids.includes("sim-chat"), `missing sim-chat in ${ids}`);
  return ids.join(",");
});

await check("chat.completions over https", async () => {
  const done = await client.chat.completions.create({ model: "sim-chat", messages, metadata });
  expect(done.choices[0].finish_reason === "stop", `finish_reason ${done.choices[0].finish_reason}`);
  expect(done.choices[0].message.content?.length > 0, "empty content");
  return `${done.choices[0].message.content.length} chars`;
});

await check("chat.completions streaming over https", async () => {
  const stream = await client.chat.completions.create({ model: "sim-chat", messages, metadata, stream: true });
  let text = "", finish = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  expect(finish === "stop", `finish_reason ${finish}`);
  expect(text.length > 0, "empty stream");
  return `${text.length} chars`;
});

await check("a client with Node's default CAs is refused", async () => {
  const untrusting = new OpenAI({ apiKey: key, baseURL: `${base}/v1`, timeout: 20_000, maxRetries: 0 });
  try {
    await untrusting.models.list();
  } catch (e) {
    expect(e instanceof OpenAI.APIConnectionError, `expected APIConnectionError, got ${e}`);
    return e.cause?.code ?? e.message;
  }
  throw new Error("the request succeeded without trusting the broker's CA");
});

finish();
