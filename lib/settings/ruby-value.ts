/**
 * How Register reads the value of a `SETTINGS__…` environment variable (the config gem's `env_parse_values`,
 * register-facts section 8): exactly `true` / `false` become booleans; a value starting with one colon becomes a
 * symbol; otherwise Ruby's `Integer()`, then `Float()`, else the string as it is.
 *
 * Ruby's `Integer()` reads a leading 0 as octal, so `"0123"` is 83, and `"08"` (not octal) falls through to
 * `Float()` and becomes 8.0. `"True"` stays a string, which `FeatureService.enabled?` treats as enabled.
 *
 * @example
 * parseSettingsValue('false') // { type: 'boolean', value: false, ruby: 'false' }
 * parseSettingsValue('0123')  // { type: 'integer', value: 83, ruby: '83' }
 * parseSettingsValue('08')    // { type: 'float', value: 8, ruby: '8.0' }
 */
export interface RubyValue {
  type: 'boolean' | 'integer' | 'float' | 'symbol' | 'string';
  /** The value in JavaScript (a symbol's name as a string; a big integer as a bigint-safe string is not needed here). */
  value: boolean | number | string;
  /** How Ruby would print it (`inspect`): `false`, `83`, `8.0`, `:otp`, `"otp"`. */
  ruby: string;
}

const WS = '[ \\t\\n\\v\\f\\r]*';
const INTEGER = new RegExp(
  `^${WS}([+-])?(?:(0[bB])([01]+(?:_[01]+)*)|(0[xX])([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|(0[dD])(\\d+(?:_\\d+)*)|(0[oO]?_?)([0-7]+(?:_[0-7]+)*)|([1-9]\\d*(?:_\\d+)*|0))${WS}$`,
);
const FLOAT = new RegExp(`^${WS}[+-]?(?:\\d+(?:_\\d+)*)?(?:\\.\\d+(?:_\\d+)*)?(?:[eE][+-]?\\d+(?:_\\d+)*)?${WS}$`);

/** Ruby's `Integer(string)`, or null where it raises ArgumentError. */
export function rubyInteger(text: string): number | null {
  const m = INTEGER.exec(text);
  if (!m) return null;
  const sign = m[1] === '-' ? -1 : 1;
  const clean = (s: string) => s.replace(/_/g, '');
  if (m[2]) return sign * parseInt(clean(m[3]!), 2);
  if (m[4]) return sign * parseInt(clean(m[5]!), 16);
  if (m[6]) return sign * parseInt(clean(m[7]!), 10);
  if (m[8] !== undefined) return sign * parseInt(clean(m[9]!), 8);
  return sign * parseInt(clean(m[10]!), 10);
}

/** Ruby's `Float(string)` for decimal text, or null where it raises ArgumentError (e.g. `"1."`, `"NaN"`, `""`). */
export function rubyFloat(text: string): number | null {
  if (!FLOAT.test(text)) return null;
  const body = text.trim().replace(/_/g, '');
  const mantissa = body.replace(/^[+-]/, '').split(/[eE]/)[0]!;
  if (!/\d/.test(mantissa)) return null;
  const value = Number(body);
  return Number.isFinite(value) ? value : null;
}

/** ActiveSupport `parameterize.underscore` of a symbol value: `":Foo Bar"` → `foo_bar`. */
function symbolName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9\-_]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '')
    .replace(/-/g, '_');
}

const rubyFloatText = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

/** Register's reading of an environment value. */
export function parseSettingsValue(raw: string): RubyValue {
  if (raw === 'true' || raw === 'false') return { type: 'boolean', value: raw === 'true', ruby: raw };
  if (/^:[^:]/.test(raw.trim())) {
    const name = symbolName(raw);
    return { type: 'symbol', value: name, ruby: `:${name}` };
  }
  const integer = rubyInteger(raw);
  if (integer !== null) return { type: 'integer', value: integer, ruby: String(integer) };
  const float = rubyFloat(raw);
  if (float !== null) return { type: 'float', value: float, ruby: rubyFloatText(float) };
  return { type: 'string', value: raw, ruby: JSON.stringify(raw) };
}
