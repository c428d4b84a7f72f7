// Microphone capture on the audio thread: 100 ms of PCM16 (the context runs at 24 kHz) with its RMS level.
const CHUNK_SECONDS = 0.1;

class Capture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.round(sampleRate * CHUNK_SECONDS);
    this.pcm = new Int16Array(this.size);
    this.n = 0;
    this.sumSquares = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      const s = Math.max(-1, Math.min(1, channel[i]));
      this.sumSquares += s * s;
      this.pcm[this.n++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.n === this.size) {
        const rms = Math.sqrt(this.sumSquares / this.size);
        this.port.postMessage({ pcm: this.pcm.buffer, rms }, [this.pcm.buffer]);
        this.pcm = new Int16Array(this.size);
        this.n = 0;
        this.sumSquares = 0;
      }
    }
    return true;
  }
}

registerProcessor("switchboard-capture", Capture);
