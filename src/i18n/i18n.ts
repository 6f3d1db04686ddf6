import i18next, { type i18n as I18nInstance } from 'i18next';
import type { Catalogue, MessageKey } from './catalogue.js';
import { de } from './catalogue-de.js';
import { en } from './catalogue-en.js';
import { es } from './catalogue-es.js';
import { fr } from './catalogue-fr.js';
import { FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES, type Language } from './languages.js';

export const CATALOGUES: Readonly<Record<Language, Catalogue>> = Object.freeze({ en, de, fr, es });

export type TranslateValues = Record<string, string | number>;
/** `count` picks the plural form (`_one`/`_other`) by the language's rules, as i18next does. */
export type Translate = (key: MessageKey, values?: TranslateValues) => string;

export interface Translations {
  /** A translator fixed to one language: what a template or a page renderer is handed. */
  translator(language: Language): Translate;
}

/**
 * One i18next instance per call (createInstance), so each process (and each test) owns its own: nothing global
 * can be switched to another language under a concurrent render. Resources are in memory and initialised
 * synchronously, so the instance is usable as soon as this returns.
 */
export function createTranslations(): Translations {
  const instance: I18nInstance = i18next.createInstance();
  void instance.init({
    resources: Object.fromEntries(SUPPORTED_LANGUAGES.map((lng) => [lng, { translation: CATALOGUES[lng] }])),
    lng: FALLBACK_LANGUAGE,
    fallbackLng: FALLBACK_LANGUAGE,
    supportedLngs: [...SUPPORTED_LANGUAGES],
    initAsync: false,
    interpolation: {
      // Every caller escapes for where the text lands (HTML, a header, plain text); escaping here would write
      // "&amp;" into the plain-text part and a subject line.
      escapeValue: false,
      // A participant's name or a session title containing "{{…}}" or "$t(…)" stays text.
      skipOnVariables: true,
    },
    returnNull: false,
    returnEmptyString: false,
  });
  const fixed = new Map<Language, Translate>();
  return {
    translator(language) {
      let t = fixed.get(language);
      if (!t) {
        const bound = instance.getFixedT(language);
        t = (key, values) => String((bound as (k: string, v?: TranslateValues) => unknown)(key, values));
        fixed.set(language, t);
      }
      return t;
    },
  };
}
