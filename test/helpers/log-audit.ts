import { TEST_BBB_SECRET } from '../fakes/bbb-server.js';
import { SIM_CREDENTIALS } from '../fakes/zoom-server.js';
import { ORGANIZER_TOKEN, SIGNING_KEY } from './test-config.js';

/** Secrets every resilience stack is configured with; none may ever reach a log line. */
export const KNOWN_SECRETS: Record<string, string> = {
  'BBB secret': TEST_BBB_SECRET,
  'Zoom client secret': SIM_CREDENTIALS.clientSecret,
  'link signing secret': SIGNING_KEY.slice(SIGNING_KEY.indexOf(':') + 1),
  'organizer token': ORGANIZER_TOKEN,
};

/** Shapes of signed provider URLs: a BBB checksum or join call, a Zoom registrant/panelist join link. */
const URL_SHAPES: Array<[string, RegExp]> = [
  ['BBB checksum', /checksum=/i],
  ['BBB join call', /\/bigbluebutton\/api\/join/i],
  ['Zoom join link', /\/w\/\d+\?tk=/],
  ['Zoom join token parameter', /[?&]tk=/],
];

/** The MAC half of every personal link token (the part that makes a link work). */
export function linkSecrets(urls: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const url of urls) {
    const m = /\/p\/([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)/.exec(url);
    if (m?.[2]) out.add(m[2]);
  }
  return out;
}

/**
 * Everything in `logs` that must not be there; an empty list means clean. `extraTokens` are opaque values
 * (link MACs, Zoom registrant tokens, join URLs) compared against whole words of the log.
 */
export function findLeaks(logs: readonly string[], extraTokens: Iterable<string> = [], extraSecrets: Record<string, string> = {}): string[] {
  const text = logs.join('');
  const problems: string[] = [];
  const around = (at: number) => JSON.stringify(text.slice(Math.max(0, at - 120), at + 120));
  for (const [label, secret] of Object.entries({ ...KNOWN_SECRETS, ...extraSecrets })) {
    const at = text.indexOf(secret);
    if (at >= 0) problems.push(`${label} appears in the logs: ${around(at)}`);
  }
  for (const [label, shape] of URL_SHAPES) {
    const m = shape.exec(text);
    if (m) problems.push(`${label} appears in the logs: ${around(m.index)}`);
  }
  const words = new Set(text.split(/[^A-Za-z0-9_-]+/));
  let leakedTokens = 0;
  let example = '';
  for (const token of extraTokens) {
    if (token.length >= 12 && words.has(token)) {
      leakedTokens += 1;
      example ||= around(text.indexOf(token));
    }
  }
  if (leakedTokens > 0) problems.push(`${leakedTokens} personal tokens appear in the logs, e.g. ${example}`);
  return problems;
}
