import type { IncomingMessage } from 'node:http';
import type { SimReply } from './simulator-types.js';

export function zoomError(status: number, code: number, message: string, extra: Record<string, unknown> = {}): SimReply {
  return { status, body: { code, message, ...extra } };
}

export interface FieldError {
  field: string;
  message: string;
}

/** Shape from https://developers.zoom.us/docs/api/errors/ ("Validation Failed." with per-field errors). */
export function validationFailed(errors: FieldError[]): SimReply {
  return zoomError(400, 300, 'Validation Failed.', { errors });
}

export function readBody(req: IncomingMessage, limitBytes = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export type JsonBody = { ok: true; value: Record<string, unknown> } | { ok: false; reply: SimReply };

export function parseJsonObject(text: string): JsonBody {
  const invalid: JsonBody = { ok: false, reply: zoomError(400, 300, 'Request Body should be a valid JSON object.') };
  if (text.trim() === '') return invalid;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid;
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return invalid;
  }
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Loose on purpose: the point is to reject obvious garbage the way Zoom's "Invalid field." does, not RFC 5322.
export const looksLikeEmail = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= 128 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);

export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

export function nextUtcMidnightIso(nowMs: number): string {
  const d = new Date(nowMs);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).toISOString().replace('.000Z', 'Z');
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
