import type { Language } from '../../i18n/languages.js';
import { html, safeUrl, type SafeHtml } from '../../i18n/html.js';

/** One piece of a mail in both forms, so the text part says everything the HTML part says. */
export interface Block {
  text: string;
  html: SafeHtml;
}

// Inline styles only: many clients drop <style> and every external stylesheet. Arial/Helvetica are on every
// system; colours keep a contrast of at least 4.5:1 (WCAG AA) on white.
const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const TEXT = `${FONT}font-size:16px;line-height:1.5;color:#1a1a1a;`;
const MUTED = `${FONT}font-size:14px;line-height:1.5;color:#555555;`;
const LINK = 'color:#1a5fb4;text-decoration:underline;';
const BUTTON_BG = '#1a5fb4';

export const styles = { FONT, TEXT, MUTED, LINK } as const;

export function paragraph(text: string, htmlContent?: SafeHtml): Block {
  return { text, html: html`<p style="margin:0 0 16px;${TEXT}">${htmlContent ?? text}</p>` };
}

export function note(text: string, htmlContent?: SafeHtml): Block {
  return { text, html: html`<p style="margin:0 0 16px;${MUTED}">${htmlContent ?? text}</p>` };
}

export function heading(text: string): Block {
  return { text: `${text}\n${'='.repeat(Math.min(text.length, 60))}`, html: html`<h2 style="margin:24px 0 8px;${FONT}font-size:19px;line-height:1.3;color:#1a1a1a;">${text}</h2>` };
}

/**
 * A link styled as a button: a table cell carries the background (Outlook ignores padding on <a>), the link
 * itself is padded for the rest. Under it the address as text, for clients that show no styles at all.
 */
export function button(label: string, url: string, fallbackLabel: string): Block {
  const href = safeUrl(url);
  return {
    text: `${label}\n${href}`,
    html: html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px;border-collapse:separate;"><tr><td style="background:${BUTTON_BG};border-radius:4px;"><a href="${href}" style="display:inline-block;padding:12px 24px;${FONT}font-size:16px;font-weight:bold;line-height:1.2;color:#ffffff;text-decoration:none;border-radius:4px;">${label}</a></td></tr></table>
<p style="margin:0 0 16px;${MUTED}">${fallbackLabel}<br><a href="${href}" style="${LINK}word-break:break-all;">${href}</a></p>`,
  };
}

export interface MailShell {
  language: Language;
  subject: string;
  blocks: Block[];
}

/** The whole HTML document: one centred column of at most 600px, readable with images and styles off. */
export function renderHtmlDocument(shell: MailShell): string {
  const body = shell.blocks.map((b) => b.html);
  return html`<!doctype html>
<html lang="${shell.language}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${shell.subject}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f4;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f4f4;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background:#ffffff;border:1px solid #dddddd;"><tr><td style="padding:24px;${TEXT}">
${body}
</td></tr></table>
</td></tr></table>
</body>
</html>
`.value;
}

export function renderTextDocument(shell: MailShell): string {
  return `${shell.blocks.map((b) => b.text).join('\n\n')}\n`;
}
