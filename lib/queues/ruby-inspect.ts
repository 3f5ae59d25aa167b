/**
 * Reads the text Ruby's `inspect` prints for plain values: hashes, arrays, strings, symbols, numbers, true, false, nil.
 * Register's error messages embed HTTParty's response headers this way, and Ruby 3.4 changed the hash form:
 * `{"date"=>["Thu, 01 Aug 2024 10:15:31 GMT"]}` (Ruby ≤ 3.3) and `{"date" => ["…"]}` (3.4), with symbol keys
 * `{:a=>1}` then `{a: 1}`. Returns null for text it cannot read completely (nothing is guessed).
 *
 * @example
 * parseRubyInspect('{"date" => ["Sun, 09 Aug 2026 19:29:21 GMT"], "x-n"=>["1"]}') // { date: ['Sun, 09 Aug …'], 'x-n': ['1'] }
 */
export type RubyInspectValue = string | number | boolean | null | RubyInspectValue[] | { [key: string]: RubyInspectValue };

export function parseRubyInspect(text: string): RubyInspectValue | null {
  const reader = new Reader(text);
  try {
    reader.space();
    const value = reader.value();
    reader.space();
    return reader.atEnd() ? value : null;
  } catch {
    return null;
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', e: '\u001b', a: '\u0007', b: '\b', f: '\f', v: '\v', s: ' ', '0': '\0' };

class Reader {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  space(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private fail(): never {
    throw new Error(`unexpected text at ${this.i}`);
  }

  private eat(token: string): boolean {
    if (this.s.startsWith(token, this.i)) {
      this.i += token.length;
      return true;
    }
    return false;
  }

  value(): RubyInspectValue {
    const c = this.s[this.i];
    if (c === '{') return this.hash();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === ':') {
      this.i++;
      return this.s[this.i] === '"' ? this.string() : this.bareWord();
    }
    if (this.eat('nil')) return null;
    if (this.eat('true')) return true;
    if (this.eat('false')) return false;
    const number = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/i.exec(this.s.slice(this.i));
    if (number) {
      this.i += number[0].length;
      return Number(number[0]);
    }
    return this.fail();
  }

  private bareWord(): string {
    const word = /^[A-Za-z_]\w*(?:[?!]|=(?!>))?/.exec(this.s.slice(this.i));
    if (!word) this.fail();
    this.i += word[0].length;
    return word[0];
  }

  private hash(): { [key: string]: RubyInspectValue } {
    this.i++;
    const out: { [key: string]: RubyInspectValue } = {};
    this.space();
    if (this.eat('}')) return out;
    for (;;) {
      this.space();
      let key: RubyInspectValue;
      // Ruby 3.4's symbol keys: `{date: [...]}`, and quoted ones `{"a b": 1}` (a colon right after the string).
      const symbolKey = /^([A-Za-z_][\w]*[?!]?):(?!:)/.exec(this.s.slice(this.i));
      if (symbolKey) {
        key = symbolKey[1]!;
        this.i += symbolKey[0].length;
      } else {
        key = this.value();
        this.space();
        if (!this.eat('=>') && !(typeof key === 'string' && this.eat(':'))) this.fail();
      }
      this.space();
      out[typeof key === 'string' ? key : JSON.stringify(key)] = this.value();
      this.space();
      if (this.eat('}')) return out;
      if (!this.eat(',')) this.fail();
    }
  }

  private array(): RubyInspectValue[] {
    this.i++;
    const out: RubyInspectValue[] = [];
    this.space();
    if (this.eat(']')) return out;
    for (;;) {
      this.space();
      out.push(this.value());
      this.space();
      if (this.eat(']')) return out;
      if (!this.eat(',')) this.fail();
    }
  }

  private string(): string {
    this.i++;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail();
      const c = this.s[this.i++]!;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      if (e === undefined) this.fail();
      if (e === 'u') {
        const braced = /^\{([0-9a-fA-F ]+)\}/.exec(this.s.slice(this.i));
        if (braced) {
          out += braced[1]!.trim().split(/\s+/).map((h) => String.fromCodePoint(parseInt(h, 16))).join('');
          this.i += braced[0].length;
        } else {
          const hex = /^[0-9a-fA-F]{4}/.exec(this.s.slice(this.i));
          if (!hex) this.fail();
          out += String.fromCharCode(parseInt(hex[0], 16));
          this.i += 4;
        }
      } else if (e === 'x') {
        const hex = /^[0-9a-fA-F]{1,2}/.exec(this.s.slice(this.i));
        if (!hex) this.fail();
        out += String.fromCharCode(parseInt(hex[0], 16));
        this.i += hex[0].length;
      } else {
        out += ESCAPES[e] ?? e;
      }
    }
  }
}
