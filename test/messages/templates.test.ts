import ical, { type VEvent } from 'node-ical';
import { describe, expect, it } from 'vitest';
import { sessionChanges } from '../../src/domain/messages.js';
import { programmeSchema } from '../../src/domain/programme.js';
import { scheduleProgramme } from '../../src/domain/schedule.js';
import { createTranslations } from '../../src/i18n/i18n.js';
import { SUPPORTED_LANGUAGES, type Language } from '../../src/i18n/languages.js';
import { calendarPart } from '../../src/messages/templates/calendar-part.js';
import { html, translateHtml } from '../../src/i18n/html.js';
import { mailDays, type MailBase, type MailModel } from '../../src/messages/templates/mail-model.js';
import { renderMail } from '../../src/messages/templates/render-mail.js';
import { exampleProgramme } from '../helpers/programme-fixtures.js';

const programme = programmeSchema.parse(exampleProgramme());
const schedule = scheduleProgramme(programme);
const translations = createTranslations();
const PAGE = 'https://academy.example.org/p/tok-123';

function base(language: Language, name = 'Ana Example', role: MailBase['participant']['role'] = 'participant'): MailBase {
  return {
    language,
    event: { title: programme.title, timezone: programme.timezone, joinOpensMinutesBefore: programme.joinOpensMinutesBefore },
    participant: { name, role },
    links: { page: PAGE },
  };
}

function edited() {
  const input = exampleProgramme();
  Object.assign((input.days[1] as { sessions: object[] }).sessions[0]!, { start: '09:30', end: '11:00' });
  (input.days[3] as { sessions: object[] }).sessions.pop();
  return scheduleProgramme(programmeSchema.parse(input));
}

function models(language: Language, name?: string): MailModel[] {
  const b = base(language, name);
  return [
    { ...b, kind: 'invitation', days: mailDays(schedule, schedule.sessions) },
    { ...b, kind: 'reminder', date: '2024-02-05', minutesBefore: 1440, days: mailDays(schedule, schedule.sessions.filter((s) => s.date === '2024-02-05')) },
    { ...b, kind: 'update', changes: sessionChanges(schedule.sessions, edited().sessions, new Date('2024-01-01T00:00:00Z')) },
    { kind: 'confirmation', language, event: { title: programme.title }, participant: { name: b.participant.name }, links: { confirm: 'https://academy.example.org/e/hrgl-2024/confirm/abc' } },
    { ...b, kind: 'certificate', hoursAttended: 12.5, links: { page: PAGE, certificate: `${PAGE}/certificate.pdf` } },
  ];
}

const urls = (s: string) => [...s.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);

describe('every kind in every language', () => {
  const subjects: Record<Language, RegExp> = {
    en: /^(Your personal access|Reminder|Programme change|Please confirm|Your certificate)/,
    de: /^(Ihr persönlicher Zugang|Erinnerung|Programmänderung|Bitte bestätigen|Ihre Teilnahmebestätigung)/,
    fr: /^(Votre accès personnel|Rappel|Changement de programme|Veuillez confirmer|Votre attestation)/,
    es: /^(Su acceso personal|Recordatorio|Cambio en el programa|Confirme su inscripción|Su certificado)/,
  };

  it.each(SUPPORTED_LANGUAGES)('%s: subject, both parts, lang, our link as a button, nothing else linked', (language) => {
    for (const model of models(language)) {
      const mail = renderMail(model, translations);
      expect(mail.language).toBe(language);
      expect(mail.subject, model.kind).toMatch(subjects[language]);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.html).toMatch(new RegExp(`^<!doctype html>\\n<html lang="${language}" dir="ltr">`));
      const target = model.kind === 'confirmation' && model.step !== 'waitlisted' ? model.links.confirm : PAGE;
      expect(mail.text, model.kind).toContain(target);
      // A button: a link with a background cell and padding, not just underlined text.
      expect(mail.html, model.kind).toMatch(new RegExp(`<td style="background:#[0-9a-f]{6};[^"]*"><a href="${target.replace(/[/.]/g, '\\$&')}" style="display:inline-block;padding:`));
      // One column, inline styles, no images, no scripts, no stylesheet a client would drop.
      expect(mail.html).not.toMatch(/<(img|script|style|link)\b/i);
      expect(mail.html).toContain('max-width:600px');
      // No provider URL: every link is ours, under the personal page (or the confirmation link).
      for (const url of [...urls(mail.text), ...urls(mail.html)]) expect(url.startsWith(target) || url.startsWith(PAGE), `${model.kind}: ${url}`).toBe(true);
    }
  });

  it('writes the programme in the event zone with the local times, and the advice for each kind of day', () => {
    const invitation = renderMail(models('en')[0]!, translations);
    expect(invitation.text).toContain('All times are in Europe/Vienna (UTC+01:00).');
    expect(invitation.text).toMatch(/Monday,? 5 February 2024 – Academy day 1/);
    expect(invitation.text).toContain('  09:00–10:30  Opening and introduction to the Academy');
    expect(invitation.text).toContain('  10:00–11:00  High-level opening');
    expect(invitation.text).toContain('Use an up-to-date Chrome, Firefox or Edge. Opera is not supported by BigBlueButton.');
    expect(invitation.html).toContain('<strong>Opera is not supported by BigBlueButton.</strong>');
    expect(invitation.text).toContain('interpreted live into English, German, French and Spanish');
    expect(invitation.text).toContain('opens 15 minutes before it starts');
    const de = renderMail(models('de')[0]!, translations);
    expect(de.text).toContain('Englisch, Deutsch, Französisch und Spanisch');
    expect(de.text).toContain('Opera wird von BigBlueButton nicht unterstützt.');
  });

  it('reminds of one date only, with a way to stop reminders, and no conference advice on an academy day', () => {
    const reminder = renderMail(models('en')[1]!, translations);
    expect(reminder.subject).toBe(`Reminder: your programme starts tomorrow – ${programme.title}`);
    expect(reminder.text).toMatch(/Your programme on Monday,? 5 February 2024 starts at 09:00\./);
    expect(reminder.text).not.toContain('High-level opening');
    expect(reminder.text).not.toContain('interpreted live');
    expect(reminder.text).toContain(`${PAGE}/unsubscribe`);
    expect(reminder.html).toContain(`<a href="${PAGE}/unsubscribe"`);
  });

  it('lists each change with its old and new local times', () => {
    const update = renderMail(models('en')[2]!, translations);
    expect(update.text).toMatch(/Moved: Accountability of local governments\n {2}Before: Tue 6 Feb, 09:00–10:30\n {2}Now: Tue 6 Feb, 09:30–11:00/);
    expect(update.text).toMatch(/Cancelled: Closing\n {2}Before: Thu 8 Feb, 15:45–16:15\n\n/);
    expect(update.text).not.toMatch(/Now: Thu 8 Feb, 15:45/);
    const es = renderMail(models('es')[2]!, translations);
    expect(es.text).toMatch(/Cambio de hora: Accountability of local governments\n {2}Antes: mar, 6 feb, 09:00–10:30\n {2}Ahora: mar, 6 feb, 09:30–11:00/);
  });

  it('words the certificate hours with the language’s number format and plural', () => {
    expect(renderMail(models('de')[4]!, translations).text).toContain('Sie bestätigt 12,5 Stunden Teilnahme.');
    expect(renderMail(models('en')[4]!, translations).text).toContain(`${PAGE}/certificate.pdf`);
  });
});

describe('what people typed cannot inject', () => {
  const evilName = '<script>alert(1)</script>"><img src=x onerror=alert(1)>\r\nBcc: victim@example.org {{event}} $t(mail.button)';

  it('markup in a name or title is text in HTML and stays one line', () => {
    for (const model of models('en', evilName)) {
      const mail = renderMail(model, translations);
      expect(mail.html).not.toMatch(/<script|<img|onerror=alert\(1\)>/i);
      expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt; Bcc: victim@example.org {{event}} $t(mail.button)');
      expect(mail.text).toContain('Dear <script>alert(1)</script>"><img src=x onerror=alert(1)> Bcc: victim@example.org {{event}} $t(mail.button),');
      expect(mail.text).not.toMatch(/\r|\nBcc:/);
    }
  });

  it('bidi overrides are dropped and names are isolated', () => {
    const mail = renderMail(models('en', 'Eve \u202Egro.elpmaxe@live\u202C')[0]!, translations);
    expect(mail.html + mail.text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(mail.html).toContain('<bdi>Eve gro.elpmaxe@live</bdi>');
    const arabic = renderMail(models('en', 'محمد')[0]!, translations);
    expect(arabic.html).toContain('<bdi>محمد</bdi>');
  });

  it('an event title with a line break or markup does not break the subject or the HTML', () => {
    const model = { ...models('en')[0]!, event: { ...base('en').event, title: 'Evil\r\nBcc: x@example.org <b>bold</b>' } } as MailModel;
    const mail = renderMail(model, translations);
    expect(mail.subject).toBe('Your personal access: Evil Bcc: x@example.org <b>bold</b>');
    expect(mail.html).toContain('<title>Your personal access: Evil Bcc: x@example.org &lt;b&gt;bold&lt;/b&gt;</title>');
  });

  it('a link that is not http(s) never becomes a href', () => {
    const model = { ...models('en')[0]!, links: { page: 'javascript:alert(1)' } } as MailModel;
    expect(renderMail(model, translations).html).not.toContain('javascript:');
  });
});

describe('translateHtml', () => {
  it('puts markup around placeholders of a translated sentence and escapes everything else', () => {
    const t = translations.translator('fr');
    const link = html`<a href="#advice-academy">${t('page.academyNoteAdvice')}</a>`;
    const out = translateHtml(t, 'page.academyNote', { bbb: html`<strong>BigBlueButton</strong>`, advice: link }).value;
    expect(out).toBe(
      'Cette journée se déroule dans des salles <strong>BigBlueButton</strong>, directement dans votre navigateur\u202f: rien à installer. Veuillez lire les <a href="#advice-academy">conseils techniques</a> avant de vous connecter.',
    );
    expect(translateHtml(t, 'page.welcome', { name: '<b>Ana</b> {{event}}' }).value).toBe('Bienvenue, &lt;b&gt;Ana&lt;/b&gt; {{event}}.');
  });
});

describe('calendar part', () => {
  const events = (text: string) => Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c?.type === 'VEVENT');
  const joins = Object.fromEntries(schedule.sessions.map((s) => [s.id, `${PAGE}/join/${s.id}`]));

  it('is the feed: same UIDs, SEQUENCE = programme version, our join links, PUBLISH', () => {
    const part = calendarPart({ language: 'en', event: programme, participantId: 'p-1', version: 4, links: { page: PAGE, join: joins }, sessions: schedule.sessions }, translations.translator('en'));
    expect(part).toMatchObject({ filename: 'programme.ics', method: 'PUBLISH' });
    const parsed = events(part.content);
    expect(parsed.map((e) => e.uid)).toEqual(schedule.sessions.map((s) => `${s.id}.hrgl-2024@academy-orchestrator`));
    expect(parsed.every((e) => Number(e.sequence) === 4)).toBe(true);
    expect(parsed[0]!.start.toISOString()).toBe('2024-02-05T08:00:00.000Z');
    expect(parsed[0]!.start.tz).toBe('Europe/Vienna');
    expect(ical.sync.parseICS(part.content).vcalendar?.method).toBe('PUBLISH');
    expect(part.content).toContain(`${PAGE}/join/d1-opening`);
    expect(part.content).not.toMatch(/bigbluebutton\/api|zoom\.us/);
  });

  it('cannot be broken into by a title with line breaks', () => {
    const sessions = schedule.sessions.map((s, i) => (i === 0 ? { ...s, title: 'X\r\nBEGIN:VEVENT\r\nUID:injected' } : s));
    const part = calendarPart({ language: 'en', event: { ...programme, title: 'T\r\nMETHOD:CANCEL' }, participantId: 'p-1', version: 1, links: { page: PAGE, join: joins }, sessions }, translations.translator('en'));
    expect(part.content).not.toMatch(/^UID:injected/m);
    expect(part.content).not.toMatch(/^METHOD:CANCEL/m);
    expect(events(part.content)).toHaveLength(schedule.sessions.length);
  });
});
