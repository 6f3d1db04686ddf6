import { randomBytes } from 'node:crypto';
import { escape as escapeIcalText, formatDate as formatIcalDate } from 'ical-generator';
import { renderCalendar, type CalendarModel } from '../../http/participant/views/calendar.js';
import type { Translate } from '../../i18n/i18n.js';

/**
 * The feed's calendar (renderCalendar) for many participants of one programme version: everything but the links
 * and DTSTAMP is the same for all of them, and rendering it through ical-generator (folding every line with a
 * TextEncoder per character) cost more per mail than the rest of the mail. So the feed's own renderer runs once
 * per event, language and session list with markers in place of the links; what it wrote is kept, and each mail
 * only has the lines holding a link or the stamp filled in and folded again. The output is what renderCalendar
 * writes for the same model (test/messages/calendar-template.test.ts compares them).
 */
export interface CalendarTemplates {
  render(model: CalendarModel, t: Translate): string;
}

/** A slot of a template line: a session's join link by index, or one of these. */
const PAGE = -1;
const STAMP = -2;

/** Lines that never change, already folded and joined; or one line to fill in and fold. */
type Segment = string | readonly (string | number)[];

const DEFAULT_MAX_TEMPLATES = 64;

// ical-generator's foldLines (10.x) on one line: break before the character that would take the line past 74
// octets of UTF-8. It sizes each character with a TextEncoder (a lone surrogate is U+FFFD, 3 octets) and takes a
// high surrogate together with whatever unit follows it; this does the same arithmetic without encoding.
function unitSize(code: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  return 3;
}

export function foldIcalLine(line: string): string {
  let out = '';
  let from = 0;
  let octets = 0;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    let size: number;
    let width = 1;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < line.length) {
      const next = line.charCodeAt(i + 1);
      width = 2;
      size = next >= 0xdc00 && next <= 0xdfff ? 4 : 3 + unitSize(next);
    } else {
      size = unitSize(code);
    }
    octets += size;
    if (octets > 74) {
      out += `${line.slice(from, i)}\r\n `;
      from = i;
      octets = size;
    }
    i += width - 1;
  }
  return from === 0 ? line : out + line.slice(from);
}

/** What the output depends on besides the links and the stamp. */
function templateKey(model: CalendarModel): string {
  return JSON.stringify([
    model.language,
    model.event.id,
    model.event.title,
    model.event.timezone,
    model.sequence,
    model.sessions.map((s) => [s.id, s.title, s.description ?? null, s.startsAt, s.endsAt, s.kind]),
  ]);
}

/** The model with these links in place of its own. */
function withLinks(model: CalendarModel, page: string, join: (index: number) => string): CalendarModel {
  return { ...model, pageUrl: page, sessions: model.sessions.map((s, i) => ({ ...s, joinUrl: join(i) })) };
}

/** The renderer's output for the model with markers as links, cut into segments; undefined if it cannot be cut exactly. */
function buildTemplate(model: CalendarModel, t: Translate): Segment[] | undefined {
  // Private-use characters and a random tag: no title, description or catalogue text can contain the markers.
  const tag = randomBytes(6).toString('hex');
  const marker = (slot: number) => `\ue000${tag}${slot}\ue001`;
  const folded = renderCalendar(withLinks(model, marker(PAGE), marker), t);
  // Unfolding is exact only if no line of the unfolded text began with a space; folding the lines again must give
  // back the very text the renderer wrote, which also checks foldIcalLine against ical-generator on this content.
  const lines = folded.split('\r\n ').join('').split('\r\n');
  if (lines.map(foldIcalLine).join('\r\n') !== folded) return undefined;

  const slotPattern = new RegExp(`\ue000${tag}(-?\\d+)\ue001`);
  const segments: Segment[] = [];
  let fixed: string[] = [];
  let stamps = 0;
  for (const line of lines) {
    let parts: (string | number)[] | undefined;
    if (line.startsWith('DTSTAMP:')) {
      parts = ['DTSTAMP:', STAMP];
      stamps += 1;
    } else if (line.includes('\ue000') || line.includes('\ue001')) {
      // split with a capturing group: text, slot, text, slot, …, text
      parts = line.split(slotPattern).map((piece, i) => (i % 2 === 1 ? Number(piece) : piece));
      // A marker the translator changed, or such a character in the event's own text: not cut, rendered whole.
      if (parts.some((p) => typeof p === 'string' && (p.includes('\ue000') || p.includes('\ue001')))) return undefined;
    }
    if (!parts) {
      fixed.push(foldIcalLine(line));
      continue;
    }
    if (fixed.length > 0) segments.push(fixed.join('\r\n'));
    fixed = [];
    segments.push(parts);
  }
  if (fixed.length > 0) segments.push(fixed.join('\r\n'));
  // One DTSTAMP per session: anything else means the output is shaped differently than this code assumes.
  if (stamps !== model.sessions.length) return undefined;

  // The same check with link-like values the renderer escapes and folds: the links reach the output as they are
  // given (the catalogues' {{url}}), which a translator of one's own need not do.
  const check = withLinks(model, 'https://check.example/p/ä;b,c\\d', (i) => `https://check.example/j/${i};😀,${'y'.repeat(i * 7)}`);
  const stampless = (text: string) => text.replace(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/g, '\r\nDTSTAMP:\r\n');
  return stampless(fill(segments, check)) === stampless(renderCalendar(check, t)) ? segments : undefined;
}

function fill(segments: readonly Segment[], model: CalendarModel): string {
  // ical-generator stamps each event with `new Date()` when it is created, written in UTC.
  const stamp = formatIcalDate(null, new Date());
  const page = escapeIcalText(model.pageUrl, false);
  const joins = model.sessions.map((s) => escapeIcalText(s.joinUrl, false));
  const value = (slot: number) => (slot === STAMP ? stamp : slot === PAGE ? page : joins[slot]!);
  let out = '';
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (i > 0) out += '\r\n';
    out += typeof segment === 'string' ? segment : foldIcalLine(segment.map((p) => (typeof p === 'string' ? p : value(p))).join(''));
  }
  return out;
}

// The renderer escapes the whole description at once; escaping a link on its own gives the same text unless a line
// break could pair up with one next to it, so links with line breaks (none of ours) are rendered the slow way.
const hasLineBreak = (value: string) => value.includes('\n') || value.includes('\r');

export function createCalendarTemplates(options: { max?: number } = {}): CalendarTemplates {
  const max = options.max ?? DEFAULT_MAX_TEMPLATES;
  // Per translator: a template holds its translations, and a caller may hand in a translator of its own.
  const byTranslator = new WeakMap<Translate, Map<string, Segment[] | undefined>>();
  return {
    render(model, t) {
      if (hasLineBreak(model.pageUrl) || model.sessions.some((s) => hasLineBreak(s.joinUrl))) return renderCalendar(model, t);
      let templates = byTranslator.get(t);
      if (!templates) byTranslator.set(t, (templates = new Map()));
      const key = templateKey(model);
      let segments = templates.get(key);
      if (segments === undefined && !templates.has(key)) {
        segments = buildTemplate(model, t);
        if (templates.size >= max) templates.delete(templates.keys().next().value ?? '');
        templates.set(key, segments);
      }
      return segments ? fill(segments, model) : renderCalendar(model, t);
    },
  };
}
