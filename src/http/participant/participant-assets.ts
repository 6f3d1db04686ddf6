import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const ASSETS = [
  { file: 'participant-page.js', type: 'text/javascript; charset=utf-8' },
  { file: 'participant-page.css', type: 'text/css; charset=utf-8' },
] as const;

/**
 * The assets stay plain .js/.css files (editable, lintable, cacheable) rather than TS string modules, and tsc
 * copies only .ts to dist. So they are looked up next to this module (src/ under tsx and tests), then in the
 * source tree from dist/src/ (a compiled checkout). An image that ships only dist/ must copy
 * src/http/participant/assets/ along; if it does not, registration fails loudly rather than serving pages
 * whose styles and scripts 404.
 */
export function findAssetDir(candidates: readonly URL[] = [
  new URL('./assets/', import.meta.url),
  new URL('../../../../src/http/participant/assets/', import.meta.url),
]): string {
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (ASSETS.every((a) => existsSync(`${dir}${a.file}`))) return dir;
  }
  throw new Error(`participant assets not found in ${candidates.map((c) => fileURLToPath(c)).join(', ')}`);
}

export interface ParticipantAssetsOptions {
  /** Directory holding the asset files; defaults to findAssetDir(). */
  dir?: string;
}

export async function participantAssets(app: FastifyInstance, options: ParticipantAssetsOptions = {}): Promise<void> {
  const dir = options.dir ?? findAssetDir();
  for (const asset of ASSETS) {
    const content = readFileSync(`${dir}${dir.endsWith('/') ? '' : '/'}${asset.file}`);
    const etag = `"${createHash('sha256').update(content).digest('base64url').slice(0, 27)}"`;
    app.get(`/assets/${asset.file}`, { schema: { hide: true } }, async (request, reply) => {
      // The URLs carry no content hash, so caches keep them briefly and revalidate by ETag after a deploy.
      reply.header('cache-control', 'public, max-age=300, must-revalidate').header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type(asset.type).send(content);
    });
  }
}
