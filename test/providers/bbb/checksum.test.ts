import { describe, expect, it } from 'vitest';
import { buildQuery, checksum, CHECKSUM_ALGORITHMS, signedQuery } from '../../../src/providers/bbb/checksum.js';
import { verifyChecksum } from '../../../simulators/bbb/checksum-verifier.js';

const DOC_SECRET = '639259d4-9dd8-4b25-bf01-95f9567eaf4b';
const DOC_QUERY = 'name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444';

function split(signed: string): { rawQuery: string; provided: string | undefined } {
  return { rawQuery: signed, provided: new URLSearchParams(signed).get('checksum') ?? undefined };
}

describe('checksum', () => {
  it('matches the worked example in the BigBlueButton API docs', () => {
    expect(checksum('create', DOC_QUERY, DOC_SECRET, 'sha1')).toBe('1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17');
  });

  it('produces the hex length the server uses to pick each algorithm', () => {
    const lengths = CHECKSUM_ALGORITHMS.map((a) => checksum('create', DOC_QUERY, DOC_SECRET, a).length);
    expect(lengths).toEqual([40, 64, 96, 128]);
    for (const a of CHECKSUM_ALGORITHMS) {
      expect(checksum('create', DOC_QUERY, DOC_SECRET, a)).toMatch(/^[0-9a-f]+$/);
    }
  });

  it('depends on call name, query and secret', () => {
    const base = checksum('create', DOC_QUERY, DOC_SECRET, 'sha256');
    expect(checksum('join', DOC_QUERY, DOC_SECRET, 'sha256')).not.toBe(base);
    expect(checksum('create', `${DOC_QUERY}&x=1`, DOC_SECRET, 'sha256')).not.toBe(base);
    expect(checksum('create', DOC_QUERY, `${DOC_SECRET}x`, 'sha256')).not.toBe(base);
  });
});

describe('buildQuery', () => {
  it('keeps the given order and percent-encodes reserved and non-ASCII characters', () => {
    const query = buildQuery([
      ['name', 'Human rights & the law = day 1'],
      ['meetingID', 'abc'],
      ['welcome', "Grüße, ¡hola! (it's *here*)"],
    ]);
    expect(query).toBe(
      'name=Human%20rights%20%26%20the%20law%20%3D%20day%201&meetingID=abc' +
        '&welcome=Gr%C3%BC%C3%9Fe%2C%20%C2%A1hola%21%20%28it%27s%20%2Ahere%2A%29',
    );
    expect(new URLSearchParams(query).get('welcome')).toBe("Grüße, ¡hola! (it's *here*)");
  });

  it('gives an empty string for no parameters', () => {
    expect(buildQuery([])).toBe('');
  });
});

describe('signedQuery', () => {
  const tricky: Array<readonly [string, string]> = [
    ['fullName', 'Zoë Ünal-O’Brien & co'],
    ['meetingID', 'day-1=academy'],
    ['meta_note', 'a+b c?d#e/f'],
    ['welcome', '日本語 🙂'],
  ];

  it('appends a checksum over exactly the query it returns', () => {
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const signed = signedQuery('join', tricky, DOC_SECRET, algorithm);
      const query = buildQuery(tricky);
      expect(signed).toBe(`${query}&checksum=${checksum('join', query, DOC_SECRET, algorithm)}`);
    }
  });

  it('is accepted by the simulator verifier for every algorithm, including awkward values', () => {
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const signed = signedQuery('join', tricky, DOC_SECRET, algorithm);
      const verdict = verifyChecksum({ callName: 'join', ...split(signed), secret: DOC_SECRET, allowed: CHECKSUM_ALGORITHMS });
      expect(verdict).toEqual({ ok: true });
    }
  });

  it('is rejected by the verifier under another secret or call name', () => {
    const signed = signedQuery('join', tricky, DOC_SECRET, 'sha256');
    expect(verifyChecksum({ callName: 'join', ...split(signed), secret: 'other', allowed: CHECKSUM_ALGORITHMS }).ok).toBe(false);
    expect(verifyChecksum({ callName: 'create', ...split(signed), secret: DOC_SECRET, allowed: CHECKSUM_ALGORITHMS }).ok).toBe(
      false,
    );
  });

  it('trims the secret before hashing', () => {
    expect(signedQuery('create', [['a', 'b']], `  ${DOC_SECRET}\n`, 'sha1')).toBe(
      signedQuery('create', [['a', 'b']], DOC_SECRET, 'sha1'),
    );
  });

  it('signs an empty query as checksum only', () => {
    const signed = signedQuery('getMeetings', [], DOC_SECRET, 'sha1');
    expect(signed).toBe(`checksum=${checksum('getMeetings', '', DOC_SECRET, 'sha1')}`);
    expect(verifyChecksum({ callName: 'getMeetings', ...split(signed), secret: DOC_SECRET, allowed: ['sha1'] })).toEqual({
      ok: true,
    });
  });
});
