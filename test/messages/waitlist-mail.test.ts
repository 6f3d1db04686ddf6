import { describe, expect, it } from 'vitest';
import { createTranslations } from '../../src/i18n/i18n.js';
import { SUPPORTED_LANGUAGES } from '../../src/i18n/languages.js';
import { renderMail } from '../../src/messages/templates/render-mail.js';

const translations = createTranslations();

describe('the waitlist notice', () => {
  it.each(SUPPORTED_LANGUAGES)('%s: says where they stand, in both parts, and carries no link at all', (language) => {
    const mail = renderMail({ kind: 'confirmation', step: 'waitlisted', language, event: { title: 'HRGL <2024>' }, participant: { name: 'Ana <b>' }, position: 7 }, translations);
    expect(mail.language).toBe(language);
    expect(mail.subject).toContain('HRGL <2024>');
    expect(mail.text).toContain('7');
    expect(mail.html).toContain('7');
    expect(mail.html).toContain('HRGL &lt;2024&gt;');
    expect(mail.html).not.toContain('<b>');
    expect(mail.text).not.toMatch(/https?:/);
    expect(mail.html).not.toMatch(/href=/);
  });
});
