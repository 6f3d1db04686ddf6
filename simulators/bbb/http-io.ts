import type { IncomingMessage, ServerResponse } from 'node:http';

// BBB sends Cache-Control: no-cache on API answers so that no proxy replays a join or a meeting state.

const MAX_BODY_BYTES = 1024 * 1024;

export class RequestTooLarge extends Error {}

export function sendXml(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'Content-Type': 'text/xml;charset=utf-8', 'Cache-Control': 'no-cache' });
  res.end(body);
}

export function sendHtml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html;charset=utf-8', 'Cache-Control': 'no-cache' });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain;charset=utf-8' });
  res.end(body);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RequestTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
