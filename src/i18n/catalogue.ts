import type { en } from './catalogue-en.js';

type Strings<T> = { readonly [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };

/** The shape of every language: the English keys with any string; a missing or extra key is a type error. */
export type Catalogue = Strings<typeof en>;

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

type PluralBase<K extends string> = K extends `${infer B}_${'zero' | 'one' | 'two' | 'few' | 'many' | 'other'}` ? B : K;

/** A key as passed to `t`: dotted, with plural forms named by their base (i18next picks `_one`/`_other` by `count`). */
export type MessageKey = PluralBase<Leaves<Catalogue>>;
