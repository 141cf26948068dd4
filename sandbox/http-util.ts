/**
 * Small helpers the sandbox uses to read requests and write responses with
 * node:http only. Kept apart from the router so every backend module can
 * build responses with the same helpers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxResponse } from './types.js';

/** Largest request body the sandbox reads; real APIs refuse big bodies too. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`body over ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a body as JSON, telling "empty" apart from "not JSON". */
export function parseJsonBody(raw: string): { body: unknown; bodyError?: 'invalid-json' } {
  if (raw.trim() === '') return { body: undefined };
  try {
    return { body: JSON.parse(raw) };
  } catch {
    return { body: undefined, bodyError: 'invalid-json' };
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, body, headers };
}

/** An RFC 7807 problem document (UiTPAS and the control API use this shape). */
export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: { type: extra.type ?? 'about:blank', title, status, detail, ...extra },
  };
}

export function writeResponse(res: ServerResponse, r: SandboxResponse): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  let payload = '';
  if (r.rawBody !== undefined) {
    payload = r.rawBody;
  } else if (r.body !== undefined) {
    payload = JSON.stringify(r.body);
  }
  if (payload !== '' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(r.status, headers);
  res.end(payload);
}
