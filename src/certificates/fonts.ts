import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Names come in any script. Noto Sans (@embedpdf/fonts-latin) covers Latin, Greek (with the polytonic accents
 * of Ἀλέξανδρος) and Cyrillic; Noto Sans Hans (@embedpdf/fonts-sc, the GB2312 subset of Noto Sans CJK SC) covers
 * Chinese characters and Japanese kana. Hangul and scripts beyond these are not covered yet.
 */
export type FontFace = 'latin' | 'latin-bold' | 'cjk' | 'cjk-bold';

const FILES: Record<FontFace, { pkg: string; file: string }> = {
  latin: { pkg: '@embedpdf/fonts-latin', file: 'NotoSans-Regular.ttf' },
  'latin-bold': { pkg: '@embedpdf/fonts-latin', file: 'NotoSans-Bold.ttf' },
  cjk: { pkg: '@embedpdf/fonts-sc', file: 'NotoSansHans-Regular.otf' },
  'cjk-bold': { pkg: '@embedpdf/fonts-sc', file: 'NotoSansHans-Bold.otf' },
};

let loaded: Map<FontFace, Buffer> | undefined;

/** Read once per process (about 18 MB): every certificate embeds subsets of the same four files. */
export function fontFiles(): ReadonlyMap<FontFace, Buffer> {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = new Map(
      (Object.keys(FILES) as FontFace[]).map((face) => {
        const { pkg, file } = FILES[face];
        // The packages export only their index; the fonts sit beside its dist/ folder.
        return [face, readFileSync(join(dirname(require.resolve(pkg)), '..', 'fonts', file))];
      }),
    );
  }
  return loaded;
}

/** Han, kana, CJK punctuation and full-width forms: the code points the CJK face draws. */
export function isCjk(codePoint: number): boolean {
  return (
    (codePoint >= 0x2e80 && codePoint <= 0x2fdf) || // radicals
    (codePoint >= 0x3000 && codePoint <= 0x30ff) || // CJK punctuation, hiragana, katakana
    (codePoint >= 0x3100 && codePoint <= 0x31ff) || // bopomofo, katakana extensions
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) || // extension A
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) || // unified ideographs
    (codePoint >= 0xf900 && codePoint <= 0xfaff) || // compatibility ideographs
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) || // compatibility forms
    (codePoint >= 0xff00 && codePoint <= 0xffef) || // half- and full-width forms
    (codePoint >= 0x20000 && codePoint <= 0x3134f) // extensions B–G
  );
}

export interface TextRun {
  text: string;
  cjk: boolean;
}

/** Splits a text into runs for one face each; spaces and marks stay with the run they are in. */
export function fontRuns(text: string): TextRun[] {
  const runs: TextRun[] = [];
  for (const char of text) {
    const cjk = isCjk(char.codePointAt(0) ?? 0);
    const last = runs[runs.length - 1];
    const neutral = /^[\s\p{M}]$/u.test(char);
    if (last && (last.cjk === cjk || neutral)) last.text += char;
    else runs.push({ text: char, cjk });
  }
  return runs;
}
