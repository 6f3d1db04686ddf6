import { createHash } from 'node:crypto';

// BBB picks the algorithm from the checksum length, so any of these works against a default install;
// an install may disable some via supportedChecksumAlgorithms.
export type ChecksumAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['sha1', 'sha256', 'sha384', 'sha512'];

// encodeURIComponent leaves !'()* alone; escaping them too leaves only RFC 3986 unreserved characters,
// which no proxy (or Scalelite) in front of BBB has any reason to rewrite before the server hashes the raw query.
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function buildQuery(params: ReadonlyArray<readonly [string, string]>): string {
  return params.map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`).join('&');
}

// The server hashes the raw query exactly as received (no sorting, no re-encoding), so the caller must
// pass the very string that goes on the wire.
export function checksum(callName: string, queryString: string, secret: string, algorithm: ChecksumAlgorithm): string {
  return createHash(algorithm).update(callName + queryString + secret, 'utf8').digest('hex');
}

export function signedQuery(
  callName: string,
  params: ReadonlyArray<readonly [string, string]>,
  secret: string,
  algorithm: ChecksumAlgorithm,
): string {
  const query = buildQuery(params);
  // Secrets pasted from bbb-conf --secret often carry a trailing newline that would silently break every call.
  const cs = checksum(callName, query, secret.trim(), algorithm);
  return query === '' ? `checksum=${cs}` : `${query}&checksum=${cs}`;
}
