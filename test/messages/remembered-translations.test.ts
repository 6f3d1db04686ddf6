import { describe, expect, it } from 'vitest';
import { sessionChanges } from '../../src/domain/messages.js';
import { programmeSchema } from '../../src/domain/programme.js';
import { scheduleProgramme } from '../../src/domain/schedule.js';
import type { MessageKey } from '../../src/i18n/catalogue.js';
import { CATALOGUES, createTranslations, type Translate, type TranslateValues } from '../../src/i18n/i18n.js';
import { SUPPORTED_LANGUAGES, type Language } from '../../src/i18n/languages.js';
import { translateHtml } from '../../src/i18n/html.js';
import { mailDays, type MailModel } from '../../src/messages/templates/mail-model.js';
import { renderMail } from '../../src/messages/templates/render-mail.js';
import { rememberedTranslations } from '../../src/messages/templates/remembered-translations.js';
import { exampleProgramme } from '../helpers/programme-fixtures.js';

const translations = createTranslations();

/** Every key of a catalogue with its text (plural forms under their base key). */
function entries(node: object, prefix = ''): Array<[string, string]> {
  return Object.entries(node).flatMap(([name, value]): Array<[string, string]> =>
    typeof value === 'string' ? [[`${prefix}${name.replace(/_(one|other|zero|two|few|many)$/, '')}`, value]] : entries(value as object, `${prefix}${name}.`),
  );
}

const NAMES = ['Ana', 'Zoë “Z” O’Brien, Jr.; <b>&amp;</b>', '{{event}} $t(mail.button)', '\ue0020\ue003', '', 'שלום 😀'];

describe('remembered translations', () => {
  it('answer every key of every catalogue as i18next does, with the same and with other values', () => {
    for (const language of SUPPORTED_LANGUAGES) {
      const plain = translations.translator(language);
      const remembered = rememberedTranslations(translations).translator(language);
      for (const [key, text] of entries(CATALOGUES[language])) {
        const placeholders = [...new Set([...text.matchAll(/{{(\w+)}}/g)].map((m) => m[1]!))];
        for (const [round, name] of NAMES.entries()) {
          const values: TranslateValues = Object.fromEntries(placeholders.map((p, i) => [p, i % 2 === 0 ? `${name}${p}` : name]));
          // Plural keys are asked with a count; some placeholders hold numbers.
          const extras: TranslateValues[] = [{}, { count: round }, { count: 1 }, { hours: 2.5, count: 2 }];
          for (const extra of extras) {
            const asked = { ...values, ...extra };
            expect(remembered(key as MessageKey, asked), `${language} ${key}`).toBe(plain(key as MessageKey, asked));
          }
        }
        if (placeholders.length === 0) expect(remembered(key as MessageKey)).toBe(plain(key as MessageKey));
      }
    }
  });

  it('keeps translateHtml exact (its markers pass through as values)', () => {
    const plain = translations.translator('fr');
    const remembered = rememberedTranslations(translations).translator('fr');
    for (const name of NAMES) {
      expect(translateHtml(remembered, 'mail.greeting', { name }).value).toBe(translateHtml(plain, 'mail.greeting', { name }).value);
    }
  });

  it('asks i18next again for a sentence whose values it does not pass through as they are', () => {
    const plain = translations.translator('en');
    let calls = 0;
    const shouting: Translate = (key, values) => {
      calls += 1;
      return plain(key, values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v.toUpperCase() : v]))).toString();
    };
    const remembered = rememberedTranslations({ translator: () => shouting }).translator('en');
    expect(remembered('mail.greeting', { name: 'Ana' })).toBe('Dear ANA,');
    expect(remembered('mail.greeting', { name: 'Bea' })).toBe('Dear BEA,');
    calls = 0;
    remembered('mail.greeting', { name: 'Cy' });
    expect(calls).toBe(1);
  });

  it('remembers: one question to i18next per sentence shape, whoever the values are for', () => {
    const plain = translations.translator('de');
    let calls = 0;
    const counting: Translate = (key, values) => {
      calls += 1;
      return plain(key, values);
    };
    const remembered = rememberedTranslations({ translator: () => counting }).translator('de');
    for (let i = 0; i < 100; i++) {
      remembered('mail.greeting', { name: `Person ${i}` });
      remembered('mail.personal');
    }
    // The greeting's shape, its check, and the sentence without values.
    expect(calls).toBe(3);
  });

  it('renders every kind of mail exactly as the plain translations do', () => {
    const programme = programmeSchema.parse(exampleProgramme());
    const schedule = scheduleProgramme(programme);
    const remembered = rememberedTranslations(translations, 5);
    const PAGE = 'https://academy.example.org/p/tok-123';
    const models = (language: Language, name: string): MailModel[] => {
      const base = { language, event: { title: programme.title, timezone: programme.timezone, joinOpensMinutesBefore: programme.joinOpensMinutesBefore }, participant: { name, role: 'moderator' as const }, links: { page: PAGE } };
      return [
        { ...base, kind: 'invitation', days: mailDays(schedule, schedule.sessions) },
        { ...base, kind: 'reminder', date: '2024-02-05', minutesBefore: 60, days: mailDays(schedule, schedule.sessions.filter((s) => s.date === '2024-02-05')) },
        { ...base, kind: 'update', changes: sessionChanges(schedule.sessions, schedule.sessions.slice(1), new Date('2024-01-01T00:00:00Z')) },
        { kind: 'confirmation', language, event: { title: programme.title }, participant: { name }, links: { confirm: 'https://academy.example.org/e/x/confirm/abc' } },
        { kind: 'confirmation', step: 'waitlisted', language, event: { title: programme.title }, participant: { name }, position: 3 },
        { ...base, kind: 'certificate', hoursAttended: 1, links: { page: PAGE, certificate: `${PAGE}/certificate.pdf` } },
        { ...base, kind: 'certificate', hoursAttended: 12.5, links: { page: PAGE, certificate: `${PAGE}/certificate.pdf` } },
      ];
    };
    for (const language of SUPPORTED_LANGUAGES) {
      for (const name of NAMES) {
        for (const model of models(language, name)) expect(renderMail(model, remembered), `${language} ${model.kind}`).toEqual(renderMail(model, translations));
      }
    }
  });
});
