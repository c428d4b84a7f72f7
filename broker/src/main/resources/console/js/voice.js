// Voice: microphone in, audio out, live transcripts and barge-in, with what a person needs to see — connection
// status, microphone level, what is playing, whether a response runs — and the measured barge-in latency.
//
// The answer arrives about ten times faster than it plays, so most listening happens after response.done. The
// page therefore tracks what is actually playing: Interrupt cancels a response only while one runs, stops the
// playback that is still scheduled, and truncates the item at the position actually played.

import { describeError, storedKey } from "./api.js";
import { Player, RATE, startCapture } from "./audio.js";
import { Inspector, el } from "./inspector.js";
import { RealtimeLink } from "./realtime.js";

const SPEECH_EVENTS = new Set(["input_audio_buffer.speech_started", "switchboard.speech_started"]);

export class Voice {
  constructor() {
    this.$ = (id) => document.getElementById(id);
    this.inspector = new Inspector(this.$("vc-inspector"), "vc");
    this.running = null;       // the response in progress: {id}
    this.bubbles = new Map();  // item_id -> {li, text, heard}
    this.starting = false;
    this.$("vc-start").addEventListener("click", () => this.start());
    this.$("vc-stop").addEventListener("click", () => this.stop());
    this.$("vc-interrupt").addEventListener("click", () => this.bargeIn("Interrupt button", performance.now()));
    this.ticker = null;
    this.buttons();
  }

  async start() {
    if (this.starting || this.link) return;
    this.starting = true;
    this.buttons();
    this.alert(null);
    const model = this.$("vc-model").value;
    try {
      if (!model) throw new Error("Check the key and pick a model first.");
      this.ctx = new AudioContext({ sampleRate: RATE });
      await this.ctx.resume();
      this.player = new Player(this.ctx);
      this.link = new RealtimeLink({ key: storedKey(), model,
        onEvent: (ev, raw, dir) => this.onEvent(ev, raw, dir),
        onState: (state, text) => this.onState(state, text) });
      await this.link.open();
      this.stopCapture = await startCapture(this.ctx, (audio, rms) => this.onMic(audio, rms));
      this.ticker = setInterval(() => this.tick(), 100);
    } catch (e) {
      const text = e.describe ? `Refused: ${e.describe()}` : e.message;
      this.teardown();
      this.alert(text);
      this.status("error", text);
    } finally {
      this.starting = false;
      this.buttons();
    }
  }

  stop() {
    if (this.link) this.link.close();
    this.teardown();
    this.status("idle", "Stopped");
  }

  teardown() {
    if (this.stopCapture) this.stopCapture();
    this.stopCapture = null;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    if (this.ctx) this.ctx.close();
    this.ctx = null;
    this.player = null;
    this.link = null;
    this.running = null;
    this.$("vc-level").value = -60;
    this.$("vc-level-text").textContent = "—";
    this.tick();
    this.buttons();
  }

  onMic(audio, rms) {
    const dbfs = rms > 0 ? Math.max(-60, 20 * Math.log10(rms)) : -60;
    this.$("vc-level").value = dbfs;
    this.$("vc-level-text").textContent = `${dbfs.toFixed(0)} dBFS`;
    if (this.link && this.link.isOpen() && this.configured) {
      this.link.send({ type: "input_audio_buffer.append", audio });
    }
  }

  onState(state, text) {
    this.status(state, text);
    if (state === "open" && !this.configured && this.link) {
      this.configured = true;
      const session = { type: "realtime", output_modalities: ["audio"],
        audio: { input: { format: { type: "audio/pcm", rate: RATE },
                          turn_detection: { type: "server_vad", create_response: true, interrupt_response: true } },
                 output: { format: { type: "audio/pcm", rate: RATE } } } };
      if (this.$("vc-broker-vad").checked) session.switchboard = { broker_vad: { enabled: true } };
      this.link.send({ type: "session.update", session });
    }
    if (state === "closed") {
      this.alert(text);
      const ended = this.link;
      this.teardown();
      this.status("closed", text);
      if (ended) this.configured = false;
    }
    if (state === "idle") this.configured = false;
    this.buttons();
  }

  onEvent(ev, raw, direction) {
    const arrived = performance.now();
    if (!(direction === "out" && ev.type === "input_audio_buffer.append")) this.inspector.record(ev, raw, direction);
    if (this.link) this.inspector.seq(this.link);
    if (direction !== "in") return;
    if (SPEECH_EVENTS.has(ev.type)) {
      if (ev.type === "input_audio_buffer.speech_started") this.speechStartMs = ev.audio_start_ms;
      this.bargeIn(ev.type, arrived);
      return;
    }
    switch (ev.type) {
      case "response.created":
        this.running = { id: ev.response.id, createdAt: arrived };
        break;
      case "response.output_audio.delta": {
        const bubble = this.bubble(ev.item_id, ev.response_id);
        // Which part of the transcript this audio speaks: the text received before it (transcript first).
        if (this.player) {
          bubble.marks.push({ atMs: this.player.received(ev.item_id), chars: bubble.transcript.length });
          this.player.enqueue(ev.delta, ev.item_id);
        }
        break;
      }
      case "response.output_audio_transcript.delta": {
        const bubble = this.bubble(ev.item_id, ev.response_id);
        bubble.transcript += ev.delta;
        // After a barge-in the rest was never heard: it joins the struck-through part.
        if (bubble.unheard) bubble.unheard.textContent += ev.delta; else bubble.text.textContent = bubble.transcript;
        break;
      }
      case "input_audio_buffer.speech_stopped":
        this.spokenMs = ev.audio_end_ms - (this.speechStartMs ?? ev.audio_end_ms);
        break;
      case "input_audio_buffer.committed":
        this.line("user", this.spokenMs > 0 ? `(spoken, ${(this.spokenMs / 1000).toFixed(1)} s of audio)` : "(spoken)",
                  ev.item_id);
        break;
      case "conversation.item.input_audio_transcription.completed":
        this.userTranscript(ev.item_id, ev.transcript);
        break;
      case "conversation.item.truncated":
        this.noteTruncated(ev);
        break;
      case "response.done":
        this.responseDone(ev.response, arrived);
        break;
      case "error":
        this.line("note error", `Error: ${describeError(ev.error)}`);
        break;
      default:
        break;
    }
    this.buttons();
  }

  /**
   * Interrupt, by the caller's speech (the broker or the provider detected it) or by the button. Stops what is
   * playing at once; cancels only a running response, and only for the button (for speech the broker already
   * cut it); truncates the item at the milliseconds actually played, and only when some of it was not heard.
   */
  bargeIn(trigger, t0) {
    const playing = this.player && this.player.current();
    const running = this.running;
    const sameUtterance = this.lastSpeechAt !== undefined && t0 - this.lastSpeechAt < 1500;
    if (trigger !== "Interrupt button") this.lastSpeechAt = t0;
    if (!playing && !running) {
      // The broker's VAD and the provider's both report one utterance: say it once.
      if (!sameUtterance) this.logBargeIn(`${trigger}: caller speaking, nothing to interrupt`);
      return;
    }
    if (trigger === "Interrupt button" && running) {
      this.link.send({ type: "response.cancel" });
      running.cancelSentAt = t0;
    }
    let heard = null;
    if (playing) {
      this.player.stop();
      this.player.cut(playing.itemId);
      const stoppedAt = performance.now();
      const outputMs = ((this.ctx.outputLatency || 0) + (this.ctx.baseLatency || 0)) * 1000;
      heard = { ...playing, heardMs: Math.floor(this.player.heard(playing.itemId)),
                latencyMs: stoppedAt - t0 + outputMs };
      if (heard.heardMs < Math.floor(playing.receivedMs)) {
        this.link.send({ type: "conversation.item.truncate", item_id: playing.itemId, content_index: 0,
                         audio_end_ms: heard.heardMs });
      }
      this.markInterrupted(playing.itemId, heard);
    } else if (this.player && this.lastItemOf()) {
      // Nothing audible yet: drop whatever of the running answer still arrives.
      this.player.cut(this.lastItemOf());
    }
    this.lastBargeIn = { t0, trigger, heard, running: !!running };
    const parts = [`${trigger}`];
    if (heard) parts.push(`playback stopped ${heard.latencyMs.toFixed(1)} ms after it (last audio frame played)`,
                          `heard ${(heard.heardMs / 1000).toFixed(2)} s of ${(heard.receivedMs / 1000).toFixed(2)} s`);
    parts.push(running ? (trigger === "Interrupt button" ? "response.cancel sent" : "the broker cuts the response")
                       : "the response had already finished; only playback was stopped");
    const entry = this.logBargeIn(parts.join(" · "));
    entry.dataset.trigger = trigger;
    if (heard) entry.dataset.latencyMs = heard.latencyMs.toFixed(1);
    this.lastBargeIn.entry = entry;
  }

  responseDone(response, arrived) {
    const wasRunning = this.running && this.running.id === response.id;
    if (wasRunning) this.running = null;
    const details = response.status_details;
    const reason = details && (details.reason || (details.error && details.error.code));
    if (response.status === "cancelled" && this.lastBargeIn && this.lastBargeIn.entry && this.lastBargeIn.running) {
      const ms = arrived - this.lastBargeIn.t0;
      this.lastBargeIn.entry.append(el("span", null, ` · response.done cancelled (${reason}) ${ms.toFixed(1)} ms later`));
    }
    for (const bubble of this.bubbles.values()) {
      if (bubble.responseId !== response.id) continue;
      bubble.li.setAttribute("aria-busy", "false");
      if (response.status !== "completed") {
        bubble.li.classList.add("cancelled");
        bubble.tag.textContent = `assistant · ${response.status}${reason ? " (" + reason + ")" : ""}`;
      }
    }
  }

  bubble(itemId, responseId) {
    let bubble = this.bubbles.get(itemId);
    if (!bubble) {
      const li = el("li", "assistant");
      li.dataset.item = itemId;
      li.setAttribute("aria-busy", "true");
      const text = el("span", "text");
      const tag = el("span", "tag", "assistant");
      li.append(tag, text);
      this.$("vc-transcript").append(li);
      bubble = { li, text, tag, responseId, transcript: "", marks: [] };
      this.bubbles.set(itemId, bubble);
      this.scroll("vc-transcript");
    }
    return bubble;
  }

  /** Shows the transcript as heard (up to the audio played) and not heard (struck through). */
  markInterrupted(itemId, heard) {
    const bubble = this.bubbles.get(itemId);
    if (!bubble) return;
    bubble.li.classList.add("cancelled");
    bubble.li.dataset.heardMs = String(heard.heardMs);
    let chars = 0;
    for (const mark of bubble.marks) {
      if (mark.atMs < heard.heardMs) chars = mark.chars; else break;
    }
    bubble.text.textContent = "";
    bubble.unheard = el("s", "unheard", bubble.transcript.slice(chars));
    bubble.unheard.title = "not heard";
    bubble.text.append(el("span", "heard", bubble.transcript.slice(0, chars)), bubble.unheard);
    bubble.li.append(el("span", "tag",
      `interrupted: heard ${(heard.heardMs / 1000).toFixed(2)} s of ${(heard.receivedMs / 1000).toFixed(2)} s`));
  }

  noteTruncated(ev) {
    const bubble = this.bubbles.get(ev.item_id);
    if (bubble) bubble.li.append(el("span", "tag", `truncated at ${ev.audio_end_ms} ms`));
  }

  userTranscript(itemId, transcript) {
    const li = this.$("vc-transcript").querySelector(`li.user[data-item="${CSS.escape(itemId)}"]`);
    if (li && transcript) li.textContent = `🎤 ${transcript}`;
  }

  lastItemOf() {
    return [...this.bubbles.keys()].pop();
  }

  line(cls, text, itemId) {
    const li = el("li", cls, text);
    if (itemId) li.dataset.item = itemId;
    this.$("vc-transcript").append(li);
    this.scroll("vc-transcript");
  }

  logBargeIn(text) {
    const li = el("li", null, text);
    this.$("vc-bargeins").append(li);
    this.scroll("vc-bargeins");
    return li;
  }

  scroll(id) {
    const list = this.$(id);
    list.scrollTop = list.scrollHeight;
  }

  tick() {
    const playback = this.$("vc-playback");
    const playing = this.player && this.player.current();
    playback.dataset.playing = String(!!playing);
    playback.textContent = playing
      ? `playing ${(playing.heardMs / 1000).toFixed(1)} s of ${(playing.receivedMs / 1000).toFixed(1)} s`
      : "silent";
    const response = this.$("vc-response");
    response.dataset.running = String(!!this.running);
    response.textContent = this.running ? `running ${this.running.id}` : "idle";
    this.buttons();
  }

  status(state, text) {
    const status = this.$("vc-status");
    status.dataset.state = state;
    status.textContent = text;
  }

  alert(text) {
    const box = this.$("vc-alert");
    box.hidden = !text;
    box.textContent = text || "";
  }

  buttons() {
    const live = !!this.link && !this.link.ended;
    this.$("vc-start").disabled = this.starting || live;
    this.$("vc-stop").disabled = !live && !this.starting;
    const playing = !!this.player && !!this.player.current();
    this.$("vc-interrupt").disabled = !live || (!playing && !this.running);
  }
}
