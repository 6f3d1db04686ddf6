import { describe, expect, it } from 'vitest';
import { CATALOGUES, createTranslations } from '../../src/i18n/i18n.js';
import { SUPPORTED_LANGUAGES, pickLanguage } from '../../src/i18n/languages.js';

function leaves(value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('catalogues', () => {
  const english = new Map(leaves(CATALOGUES.en));

  it.each(SUPPORTED_LANGUAGES.filter((l) => l !== 'en'))('%s has every key, translated, with the same placeholders', (language) => {
    const entries = leaves(CATALOGUES[language]);
    expect(entries.map(([k]) => k).sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of entries) {
      expect(text.trim(), key).not.toBe('');
      expect(placeholders(text), key).toEqual(placeholders(english.get(key) ?? ''));
    }
    // Translated, not copied: only proper names and formats may read the same as in English.
    const same = entries.filter(([key, text]) => text === english.get(key)).map(([key]) => key);
    expect(same.filter((k) => !['mail.update.when', 'calendar.locationAcademy'].includes(k))).toEqual([]);
  });

  it('carries no markup: pages and mails add it around placeholders', () => {
    for (const language of SUPPORTED_LANGUAGES) {
      for (const [key, text] of leaves(CATALOGUES[language])) expect(text, `${language}:${key}`).not.toMatch(/[<>]/);
    }
  });

  it('covers the personal page, the join-flow messages and the browser advice', () => {
    const t = createTranslations().translator('de');
    expect(t('page.heading')).toBe('Ihr Programm');
    expect(t('message.tooEarlyText', { minutes: 15 })).toBe('Sie können ab 15 Minuten vor Beginn teilnehmen.');
    expect(t('advice.opera')).toContain('Opera');
    expect(t('advice.browsers')).toMatch(/Chrome, Firefox oder Edge/);
  });
});

describe('translations', () => {
  it('interpolate values verbatim: no escaping, no nested interpolation from what people typed', () => {
    const t = createTranslations().translator('en');
    expect(t('mail.greeting', { name: '<b>Ana</b> & {{event}} $t(mail.button)' })).toBe('Dear <b>Ana</b> & {{event}} $t(mail.button),');
  });

  it('pick plural forms by the language, also the French and Spanish "many"', () => {
    const translations = createTranslations();
    expect(translations.translator('en')('mail.certificate.hours', { count: 1, hours: '1' })).toBe('It confirms 1 hour of attendance.');
    expect(translations.translator('fr')('mail.certificate.hours', { count: 1.5, hours: '1,5' })).toBe('Elle atteste 1,5 heure de participation.');
    expect(translations.translator('es')('mail.certificate.hours', { count: 1_000_000, hours: '1 000 000' })).toBe('Certifica 1 000 000 de horas de asistencia.');
  });

  it('are independent per instance and per language: no global language switches under a render', () => {
    const a = createTranslations();
    const b = createTranslations();
    const de = a.translator('de');
    const fr = b.translator('fr');
    expect(de('mail.button')).toBe('Ihre persönliche Seite öffnen');
    expect(fr('mail.button')).toBe('Ouvrir votre page personnelle');
    expect(a.translator('en')('mail.button')).toBe('Open your personal page');
    expect(de('mail.button')).toBe('Ihre persönliche Seite öffnen');
  });
});

describe('pickLanguage', () => {
  it('uses the primary subtag of the participant, then of the event, then English', () => {
    expect(pickLanguage('de-AT', 'fr')).toBe('de');
    expect(pickLanguage('ES', undefined)).toBe('es');
    expect(pickLanguage('fr_CA')).toBe('fr');
    expect(pickLanguage('pt-BR', 'es')).toBe('es');
    expect(pickLanguage(undefined, 'de')).toBe('de');
    expect(pickLanguage('it', 'ru')).toBe('en');
    expect(pickLanguage('', '')).toBe('en');
    expect(pickLanguage()).toBe('en');
  });
});
