import type { Redis } from 'ioredis';
import { certificateRecordSchema, type CertificateRecord } from '../domain/certificate.js';
import type { KeySpace } from './redis.js';

export interface CertificateStore {
  /**
   * Issues a participant's certificate under `code`, or, when they have one, updates its minutes and keeps its
   * code (a verification code once handed out never changes). `created` says which happened.
   */
  issue(eventId: string, participantId: string, minutes: number, code: string, now: Date): Promise<{ created: boolean; record: CertificateRecord }>;
  get(eventId: string, participantId: string): Promise<CertificateRecord | undefined>;
  byCode(code: string): Promise<CertificateRecord | undefined>;
  list(eventId: string): Promise<Map<string, CertificateRecord>>;
  /** Withdraws the certificate: its code stops verifying. */
  revoke(eventId: string, participantId: string): Promise<boolean>;
}

// KEYS: event hash, code index of the new code. ARGV: participant id, new record JSON, minutes, updatedAt.
// An existing record keeps its code and issuedAt; cjson is not used on it, so no number is rounded.
const ISSUE_SCRIPT = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {0, existing} end
if redis.call('SET', KEYS[2], ARGV[5], 'NX') == false then return {-1, ''} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {1, ARGV[2]}
`;

export function createCertificateStore(redis: Redis, keys: KeySpace): CertificateStore {
  const eventKey = (eventId: string) => keys.key('event', eventId, 'certificates');
  const codeKey = (code: string) => keys.key('certificate', code);
  const parse = (raw: string | null | undefined) => (raw ? certificateRecordSchema.parse(JSON.parse(raw)) : undefined);

  return {
    async issue(eventId, participantId, minutes, code, now) {
      const fresh: CertificateRecord = { code, eventId, participantId, minutes, issuedAt: now.toISOString(), updatedAt: now.toISOString() };
      const index = JSON.stringify({ eventId, participantId });
      const [outcome, raw] = (await redis.eval(ISSUE_SCRIPT, 2, eventKey(eventId), codeKey(code), participantId, JSON.stringify(fresh), String(minutes), now.toISOString(), index)) as [number, string];
      if (outcome === -1) throw new Error('verification code collision; issue again with a new code');
      const record = parse(raw)!;
      if (outcome === 1 || record.minutes === minutes) return { created: outcome === 1, record };
      const updated = { ...record, minutes, updatedAt: now.toISOString() };
      await redis.hset(eventKey(eventId), participantId, JSON.stringify(updated));
      return { created: false, record: updated };
    },
    async get(eventId, participantId) {
      return parse(await redis.hget(eventKey(eventId), participantId));
    },
    async byCode(code) {
      const raw = await redis.get(codeKey(code));
      if (!raw) return undefined;
      const { eventId, participantId } = JSON.parse(raw) as { eventId: string; participantId: string };
      const record = await this.get(eventId, participantId);
      return record?.code === code ? record : undefined;
    },
    async list(eventId) {
      const all = await redis.hgetall(eventKey(eventId));
      return new Map(Object.entries(all).map(([id, raw]) => [id, certificateRecordSchema.parse(JSON.parse(raw))]));
    },
    async revoke(eventId, participantId) {
      const record = await this.get(eventId, participantId);
      if (!record) return false;
      await redis.multi().hdel(eventKey(eventId), participantId).del(codeKey(record.code)).exec();
      return true;
    },
  };
}
