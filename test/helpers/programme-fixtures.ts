import { readFileSync } from 'node:fs';
import type { ProgrammeInput } from '../../src/domain/programme.js';

export function exampleProgramme(): ProgrammeInput & { days: Array<Record<string, unknown>> } {
  return JSON.parse(readFileSync(new URL('../../config/programmes/hrgl-2024.json', import.meta.url), 'utf8'));
}

/** A small programme on one day in a zone, for tests that care about one rule. */
export function oneDay(
  sessions: Array<{ id: string; start: string; end: string; room?: string; title?: string }>,
  options: { date?: string; timezone?: string; kind?: 'academy' | 'conference'; id?: string } = {},
): Record<string, unknown> {
  return {
    id: options.id ?? 'evt',
    title: 'Test event',
    timezone: options.timezone ?? 'Europe/Vienna',
    days: [
      {
        date: options.date ?? '2024-02-05',
        kind: options.kind ?? 'academy',
        title: 'Day',
        sessions: sessions.map((s) => ({ title: s.title ?? s.id, ...s })),
      },
    ],
  };
}
