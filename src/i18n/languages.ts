export const SUPPORTED_LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

export const FALLBACK_LANGUAGE: Language = 'en';

export function isSupportedLanguage(value: string): value is Language {
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(value);
}

/** `de-AT` → `de`; tags are case-insensitive (RFC 5646 §2.1.1) and some clients write `_` for `-`. */
function primarySubtag(tag: string | undefined): string | undefined {
  const primary = tag?.trim().split(/[-_]/, 1)[0]?.toLowerCase();
  return primary === '' ? undefined : primary;
}

/** The participant's language when we speak it, else the event's, else English. */
export function pickLanguage(participantLanguage?: string, eventLanguage?: string): Language {
  for (const tag of [participantLanguage, eventLanguage]) {
    const primary = primarySubtag(tag);
    if (primary !== undefined && isSupportedLanguage(primary)) return primary;
  }
  return FALLBACK_LANGUAGE;
}

/**
 * The locale dates and times are written in. British English for `en`: the events this serves are European and
 * pages and mails write "Monday, 5 February 2024 at 09:00", never "2/5/2024, 9:00 AM".
 */
export function localeFor(language: Language): string {
  return language === 'en' ? 'en-GB' : language;
}

/** The first of our languages the browser asks for (by q-value, then order), if any. */
export function languageFromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { primary: tag.trim().split(/[-_]/, 1)[0]?.toLowerCase() ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.primary).find(isSupportedLanguage);
}
