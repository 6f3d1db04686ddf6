// The demo inbox's pages: server-rendered, no script, every value from a message escaped (mails carry
// participants' names and addresses). The HTML part of a mail is never inlined here: it is served from a URL of
// its own under a sandbox policy and shown in a sandboxed iframe.
import escapeHtml from 'escape-html';
import type { AddressObject, ParsedMail } from 'mailparser';
import type { CaughtMail } from './mail-catcher.js';

/** The headers shown for a message, in this order; the rest is in "source". */
const SHOWN_HEADERS = ['Date', 'Message-ID', 'Content-Language', 'Auto-Submitted', 'List-Unsubscribe', 'List-Unsubscribe-Post'] as const;

// The service's Message-IDs start with the message kind (src/domain/messages.ts messageIdHeader).
const KINDS: Record<string, string> = { inv: 'invitation', rem: 'reminder', upd: 'update', cnf: 'confirmation', crt: 'certificate' };

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
const when = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

export interface InboxInfo {
  smtpUrl: string;
  keep: number;
}

function page(title: string, body: string, extraHead = '', bodyAttributes = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/inbox.css">
${extraHead}</head>
<body${bodyAttributes ? ` ${bodyAttributes}` : ''}>
<header class="top"><a href="/" class="brand">Demo inbox</a><span class="tag">academy-orchestrator · mail stays on this machine</span></header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** A header's value as sent (unfolded), or undefined. For headers without encoded words. */
export function rawHeader(parsed: ParsedMail, name: string): string | undefined {
  const line = parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  if (line === undefined) return undefined;
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

/** Name and address apart, for the list: the name readable, the address beside it. */
function people(value: AddressObject | AddressObject[] | undefined, envelope: readonly string[]): string {
  const list = value === undefined ? [] : (Array.isArray(value) ? value : [value]).flatMap((a) => a.value);
  const shown = list.length > 0 ? list.map((a) => ({ name: a.name, address: a.address ?? '' })) : envelope.map((address) => ({ name: '', address }));
  return shown
    .map((p) => (p.name ? `<bdi class="name">${escapeHtml(p.name)}</bdi> <span class="addr">${escapeHtml(p.address)}</span>` : `<span class="name">${escapeHtml(p.address)}</span>`))
    .join('<br>');
}

function addresses(value: AddressObject | AddressObject[] | undefined): string {
  if (value === undefined) return '';
  return (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');
}

export function languageOf(parsed: ParsedMail): string | undefined {
  const value = parsed.headers.get('content-language');
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function kindOf(parsed: ParsedMail): string | undefined {
  const prefix = /^<([a-z]+)\./.exec(parsed.messageId ?? '')?.[1];
  return prefix === undefined ? undefined : KINDS[prefix];
}

function languageLabel(tag: string | undefined): string {
  if (tag === undefined) return '<span class="muted">–</span>';
  let name: string | undefined;
  try {
    name = languageNames.of(tag);
  } catch {
    name = undefined;
  }
  return `<span class="lang" lang="en">${escapeHtml(tag)}</span>${name && name !== tag ? ` <span class="muted">${escapeHtml(name)}</span>` : ''}`;
}

const time = (d: Date) => `<time datetime="${escapeHtml(d.toISOString())}">${escapeHtml(when.format(d))}</time>`;

export function renderInbox(mails: readonly CaughtMail[], info: InboxInfo): string {
  const rows = mails
    .map((m) => {
      const subject = m.parsed.subject ?? '(no subject)';
      const kind = kindOf(m.parsed);
      const calendar = m.parsed.attachments.some((a) => a.contentType === 'text/calendar');
      return `<tr>
<td class="when">${time(m.receivedAt)}</td>
<td class="to">${people(m.parsed.to, m.envelope.to)}</td>
<td class="subject"><a href="/m/${m.id}"><bdi>${escapeHtml(subject)}</bdi></a>${kind ? ` <span class="kind">${escapeHtml(kind)}</span>` : ''}${calendar ? ' <span class="kind cal">calendar</span>' : ''}</td>
<td class="language">${languageLabel(languageOf(m.parsed))}</td>
</tr>`;
    })
    .join('\n');
  const table =
    mails.length === 0
      ? '<p class="empty">No mail yet. The invitations arrive a few seconds after the demo starts.</p>'
      : `<table class="list">
<caption class="visually-hidden">Messages, newest first</caption>
<thead><tr><th scope="col">Received</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Language</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  const body = `<h1>Messages <span class="count">${mails.length}</span></h1>
<p class="muted">Everything the service sends to <code>${escapeHtml(info.smtpUrl)}</code>, newest first (the last ${info.keep} are kept, until the demo stops). New mail shows up by itself (with JavaScript; otherwise <a href="/">reload</a>).</p>
${table}`;
  return page(`Demo inbox (${mails.length})`, body, '<script src="/inbox.js" defer></script>\n', `data-latest="${mails[0]?.id ?? 0}"`);
}

/** Plain text with its http(s) addresses as links, everything escaped. */
export function textWithLinks(text: string): string {
  const out: string[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
    let url = match[0];
    const trailing = /[.,;:!?)\]]+$/.exec(url)?.[0] ?? '';
    url = url.slice(0, url.length - trailing.length);
    out.push(escapeHtml(text.slice(last, match.index)));
    out.push(`<a href="${escapeHtml(url)}" rel="noreferrer">${escapeHtml(url)}</a>`);
    last = match.index + url.length;
  }
  out.push(escapeHtml(text.slice(last)));
  return out.join('');
}

export function renderMessage(mail: CaughtMail): string {
  const { parsed } = mail;
  const subject = parsed.subject ?? '(no subject)';
  const kind = kindOf(parsed);
  const rows: Array<[string, string]> = [
    ['From', `<bdi>${escapeHtml(addresses(parsed.from))}</bdi>`],
    ['To', `<bdi>${escapeHtml(addresses(parsed.to) || mail.envelope.to.join(', '))}</bdi>`],
    ['Subject', `<bdi>${escapeHtml(subject)}</bdi>`],
  ];
  for (const name of SHOWN_HEADERS) {
    const value = rawHeader(parsed, name);
    if (value === undefined) continue;
    rows.push([name, name === 'Content-Language' ? languageLabel(value) : `<code>${escapeHtml(value)}</code>`]);
  }
  rows.push(['Envelope', `<code>MAIL FROM:${escapeHtml(mail.envelope.from)} RCPT TO:${escapeHtml(mail.envelope.to.join(', '))}</code>`]);
  const headerTable = rows.map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${value}</td></tr>`).join('\n');

  const files = parsed.attachments
    .map(
      (a, i) =>
        `<li><a href="/m/${mail.id}/attachments/${i}" download>${escapeHtml(attachmentLabel(a, i))}</a> <span class="muted">${escapeHtml(a.contentType)}${rawMethod(a.headers)} · ${a.size.toLocaleString('en-GB')} bytes</span></li>`,
    )
    .join('\n');

  const hasHtml = typeof parsed.html === 'string' && parsed.html !== '';
  const body = `<p class="back"><a href="/">← All messages</a></p>
<h1><bdi>${escapeHtml(subject)}</bdi>${kind ? ` <span class="kind">${escapeHtml(kind)}</span>` : ''}</h1>
<p class="muted">Received ${time(mail.receivedAt)} · <a href="/m/${mail.id}/source.eml">source</a></p>
<table class="headers">
<caption class="visually-hidden">Headers</caption>
${headerTable}
</table>
${files ? `<h2>Attachments</h2>\n<ul class="files">\n${files}\n</ul>` : ''}
<h2>HTML part</h2>
${
  hasHtml
    ? `<iframe class="mail-html" src="/m/${mail.id}/body.html" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" title="HTML part of the message"></iframe>
<p class="muted">Shown sandboxed: no scripts, no remote content; links open in a new tab.</p>`
    : '<p class="muted">This message has no HTML part.</p>'
}
<h2>Text part</h2>
${parsed.text ? `<pre class="mail-text">${textWithLinks(parsed.text)}</pre>` : '<p class="muted">This message has no text part.</p>'}`;
  return page(subject, body);
}

function attachmentLabel(a: ParsedMail['attachments'][number], i: number): string {
  if (a.filename) return a.filename;
  // nodemailer's icalEvent: a text/calendar alternative without a name, for clients that show an event card.
  return a.contentType === 'text/calendar' ? 'calendar entry (text/calendar part)' : `attachment ${i + 1}`;
}

function rawMethod(headers: Map<string, unknown>): string {
  const type = headers.get('content-type') as { params?: Record<string, string> } | undefined;
  const method = type?.params?.method;
  return method ? `; method=${escapeHtml(method)}` : '';
}

export function renderNotFound(): string {
  return page('Not found', '<p class="back"><a href="/">← All messages</a></p>\n<h1>Not found</h1>\n<p>That message is not (or no longer) in the demo inbox.</p>');
}

/**
 * The mail's own HTML for the sandboxed frame, with `<base target="_blank">` so its links open in a tab of their
 * own (a sandboxed frame may not navigate the inbox). The document is otherwise as it arrived.
 */
export function sandboxedHtml(html: string): string {
  const base = '<base target="_blank">';
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return `${html.slice(0, head.index + head[0].length)}${base}${html.slice(head.index + head[0].length)}`;
  return `${base}${html}`;
}

/** Reloads the list when a new message has arrived (the only script; the pages work without it). */
export const INBOX_JS = `'use strict';
const latest = document.body.dataset.latest;
const timer = setInterval(async () => {
  try {
    const response = await fetch('/latest', { cache: 'no-store' });
    if (response.ok && (await response.text()) !== latest) {
      clearInterval(timer);
      location.reload();
    }
  } catch {
    // The demo has stopped, or is restarting: keep the page as it is.
  }
}, 2000);
`;

export const INBOX_CSS = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #595959; --line: #d9d9d9; --accent: #1a5fb4; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.top { display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; padding: 12px 24px; background: #fff; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 17px; text-decoration: none; color: var(--fg); }
.tag { color: var(--muted); font-size: 13px; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; line-height: 1.3; margin: 8px 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.count { display: inline-block; min-width: 28px; padding: 0 8px; border-radius: 14px; background: var(--accent); color: #fff; font-size: 14px; text-align: center; vertical-align: middle; }
.muted { color: var(--muted); }
.empty { padding: 32px; background: #fff; border: 1px dashed var(--line); border-radius: 6px; text-align: center; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
th, td { padding: 8px 12px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
thead th { font-size: 13px; color: var(--muted); font-weight: 600; background: #fafafa; }
.list tbody tr:hover { background: #f0f5fc; }
.list .when { white-space: nowrap; color: var(--muted); font-variant-numeric: tabular-nums; }
.list .subject a { font-weight: 600; text-decoration: none; }
.list .subject a:hover { text-decoration: underline; }
.list .language { white-space: nowrap; }
.list .to { white-space: nowrap; }
.list .to .addr { display: block; color: var(--muted); font-size: 13px; }
@media (max-width: 640px) {
  main { padding: 12px 12px 32px; }
  .list thead { display: none; }
  .list, .list tbody, .list tr, .list td { display: block; width: 100%; }
  .list tr { display: flex; flex-direction: column; padding: 8px 0; border-bottom: 1px solid var(--line); }
  .list td, .list .to { padding: 2px 12px; border: 0; white-space: normal; overflow-wrap: anywhere; }
  .list .subject { order: -1; }
  .headers th { width: auto; }
}
.kind { display: inline-block; margin-left: 4px; padding: 0 6px; border: 1px solid var(--line); border-radius: 4px; font-size: 12px; color: var(--muted); background: #fafafa; }
.kind.cal { border-color: #b6cbe8; color: #174f96; background: #eef4fc; }
.lang { font-weight: 600; }
.headers th { width: 190px; white-space: nowrap; font-weight: 600; color: var(--muted); }
.files { padding-left: 20px; }
.mail-html { display: block; width: 100%; height: 80vh; min-height: 420px; border: 1px solid var(--line); border-radius: 6px; background: #fff; resize: vertical; }
.mail-text { margin: 0; padding: 16px; background: #fff; border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.back { margin: 0 0 4px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;
