// Audio for the voice page: microphone capture through an AudioWorklet, and playback that knows what is actually
// playing — per item, which chunks are scheduled, and how many milliseconds of each were heard.

export const RATE = 24000;

export function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Starts the microphone into `ctx`; `onChunk(base64Pcm16, rms)` every 100 ms. Returns a stop function. */
export async function startCapture(ctx, onChunk) {
  if (!window.isSecureContext || !navigator.mediaDevices) {
    throw new Error("The microphone needs a secure page: open the console over https or at 127.0.0.1/localhost.");
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  } catch (e) {
    const why = e.name === "NotAllowedError" ? "permission was denied"
      : e.name === "NotFoundError" ? "no microphone was found" : e.message;
    throw new Error(`The microphone could not be opened: ${why}.`);
  }
  await ctx.audioWorklet.addModule(new URL("./capture-worklet.js", import.meta.url));
  const node = new AudioWorkletNode(ctx, "switchboard-capture");
  const source = ctx.createMediaStreamSource(stream);
  source.connect(node);
  node.port.onmessage = (e) => onChunk(toBase64(e.data.pcm), e.data.rms);
  return () => {
    node.port.onmessage = null;
    source.disconnect();
    node.disconnect();
    stream.getTracks().forEach((t) => t.stop());
  };
}

/**
 * Plays PCM16 24 kHz chunks back to back. Each item's chunks are remembered with their start time on the audio
 * clock, so `heard(itemId)` is exact even when chunks arrived late and left gaps.
 */
export class Player {
  constructor(ctx) {
    this.ctx = ctx;
    this.playhead = 0;
    this.items = new Map();   // itemId -> {chunks: [{src, start, duration}], receivedMs, cut}
  }

  /** Schedules a base64 chunk of `itemId`; ignored once that item was cut (stale audio of an interrupted answer). */
  enqueue(base64, itemId) {
    let item = this.items.get(itemId);
    if (!item) {
      item = { chunks: [], receivedMs: 0, cut: false };
      this.items.set(itemId, item);
    }
    if (item.cut) return false;
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const pcm = new Int16Array(bytes.buffer, 0, bytes.length >> 1);
    if (pcm.length === 0) return false;
    const buffer = this.ctx.createBuffer(1, pcm.length, RATE);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) channel[i] = pcm[i] / 0x8000;
    const src = this.ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(this.ctx.destination);
    this.playhead = Math.max(this.playhead, this.ctx.currentTime);
    src.start(this.playhead);
    item.chunks.push({ src, start: this.playhead, duration: buffer.duration });
    item.receivedMs += buffer.duration * 1000;
    this.playhead += buffer.duration;
    return true;
  }

  /** Milliseconds of `itemId` received (scheduled) so far. */
  received(itemId) {
    const item = this.items.get(itemId);
    return item ? item.receivedMs : 0;
  }

  /** Milliseconds of `itemId` played so far (whole chunks before now, part of the one playing). */
  heard(itemId) {
    const item = this.items.get(itemId);
    if (!item) return 0;
    const now = this.ctx.currentTime;
    let ms = 0;
    for (const c of item.chunks) {
      if (c.stoppedAt !== undefined) ms += Math.max(0, Math.min(c.stoppedAt, c.start + c.duration) - c.start) * 1000;
      else if (now >= c.start + c.duration) ms += c.duration * 1000;
      else if (now > c.start) ms += (now - c.start) * 1000;
    }
    return ms;
  }

  /** The item whose audio is playing or still scheduled, with heard and received milliseconds; or null. */
  current() {
    const now = this.ctx.currentTime;
    for (const [itemId, item] of this.items) {
      if (!item.cut && item.chunks.some((c) => c.start + c.duration > now)) {
        return { itemId, heardMs: this.heard(itemId), receivedMs: item.receivedMs };
      }
    }
    return null;
  }

  /** Stops everything scheduled now and cuts the items, so late chunks of them are dropped. */
  stop() {
    const now = this.ctx.currentTime;
    for (const item of this.items.values()) {
      for (const c of item.chunks) {
        if (c.start + c.duration > now && c.stoppedAt === undefined) {
          c.stoppedAt = Math.max(now, c.start);
          try { c.src.stop(); } catch (e) { /* already stopped */ }
        }
      }
    }
    this.playhead = now;
  }

  cut(itemId) {
    const item = this.items.get(itemId);
    if (item) item.cut = true;
    else this.items.set(itemId, { chunks: [], receivedMs: 0, cut: true });
  }

  /** Seconds of audio scheduled after now. */
  queuedSeconds() {
    return Math.max(0, this.playhead - this.ctx.currentTime);
  }
}
