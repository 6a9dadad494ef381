/**
 * JSON Schema's `minLength` and `maxLength` count characters (code points). AJV's own keywords count
 * them for every string they check, one UTF-16 unit at a time — for `minLength: 1` on a text block
 * that is a walk over the whole text, on every request: about 15 µs per request for the bench
 * body's 4 KB of text, and linear in a conversation's text (a Claude Code request carries hundreds
 * of KB). These two keywords give the same answers and the same errors, and count only when the
 * string's length in UTF-16 units leaves the answer open: a string has at least half as many code
 * points as UTF-16 units (a surrogate pair is two units), and never more.
 */
import { _, str, type Ajv2020, type CodeKeywordDefinition, type KeywordCxt } from 'ajv/dist/2020.js';

/** Code points in `text`, a lone surrogate counting as one (as AJV's ucs2length counts them). */
export function codePointCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    count++;
  }
  return count;
}

const stringLengthKeywords: CodeKeywordDefinition = {
  keyword: ['maxLength', 'minLength'],
  type: 'string',
  schemaType: 'number',
  // Word for word AJV's errors: clients see these messages in their 400 answers.
  error: {
    message: ({ keyword, schemaCode }) => str`must NOT have ${keyword === 'maxLength' ? 'more' : 'fewer'} than ${schemaCode} characters`,
    params: ({ schemaCode }) => _`{limit: ${schemaCode}}`,
  },
  code(cxt: KeywordCxt) {
    const { keyword, data, schemaCode, gen } = cxt;
    const count = gen.scopeValue('func', { ref: codePointCount });
    if (keyword === 'maxLength') {
      // At most as many characters as units: only a longer string needs counting.
      cxt.fail(_`${data}.length > ${schemaCode} && ${count}(${data}) > ${schemaCode}`);
    } else {
      // At least half as many characters as units: only a string shorter than twice the limit needs counting.
      cxt.fail(_`${data}.length < ${schemaCode} || (${data}.length < 2 * ${schemaCode} && ${count}(${data}) < ${schemaCode})`);
    }
  },
};

/** Replaces AJV's `minLength` and `maxLength` in `ajv` (before any schema is compiled). */
export function useBoundedStringLengths(ajv: Ajv2020): void {
  ajv.removeKeyword('maxLength');
  ajv.removeKeyword('minLength');
  ajv.addKeyword(stringLengthKeywords);
}
