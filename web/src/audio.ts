// The voice pipeline of the page (docs/web-client.md "Voice"), independent of the UI:
// the microphone → WebCodecs AudioEncoder (Opus, 48 kHz mono, 20 ms frames) → one raw Opus packet
// per binary WebSocket frame; incoming frames (16 bytes of sender id + an Opus packet) → one
// AudioDecoder per sender → a short per-sender jitter buffer in one AudioContext.
// The socket protocol is docs/client-api.md "The person's socket".

export const SAMPLE_RATE = 48_000;
const BITRATE = 32_000;
const FRAME_US = 20_000;              // 20 ms Opus frames
const LEAD_S = 0.06;                  // a sender's first frame plays this far ahead (jitter buffer)
const MAX_AHEAD_S = 0.3;              // more queued than this (a slow or background tab): drop frames
const MAX_DECODE_QUEUE = 25;          // frames waiting in a decoder; past it packets are dropped
const MAX_SEND_BUFFER = 64 * 1024;    // bytes the socket may hold unsent before packets are dropped
const SPEAKING_LEVEL = 0.02;          // RMS of a decoded frame that counts as speech
const SPEAKING_HOLD_MS = 400;

/** Why this browser cannot do voice, or null when it can. */
export async function voiceUnsupported(): Promise<string | null> {
  if (!window.isSecureContext)
    return 'Voice needs a secure page: open argon over HTTPS (or on this machine as http://127.0.0.1).';
  if (typeof AudioEncoder === 'undefined' || typeof AudioDecoder === 'undefined')
    return 'This browser cannot encode or decode voice (no WebCodecs AudioEncoder/AudioDecoder). Try a current Chrome, Edge or Firefox.';
  if (!navigator.mediaDevices?.getUserMedia)
    return 'This browser gives no access to a microphone.';
  try {
    const e = await AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1, bitrate: BITRATE });
    const d = await AudioDecoder.isConfigSupported({ codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1 });
    if (!e.supported || !d.supported) return 'This browser cannot encode or decode Opus audio with WebCodecs.';
  } catch {
    return 'This browser cannot encode or decode Opus audio with WebCodecs.';
  }
  return null;
}

/** The 16 raw bytes of a sender id → the UUID text. */
export function uuidFromBytes(b: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < 16; i++) hex += b[i].toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface Heard { frames: number; speaking: boolean }

export interface ConnectionEvents {
  onReady: () => void;
  /** The socket closed (not by close()): the server's code and reason. */
  onClosed: (code: number, reason: string) => void;
  /** The microphone could not be used: the connection goes on, listening only. */
  onMicError: (message: string) => void;
}

interface Sender {
  decoder: AudioDecoder | null;
  timestamp: number;
  playAt: number;
  frames: number;
  loudUntil: number;
}

/** One voice socket (a voice channel or a call) with its microphone, encoder and decoders. */
export class VoiceConnection {
  private ws: WebSocket;
  private ctx: AudioContext;
  private out: GainNode;
  private senders = new Map<string, Sender>();
  private gone = new Set<string>();
  private stream: MediaStream | null = null;
  private encoder: AudioEncoder | null = null;
  private stopCapture: (() => void) | null = null;
  private ready = false;
  private closed = false;
  private loudUntil = 0;
  muted = false;
  sent = 0;

  constructor(url: string, private events: ConnectionEvents) {
    // Created while handling the click that joined, so the browser lets it play.
    this.ctx = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
    this.out = this.ctx.createGain();
    this.out.connect(this.ctx.destination);
    this.ws = new WebSocket(url);
    this.ws.binaryType = 'arraybuffer';
    this.ws.onmessage = (e) => this.onMessage(e);
    this.ws.onclose = (e) => {
      if (this.closed) return;
      this.close();
      this.events.onClosed(e.code, e.reason);
    };
    void this.startMicrophone();
  }

  /** Per sender: decoded frames so far and whether they are speaking now. */
  heard(): Map<string, Heard> {
    const now = performance.now();
    const m = new Map<string, Heard>();
    for (const [id, s] of this.senders) m.set(id, { frames: s.frames, speaking: s.loudUntil > now });
    return m;
  }

  /** Whether the microphone picks up speech now (and is not muted). */
  speaking(): boolean { return !this.muted && this.loudUntil > performance.now(); }

  setMuted(muted: boolean) { this.muted = muted; }

  /** A participant left: their decoder and counts go, and packets still on the way from them
   *  are ignored until they join again (welcome). */
  forget(id: string) {
    const s = this.senders.get(id);
    if (s?.decoder && s.decoder.state !== 'closed') s.decoder.close();
    this.senders.delete(id);
    this.gone.add(id);
  }

  welcome(id: string) { this.gone.delete(id); }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.stopCapture?.();
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    if (this.encoder && this.encoder.state !== 'closed') this.encoder.close();
    for (const s of this.senders.values()) if (s.decoder && s.decoder.state !== 'closed') s.decoder.close();
    this.senders.clear();
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    void this.ctx.close().catch(() => {});
  }

  // ---- sending ----

  private async startMicrophone() {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, sampleRate: SAMPLE_RATE, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (e) {
      if (!this.closed) this.events.onMicError(e instanceof DOMException && e.name === 'NotAllowedError'
        ? 'The microphone is blocked for this page: you can listen, but not speak.'
        : 'No microphone could be opened: you can listen, but not speak.');
      return;
    }
    if (this.closed) { for (const t of this.stream.getTracks()) t.stop(); return; }
    this.encoder = new AudioEncoder({
      output: (chunk) => this.sendChunk(chunk),
      error: () => { if (!this.closed) this.events.onMicError('The voice encoder failed: you can listen, but not speak.'); },
    });
    this.encoder.configure({
      codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1, bitrate: BITRATE,
      opus: { frameDuration: FRAME_US, complexity: 5 },
    } as AudioEncoderConfig);
    // The AudioContext resamples whatever the device gives to 48 kHz mono; a ScriptProcessor hands
    // the samples over (AudioWorklet would need a second script file; 1024 samples ≈ 21 ms).
    const source = this.ctx.createMediaStreamSource(this.stream);
    const tap = this.ctx.createScriptProcessor(1024, 1, 1);
    const silent = this.ctx.createGain();
    silent.gain.value = 0;  // the processor must reach the destination to run; nothing is heard
    let timestamp = 0;
    tap.onaudioprocess = (ev) => {
      const samples = ev.inputBuffer.getChannelData(0);
      if (level(samples) > SPEAKING_LEVEL) this.loudUntil = performance.now() + SPEAKING_HOLD_MS;
      const data = new AudioData({
        format: 'f32-planar', sampleRate: SAMPLE_RATE, numberOfFrames: samples.length, numberOfChannels: 1,
        timestamp, data: samples.slice(),
      });
      timestamp += Math.round((samples.length / SAMPLE_RATE) * 1e6);
      // Muted or not connected yet: nothing is encoded (the encoder keeps no stale audio).
      if (!this.muted && this.ready && this.encoder?.state === 'configured' && this.encoder.encodeQueueSize < 10)
        this.encoder.encode(data);
      data.close();
    };
    source.connect(tap);
    tap.connect(silent);
    silent.connect(this.ctx.destination);
    this.stopCapture = () => { tap.onaudioprocess = null; source.disconnect(); tap.disconnect(); };
  }

  private sendChunk(chunk: EncodedAudioChunk) {
    // A packet of 2 bytes or fewer (DTX, a lone TOC byte) would close the socket (1007): dropped.
    if (chunk.byteLength <= 2 || this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > MAX_SEND_BUFFER) return;  // a stalled socket: drop, do not pile up
    const packet = new Uint8Array(chunk.byteLength);
    chunk.copyTo(packet);
    this.ws.send(packet);
    this.sent++;
  }

  // ---- receiving ----

  private onMessage(e: MessageEvent) {
    if (typeof e.data === 'string') {
      try {
        if (JSON.parse(e.data)?.status === 'ready' && !this.ready) {
          this.ready = true;
          void this.ctx.resume().catch(() => {});
          this.events.onReady();
        }
      } catch { /* not JSON: ignored */ }
      return;
    }
    const bytes = new Uint8Array(e.data as ArrayBuffer);
    if (bytes.length <= 16) return;
    const id = uuidFromBytes(bytes);
    if (this.gone.has(id)) return;
    let s = this.senders.get(id);
    if (!s) {
      s = { decoder: null, timestamp: 0, playAt: 0, frames: 0, loudUntil: 0 };
      this.senders.set(id, s);
    }
    const decoder = this.decoderFor(s);
    if (decoder.decodeQueueSize > MAX_DECODE_QUEUE) return;  // cannot keep up: drop
    try {
      decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: s.timestamp, data: bytes.subarray(16) }));
      s.timestamp += FRAME_US;
    } catch {
      decoder.close();  // a new decoder for the next packet
      s.decoder = null;
    }
  }

  private decoderFor(s: Sender): AudioDecoder {
    if (s.decoder && s.decoder.state !== 'closed') return s.decoder;
    const decoder = new AudioDecoder({
      output: (data) => this.play(s, data),
      // One sender's undecodable packet stops only its decoder; the next packet gets a new one.
      error: () => { if (s.decoder === decoder) s.decoder = null; },
    });
    decoder.configure({ codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1 });
    s.decoder = decoder;
    return decoder;
  }

  private play(s: Sender, data: AudioData) {
    try {
      if (this.closed) return;
      s.frames++;
      const n = data.numberOfFrames;
      const samples = new Float32Array(n);
      data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
      if (level(samples) > SPEAKING_LEVEL) s.loudUntil = performance.now() + SPEAKING_HOLD_MS;
      // The jitter buffer: frames are queued back to back on the sender's own timeline, starting
      // LEAD_S ahead; a sender that fell behind restarts there; a queue longer than MAX_AHEAD_S
      // (the context does not run: a background tab) drops frames, so memory stays bounded.
      const now = this.ctx.currentTime;
      if (s.playAt < now) s.playAt = now + LEAD_S;
      if (s.playAt - now > MAX_AHEAD_S) return;
      const buffer = this.ctx.createBuffer(1, n, data.sampleRate);
      buffer.copyToChannel(samples, 0);
      const node = this.ctx.createBufferSource();
      node.buffer = buffer;
      node.connect(this.out);
      node.start(s.playAt);
      s.playAt += n / data.sampleRate;
    } finally {
      data.close();
    }
  }
}

/** Root mean square of the samples. */
function level(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / Math.max(1, samples.length));
}
