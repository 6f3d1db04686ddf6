import type { Translate } from '../../../i18n/i18n.js';
import { formatDateTime, languageName } from '../../../i18n/format.js';
import { localeFor, SUPPORTED_LANGUAGES, type Language } from '../../../i18n/languages.js';
import type { RegistrationEvent } from '../../../services/registration-service.js';
import { escapeHtml, renderDocument, safeHref } from '../../participant/views/participant-page.js';
import type { FormField, FormValues } from '../registration-form.js';

export interface RegistrationPageModel {
  language: Language;
  t: Translate;
  event: RegistrationEvent;
  /** Site-relative: forms post to our own origin (CSP form-action 'self'). */
  action: string;
  values?: FormValues;
  errors?: ReadonlyArray<{ field: FormField; message: string }>;
}

/** The sentence the checkbox agrees to; recorded word for word (with a version) when the person registers. */
export function consentText(t: Translate, event: Pick<RegistrationEvent, 'title'>): string {
  return t('registration.consent', { event: event.title });
}

/** "5–8 February 2024", "5.–8. Februar 2024": the event's dates as one range in the reader's language. */
export function formatDateRange(first: string, last: string, language: Language): string {
  const format = new Intl.DateTimeFormat(localeFor(language), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const [a, b] = [new Date(`${first}T12:00:00Z`), new Date(`${last}T12:00:00Z`)];
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return first;
  return first === last ? format.format(a) : format.formatRange(a, b);
}

/** The header every registration page shares: the event, the page's own heading, its dates. */
export function eventHeader(t: Translate, event: RegistrationEvent, heading: string, language: Language): string {
  return `<header class="page-header">
<p class="event-title">${escapeHtml(event.title)}</p>
<h1>${escapeHtml(heading)}</h1>
<p class="event-dates">${escapeHtml(t('registration.dates', { dates: formatDateRange(event.firstDate, event.lastDate, language) }))}</p>
</header>`;
}

/** "Français", "Español": each language in its own name, capitalised as a list item or option starts. */
function ownName(code: Language): string {
  const name = languageName(code, code);
  return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
}

function languageNav(model: RegistrationPageModel): string {
  const items = SUPPORTED_LANGUAGES.map((code) => {
    const name = escapeHtml(ownName(code));
    return code === model.language
      ? `<li><span aria-current="true" lang="${code}">${name}</span></li>`
      : `<li><a href="${safeHref(`${model.action}?lang=${code}`)}" lang="${code}" hreflang="${code}">${name}</a></li>`;
  }).join('');
  return `<nav aria-label="${escapeHtml(model.t('registration.fieldLanguage'))}"><ul class="language-nav">${items}</ul></nav>`;
}

function errorSummary(model: RegistrationPageModel): string {
  if (!model.errors?.length) return '';
  const items = model.errors.map((e) => `<li><a href="#${e.field}">${escapeHtml(e.message)}</a></li>`).join('');
  return `<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">${escapeHtml(model.t('registration.errorSummary'))}</h2>
<ul>${items}</ul>
</div>`;
}

interface FieldSpec {
  field: 'name' | 'email' | 'organisation';
  label: string;
  type: 'text' | 'email';
  autocomplete: string;
  maxLength: number;
  required: boolean;
  hint?: string;
}

function textField(model: RegistrationPageModel, spec: FieldSpec): string {
  const { t } = model;
  const error = model.errors?.find((e) => e.field === spec.field);
  const described = [spec.hint ? `${spec.field}-hint` : '', error ? `${spec.field}-error` : ''].filter(Boolean).join(' ');
  const marker = spec.required ? ` <span class="field-required">(${escapeHtml(t('registration.required'))})</span>` : ` <span class="field-optional">(${escapeHtml(t('registration.optional'))})</span>`;
  return `<div class="field${error ? ' field-invalid' : ''}">
<label for="${spec.field}">${escapeHtml(spec.label)}${marker}</label>
${spec.hint ? `<p class="field-hint" id="${spec.field}-hint">${escapeHtml(spec.hint)}</p>` : ''}
${error ? `<p class="field-error" id="${spec.field}-error">${escapeHtml(error.message)}</p>` : ''}
<input id="${spec.field}" name="${spec.field}" type="${spec.type}" autocomplete="${spec.autocomplete}" maxlength="${spec.maxLength}"${spec.type === 'email' ? ' spellcheck="false" inputmode="email"' : ''}${spec.required ? ' required' : ''}${described ? ` aria-describedby="${described}"` : ''}${error ? ' aria-invalid="true"' : ''} value="${escapeHtml(model.values?.[spec.field] ?? '')}">
</div>`;
}

function languageField(model: RegistrationPageModel): string {
  const chosen = model.values?.language ?? model.language;
  const options = SUPPORTED_LANGUAGES.map((code) => `<option value="${code}" lang="${code}"${code === chosen ? ' selected' : ''}>${escapeHtml(ownName(code))}</option>`).join('');
  return `<div class="field">
<label for="language">${escapeHtml(model.t('registration.fieldLanguage'))}</label>
<select id="language" name="language">${options}</select>
</div>`;
}

function consentField(model: RegistrationPageModel): string {
  const { t, event } = model;
  const error = model.errors?.find((e) => e.field === 'consent');
  const privacy = event.privacyUrl ? `<p class="field-hint"><a href="${safeHref(event.privacyUrl)}">${escapeHtml(t('registration.privacyLink'))}</a></p>` : '';
  return `<fieldset class="field consent${error ? ' field-invalid' : ''}">
<legend>${escapeHtml(t('registration.consentLegend'))} <span class="field-required">(${escapeHtml(t('registration.required'))})</span></legend>
${error ? `<p class="field-error" id="consent-error">${escapeHtml(error.message)}</p>` : ''}
<div class="checkbox">
<input type="checkbox" id="consent" name="consent" value="yes" required${model.values?.consent ? ' checked' : ''}${error ? ' aria-invalid="true" aria-describedby="consent-error"' : ''}>
<label for="consent">${escapeHtml(consentText(t, event))}</label>
</div>
${privacy}
</fieldset>`;
}

function advice(t: Translate): string {
  const items = ['advice.browsers', 'advice.connection', 'advice.headset', 'advice.quiet', 'advice.firewall'] as const;
  return `<section class="advice" aria-labelledby="advice-academy">
<h2 id="advice-academy">${escapeHtml(t('advice.heading'))}</h2>
<div class="warning" role="alert" data-opera-warning hidden><p><strong>${escapeHtml(t('advice.opera'))}</strong></p></div>
<ul>${items.map((key) => `<li>${escapeHtml(t(key))}${key === 'advice.browsers' ? ` <strong>${escapeHtml(t('advice.opera'))}</strong>` : ''}</li>`).join('')}</ul>
</section>`;
}

/** The public form: works without JavaScript and without the browser's own validation (errors come back named). */
export function renderRegistrationPage(model: RegistrationPageModel): string {
  const { t, event, language } = model;
  const closes = event.closesAt ? `<p class="closes-at">${escapeHtml(t('registration.closesAt', { when: formatDateTime(event.closesAt, event.timezone, language), zone: event.timezone }))}</p>` : '';
  const body = `${eventHeader(t, event, t('registration.heading'), language)}
${languageNav(model)}
<main id="register">
${errorSummary(model)}
<p>${escapeHtml(t('registration.intro'))}</p>
${closes}
<form method="post" action="${safeHref(model.action)}" novalidate class="registration-form">
${textField(model, { field: 'name', label: t('registration.fieldName'), type: 'text', autocomplete: 'name', maxLength: 128, required: true })}
${textField(model, { field: 'email', label: t('registration.fieldEmail'), type: 'email', autocomplete: 'email', maxLength: 128, required: true, hint: t('registration.fieldEmailHint') })}
${textField(model, { field: 'organisation', label: t('registration.fieldOrganisation'), type: 'text', autocomplete: 'organization', maxLength: 200, required: false })}
${languageField(model)}
${consentField(model)}
<div class="trap" aria-hidden="true"><label for="website">${escapeHtml(t('registration.honeypot'))}</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>
<button type="submit" class="join">${escapeHtml(t('registration.submit'))}</button>
</form>
${event.hasAcademy ? advice(t) : ''}
</main>`;
  const title = t('registration.documentTitle', { event: event.title });
  // Screen readers announce the title first: a form that came back with errors says so there too.
  return renderDocument({ title: model.errors?.length ? `${t('registration.errorSummary')} ${title}` : title, lang: language, body });
}
