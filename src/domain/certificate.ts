import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 4;
const GROUP_LENGTH = 5;
/** 20 characters of 5 bits: 100 random bits, far beyond guessing one of a few thousand issued codes. */
export const CODE_BITS = GROUPS * GROUP_LENGTH * 5;

/** `7KQ2M-9XH3A-C0RTE-5WZ1B`: random, and nothing in it says whose certificate it is. */
export function newVerificationCode(random: (bytes: number) => Buffer = randomBytes): string {
  const bytes = random(Math.ceil(CODE_BITS / 8));
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < GROUPS * GROUP_LENGTH) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))!.join('-');
}

/** A code as people type it (lower case, spaces, I for 1, O for 0) in its canonical form; undefined if it cannot be one. */
export function normaliseVerificationCode(input: string): string | undefined {
  const compact = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (compact.length !== GROUPS * GROUP_LENGTH || ![...compact].every((c) => ALPHABET.includes(c))) return undefined;
  return compact.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))!.join('-');
}

export const certificateRecordSchema = z.object({
  code: z.string(),
  eventId: z.string(),
  participantId: z.string(),
  /** Attended minutes when last issued; a later issue run updates it, the code stays. */
  minutes: z.number().int().min(0),
  issuedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CertificateRecord = z.infer<typeof certificateRecordSchema>;

/** Hours for people: tenths, never rounded up past what was attended. */
export function hoursFromMinutes(minutes: number): number {
  return Math.floor(minutes / 6) / 10;
}
