import escapeHtml from 'escape-html';
import type { MessageKey } from './catalogue.js';
import type { Translate } from './i18n.js';

/** Markup we built; anything else interpolated into `html` is text and gets escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | readonly SafeHtml[] | undefined | false;

function piece(value: Interpolation): string {
  if (value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: SafeHtml) => v.value).join('\n');
  // escape-html covers & < > " ' so a value is safe in text and in quoted attributes alike.
  return escapeHtml(String(value));
}

/** Tagged template: literal parts are markup, every `${value}` is escaped unless it is already SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += piece(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/**
 * Only http(s) links reach a mail; anything else (javascript:, data:) becomes "#". The URL is re-serialised by
 * the URL parser, so what is escaped is what a client will open.
 */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : '#';
  } catch {
    return '#';
  }
}

// Private-use characters cannot come from a catalogue string, so they mark where a value goes.
const marker = (i: number) => `\ue000${i}\ue001`;

/**
 * A translated sentence whose placeholders are markup (a link, <strong>…</strong>, <bdi>name</bdi>): the
 * sentence is translated around markers, escaped as a whole, and the markers replaced by the given pieces.
 * The values never pass through i18next, so nothing in them is interpolated or left unescaped.
 */
export function translateHtml(t: Translate, key: MessageKey, values: Record<string, Interpolation>, count?: number): SafeHtml {
  const names = Object.keys(values);
  const markers: Record<string, string | number> = Object.fromEntries(names.map((name, i) => [name, marker(i)]));
  if (count !== undefined) markers.count = count;
  let out = escapeHtml(t(key, markers));
  names.forEach((name, i) => {
    out = out.split(marker(i)).join(piece(values[name]));
  });
  return new SafeHtml(out);
}
