import { createHash, timingSafeEqual } from 'node:crypto';
import type { ChecksumAlgorithm } from '../../src/providers/bbb/checksum.js';

// Mirrors bbb-common-web GetChecksumValidator / GetChecksum. Deliberately does its own hashing rather
// than calling the client's checksum(): a shared bug would otherwise be invisible to the tests.

export type ChecksumVerdict = { ok: true } | { ok: false; message: string };

const ALGORITHM_BY_LENGTH: ReadonlyMap<number, ChecksumAlgorithm> = new Map([
  [40, 'sha1'],
  [64, 'sha256'],
  [96, 'sha384'],
  [128, 'sha512'],
]);

// ParamsUtil.sanitizeString: drop every control character, then trim.
export function sanitize(value: string): string {
  return value.replace(/\p{Cc}/gu, '').trim();
}

// Textual removal in the server's order; the query is never parsed, sorted or re-encoded.
export function queryWithoutChecksum(rawQuery: string, provided: string): string {
  return sanitize(rawQuery)
    .replace(`&checksum=${provided}`, '')
    .replace(`checksum=${provided}&`, '')
    .replace(`checksum=${provided}`, '');
}

export function verifyChecksum(input: {
  callName: string;
  rawQuery: string;
  /** the decoded value of the first `checksum` parameter, if any */
  provided: string | undefined;
  secret: string;
  allowed: readonly ChecksumAlgorithm[];
}): ChecksumVerdict {
  // An empty secret switches checking off on a real server (security.salt unset).
  if (input.secret === '') return { ok: true };
  if (input.provided === undefined || input.provided === '') {
    return { ok: false, message: 'You must provide the checksum' };
  }
  const provided = input.provided;
  const algorithm = ALGORITHM_BY_LENGTH.get(provided.length);
  if (algorithm === undefined || !input.allowed.includes(algorithm)) {
    return { ok: false, message: 'Checksums do not match' };
  }
  const query = queryWithoutChecksum(input.rawQuery, provided);
  const expected = createHash(algorithm).update(input.callName + query + input.secret, 'utf8').digest('hex');
  const given = Buffer.from(provided.toLowerCase(), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return { ok: false, message: 'Checksums do not match' };
  }
  return { ok: true };
}
