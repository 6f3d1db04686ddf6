import { z } from 'zod';
import type { MessageKey } from '../../i18n/catalogue.js';
import { isSupportedLanguage, pickLanguage, SUPPORTED_LANGUAGES, type Language } from '../../i18n/languages.js';

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** The registration form as posted (application/x-www-form-urlencoded: every value a string). */
export const registrationFormSchema = z.object({
  name: z.string().trim().min(1).max(128),
  email: z.string().trim().pipe(z.email().max(128)),
  organisation: optionalText.pipe(z.string().max(200).optional()),
  language: z.enum(SUPPORTED_LANGUAGES),
  consent: z.literal('yes'),
  // The honeypot: hidden from people (and from assistive technology), filled in by form-filling bots.
  website: z.string().max(500).optional(),
});
export type RegistrationForm = z.infer<typeof registrationFormSchema>;

export type FormField = 'name' | 'email' | 'organisation' | 'language' | 'consent';
export const FORM_FIELDS: readonly FormField[] = ['name', 'email', 'organisation', 'language', 'consent'];

const ERROR_KEYS: Record<FormField, MessageKey> = {
  name: 'registration.errorName',
  email: 'registration.errorEmail',
  organisation: 'registration.errorOrganisation',
  language: 'registration.errorLanguage',
  consent: 'registration.errorConsent',
};

/** What the person typed, to put back into the form when it comes back with errors. */
export interface FormValues {
  name: string;
  email: string;
  organisation: string;
  language: Language;
  consent: boolean;
}

export type ParsedForm = { ok: true; form: RegistrationForm } | { ok: false; values: FormValues; errors: Array<{ field: FormField; key: MessageKey }> };

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export function parseRegistrationForm(body: unknown, fallbackLanguage: Language): ParsedForm {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const result = registrationFormSchema.safeParse(raw);
  if (result.success) return { ok: true, form: result.data };
  const language = text(raw.language);
  const values: FormValues = {
    name: text(raw.name),
    email: text(raw.email),
    organisation: text(raw.organisation),
    language: isSupportedLanguage(language) ? language : pickLanguage(undefined, fallbackLanguage),
    consent: raw.consent === 'yes',
  };
  const wrong = new Set(result.error.issues.map((i) => String(i.path[0] ?? '')));
  // In the order of the form, so the summary reads top to bottom like the page.
  const errors = FORM_FIELDS.filter((f) => wrong.has(f)).map((field) => ({ field, key: ERROR_KEYS[field] }));
  return { ok: false, values, errors };
}

