import type { Translate, Translations, TranslateValues } from '../../i18n/i18n.js';
import type { Language } from '../../i18n/languages.js';

const DEFAULT_MAX_PER_LANGUAGE = 2_000;

/**
 * i18next's option names: a value under one of these steers the lookup (plural form, context, language) instead
 * of filling a placeholder, so it stays part of what is remembered.
 */
const OPTION_NAMES = new Set([
  'count', 'context', 'ordinal', 'lng', 'lngs', 'ns', 'defaultValue', 'replace', 'interpolation', 'postProcess', 'returnObjects',
  'returnDetails', 'joinArrays', 'keyPrefix', 'fallbackLng', 'skipInterpolation', 'nsSeparator', 'keySeparator',
]);

// Private-use characters (other ones than translateHtml's) mark where a text value goes.
const marker = (i: number) => `\ue002${i}\ue003`;
const MARKERS = /\ue002(\d+)\ue003/g;

/** A translated sentence as text around the positions of its text values; or the sentence itself. */
type Remembered = string | { parts: readonly string[]; slots: readonly number[] };

function cut(text: string): Remembered {
  const parts: string[] = [];
  const slots: number[] = [];
  let from = 0;
  for (const match of text.matchAll(MARKERS)) {
    parts.push(text.slice(from, match.index));
    slots.push(Number(match[1]));
    from = match.index + match[0].length;
  }
  if (slots.length === 0) return text;
  parts.push(text.slice(from));
  return { parts, slots };
}

function fill(remembered: Remembered, texts: readonly string[]): string {
  if (typeof remembered === 'string') return remembered;
  let out = remembered.parts[0]!;
  for (let i = 0; i < remembered.slots.length; i++) out += texts[remembered.slots[i]!]! + remembered.parts[i + 1]!;
  return out;
}

/**
 * Translations that remember their answers. A mail asks i18next for some twenty sentences (several microseconds
 * each), nearly all the same for every participant of an event. The answer depends only on the language, the key
 * and the values (the catalogues are constants). Text values (a name, a title) are only put into placeholders
 * (the catalogues have no formatters or nesting; i18n.ts turns escaping off and leaves "{{…}}" inside values
 * alone), so a sentence is remembered with markers for them and the values are put where the markers came out;
 * that is checked once per sentence against i18next with other values, and a sentence that fails the check is
 * always asked of i18next. The bound drops a language's memory whole when it fills up.
 */
export function rememberedTranslations(translations: Translations, max = DEFAULT_MAX_PER_LANGUAGE): Translations {
  const translators = new Map<Language, Translate>();
  return {
    translator(language) {
      let remembering = translators.get(language);
      if (remembering) return remembering;
      const t = translations.translator(language);
      const known = new Map<string, Remembered | null>();
      remembering = (key, values) => {
        if (values === undefined) {
          let text = known.get(key);
          if (typeof text !== 'string') {
            text = t(key);
            if (known.size >= max) known.clear();
            known.set(key, text);
          }
          return text;
        }
        const texts: string[] = [];
        const names: string[] = [];
        const shape: TranslateValues = {};
        for (const name of Object.keys(values)) {
          const value = values[name]!;
          if (typeof value === 'string' && !OPTION_NAMES.has(name)) {
            shape[name] = marker(texts.length);
            texts.push(value);
            names.push(name);
          } else {
            shape[name] = value;
          }
        }
        // JSON keeps 1 and "1" apart (plural forms follow a numeric count only).
        const id = `${key}\u0000${JSON.stringify(shape)}`;
        let remembered = known.get(id);
        if (remembered === undefined) {
          remembered = cut(t(key, shape));
          // Values that would be changed on the way in (escaped, formatted, interpolated) fail this.
          const probes = names.map((_, i) => `Probe ${i}, «ä» <b>&amp;</b> {{x}} $t(y)`);
          const probed: TranslateValues = { ...shape };
          names.forEach((name, i) => (probed[name] = probes[i]!));
          if (fill(remembered, probes) !== t(key, probed)) remembered = null;
          if (known.size >= max) known.clear();
          known.set(id, remembered);
        }
        return remembered === null ? t(key, values) : fill(remembered, texts);
      };
      translators.set(language, remembering);
      return remembering;
    },
  };
}
