import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

const TOKEN = '[token]';
/** A run of base64url characters this long, mixing upper- and lower-case letters, is secret-shaped. */
const MIXED_CASE_RUN = 20;
/** This many hex digits in a row are a digest (MD5 32, SHA-1 40, SHA-256 64): secret-shaped. */
const HEX_RUN = 32;

/**
 * The URL as it is logged: the query is dropped (it is never logged: its values are not ours to vet), and
 * every path segment that looks like a secret is replaced by `[token]`, whatever route it is on or whether
 * any route matched (`/%70/{token}`, `//p/{token}`, `/P/{token}`, `/x/{signature}` …). Shape rule, applied
 * to each segment between raw `/` with `%XX` escapes decoded first (so `%2E`, `%41`… spell what they mean):
 *
 * - a run of at least 20 base64url characters (`A-Z a-z 0-9 - _`) containing both an upper- and a
 *   lower-case letter: a link token's payload or MAC, any other base64url signature, a JWT part; or
 * - at least 32 hex digits in a row: a hex digest such as a BigBlueButton checksum.
 *
 * A segment with either is replaced whole, so `{payload}.{mac}` becomes one `[token]`. What stays readable:
 * our ids are lower case (`[a-z0-9-]` event, session and room ids, `p-…` participant ids), so is every
 * route and asset name; UUIDs have at most 12 hex digits in a row and one case. A mixed-case id of 20
 * characters or more would be cut too: the price of not having to know which routes carry tokens.
 *
 * One pass over the characters, no regex, and no new string when nothing is cut: it runs on every
 * request's access line. Segments shorter than 20 characters cannot qualify and are skipped at once.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const end = q === -1 ? url.length : q;
  let out = '';
  let copied = 0;
  for (let start = 0; start <= end; ) {
    let stop = url.indexOf('/', start);
    if (stop === -1 || stop > end) stop = end;
    if (stop - start >= MIXED_CASE_RUN && secretShaped(url, start, stop)) {
      out += url.slice(copied, start) + TOKEN;
      copied = stop;
    }
    start = stop + 1;
  }
  if (copied === 0) return q === -1 ? url : url.slice(0, q);
  return out + url.slice(copied, end);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Whether url[from, to) holds a secret-shaped run (see redactUrl), reading `%XX` as the character it encodes. */
function secretShaped(url: string, from: number, to: number): boolean {
  let run = 0;
  let upper = false;
  let lower = false;
  let hex = 0;
  for (let i = from; i < to; i += 1) {
    let c = url.charCodeAt(i);
    if (c === 0x25 && i + 2 < to) {
      const hi = hexValue(url.charCodeAt(i + 1));
      const lo = hexValue(url.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        c = hi * 16 + lo;
        i += 2;
      }
    }
    if (c >= 0x61 && c <= 0x7a) {
      lower = true;
      hex = c <= 0x66 ? hex + 1 : 0;
    } else if (c >= 0x41 && c <= 0x5a) {
      upper = true;
      hex = c <= 0x46 ? hex + 1 : 0;
    } else if (c >= 0x30 && c <= 0x39) {
      hex += 1;
    } else if (c === 0x2d || c === 0x5f) {
      hex = 0;
    } else {
      run = 0;
      upper = false;
      lower = false;
      hex = 0;
      continue;
    }
    run += 1;
    if ((run >= MIXED_CASE_RUN && upper && lower) || hex >= HEX_RUN) return true;
  }
  return false;
}

export function installRequestLog(app: FastifyInstance, metrics: Metrics): void {
  // Label children are looked up once per (route, method, status) instead of hashing labels per request,
  // in maps keyed by the values themselves: a joined key would be a new string to hash on every request.
  type Child = ReturnType<Metrics['httpDuration']['labels']>;
  const children = new Map<string, Map<string, Map<number, Child>>>();
  const childFor = (route: string, method: string, status: number): Child => {
    let byMethod = children.get(route);
    if (!byMethod) children.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let child = byStatus.get(status);
    if (!child) byStatus.set(status, (child = metrics.httpDuration.labels(method, route, String(status))));
    return child;
  };
  // A callback hook, not an async one: no promise per request for work that never waits.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const elapsed = reply.elapsedTime;
    childFor(route, request.method, reply.statusCode).observe(elapsed / 1000);
    // Flat fields: keys named req/res would run Fastify's serializers and pino's redaction on every line.
    request.log.info({ method: request.method, url: redactUrl(request.url), route, status: reply.statusCode, ms: Math.round(elapsed) }, 'request completed');
    done();
  });
}
