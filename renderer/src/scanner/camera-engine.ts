/**
 * The camera scanner's engine: the camera's picture in a <video>, and its
 * frames decoded off the page's main thread. Imported only by
 * CameraScanner.tsx, which the counter loads on demand: the engine and its
 * decoder stay out of the initial bundle.
 *
 * How a frame is read (issue 18: the camera on a slow counter PC):
 *  - the camera track's frames (MediaStreamTrackProcessor; else each new
 *    frame the video shows, wrapped as a VideoFrame) are transferred, not
 *    copied, to a worker (camera-decode.worker.ts), one at a time, at most
 *    ~12 a second: the first frame is sent as soon as it is captured;
 *  - the worker copies out the frame's brightness plane and decodes it with
 *    ZXing (QR codes and CODE128: what UiTPAS cards and the UiTPAS app show,
 *    and what member apps put in a QR).
 *  The whole picture is decoded, not a scan box inside it: a code held close
 *  (bigger than a box of 80% x 60%) was never read before. The dialog draws
 *  its own guide frame, only as a hint of where to hold the code.
 *
 * WHY not html5-qrcode any more: it drew every frame into a canvas, read the
 * pixels back and decoded them on the main thread, ~250 ms of the page's
 * time for the first frame on a CPU slowed 4x. It is the same ZXing decoder,
 * fed the camera's own brightness plane.
 *
 * The worker is created on the first open and kept (it is idle between
 * opens). If it cannot start, frames are decoded on the page instead, as
 * before: slower, but the camera still reads.
 */
import { classifyCameraError, cameraProblem, type CameraProblem } from './camera-errors';
import type { DecodeAnswer, DecodeRequest } from './camera-frame-decoder';

export interface CameraChoice {
  id: string;
  label: string;
}

export interface CameraRead {
  text: string;
  /** 'QR_CODE' or 'CODE_128'. */
  format: string;
  /** What reading the frame took in the decode worker, ms (the benchmarks report it: DevTools' CPU throttling does not slow workers). */
  decodeMs: number;
}

export interface CameraSession {
  stop(): Promise<void>;
  /** The camera in use, when the browser says. */
  deviceId: string | null;
}

/** At least this long between two decodes' starts (~12 a second, html5-qrcode's rate): a worker that never rests would slow a two-core PC. */
const DECODE_GAP_MS = 80;
/** Without requestVideoFrameCallback: how often to look for a new frame. */
const POLL_MS = 40;
/** How long a stopped camera's frame stream gets to end by itself (its track stopped) before it is cancelled. */
const STREAM_END_WAIT_MS = 2000;

/** The cameras the browser knows; labels only once the camera was allowed. */
export async function listCameras(): Promise<CameraChoice[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'videoinput').map((d, i) => ({ id: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

interface FrameDecoder {
  decode(frame: VideoFrame | ImageBitmap): Promise<DecodeAnswer>;
}

let nextId = 1;
let shared: FrameDecoder | null = null;

/** Decodes on the page (the worker could not start): the same code, loaded on demand. */
function pageDecoder(): FrameDecoder {
  const module = import('./camera-frame-decoder');
  return { decode: async (frame) => (await module).decodeFrame({ id: nextId++, frame }) };
}

function workerDecoder(): FrameDecoder {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./camera-decode.worker.ts', import.meta.url), { type: 'module', name: 'camera-decode' });
  } catch {
    return pageDecoder();
  }
  const waiting = new Map<number, (a: DecodeAnswer) => void>();
  let fallback: FrameDecoder | null = null;
  worker.onmessage = (e: MessageEvent<DecodeAnswer>) => {
    waiting.get(e.data.id)?.(e.data);
    waiting.delete(e.data.id);
  };
  // The worker's script failed to load or run: decode on the page from now on; frames in flight are lost (the next ones read).
  worker.onerror = (e) => {
    e.preventDefault();
    fallback ??= pageDecoder();
    worker.terminate();
    for (const [id, answer] of waiting) answer({ id, code: null, ms: 0, error: 'the decode worker failed' });
    waiting.clear();
  };
  return {
    decode(frame) {
      if (fallback) return fallback.decode(frame);
      const request: DecodeRequest = { id: nextId++, frame };
      return new Promise((resolve) => {
        waiting.set(request.id, resolve);
        worker.postMessage(request, [frame]);
      });
    },
  };
}

function frameDecoder(): FrameDecoder {
  shared ??= typeof Worker === 'undefined' ? pageDecoder() : workerDecoder();
  return shared;
}

/** The video's current frame, without copying it where VideoFrame exists; null when it has none yet. */
async function grabFrame(video: HTMLVideoElement): Promise<VideoFrame | ImageBitmap | null> {
  if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) return null;
  try {
    return typeof VideoFrame !== 'undefined' ? new VideoFrame(video) : await createImageBitmap(video);
  } catch {
    return null;
  }
}

/** Where a frame came from: the camera track's stream, or the <video>. */
type FrameSource = 'track' | 'video';

/** Decodes the frames it is offered, one at a time and at most one per DECODE_GAP_MS; the rest are closed unread. */
function frameGate(decoder: FrameDecoder, onRead: (read: CameraRead) => void) {
  let busy = false;
  let lastStart = -Infinity;
  let lastSource: FrameSource | null = null;
  let stopped = false;
  return {
    /**
     * `now`: the frame's own clock (ms), not performance.now: a test that fakes the page's clock still
     * sees frames decoded. The track's and the video's clocks differ: the gap holds within one source.
     */
    wants: (source: FrameSource, now: number) => !stopped && !busy && (source !== lastSource || now - lastStart >= DECODE_GAP_MS),
    take(source: FrameSource, now: number, frame: Promise<VideoFrame | ImageBitmap | null>) {
      busy = true;
      lastStart = now;
      lastSource = source;
      void frame
        .then((f) => (f ? decoder.decode(f) : null))
        .then((answer) => {
          busy = false;
          if (!stopped && answer?.code) onRead({ ...answer.code, decodeMs: answer.ms });
        });
    },
    stop: () => void (stopped = true),
  };
}

/** Chromium's MediaStreamTrackProcessor (not in TypeScript's DOM types): a track's frames as a stream. */
type TrackProcessorClass = new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame> };

/**
 * The track's frames straight from the camera (MediaStreamTrackProcessor):
 * the first one arrives as it is captured, not once the <video> has decoded
 * and shown it (measured: the same or up to ~130 ms sooner on a busy page).
 *
 * `on.firstFrame` once, with the first frame; `on.lost` once, when the stream ends or fails while
 * the camera still runs (the pump has stopped then).
 */
function pumpTrack(
  Processor: TrackProcessorClass,
  track: MediaStreamTrack,
  gate: ReturnType<typeof frameGate>,
  on: { firstFrame: () => void; lost: () => void },
): () => void {
  const reader = new Processor({ track }).readable.getReader();
  let stopped = false;
  let sawFrame = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    // Not reader.cancel() at once: it would drop the frames still queued in the stream without closing
    // them, and a frame not closed holds one of the camera's few buffers until the page's garbage is
    // collected (Chromium warned "A VideoFrame was garbage collected without being closed" after the
    // camera closed). The loop below closes every frame until the stopped track ends the stream (a few
    // ms in Chromium); the cancel is only for a stream that would not end.
    setTimeout(() => void reader.cancel().catch(() => {}), STREAM_END_WAIT_MS);
  };
  void (async () => {
    for (;;) {
      const { value: frame, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !frame) {
        if (!stopped) {
          stop();
          on.lost();
        }
        return;
      }
      if (!sawFrame) {
        sawFrame = true;
        if (!stopped) on.firstFrame();
      }
      const now = frame.timestamp / 1000;
      // A camera has only a few frame buffers: a frame not decoded is closed at once.
      if (!stopped && gate.wants('track', now)) gate.take('track', now, Promise.resolve(frame));
      else frame.close();
    }
  })();
  return stop;
}

/** Where MediaStreamTrackProcessor is missing: each new frame the video shows (requestVideoFrameCallback), else a poll. */
function pumpVideo(video: HTMLVideoElement, gate: ReturnType<typeof frameGate>): () => void {
  let handle = 0;
  const hasFrameCallback = typeof video.requestVideoFrameCallback === 'function';
  const onFrame = (now: number) => {
    schedule();
    if (gate.wants('video', now)) gate.take('video', now, grabFrame(video));
  };
  const schedule = () => {
    handle = hasFrameCallback ? video.requestVideoFrameCallback(onFrame) : window.setTimeout(() => onFrame(performance.now()), POLL_MS);
  };
  schedule();
  return () => {
    if (hasFrameCallback) video.cancelVideoFrameCallback(handle);
    else window.clearTimeout(handle);
  };
}

/**
 * Sends the camera's frames to the decoder, one at a time, until stopped;
 * calls `onRead` for every code read. Returns the stop function.
 *
 * The track's own frames where the browser offers them (pumpTrack), else the video's. Until the
 * track's first frame both run, whichever frame comes first is read: the track's stream was seen
 * to give nothing at all while the video played (issue 18's benchmarks at 4x and 6x CPU: from one
 * open in 30 to most opens of a series on a loaded machine; "No code read yet" for good before the
 * video's frames could take over, then a read 0.5-1.3 s late while a timer waited for the
 * silence). The video's frames take over again if the track's stream ends or fails while the
 * camera runs.
 */
function pumpFrames(video: HTMLVideoElement, track: MediaStreamTrack | undefined, decoder: FrameDecoder, onRead: (read: CameraRead) => void): () => void {
  const gate = frameGate(decoder, onRead);
  const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorClass }).MediaStreamTrackProcessor;
  let stopVideo: (() => void) | null = pumpVideo(video, gate);
  const stopTrack =
    Processor && track
      ? pumpTrack(Processor, track, gate, {
          firstFrame: () => {
            stopVideo?.();
            stopVideo = null;
          },
          lost: () => void (stopVideo ??= pumpVideo(video, gate)),
        })
      : () => {};
  return () => {
    gate.stop();
    stopTrack();
    stopVideo?.();
    stopVideo = null;
  };
}

/**
 * Starts the camera into the element `elementId` and calls `onRead` for
 * every decoded code (the caller stops it).
 */
export async function startCamera(elementId: string, deviceId: string | null, onRead: (read: CameraRead) => void): Promise<CameraSession | CameraProblem> {
  if (!navigator.mediaDevices?.getUserMedia) return cameraProblem('unsupported', 'navigator.mediaDevices.getUserMedia is missing');
  const region = document.getElementById(elementId);
  if (!region) return cameraProblem('failed', `no element #${elementId}`);
  const decoder = frameDecoder(); // the worker starts loading while the camera starts
  const video: MediaTrackConstraints = deviceId ? { deviceId: { exact: deviceId } } : { facingMode: 'environment' };
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: false, video });
  } catch (e) {
    return classifyCameraError(e);
  }
  const track = stream.getVideoTracks()[0];
  const element = document.createElement('video');
  element.muted = true;
  element.playsInline = true;
  element.srcObject = stream;
  region.replaceChildren(element);
  // Muted video may always play; a refusal would leave the picture black, and is said by the no-read hint.
  element.play().catch(() => {});
  const stopPump = pumpFrames(element, track, decoder, onRead);
  let stopped = false;
  return {
    deviceId: track?.getSettings().deviceId ?? deviceId,
    async stop() {
      if (stopped) return;
      stopped = true;
      stopPump();
      for (const t of stream.getTracks()) t.stop();
      element.srcObject = null;
      element.remove();
    },
  };
}

export function isProblem(x: CameraSession | CameraProblem): x is CameraProblem {
  return 'kind' in x;
}
