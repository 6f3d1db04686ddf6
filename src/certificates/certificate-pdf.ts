import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { hoursFromMinutes } from '../domain/certificate.js';
import { formatDayDate, formatNumber } from '../i18n/format.js';
import type { Translate } from '../i18n/i18n.js';
import { localeFor, type Language } from '../i18n/languages.js';
import { fontFiles, fontRuns, isCjk, type FontFace } from './fonts.js';

/** Everything a certificate says; the verification page shows the same facts. */
export interface CertificateModel {
  language: Language;
  participantName: string;
  eventTitle: string;
  /** First and last date of the event (YYYY-MM-DD, event zone). */
  firstDate: string;
  lastDate: string;
  timezone: string;
  minutes: number;
  organizer: string | undefined;
  code: string;
  verifyUrl: string;
  issuedAt: string;
}

const A4_LANDSCAPE = { width: 841.89, height: 595.28 };
const MARGIN = 56;
const INK = '#1d2b44';
const ACCENT = '#8a6d1d';

/** "5–8 February 2024", "5.–8. Februar 2024": Intl's own range format in the reader's language. */
export function formatDateRange(first: string, last: string, language: Language): string {
  const at = (date: string) => new Date(`${date}T12:00:00Z`);
  const format = new Intl.DateTimeFormat(localeFor(language), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  return first === last ? format.format(at(first)) : format.formatRange(at(first), at(last));
}

export function certificateTexts(model: CertificateModel, t: Translate) {
  const hours = hoursFromMinutes(model.minutes);
  return {
    heading: t('certificate.heading'),
    certifies: t('certificate.certifies'),
    attended: t('certificate.attended'),
    dates: formatDateRange(model.firstDate, model.lastDate, model.language),
    hours: t('certificate.hours', { hours: formatNumber(hours, model.language), count: hours }),
    organizer: model.organizer !== undefined ? t('certificate.organizer', { organizer: model.organizer }) : undefined,
    code: t('certificate.code', { code: model.code }),
    verify: t('certificate.verifyAt', { url: model.verifyUrl }),
    issued: t('certificate.issued', { date: formatDayDate(model.issuedAt.slice(0, 10), 'UTC', model.language) }),
  };
}

type Doc = InstanceType<typeof PDFDocument>;

function face(cjk: boolean, bold: boolean): FontFace {
  return cjk ? (bold ? 'cjk-bold' : 'cjk') : bold ? 'latin-bold' : 'latin';
}

function width(doc: Doc, text: string, size: number, bold: boolean): number {
  let total = 0;
  for (const run of fontRuns(text)) total += doc.font(face(run.cjk, bold)).fontSize(size).widthOfString(run.text);
  return total;
}

/** Words, and every CJK character on its own (CJK text breaks between characters, not at spaces). */
function tokens(text: string): string[] {
  const out: string[] = [];
  let word = '';
  for (const char of text.trim()) {
    if (/\s/.test(char) || isCjk(char.codePointAt(0) ?? 0)) {
      if (word) out.push(word);
      word = '';
      if (!/\s/.test(char)) out.push(char);
      else out.push(' ');
    } else {
      word += char;
    }
  }
  if (word) out.push(word);
  return out.filter((tok, i, all) => tok !== ' ' || (all[i - 1] !== ' ' && i > 0));
}

function wrap(doc: Doc, text: string, size: number, bold: boolean, maxWidth: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const tok of tokens(text)) {
    const candidate = current + tok;
    if (current.trim() !== '' && width(doc, candidate.trimEnd(), size, bold) > maxWidth) {
      lines.push(current.trimEnd());
      current = tok === ' ' ? '' : tok;
    } else {
      current = candidate;
    }
  }
  if (current.trim() !== '') lines.push(current.trimEnd());
  return lines;
}

/**
 * Centred text in as few lines as allowed: the size shrinks until it fits, down to `minSize`, where the rest is
 * cut with an ellipsis rather than run off the page. Returns the y below the block.
 */
function centred(doc: Doc, text: string, y: number, opts: { size: number; minSize?: number; bold?: boolean; maxLines?: number; color?: string }): number {
  const bold = opts.bold ?? false;
  const maxWidth = A4_LANDSCAPE.width - 2 * MARGIN - 40;
  const maxLines = opts.maxLines ?? 1;
  let size = opts.size;
  let lines = wrap(doc, text, size, bold, maxWidth);
  while ((lines.length > maxLines || lines.some((l) => width(doc, l, size, bold) > maxWidth)) && size > (opts.minSize ?? opts.size)) {
    size -= 1;
    lines = wrap(doc, text, size, bold, maxWidth);
  }
  if (lines.length > maxLines) lines = [...lines.slice(0, maxLines - 1), `${lines[maxLines - 1]} …`];
  doc.fillColor(opts.color ?? INK);
  let top = y;
  for (const line of lines) {
    let x = (A4_LANDSCAPE.width - width(doc, line, size, bold)) / 2;
    for (const run of fontRuns(line)) {
      doc.font(face(run.cjk, bold)).fontSize(size).text(run.text, x, top, { lineBreak: false });
      x += doc.widthOfString(run.text);
    }
    top += size * 1.3;
  }
  return top;
}

function drawQr(doc: Doc, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const count = qr.modules.size;
  const cell = size / count;
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (qr.modules.get(row, col)) doc.rect(x + col * cell, y + row * cell, cell + 0.05, cell + 0.05);
    }
  }
  doc.fillColor('#000000').fill();
}

/** The certificate as an A4 landscape PDF with its fonts embedded (subset) and the verification URL as a QR code. */
export async function renderCertificatePdf(model: CertificateModel, t: Translate): Promise<Buffer> {
  const texts = certificateTexts(model, t);
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    lang: model.language,
    displayTitle: true,
    info: { Title: `${texts.heading} – ${model.eventTitle}`, Author: model.organizer ?? model.eventTitle, Subject: model.participantName, CreationDate: new Date(model.issuedAt) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const [name, data] of fontFiles()) doc.registerFont(name, data);

  const { width: w, height: h } = A4_LANDSCAPE;
  doc.lineWidth(2).strokeColor(ACCENT).rect(28, 28, w - 56, h - 56).stroke();
  doc.lineWidth(0.75).rect(36, 36, w - 72, h - 72).stroke();

  let y = 80;
  y = centred(doc, texts.heading, y, { size: 34, bold: true, color: ACCENT }) + 18;
  y = centred(doc, texts.certifies, y, { size: 15 }) + 8;
  y = centred(doc, model.participantName, y, { size: 32, minSize: 16, bold: true, maxLines: 2 }) + 10;
  y = centred(doc, texts.attended, y, { size: 15 }) + 4;
  y = centred(doc, model.eventTitle, y, { size: 22, minSize: 13, bold: true, maxLines: 3 }) + 6;
  y = centred(doc, texts.dates, y, { size: 14 }) + 10;
  y = centred(doc, texts.hours, y, { size: 16, bold: true }) + 6;
  if (texts.organizer) centred(doc, texts.organizer, y, { size: 12, minSize: 9, maxLines: 2 });

  const qrSize = 84;
  const footerY = h - MARGIN - qrSize;
  drawQr(doc, model.verifyUrl, MARGIN + 8, footerY, qrSize);
  const textX = MARGIN + qrSize + 24;
  const footer = [texts.code, texts.verify, texts.issued];
  footer.forEach((line, i) => {
    let x = textX;
    for (const run of fontRuns(line)) {
      doc.fillColor(INK).font(face(run.cjk, i === 0)).fontSize(10).text(run.text, x, footerY + 14 + i * 18, { lineBreak: false });
      x += doc.widthOfString(run.text);
    }
  });
  doc.end();
  return done;
}
