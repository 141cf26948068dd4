/**
 * A camera frame's brightness plane, for the decoder (camera-decode.ts).
 *  - a VideoFrame in a planar YUV format (what cameras deliver: I420, NV12):
 *    its Y plane is copied out as it is; nothing is converted or scaled;
 *  - an RGB VideoFrame: its pixels, weighted to brightness;
 *  - anything else (a frame on the GPU, or an ImageBitmap where VideoFrame is
 *    missing): drawn into an OffscreenCanvas and read back, the slow way.
 * Runs in the decode worker (and on the page when no worker could start).
 */
import { lumaOfRgba, type LumaPicture } from './camera-decode';

const PLANAR_Y = new Set(['I420', 'I420A', 'I422', 'I422A', 'I444', 'I444A', 'NV12']);
const RGB = new Set(['RGBA', 'RGBX', 'BGRA', 'BGRX']);

let scratch: OffscreenCanvasRenderingContext2D | null = null;

function viaCanvas(source: CanvasImageSource, width: number, height: number): LumaPicture {
  if (!scratch || scratch.canvas.width !== width || scratch.canvas.height !== height) {
    scratch = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!scratch) throw new Error('no 2d context for an OffscreenCanvas');
  }
  scratch.drawImage(source, 0, 0, width, height);
  const rgba = scratch.getImageData(0, 0, width, height).data;
  return { luma: lumaOfRgba(rgba, width, height), width, height, stride: width };
}

export async function lumaOfFrame(frame: VideoFrame | ImageBitmap): Promise<LumaPicture> {
  if (typeof VideoFrame !== 'undefined' && frame instanceof VideoFrame) {
    const width = frame.visibleRect?.width ?? frame.displayWidth;
    const height = frame.visibleRect?.height ?? frame.displayHeight;
    const format = frame.format;
    if (format && (PLANAR_Y.has(format) || RGB.has(format))) {
      const buffer = new Uint8ClampedArray(frame.allocationSize());
      const [plane] = await frame.copyTo(buffer);
      if (plane) {
        if (PLANAR_Y.has(format)) return { luma: buffer.subarray(plane.offset), width, height, stride: plane.stride };
        return { luma: lumaOfRgba(buffer.subarray(plane.offset), width, height, plane.stride, format.startsWith('BGR')), width, height, stride: width };
      }
    }
    return viaCanvas(frame, width, height);
  }
  const bitmap = frame as ImageBitmap;
  return viaCanvas(bitmap, bitmap.width, bitmap.height);
}
