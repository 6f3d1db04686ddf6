import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import ical, { type VEvent } from 'node-ical';
import { describe, expect, it } from 'vitest';
import { findAssetDir, participantAssets } from '../../src/http/participant/participant-assets.js';
import { renderCalendar, vtimezoneFor, type CalendarModel } from '../../src/http/participant/views/calendar.js';
import { renderMessagePage } from '../../src/http/participant/views/message-page.js';
import { renderParticipantPage } from '../../src/http/participant/views/participant-page.js';
import { registerSecurityHeaders } from '../../src/http/security-headers.js';
import { createTranslations } from '../../src/i18n/i18n.js';
import { buildSampleModel } from '../e2e/page-harness.js';

const t = createTranslations().translator('en');
const english = { language: 'en' as const, t };

function rowOf(html: string, title: string): string {
  const row = html.split('<tr>').find((chunk) => chunk.includes(`<span class="session-title">${title}</span>`));
  if (!row) throw new Error(`no row for ${title}`);
  return row.slice(0, row.indexOf('</tr>'));
}

describe('renderParticipantPage', () => {
  it('escapes every model value, in text and in attributes', () => {
    const model = buildSampleModel({ name: `<img src=x onerror="alert(1)"> O'Brien & Co` });
    const day = model.days[1]!;
    day.title = 'Day "2" <b>';
    day.sessions[0]!.title = `Workshop "A" <script>alert('x')</script>`;
    day.sessions[0]!.description = 'Goals & <indicators>';
    model.event.title = 'Rights & <Cities>';
    const html = renderParticipantPage(model, t);

    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain("<script>alert('x')</script>");
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; O&#39;Brien &amp; Co');
    expect(html).toContain('data-session-title="Workshop &quot;A&quot; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"');
    expect(html).toContain('Goals &amp; &lt;indicators&gt;');
    expect(html).toContain('<title>Your programme – Rights &amp; &lt;Cities&gt;</title>');
    expect(html).toContain('Day &quot;2&quot; &lt;b&gt;');
  });

  it('neutralises non-http join and calendar URLs', () => {
    const model = buildSampleModel();
    model.days[1]!.sessions[0]!.joinUrl = 'javascript:alert(1)';
    model.calendarUrl = 'data:text/html,<b>x</b>';
    const html = renderParticipantPage(model, t);
    expect(html).not.toMatch(/javascript:|data:text/);
    expect(rowOf(html, 'Workshop A: Action plans')).toContain('<a class="join" href="#"');
  });

  it('renders a join link only for the open session, "Opens at" for upcoming and "Ended" for past ones', () => {
    const html = renderParticipantPage(buildSampleModel({ opensInSeconds: 120 }), t);

    const open = rowOf(html, 'Workshop A: Action plans');
    expect(open).toMatch(/<a class="join" href="https:\/\/events\.example\.org\/j\/tok-123\/workshop-a"/);

    // now is 10:10 in Vienna; Workshop B opens 2 minutes later, its session 15 minutes after that.
    const upcoming = rowOf(html, 'Workshop B: Monitoring');
    expect(upcoming).not.toContain('<a ');
    expect(upcoming).toMatch(/<span class="join join-disabled"[^>]*>Opens at 10:12<\/span>/);
    expect(upcoming).toContain('<time datetime="2024-02-06T09:27:00Z">10:27</time>');

    const conference = rowOf(html, 'Handing over the Outcome Document');
    expect(conference).toMatch(/>Opens at 13:45<\/span>/);
    expect(conference).toContain('data-opens-at="2024-02-08T12:45:00Z" data-ends-at="2024-02-08T16:00:00Z"');

    const ended = rowOf(html, 'Opening plenary');
    expect(ended).toMatch(/<span class="join join-disabled"[^>]*>Ended<\/span>/);
    expect(ended).not.toContain('<a ');
    expect(html.match(/<a class="join"/g)).toHaveLength(1);
  });

  it('is a complete, labelled document with no inline script or style', () => {
    const html = renderParticipantPage(buildSampleModel(), t);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<main id="programme"');
    expect(html.match(/<section class="day /g)).toHaveLength(3);
    expect(html).toContain('<h2 id="day-academy-2024-02-05">Academy – Day 1 <span class="day-date">— <time datetime="2024-02-05">Monday, 5 February 2024</time>');
    expect(html).toContain('<time datetime="2024-02-05T08:00:00Z">09:00</time>–<time datetime="2024-02-05T09:30:00Z">10:30</time>');
    expect(html).toContain('(Europe/Vienna, UTC+01:00)');
    expect(html).toContain('data-event-zone="Europe/Vienna" data-now="2024-02-06T09:10:00Z"');
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script src="/assets/participant-page.js" defer>']);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<a href="https://events.example.org/p/tok-123/calendar.ics">');
  });

  it('gives BigBlueButton advice with the Opera warning for academy days and Zoom interpretation for the conference', () => {
    const html = renderParticipantPage(buildSampleModel(), t);
    expect(html).toMatch(/Chrome, Firefox or Edge/);
    expect(html).toMatch(/<div class="warning" role="alert" data-opera-warning hidden>/);
    expect(html).toMatch(/firewalls/);
    expect(html).toMatch(/Zoom webinar/);
    for (const language of ['German', 'English', 'French', 'Spanish']) expect(html).toContain(`>${language}</li>`);
    expect(html).toMatch(/globe icon labelled <strong>Interpretation<\/strong>/);
    expect(html).toMatch(/Mute original audio/);

    const conferenceOnly = buildSampleModel();
    conferenceOnly.days = conferenceOnly.days.filter((d) => d.kind === 'conference');
    const zoomHtml = renderParticipantPage(conferenceOnly, t);
    expect(zoomHtml).not.toContain('data-opera-warning');
    expect(zoomHtml).not.toContain('advice-academy"');
  });

  it('tells moderators and panelists their role', () => {
    expect(renderParticipantPage(buildSampleModel({ role: 'moderator' }), t)).toMatch(/registered as a <strong>moderator<\/strong>/);
    expect(renderParticipantPage(buildSampleModel({ role: 'panelist' }), t)).toMatch(/<strong>panelist<\/strong>/);
    expect(renderParticipantPage(buildSampleModel(), t)).not.toMatch(/registered as a/);
  });

  it('refuses an invalid instant instead of rendering a wrong time', () => {
    const model = buildSampleModel();
    model.days[0]!.sessions[0]!.joinOpensAt = 'soon';
    expect(() => renderParticipantPage(model, t)).toThrow(RangeError);
  });
});

describe('renderMessagePage', () => {
  it('shows the opening time in the event zone with its offset, and a link back', () => {
    const html = renderMessagePage({
      ...english,
      title: 'This session has not opened yet',
      message: 'This session opens at the time below.',
      opensAt: { iso: '2024-07-08T12:45:00Z', timezone: 'Europe/Vienna' },
      pageUrl: 'https://events.example.org/p/tok-123',
    });
    expect(html).toContain('<h1>This session has not opened yet</h1>');
    // Summer time: 12:45 UTC is 14:45 in Vienna.
    expect(html).toContain('<time datetime="2024-07-08T12:45:00Z" data-instant="2024-07-08T12:45:00Z" data-zone="Europe/Vienna">Monday, 8 July 2024 at 14:45</time>');
    expect(html).toContain('(Europe/Vienna, UTC+02:00)');
    expect(html).toContain('<a href="https://events.example.org/p/tok-123">Back to your programme</a>');
    expect(html).toContain('data-event-zone="Europe/Vienna"');
    expect(html).not.toContain('http-equiv="refresh"');
  });

  it('escapes its texts and adds a refresh only when asked', () => {
    const html = renderMessagePage({
      ...english,
      title: 'Registration <pending>',
      message: `Your registration is still being processed, "${'<b>'}" & more.`,
      detail: 'Ref: <x>',
      refreshSeconds: 9.6,
    });
    expect(html).toContain('<meta http-equiv="refresh" content="10">');
    expect(html).toContain('<title>Registration &lt;pending&gt;</title>');
    expect(html).toContain('&quot;&lt;b&gt;&quot; &amp; more.');
    expect(html).toContain('Ref: &lt;x&gt;');
    expect(html).not.toMatch(/<b>|<x>|<pending>/);
    expect(html).not.toContain('Back to your programme');
  });

  it('covers the ended, invalid-link and provider-down cases as plain messages', () => {
    for (const [title, message] of [
      ['This session has ended', 'This session has ended.'],
      ['This link is not valid', 'The link is revoked, changed or unknown.'],
      ['BigBlueButton is not reachable', 'BigBlueButton is not reachable right now, try again in a minute.'],
    ] as const) {
      const html = renderMessagePage({ ...english, title, message });
      expect(html).toContain(`<h1>${title}</h1>`);
      expect(html).toContain(`<p class="message-text">${message}</p>`);
      expect(html).not.toContain('opens-at');
    }
  });
});

describe('renderCalendar', () => {
  const model = (sequence: number): CalendarModel => ({
    language: 'en',
    event: { id: 'hrgl-2024', title: 'Human Rights Go Local, 2024; Academy', timezone: 'Europe/Vienna' },
    participantId: 'p-1',
    sequence,
    pageUrl: 'https://events.example.org/p/tok-123',
    sessions: [
      {
        id: 'opening',
        title: 'Opening; plenary, day 1',
        description: 'Welcome & introduction',
        startsAt: '2024-02-05T08:00:00Z',
        endsAt: '2024-02-05T09:30:00Z',
        joinUrl: 'https://events.example.org/j/tok-123/opening',
        kind: 'academy',
      },
      {
        id: 'summer-school',
        title: 'Summer follow-up',
        startsAt: '2024-07-01T07:00:00Z',
        endsAt: '2024-07-01T08:00:00Z',
        joinUrl: 'https://events.example.org/j/tok-123/summer-school',
        kind: 'conference',
      },
    ],
  });

  function events(text: string): VEvent[] {
    return Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c?.type === 'VEVENT');
  }
  const urlOf = (e: VEvent): unknown => (typeof e.url === 'object' && e.url ? (e.url as { val: string }).val : e.url);

  it('round-trips through node-ical with stable UIDs, the sequence, instants and our join link', () => {
    const first = renderCalendar(model(1), t);
    const second = renderCalendar(model(2), t);
    const a = events(first);
    const b = events(second);
    expect(a.map((e) => e.uid)).toEqual(['opening.hrgl-2024@academy-orchestrator', 'summer-school.hrgl-2024@academy-orchestrator']);
    expect(b.map((e) => e.uid)).toEqual(a.map((e) => e.uid));
    expect(a.map((e) => Number(e.sequence))).toEqual([1, 1]);
    expect(b.map((e) => Number(e.sequence))).toEqual([2, 2]);

    const [opening, summer] = a;
    expect(opening!.start.toISOString()).toBe('2024-02-05T08:00:00.000Z');
    expect(opening!.end!.toISOString()).toBe('2024-02-05T09:30:00.000Z');
    expect(summer!.start.toISOString()).toBe('2024-07-01T07:00:00.000Z');
    expect(opening!.start.tz).toBe('Europe/Vienna');
    expect(urlOf(opening!)).toBe('https://events.example.org/j/tok-123/opening');
    expect(opening!.summary).toBe('Opening; plenary, day 1');
    expect(opening!.location).toBe('BigBlueButton (online)');
    expect(String(opening!.description)).toContain('Join: https://events.example.org/j/tok-123/opening');
    expect(String(opening!.description)).toContain('Your programme: https://events.example.org/p/tok-123');
    expect(String(opening!.description)).toContain('Welcome & introduction');
  });

  it('writes wall-clock times with TZID, a VTIMEZONE, METHOD:PUBLISH and the event title', () => {
    const text = renderCalendar(model(1), t).replace(/\r\n /g, '');
    expect(text).toContain('DTSTART;TZID=Europe/Vienna:20240205T090000');
    expect(text).toContain('DTSTART;TZID=Europe/Vienna:20240701T090000');
    expect(text).toContain('BEGIN:VTIMEZONE\r\nTZID:Europe/Vienna');
    expect(text).toContain('METHOD:PUBLISH');
    expect(text).toContain('X-WR-CALNAME:Human Rights Go Local\\, 2024\\; Academy');
    expect(text).toMatch(/DTSTAMP:\d{8}T\d{6}Z/);
    expect(text).not.toMatch(/bigbluebutton\/api|zoom\.us/);
    const parsed = ical.sync.parseICS(text);
    expect(parsed.vcalendar?.method).toBe('PUBLISH');
  });

  it('cannot be broken into by line breaks in titles', () => {
    const evil = model(1);
    evil.event.title = 'Title\r\nBEGIN:VEVENT\r\nUID:injected';
    evil.sessions[0]!.title = 'Session\nURL:https://evil.example';
    const text = renderCalendar(evil, t);
    expect(text).not.toMatch(/^UID:injected/m);
    expect(text).not.toMatch(/^URL:https:\/\/evil/m);
    expect(events(text).map((e) => e.uid)).toHaveLength(2);
  });

  it('derives VTIMEZONE observances from the real transitions, in both hemispheres', () => {
    const vienna = vtimezoneFor('Europe/Vienna', Date.parse('2024-02-05T00:00:00Z'), Date.parse('2024-02-08T00:00:00Z'));
    expect(vienna).toContain('BEGIN:DAYLIGHT\r\nDTSTART:20240331T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200');
    expect(vienna).toContain('BEGIN:STANDARD\r\nDTSTART:20241027T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100');

    const sydney = vtimezoneFor('Australia/Sydney', Date.parse('2024-03-01T00:00:00Z'), Date.parse('2024-03-02T00:00:00Z'));
    expect(sydney).toContain('BEGIN:STANDARD\r\nDTSTART:20240407T030000\r\nTZOFFSETFROM:+1100\r\nTZOFFSETTO:+1000');
    expect(sydney).toContain('BEGIN:DAYLIGHT\r\nDTSTART:20241006T020000\r\nTZOFFSETFROM:+1000\r\nTZOFFSETTO:+1100');

    const saoPaulo = vtimezoneFor('America/Sao_Paulo', Date.parse('2024-03-01T00:00:00Z'), Date.parse('2024-03-02T00:00:00Z'));
    expect(saoPaulo.match(/BEGIN:(STANDARD|DAYLIGHT)/g)).toEqual(['BEGIN:STANDARD']);
    expect(saoPaulo).toContain('TZOFFSETTO:-0300');

    expect(() => vtimezoneFor('Mars/Olympus', 0, 0)).toThrow(RangeError);
  });
});

describe('security headers and assets', () => {
  async function app() {
    const server = Fastify({ logger: false });
    await registerSecurityHeaders(server);
    await server.register(participantAssets);
    server.get('/p/x', async (_req, reply) => reply.type('text/html').send('<!doctype html><p>x</p>'));
    server.get('/docs/static/index.html', async () => 'docs');
    server.get('/docsearch', async () => 'not docs');
    await server.ready();
    return server;
  }

  it('gives participant pages the strict policy and no referrer, and /docs only its own exception', async () => {
    const server = await app();
    try {
      const page = await server.inject('/p/x');
      const csp = String(page.headers['content-security-policy']);
      for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) {
        expect(csp).toContain(directive);
      }
      expect(csp).not.toContain('unsafe');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['x-frame-options']).toBe('DENY');

      const docs = await server.inject('/docs/static/index.html');
      expect(String(docs.headers['content-security-policy'])).toContain("style-src 'self' 'unsafe-inline'");
      expect(docs.headers['referrer-policy']).toBe('no-referrer');
      const lookalike = await server.inject('/docsearch');
      expect(String(lookalike.headers['content-security-policy'])).toContain("default-src 'none'");
    } finally {
      await server.close();
    }
  });

  it('serves the page assets with content types, caching and revalidation', async () => {
    const server = await app();
    try {
      const dir = findAssetDir();
      const js = await server.inject('/assets/participant-page.js');
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(js.headers['cache-control']).toContain('max-age=');
      expect(js.body).toBe(readFileSync(`${dir}participant-page.js`, 'utf8'));
      const again = await server.inject({ url: '/assets/participant-page.js', headers: { 'if-none-match': String(js.headers.etag) } });
      expect(again.statusCode).toBe(304);

      const css = await server.inject('/assets/participant-page.css');
      expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(css.body).toContain('.join');
    } finally {
      await server.close();
    }
  });

  it('fails loudly when the asset files are missing', () => {
    expect(() => findAssetDir([new URL('file:///nonexistent/assets/')])).toThrow(/participant assets not found/);
  });
});
