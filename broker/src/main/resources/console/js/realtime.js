// One Realtime session over the broker's WebSocket, as a browser keeps it: authenticated with subprotocols,
// every server event's seq checked, and resumed with the resume token after a drop (docs/resume.md).

import { describeClose, describeError, explainRefusedUpgrade, listModels, realtimeUrl, retryableClose } from "./api.js";

/** Codes the console closes with itself: 1000 ends the session, 4000 drops it (the session waits for a resume). */
const END = 1000;
const DROP = 4000;
const MAX_RESUME_ATTEMPTS = 3;
const RESUME_BACKOFF_MS = [0, 500, 2000];

/**
 * A Realtime session that outlives its sockets. Callbacks:
 * onEvent(event, raw, direction) for every server event ("in"), client event ("out") and connection note ("conn");
 * onState(state, text) with state one of idle, connecting, open, resuming, closed, error.
 * Counters: lastSeq, missing (seq numbers skipped), repeated (seq numbers seen twice), resumes.
 */
export class RealtimeLink {
  constructor({ key, model, onEvent, onState }) {
    this.key = key;
    this.model = model;
    this.onEvent = onEvent;
    this.onState = onState;
    this.ws = null;
    this.token = null;
    this.sessionId = null;
    this.lastSeq = 0;
    this.missing = 0;
    this.repeated = 0;
    this.resumes = 0;
    this.lastError = null;
    this.ended = false;
    this.dropping = false;
    this.attempts = 0;
    this.state = "idle";
  }

  /** Checks the key with GET /v1/models (a refused upgrade is only "1006" to a browser), then connects. */
  async open() {
    this.setState("connecting", "Checking the key…");
    await listModels(this.key);
    this.socket(realtimeUrl({ model: this.model }), false);
  }

  /** Sends a client event (a JSON object); false when no socket is open. */
  send(event) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    const raw = JSON.stringify(event);
    this.ws.send(raw);
    this.onEvent(event, raw, "out");
    return true;
  }

  isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  /** Kills the socket as a dropped network would; the session waits in the broker and is resumed. */
  drop() {
    if (!this.isOpen() || !this.token) return;
    this.dropping = true;
    this.note(`dropping the connection at seq ${this.lastSeq}`);
    this.ws.close(DROP, "console drop");
  }

  /** Ends the session for good (close 1000). */
  close() {
    this.ended = true;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(END, "console disconnect");
    else this.setState("idle", "Not connected");
  }

  socket(url, resuming) {
    const ws = new WebSocket(url, ["realtime", `openai-insecure-api-key.${this.key}`]);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempts = 0;
      if (!resuming) this.setState("open", `Connected to ${this.model}`);
    };
    ws.onmessage = (message) => this.receive(message.data);
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.closed(e.code, e.reason, opened);
    };
  }

  receive(raw) {
    let event;
    try {
      event = JSON.parse(raw);
    } catch (e) {
      this.note("a frame that is not JSON arrived");
      return;
    }
    if (typeof event.seq === "number") {
      if (event.seq <= this.lastSeq) this.repeated++;
      else {
        this.missing += event.seq - this.lastSeq - 1;
        this.lastSeq = event.seq;
      }
    }
    switch (event.type) {
      case "session.created":
        this.token = event.resume_token;
        this.sessionId = event.session && event.session.id;
        this.setState("open", `Connected to ${this.model} · ${this.sessionId}`);
        break;
      case "session.resumed":
        this.token = event.resume_token;
        this.resumes++;
        this.setState("open", `Resumed ${event.session_id} after seq ${event.last_seq}`);
        break;
      case "switchboard.reconnect":
        this.token = event.resume_token || this.token;
        break;
      case "error":
        this.lastError = event.error;
        break;
      default:
        break;
    }
    this.onEvent(event, raw, "in");
  }

  async closed(code, reason, opened) {
    const words = describeClose(code, reason);
    if (this.ended) {
      this.setState("idle", "Disconnected");
      return;
    }
    const dropped = this.dropping;
    this.dropping = false;
    this.note(words);
    if (!opened && this.attempts === 0 && !this.token) {
      // A refused upgrade: ask the broker why with the same admission and no upgrade.
      const refusal = await explainRefusedUpgrade(this.key, this.model);
      this.fail(refusal ? `Refused: ${refusal.describe()}` : `${words}. The broker could not be reached.`);
      return;
    }
    if (this.token && (dropped || retryableClose(code)) && this.attempts < MAX_RESUME_ATTEMPTS) {
      this.resume();
      return;
    }
    const last = this.lastError ? ` Last error: ${describeError(this.lastError)}` : "";
    this.fail(`Session ${words}.${last}`);
  }

  resume() {
    const attempt = this.attempts++;
    this.setState("resuming", `Resuming after seq ${this.lastSeq} (attempt ${attempt + 1})…`);
    setTimeout(() => {
      if (this.ended) return;
      this.socket(realtimeUrl({ resume_token: this.token, last_seq: String(this.lastSeq) }), true);
    }, RESUME_BACKOFF_MS[Math.min(attempt, RESUME_BACKOFF_MS.length - 1)]);
  }

  fail(text) {
    this.ended = true;
    this.setState("closed", text);
  }

  note(text) {
    this.onEvent({ type: "connection", note: text }, null, "conn");
  }

  setState(state, text) {
    this.state = state;
    this.onState(state, text);
  }
}
