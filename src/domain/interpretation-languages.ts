/**
 * Zoom has no ISO codes for interpretation: it takes system language names ("English,German") in
 * `interpreter_languages` and, in the deprecated `languages`, exactly two legacy country ids ("US,DE").
 * Only these nine are system languages; anything else must be a custom language set up in the web portal.
 * Source: Zoom Meetings OpenAPI, settings.language_interpretation.interpreters[] (see /work/shared/notes/zoom-api.md §2).
 */
const LANGUAGES = {
  en: { name: 'English', countryId: 'US' },
  zh: { name: 'Chinese', countryId: 'CN' },
  ja: { name: 'Japanese', countryId: 'JP' },
  de: { name: 'German', countryId: 'DE' },
  fr: { name: 'French', countryId: 'FR' },
  ru: { name: 'Russian', countryId: 'RU' },
  pt: { name: 'Portuguese', countryId: 'PT' },
  es: { name: 'Spanish', countryId: 'ES' },
  ko: { name: 'Korean', countryId: 'KR' },
} as const satisfies Record<string, { name: string; countryId: string }>;

export type InterpretationLanguageCode = keyof typeof LANGUAGES;
export type ZoomLanguageName = (typeof LANGUAGES)[InterpretationLanguageCode]['name'];

export const SUPPORTED_INTERPRETATION_LANGUAGES: readonly InterpretationLanguageCode[] = Object.freeze([
  'en',
  'zh',
  'ja',
  'de',
  'fr',
  'ru',
  'pt',
  'es',
  'ko',
]);

export const ZOOM_SYSTEM_LANGUAGE_NAMES: readonly ZoomLanguageName[] = Object.freeze(
  SUPPORTED_INTERPRETATION_LANGUAGES.map((code) => LANGUAGES[code].name),
);

export function isSupportedInterpretationLanguage(code: string): code is InterpretationLanguageCode {
  return Object.hasOwn(LANGUAGES, code);
}

function entry(code: string): (typeof LANGUAGES)[InterpretationLanguageCode] {
  if (!isSupportedInterpretationLanguage(code)) {
    throw new RangeError(`"${code}" is not a language Zoom interpretation supports (${SUPPORTED_INTERPRETATION_LANGUAGES.join(', ')})`);
  }
  return LANGUAGES[code];
}

export function zoomLanguageName(code: string): ZoomLanguageName {
  return entry(code).name;
}

export function zoomCountryId(code: string): string {
  return entry(code).countryId;
}

function pair(from: string, to: string): [string, string] {
  if (from === to) throw new RangeError(`an interpreter needs two different languages, got "${from}" twice`);
  return [from, to];
}

/** Order is from,to, as in the spec's own example ("English to Chinese, use US,CN"). */
export function interpreterLanguagesValue(from: string, to: string): string {
  const [a, b] = pair(from, to);
  return `${zoomLanguageName(a)},${zoomLanguageName(b)}`;
}

/** The deprecated `languages` form, for accounts or tools that still read it. */
export function interpreterCountryIdsValue(from: string, to: string): string {
  const [a, b] = pair(from, to);
  return `${zoomCountryId(a)},${zoomCountryId(b)}`;
}
