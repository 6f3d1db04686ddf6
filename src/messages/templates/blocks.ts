import { formatList, languageName } from '../../i18n/format.js';
import { formatDayDate, formatUtcOffset } from './remembered-formats.js';
import type { Translate } from '../../i18n/i18n.js';
import type { Language } from '../../i18n/languages.js';
import { singleLine } from '../../domain/single-line.js';
import { html, translateHtml } from '../../i18n/html.js';
import { button, heading, note, paragraph, styles, type Block } from './layout.js';
import type { MailBase, MailDay } from './mail-model.js';

/** A name or title people typed, isolated so right-to-left text cannot reorder the sentence around it. */
export const bdi = (value: string) => html`<bdi>${singleLine(value)}</bdi>`;

export function greeting(t: Translate, name: string): Block {
  return paragraph(t('mail.greeting', { name: singleLine(name) }), translateHtml(t, 'mail.greeting', { name: bdi(name) }));
}

export function pageButton(t: Translate, pageUrl: string): Block {
  return button(t('mail.button'), pageUrl, t('mail.linkFallback'));
}

export function footer(t: Translate, model: Pick<MailBase, 'event'>): Block[] {
  const event = singleLine(model.event.title);
  return [note(t('mail.personal')), note(t('mail.footer', { event }), translateHtml(t, 'mail.footer', { event: bdi(model.event.title) }))];
}

/** The zone once, with every UTC offset the listed instants have (two when the mail spans a clock change). */
export function zoneNote(t: Translate, instants: readonly string[], zone: string): Block {
  const offsets = [...new Set(instants.map((iso) => formatUtcOffset(iso, zone)))];
  return note(t('mail.zone', { zone, offset: offsets.join(' / ') }));
}

function dayKindLabel(t: Translate, day: MailDay): string {
  return day.kind === 'academy' ? t('mail.academyDay') : t('mail.conferenceDay');
}

function dayBlock(t: Translate, day: MailDay, zone: string, language: Language): Block {
  const date = formatDayDate(day.date, zone, language);
  const title = singleLine(day.title);
  const rows = day.sessions.map((s) => ({ when: `${s.localStart}–${s.localEnd}`, title: singleLine(s.title) }));
  const text = [`${date} – ${title}`, dayKindLabel(t, day), ...rows.map((r) => `  ${r.when}  ${r.title}`)].join('\n');
  const cell = `padding:4px 12px 4px 0;vertical-align:top;${styles.TEXT}`;
  return {
    text,
    html: html`<h3 style="margin:20px 0 4px;${styles.FONT}font-size:17px;line-height:1.3;color:#1a1a1a;">${bdi(day.title)} <span style="font-weight:normal;">— ${date}</span></h3>
<p style="margin:0 0 8px;${styles.MUTED}">${dayKindLabel(t, day)}</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 8px;border-collapse:collapse;">
${day.sessions.map(
  (s) => html`<tr><td style="${cell}white-space:nowrap;">${s.localStart}–${s.localEnd}</td><td style="${cell}">${bdi(s.title)}</td></tr>`,
)}
</table>`,
  };
}

/** The days and sessions in the event zone, with the zone named once and a day's kind on each day. */
export function agenda(t: Translate, days: readonly MailDay[], model: Pick<MailBase, 'event' | 'language'>): Block[] {
  const zone = model.event.timezone;
  return [heading(t('mail.programmeHeading')), zoneNote(t, days.flatMap((d) => d.sessions.map((s) => s.startsAt)), zone), ...days.map((d) => dayBlock(t, d, zone, model.language))];
}

export function joinHint(t: Translate, minutes: number): Block {
  return paragraph(t('mail.joinHint', { minutes }));
}

function list(items: readonly { text: string; html?: ReturnType<typeof html> }[]): Block {
  return {
    text: items.map((i) => `- ${i.text}`).join('\n'),
    html: html`<ul style="margin:0 0 16px;padding-left:24px;${styles.TEXT}">${items.map((i) => html`<li style="margin:0 0 4px;">${i.html ?? i.text}</li>`)}</ul>`,
  };
}

/** BigBlueButton runs in the browser; the browsers it supports are what decides whether people get in. */
export function browserAdvice(t: Translate): Block[] {
  return [
    heading(t('advice.heading')),
    list([
      { text: `${t('advice.browsers')} ${t('advice.opera')}`, html: html`${t('advice.browsers')} <strong>${t('advice.opera')}</strong>` },
      { text: t('advice.connection') },
      { text: t('advice.headset') },
      { text: t('advice.quiet') },
      { text: t('advice.firewall') },
    ]),
  ];
}

/** The conference's interpretation languages, named in the reader's language, and how to pick one in Zoom. */
export function interpretationNote(t: Translate, days: readonly MailDay[], language: Language): Block[] {
  const codes = [...new Set(days.filter((d) => d.kind === 'conference').flatMap((d) => d.interpretationLanguages ?? []))];
  if (codes.length === 0) return [];
  const languages = formatList(
    codes.map((c) => languageName(c, language)),
    language,
  );
  return [
    heading(t('mail.interpretationHeading')),
    paragraph(t('mail.interpretation', { languages })),
    paragraph(t('mail.interpretationHowTo', { label: t('interpretation.step1Label') })),
  ];
}

/** Advice for the kinds of day the mail is about: browsers for the Academy, interpretation for the Conference. */
export function dayAdvice(t: Translate, days: readonly MailDay[], language: Language): Block[] {
  return [...(days.some((d) => d.kind === 'academy') ? browserAdvice(t) : []), ...interpretationNote(t, days, language)];
}
