/**
 * The camera's decode worker: takes a frame (transferred, so nothing is
 * copied on the page), reads its brightness plane and decodes it
 * (frame-luma.ts, camera-decode.ts), and answers with what it read. WHY a
 * worker: decoding a frame took the page's main thread for tens of
 * milliseconds at every frame; on a second core it no longer holds up the
 * dialog, the preview or the counter behind it.
 */
import { decodeFrame, type DecodeRequest } from './camera-frame-decoder';

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<DecodeRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (e) => {
  void decodeFrame(e.data).then((answer) => scope.postMessage(answer));
};
