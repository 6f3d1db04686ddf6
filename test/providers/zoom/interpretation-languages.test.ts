import { describe, expect, it } from 'vitest';
import {
  interpreterCountryIdsValue,
  interpreterLanguagesValue,
  isSupportedInterpretationLanguage,
  SUPPORTED_INTERPRETATION_LANGUAGES,
  zoomLanguageName,
} from '../../../src/domain/interpretation-languages.js';

describe('interpretation languages', () => {
  it('maps the conference languages to Zoom names and legacy country ids', () => {
    expect(['en', 'de', 'fr', 'es'].map(zoomLanguageName)).toEqual(['English', 'German', 'French', 'Spanish']);
    expect(interpreterLanguagesValue('en', 'de')).toBe('English,German');
    expect(interpreterLanguagesValue('en', 'fr')).toBe('English,French');
    expect(interpreterLanguagesValue('en', 'es')).toBe('English,Spanish');
    expect(interpreterCountryIdsValue('en', 'de')).toBe('US,DE');
    expect(interpreterCountryIdsValue('ko', 'zh')).toBe('KR,CN');
  });

  it('knows exactly the nine Zoom system languages', () => {
    expect([...SUPPORTED_INTERPRETATION_LANGUAGES].sort()).toEqual(['de', 'en', 'es', 'fr', 'ja', 'ko', 'pt', 'ru', 'zh']);
    expect(isSupportedInterpretationLanguage('de')).toBe(true);
    expect(isSupportedInterpretationLanguage('it')).toBe(false);
    expect(isSupportedInterpretationLanguage('toString')).toBe(false);
    expect(() => zoomLanguageName('gb')).toThrow(RangeError);
    expect(() => interpreterLanguagesValue('en', 'en')).toThrow(RangeError);
  });
});
