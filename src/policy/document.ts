/**
 * @module Parses a policy document's JSON text while keeping where each value came from, so that
 * validation can say "line 7, column 12" and give a JSON pointer. A strict RFC 8259 parser (RAM
 * checks documents against RFC 7159 before anything else, see "Policy structure and syntax"),
 * written by hand because `JSON.parse` loses positions and silently keeps the last of duplicate keys.
 * It never throws: malformed input becomes one `InvalidJson` diagnostic.
 */

/** A JSON value as parsed (objects keep insertion order). */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One-based line and column of a character in the source text. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A parsed document: the value plus, for every JSON pointer, where it starts in the text. */
export interface ParsedJson {
  value: JsonValue;
  /**
   * Position of each value by JSON pointer (`''` for the root). For object members the position is
   * that of the member's key, which is where a reader looks for a misspelt or misplaced element.
   */
  positions: Map<string, SourcePosition>;
}

/** A syntax error in the JSON text. */
export interface JsonSyntaxError {
  message: string;
  position: SourcePosition;
}

/** Deepest nesting accepted; real policies are five levels deep. */
export const MAX_JSON_DEPTH = 64;

/**
 * Escapes one reference token of a JSON pointer (RFC 6901: `~` -> `~0`, `/` -> `~1`).
 * @example
 * pointerToken('acs:ResourceTag/team') // 'acs:ResourceTag~1team'
 */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a JSON pointer from reference tokens. */
export function jsonPointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => '/' + pointerToken(t)).join('');
}

/**
 * Parses `text` as strict JSON, recording positions.
 * @example
 * const r = parseJson('{"Version":"1"}');
 * if (r.ok) r.json.positions.get('/Version'); // { line: 1, column: 2 }
 */
export function parseJson(
  text: string,
): { ok: true; json: ParsedJson } | { ok: false; error: JsonSyntaxError } {
  const parser = new JsonParser(text);
  try {
    const json = parser.parseDocument();
    return { ok: true, json };
  } catch (e) {
    if (e instanceof JsonParseFailure) {
      return { ok: false, error: { message: e.message, position: parser.positionOf(e.offset) } };
    }
    // INVARIANT: the parser only throws JsonParseFailure; anything else is a bug, reported as JSON
    // error so that callers still never see an exception.
    return {
      ok: false,
      error: {
        message: `unexpected parser failure: ${String(e)}`,
        position: { line: 1, column: 1 },
      },
    };
  }
}

class JsonParseFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

class JsonParser {
  #text: string;
  #pos = 0;
  #positions = new Map<string, SourcePosition>();
  /** Offsets of line starts, for offset -> line/column. */
  #lineStarts: number[] = [0];

  constructor(text: string) {
    this.#text = text;
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.#lineStarts.push(i + 1);
    }
  }

  positionOf(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.#lineStarts[lo]! + 1 };
  }

  parseDocument(): ParsedJson {
    // A UTF-8 byte order mark is not JSON, but editors add it; skip it quietly.
    if (this.#text.charCodeAt(0) === 0xfeff) this.#pos = 1;
    this.#skipWs();
    if (this.#pos >= this.#text.length) this.#fail('the document is empty');
    this.#positions.set('', this.positionOf(this.#pos));
    const value = this.#parseValue('', 0);
    this.#skipWs();
    if (this.#pos < this.#text.length) this.#fail('unexpected text after the JSON value');
    return { value, positions: this.#positions };
  }

  #fail(message: string, offset = this.#pos): never {
    throw new JsonParseFailure(message, offset);
  }

  #skipWs(): void {
    const t = this.#text;
    while (this.#pos < t.length) {
      const c = t.charCodeAt(this.#pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.#pos++;
      else break;
    }
  }

  #describe(offset: number): string {
    if (offset >= this.#text.length) return 'end of input';
    const ch = this.#text[offset]!;
    const code = ch.charCodeAt(0);
    if (code < 32) return `control character U+${code.toString(16).padStart(4, '0')}`;
    return `\`${ch}\``;
  }

  #parseValue(pointer: string, depth: number): JsonValue {
    if (depth > MAX_JSON_DEPTH) this.#fail(`nesting is deeper than ${MAX_JSON_DEPTH} levels`);
    const c = this.#text[this.#pos];
    switch (c) {
      case '{':
        return this.#parseObject(pointer, depth);
      case '[':
        return this.#parseArray(pointer, depth);
      case '"':
        return this.#parseString();
      case 't':
        return this.#literal('true', true);
      case 'f':
        return this.#literal('false', false);
      case 'n':
        return this.#literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.#parseNumber();
        return this.#fail(`expected a JSON value but found ${this.#describe(this.#pos)}`);
    }
  }

  #literal<T>(word: string, value: T): T {
    if (this.#text.startsWith(word, this.#pos)) {
      this.#pos += word.length;
      return value;
    }
    return this.#fail(`expected a JSON value but found ${this.#describe(this.#pos)}`);
  }

  #parseNumber(): number {
    const re = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    re.lastIndex = this.#pos;
    const m = re.exec(this.#text);
    if (!m || m[0] === '-') this.#fail('malformed number');
    this.#pos += m[0].length;
    return Number(m[0]);
  }

  #parseString(): string {
    const t = this.#text;
    const start = this.#pos;
    this.#pos++; // opening quote
    let out = '';
    let chunkStart = this.#pos;
    for (;;) {
      if (this.#pos >= t.length) this.#fail('unterminated string', start);
      const code = t.charCodeAt(this.#pos);
      if (code === 34) {
        out += t.slice(chunkStart, this.#pos);
        this.#pos++;
        return out;
      }
      if (code === 92) {
        out += t.slice(chunkStart, this.#pos);
        const esc = t[this.#pos + 1];
        switch (esc) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = t.slice(this.#pos + 2, this.#pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.#fail('malformed \\u escape in string');
            out += String.fromCharCode(parseInt(hex, 16));
            this.#pos += 4;
            break;
          }
          default:
            this.#fail(`invalid escape \`\\${esc ?? ''}\` in string`);
        }
        this.#pos += 2;
        chunkStart = this.#pos;
        continue;
      }
      if (code < 32) this.#fail(`${this.#describe(this.#pos)} in string (escape it)`);
      this.#pos++;
    }
  }

  #parseArray(pointer: string, depth: number): JsonValue[] {
    this.#pos++; // [
    const out: JsonValue[] = [];
    this.#skipWs();
    if (this.#text[this.#pos] === ']') {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#skipWs();
      const childPointer = `${pointer}/${out.length}`;
      this.#positions.set(childPointer, this.positionOf(this.#pos));
      out.push(this.#parseValue(childPointer, depth + 1));
      this.#skipWs();
      const c = this.#text[this.#pos];
      if (c === ',') {
        this.#pos++;
        this.#skipWs();
        if (this.#text[this.#pos] === ']') this.#fail('trailing comma before `]`');
        continue;
      }
      if (c === ']') {
        this.#pos++;
        return out;
      }
      this.#fail(`expected \`,\` or \`]\` but found ${this.#describe(this.#pos)}`);
    }
  }

  #parseObject(pointer: string, depth: number): { [key: string]: JsonValue } {
    this.#pos++; // {
    // A null-prototype object, so that keys such as `__proto__` are ordinary members.
    const out: { [key: string]: JsonValue } = Object.create(null);
    const seen = new Set<string>();
    this.#skipWs();
    if (this.#text[this.#pos] === '}') {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.#skipWs();
      if (this.#text[this.#pos] !== '"') {
        this.#fail(
          `expected a member name in double quotes but found ${this.#describe(this.#pos)}`,
        );
      }
      const keyOffset = this.#pos;
      const key = this.#parseString();
      if (seen.has(key)) this.#fail(`duplicate member \`${key}\``, keyOffset);
      seen.add(key);
      const childPointer = `${pointer}/${pointerToken(key)}`;
      this.#positions.set(childPointer, this.positionOf(keyOffset));
      this.#skipWs();
      if (this.#text[this.#pos] !== ':') {
        this.#fail(`expected \`:\` after member name but found ${this.#describe(this.#pos)}`);
      }
      this.#pos++;
      this.#skipWs();
      out[key] = this.#parseValue(childPointer, depth + 1);
      this.#skipWs();
      const c = this.#text[this.#pos];
      if (c === ',') {
        this.#pos++;
        this.#skipWs();
        if (this.#text[this.#pos] === '}') this.#fail('trailing comma before `}`');
        continue;
      }
      if (c === '}') {
        this.#pos++;
        return out;
      }
      this.#fail(`expected \`,\` or \`}\` but found ${this.#describe(this.#pos)}`);
    }
  }
}
