// Playground: a text session with streaming answers, Stop (response.cancel), a forced drop that resumes, and
// failover shown where it happens in the answer.

import { describeError, storedKey } from "./api.js";
import { Inspector, el } from "./inspector.js";
import { RealtimeLink } from "./realtime.js";

export class Playground {
  constructor() {
    this.inspector = new Inspector(document.getElementById("pg-inspector"), "pg");
    this.link = null;
    this.active = null;          // the response in progress: {id}
    this.bubbles = new Map();    // item_id -> {li, text}
    this.done = new Set();       // ids of responses whose response.done arrived
    this.$ = (id) => document.getElementById(id);
    this.$("pg-connect").addEventListener("click", () => this.connect());
    this.$("pg-disconnect").addEventListener("click", () => this.link && this.link.close());
    this.$("pg-drop").addEventListener("click", () => this.link && this.link.drop());
    this.$("pg-stop").addEventListener("click", () => this.stop());
    this.$("pg-form").addEventListener("submit", (e) => { e.preventDefault(); this.sendMessage(); });
    this.$("pg-input").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.sendMessage(); }
    });
    this.buttons();
  }

  async connect() {
    if (this.link && !this.link.ended) return;
    const model = this.$("pg-model").value;
    this.alert(null);
    if (!model) { this.alert("Check the key and pick a model first."); return; }
    this.$("pg-chat").innerHTML = "";
    this.inspector.clear();
    this.bubbles.clear();
    this.done.clear();
    this.active = null;
    this.link = new RealtimeLink({ key: storedKey(), model,
      onEvent: (ev, raw, dir) => this.onEvent(ev, raw, dir),
      onState: (state, text) => this.onState(state, text) });
    this.buttons();
    try {
      await this.link.open();
    } catch (refusal) {
      this.link.fail(`Refused: ${refusal.describe ? refusal.describe() : refusal.message}`);
    }
  }

  sendMessage() {
    const input = this.$("pg-input");
    const text = input.value.trim();
    if (!text || !this.link || !this.link.isOpen()) return;
    let metadata;
    const written = this.$("pg-metadata").value.trim();
    if (written) {
      try {
        metadata = JSON.parse(written);
        if (typeof metadata !== "object" || Array.isArray(metadata) || metadata === null
            || Object.values(metadata).some((v) => typeof v !== "string")) throw new Error("not an object of strings");
      } catch (e) {
        this.alert(`Metadata must be a JSON object of string values (${e.message}).`);
        return;
      }
    }
    this.alert(null);
    this.link.send({ type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text }] } });
    this.link.send(metadata ? { type: "response.create", response: { metadata } } : { type: "response.create" });
    this.line("user", text);
    input.value = "";
  }

  stop() {
    if (!this.active || !this.link) return;
    this.link.send({ type: "response.cancel" });
    this.active.stopping = true;
    this.buttons();
  }

  onEvent(ev, raw, direction) {
    this.inspector.record(ev, raw, direction);
    this.inspector.seq(this.link);
    if (direction !== "in") return;
    const responseId = ev.response_id || (ev.response && ev.response.id);
    if (responseId && this.done.has(responseId)) {
      // Never expected: the broker promises nothing of a response after its response.done.
      this.line("note error", `${ev.type} arrived after response.done of ${responseId}`);
    }
    switch (ev.type) {
      case "response.created":
        this.active = { id: ev.response.id };
        break;
      case "response.output_text.delta":
        this.bubble(ev.item_id).tail.appendData(ev.delta);
        break;
      case "switchboard.response.failover":
        // Marked in the answer where it moved, and explained under it.
        this.mark(this.active && this.lastItem(), "failover", "⤷ failover ");
        this.line("note failover", `↪ failover (${ev.mode}): ${ev.from_provider}/${ev.from_model} → `
          + `${ev.to_provider}/${ev.to_model} after ${ev.reason}`, this.bubble(this.lastItem()).li);
        break;
      case "response.done":
        this.finish(ev.response);
        break;
      case "error":
        this.line("note error", `Error: ${describeError(ev.error)}`);
        break;
      case "session.resumed":
        this.mark(this.active && this.lastItem(), "resume", `‖ resumed after seq ${ev.last_seq} `);
        this.line("note", `Resumed after seq ${ev.last_seq}; the broker continues at seq ${ev.next_seq}.`);
        break;
      default:
        break;
    }
    this.buttons();
  }

  finish(response) {
    this.done.add(response.id);
    if (this.active && this.active.id === response.id) this.active = null;
    for (const bubble of this.bubbles.values()) bubble.li.setAttribute("aria-busy", "false");
    const details = response.status_details;
    const reason = details && (details.reason || (details.error && details.error.code));
    if (response.status !== "completed") {
      this.line("note" + (response.status === "failed" ? " error" : ""),
        `Response ${response.status}${reason ? " (" + reason + ")" : ""}`);
    }
    const usage = response.usage;
    if (usage) {
      this.line("note", `${usage.input_tokens ?? "?"} input / ${usage.output_tokens ?? "?"} output tokens`
        + (response.model ? ` · ${response.model}` : ""));
    }
  }

  bubble(itemId) {
    let bubble = this.bubbles.get(itemId);
    if (!bubble) {
      const li = el("li", "assistant");
      li.dataset.item = itemId;
      li.setAttribute("aria-busy", "true");
      const text = el("span", "text");
      const tail = document.createTextNode("");
      text.append(tail);
      li.append(el("span", "tag", "assistant"), text);
      this.$("pg-chat").append(li);
      bubble = { li, text, tail };
      this.bubbles.set(itemId, bubble);
    }
    return bubble;
  }

  /** An inline marker in the answer being written, at the point reached; deltas continue after it. */
  mark(itemId, cls, label) {
    const bubble = itemId && this.bubbles.get(itemId);
    if (!bubble) return;
    bubble.text.append(el("mark", cls, label));
    bubble.tail = document.createTextNode("");
    bubble.text.append(bubble.tail);
  }

  lastItem() {
    return [...this.bubbles.keys()].pop() || "";
  }

  line(cls, text, after) {
    const li = el("li", cls);
    if (cls === "user") li.append(el("span", "tag", "you"), text); else li.textContent = text;
    if (after && after.parentNode) after.after(li); else this.$("pg-chat").append(li);
    const chat = this.$("pg-chat");
    chat.scrollTop = chat.scrollHeight;
  }

  onState(state, text) {
    const status = this.$("pg-status");
    status.dataset.state = state;
    status.textContent = text;
    if (state === "closed") this.alert(text);
    if (state === "closed" || state === "idle") this.active = null;
    this.buttons();
  }

  alert(text) {
    const box = this.$("pg-alert");
    box.hidden = !text;
    box.textContent = text || "";
  }

  buttons() {
    const link = this.link;
    const live = !!link && !link.ended;
    const open = live && link.isOpen();
    this.$("pg-connect").disabled = live;
    this.$("pg-disconnect").disabled = !live;
    this.$("pg-drop").disabled = !open || !link.token;
    this.$("pg-send").disabled = !open || !!this.active;
    this.$("pg-stop").disabled = !open || !this.active || !!this.active.stopping;
  }
}
