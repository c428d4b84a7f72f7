// The broker's public API as the console uses it: the tenant key (session storage only), GET /v1/models, the
// Realtime URL derived from this page's own location, and how refusals and close codes read to a person.

const KEY_ITEM = "switchboard.console.key";

/** The tenant key of this tab (session storage: gone when the tab closes, never sent anywhere but here). */
export function storedKey() {
  return sessionStorage.getItem(KEY_ITEM) || "";
}

export function storeKey(key) {
  if (key) sessionStorage.setItem(KEY_ITEM, key); else sessionStorage.removeItem(KEY_ITEM);
}

/** ws(s)://this-host/v1/realtime?QUERY: the broker that served this page, whatever its port. */
export function realtimeUrl(params) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/v1/realtime?${new URLSearchParams(params)}`;
}

/** A refusal as the API words it: {status, code, message, retryAfterS}. */
export class Refusal extends Error {
  constructor(status, code, message, retryAfterS) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS;
  }

  /** One line for a person: the broker's own message, the code, and when to retry if it said. */
  describe() {
    const wait = this.retryAfterS ? ` Retry in ${this.retryAfterS} s.` : "";
    const status = this.status ? `HTTP ${this.status}` : "no answer";
    return `${this.message} (${status}${this.code ? ", " + this.code : ""}).${wait}`;
  }
}

/** Reads an OpenAI-shaped error body into a Refusal; anything else still becomes a readable one. */
export async function refusalOf(response) {
  let code = "";
  let message = `the broker answered ${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || body.error.type || "";
      message = body.error.message || message;
    }
  } catch (e) {
    // Not JSON: the status line says enough.
  }
  const retry = response.headers.get("Retry-After");
  return new Refusal(response.status, code, message, retry ? Number(retry) : 0);
}

/**
 * GET /v1/models with the key: the models the tenant may use, or a Refusal (a wrong key is 401 with the broker's
 * message). Run before every WebSocket, because a browser sees a refused upgrade only as close 1006.
 */
export async function listModels(key) {
  if (!key) throw new Refusal(0, "missing_api_key", "Enter the tenant API key first", 0);
  let response;
  try {
    response = await fetch("/v1/models", { headers: { Authorization: `Bearer ${key}` }, cache: "no-store" });
  } catch (e) {
    throw new Refusal(0, "unreachable", `Cannot reach the broker at ${location.host}: ${e.message}`, 0);
  }
  if (!response.ok) throw await refusalOf(response);
  const body = await response.json();
  return (body.data || []).map((m) => m.id).sort();
}

/**
 * Why an upgrade failed, after a close 1006 before the socket opened: the same admission without the upgrade
 * (the broker answers a plain GET with the refusal it would have given, or 426 when it would have upgraded).
 */
export async function explainRefusedUpgrade(key, model) {
  try {
    const response = await fetch(`/v1/realtime?${new URLSearchParams({ model })}`,
                                 { headers: { Authorization: `Bearer ${key}` }, cache: "no-store" });
    if (response.status === 426) return null;
    return await refusalOf(response);
  } catch (e) {
    return new Refusal(0, "unreachable", `Cannot reach the broker at ${location.host}: ${e.message}`, 0);
  }
}

/** WebSocket close codes (docs/protocol.md): meaning, and whether reconnecting with a resume can succeed. */
export const CLOSE_CODES = {
  1000: ["normal closure", false],
  1001: ["the peer went away", true],
  1002: ["WebSocket protocol error", true],
  1005: ["closed without a status code", true],
  1006: ["the connection dropped or was refused, with no close frame", true],
  1007: ["a text frame was not valid UTF-8", true],
  1008: ["policy violation", false],
  1011: ["internal error in the broker", true],
  1012: ["the broker is restarting (draining)", true],
  4000: ["the console dropped the connection on purpose", true],
  4008: ["slow consumer: the client read too slowly", true],
  4009: ["session taken over by another connection", false],
  4029: ["the tenant is over one of its limits", true],
  4040: ["the session reached its maximum duration", false],
  4041: ["the session was idle too long", false],
  4042: ["an administrator ended the session", false],
  4043: ["the API key was revoked", false],
  4410: ["the resume was refused", false],
  4400: ["the provider rejected the request", false],
  4401: ["the provider refused the broker's credentials", false],
  4413: ["the provider's context length was exceeded", false],
  4429: ["the provider rate-limited the request", true],
  4451: ["the provider's content policy refused the request", false],
  4502: ["the provider is unavailable", true],
  4503: ["the provider's stream broke", true],
  4504: ["the provider timed out", true],
};

/** "closed 4010 session_ended — an administrator ended the session". */
export function describeClose(code, reason) {
  const known = CLOSE_CODES[code];
  const words = known ? known[0] : "unknown close code";
  return `closed ${code}${reason ? " " + reason : ""} — ${words}`;
}

export function retryableClose(code) {
  const known = CLOSE_CODES[code];
  return known ? known[1] : false;
}

/** An `error` event for a person: its message and code, and the wait for a refusal that passes. */
export function describeError(error) {
  if (!error) return "error";
  const wait = error.retry_after_ms ? ` Retry in ${(error.retry_after_ms / 1000).toFixed(1)} s.` : "";
  return `${error.message || "error"} (${error.code || error.type || "error"}).${wait}`;
}
