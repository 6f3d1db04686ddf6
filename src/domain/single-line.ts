// Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) can reorder what follows them on
// screen; C0/C1 controls (CR, LF, tab, NUL …) and the Unicode line separators break headers and lines. Names and
// titles never need them, so they go; right-to-left text itself displays correctly without them.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text from a value people typed: safe in a mail header, a text line or an HTML text node. */
export function singleLine(value: string): string {
  return value.replace(UNSAFE_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
}
