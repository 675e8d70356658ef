/**
 * How iso3166-data.ts writes the ISO 3166 codes: scripts/gen-iso3166.ts encodes, `decodeIso3166` reads.
 *
 * One entry per country, space-separated: its alpha-2 code, then its subdivision codes (the part after `CC-`) in
 * groups of one shape. A group is a SHAPES character (a width from 1 to 3 and an alphabet: letters, digits, or
 * both) followed by one gap per code. A code is a number in its alphabet (`0A` in digits and letters is 10) and its
 * gap is how many numbers it skips after the group's previous code (the first counts from -1), written in
 * GAP_DIGITS: the last digit one of the first TERMINAL_DIGITS, any before it one of the rest. Sorted codes skip
 * little, so most codes take one character: 7 KB of text that compresses to 4, where the codes as words took
 * 14 KB and 7.4 (docs/performance.md, the Worker's size).
 */

/** Group markers: the index is `alphabet * 3 + width - 1`. */
export const SHAPES = "!#$%&()*+";
export const ALPHABETS: readonly string[] = [
  "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  "0123456789",
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
];
/** Printable ASCII but for space, `"`, `\`, `'` and SHAPES. */
export const GAP_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz,-./:;<=>?@[]^_`{|}~";
export const TERMINAL_DIGITS = 40;

/** Country code → its subdivision codes (without `CC-`), from the encoded text. */
export function decodeIso3166(text: string): Map<string, string[]> {
  const leading = GAP_DIGITS.length - TERMINAL_DIGITS;
  const countries = new Map<string, string[]>();
  for (const entry of text.split(" ")) {
    const codes: string[] = [];
    let alphabet = "";
    let width = 0;
    let previous = -1;
    let high = 0;
    for (const c of entry.slice(2)) {
      const shape = SHAPES.indexOf(c);
      if (shape >= 0) {
        [alphabet, width, previous] = [ALPHABETS[Math.floor(shape / 3)]!, (shape % 3) + 1, -1];
        continue;
      }
      const digit = GAP_DIGITS.indexOf(c);
      if (digit >= TERMINAL_DIGITS) {
        high = high * leading + digit - TERMINAL_DIGITS + 1;
        continue;
      }
      previous += high * TERMINAL_DIGITS + digit + 1;
      high = 0;
      let code = "";
      for (let n = previous, i = 0; i < width; i++, n = Math.floor(n / alphabet.length))
        code = alphabet[n % alphabet.length] + code;
      codes.push(code);
    }
    countries.set(entry.slice(0, 2), codes);
  }
  return countries;
}
