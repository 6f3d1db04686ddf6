import { foldLines } from 'ical-generator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { participantLinks } from '../../src/domain/links.js';
import { programmeSchema } from '../../src/domain/programme.js';
import { scheduleProgramme, type ScheduledSession } from '../../src/domain/schedule.js';
import type * as CalendarView from '../../src/http/participant/views/calendar.js';
import { renderCalendar } from '../../src/http/participant/views/calendar.js';
import { createTranslations, type Translate } from '../../src/i18n/i18n.js';
import { SUPPORTED_LANGUAGES } from '../../src/i18n/languages.js';
import { calendarModelFor, calendarPart, type CalendarPartInput } from '../../src/messages/templates/calendar-part.js';
import { createCalendarTemplates, foldIcalLine } from '../../src/messages/templates/calendar-template.js';
import { exampleProgramme } from '../helpers/programme-fixtures.js';

// Counted, to see that the templates render once per template rather than once per participant.
vi.mock('../../src/http/participant/views/calendar.js', async (original) => {
  const actual = await original<typeof CalendarView>();
  return { ...actual, renderCalendar: vi.fn(actual.renderCalendar) };
});

const programme = programmeSchema.parse(exampleProgramme());
const schedule = scheduleProgramme(programme);
const translations = createTranslations();

function input(participant: string, overrides: Partial<CalendarPartInput> = {}, sessions: readonly ScheduledSession[] = schedule.sessions): CalendarPartInput {
  // Tokens of different lengths move where the description lines fold.
  const token = `${participant}.${'x'.repeat(participant.length * 7)}`;
  const links = participantLinks('https://academy.example.org', token, sessions.map((s) => s.id));
  return { language: 'en', event: { id: programme.id, title: programme.title, timezone: programme.timezone }, participantId: participant, version: 3, links, sessions, ...overrides };
}

let feedRenders = 0;
/** The mail's calendar part through the templates and through the feed's renderer, at the same instant. */
function both(templates: ReturnType<typeof createCalendarTemplates>, part: CalendarPartInput, t: Translate) {
  feedRenders += 1;
  return { fast: calendarPart(part, t, templates.render).content, feed: calendarPart(part, t).content };
}
/** Renderings the templates made themselves: two (marked, and its check) per template, none per participant. */
const templateRenders = () => vi.mocked(renderCalendar).mock.calls.length - feedRenders;

describe('calendar templates', () => {
  beforeEach(() => {
    // DTSTAMP is the moment of rendering: both renderings see the same one.
    vi.useFakeTimers({ now: new Date('2026-12-03T10:11:12.345Z'), toFake: ['Date'] });
    vi.mocked(renderCalendar).mockClear();
    feedRenders = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('writes what the feed renderer writes, for several participants in every language', () => {
    const templates = createCalendarTemplates();
    for (const language of SUPPORTED_LANGUAGES) {
      const t = translations.translator(language);
      for (const participant of ['p-1', 'p-ana-example', 'p-zz', 'p-a-much-longer-participant-id-0123456789']) {
        const { fast, feed } = both(templates, input(participant, { language }), t);
        expect(fast).toBe(feed);
        expect(fast).toContain('BEGIN:VTIMEZONE');
      }
    }
    expect(templateRenders()).toBe(2 * SUPPORTED_LANGUAGES.length);
  });

  it('renders through ical-generator once per template, not once per participant', () => {
    const templates = createCalendarTemplates();
    const t = translations.translator('en');
    for (let i = 0; i < 20; i++) calendarPart(input(`p-${i}`), t, templates.render);
    // The marked rendering and its check.
    expect(vi.mocked(renderCalendar)).toHaveBeenCalledTimes(2);
    calendarPart(input('p-1', { version: 9 }), t, templates.render);
    expect(vi.mocked(renderCalendar)).toHaveBeenCalledTimes(4);
  });

  it('follows the programme version, a session subset, the event text and a page link without join links', () => {
    const templates = createCalendarTemplates();
    const t = translations.translator('de');
    const some = schedule.sessions.filter((_, i) => i % 3 === 0);
    const cases: CalendarPartInput[] = [
      input('p-1', { language: 'de', version: 4 }),
      input('p-1', { language: 'de', version: 5 }),
      input('p-2', { language: 'de' }, some),
      input('p-3', { language: 'de', event: { id: programme.id, title: 'Menschenrechte, lokal; Graz\\Wien — “Äußerst” 😀 '.repeat(3), timezone: programme.timezone } }),
      // Sessions without a join link of their own carry the page link (calendarModelFor).
      { ...input('p-4', { language: 'de' }), links: { page: 'https://academy.example.org/p/only-a-page', join: {} } },
      // Characters the renderer escapes, inside a link.
      { ...input('p-5', { language: 'de' }), links: { page: 'https://academy.example.org/p/a;b,c\\d', join: { [schedule.sessions[0]!.id]: 'https://academy.example.org/j/ü;1,2' } } },
    ];
    for (const part of cases) {
      const { fast, feed } = both(templates, part, t);
      expect(fast).toBe(feed);
    }
    // Versions 4 and 5, the subset, the other title, and version 3 shared by the page-only and the escaped links.
    expect(templateRenders()).toBe(2 * 5);
  });

  it('handles session texts with commas, emoji and long words, in zones across a clock change', () => {
    const templates = createCalendarTemplates();
    const t = translations.translator('fr');
    const sessions = schedule.sessions.map((s, i) => ({
      ...s,
      title: `${s.title}, n°${i}; “quoted” ${'🙂'.repeat(i % 5)}${'é'.repeat(40 + i)}`,
      ...(i % 2 === 0 ? { description: `Line one\nLine two, with\\backslash; and ${'ẞ'.repeat(30)}` } : {}),
    }));
    for (const timezone of ['Europe/Vienna', 'America/Sao_Paulo', 'Australia/Sydney', 'UTC']) {
      for (const participant of ['p-1', 'p-22', 'p-333']) {
        const { fast, feed } = both(templates, input(participant, { language: 'fr', event: { id: programme.id, title: programme.title, timezone } }, sessions), t);
        expect(fast).toBe(feed);
      }
    }
    expect(templateRenders()).toBe(2 * 4);
  });

  it('takes the time of each rendering for DTSTAMP, not the time the template was made', () => {
    const templates = createCalendarTemplates();
    const t = translations.translator('en');
    const first = calendarPart(input('p-1'), t, templates.render).content;
    vi.setSystemTime(new Date('2026-12-04T00:00:01Z'));
    const later = calendarPart(input('p-2'), t, templates.render).content;
    expect(first).toMatch(/DTSTAMP:20261203T101112Z/);
    expect(later).toMatch(/DTSTAMP:20261204T000001Z/);
    expect(later).not.toMatch(/DTSTAMP:20261203/);
    expect(later).toBe(calendarPart(input('p-2'), t).content);
  });

  it('keeps templates per translator, so a translator of its own gets its own texts', () => {
    const templates = createCalendarTemplates();
    const en = translations.translator('en');
    const shouting: Translate = (key, values) => en(key, values).toUpperCase();
    expect(calendarPart(input('p-1'), en, templates.render).content).toBe(calendarPart(input('p-1'), en).content);
    expect(calendarPart(input('p-1'), shouting, templates.render).content).toBe(calendarPart(input('p-1'), shouting).content);
  });

  it('stays bounded and still right after evicting', () => {
    const templates = createCalendarTemplates({ max: 2 });
    const t = translations.translator('es');
    for (let version = 1; version <= 5; version++) {
      for (const participant of ['p-1', 'p-2']) {
        const { fast, feed } = both(templates, input(participant, { language: 'es', version }), t);
        expect(fast).toBe(feed);
      }
    }
  });

  it('renders links with line breaks the slow way, as the renderer would', () => {
    const templates = createCalendarTemplates();
    const t = translations.translator('en');
    const part = { ...input('p-1'), links: { page: 'https://academy.example.org/p/a\r\nb', join: {} } };
    expect(calendarPart(part, t, templates.render).content).toBe(renderCalendar(calendarModelFor(part), t));
  });
});

describe('foldIcalLine', () => {
  it("folds exactly as ical-generator's foldLines, surrogates and all", () => {
    // A seeded generator, so a failure can be replayed.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['a', 'Z', ' ', ';', 'é', 'ß', '€', '中', '😀', '\ud800', '\udc00', '\u07ff', '\u0800', '\uffff', '\ue000'];
    for (let n = 0; n < 3000; n++) {
      const length = Math.floor(random() * 260);
      let line = '';
      for (let i = 0; i < length; i++) line += alphabet[Math.floor(random() * alphabet.length)];
      expect(foldIcalLine(line)).toBe(foldLines(line));
    }
    expect(foldIcalLine('')).toBe('');
    expect(foldIcalLine('x'.repeat(74))).toBe('x'.repeat(74));
    expect(foldIcalLine('x'.repeat(75))).toBe(foldLines('x'.repeat(75)));
  });
});
