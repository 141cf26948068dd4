/**
 * One decode request, answered: the frame's brightness plane (frame-luma.ts)
 * decoded (camera-decode.ts), with the time it took (for the benchmarks'
 * timeline). The frame is closed here, whatever happens: a camera has only a
 * few frame buffers, and a frame left open stalls its stream.
 */
import { decodeLuma, type DecodedCode } from './camera-decode';
import { lumaOfFrame } from './frame-luma';

export interface DecodeRequest {
  id: number;
  frame: VideoFrame | ImageBitmap;
}

export interface DecodeAnswer {
  id: number;
  code: DecodedCode | null;
  /** Milliseconds from the request taken up to the answer (reading the plane and decoding). */
  ms: number;
  error?: string;
}

export async function decodeFrame({ id, frame }: DecodeRequest): Promise<DecodeAnswer> {
  const t0 = performance.now();
  try {
    const picture = await lumaOfFrame(frame);
    frame.close();
    return { id, code: decodeLuma(picture), ms: performance.now() - t0 };
  } catch (e) {
    frame.close();
    return { id, code: null, ms: performance.now() - t0, error: String(e) };
  }
}
