import { cellSource, hasTag, type Notebook } from './notebook-file.js';

/** The kinds of value a runbook parameter can take from the command line. */
export type ParameterType = 'string' | 'number' | 'boolean' | 'date' | 'string[]' | 'number[]';

/** One parameter declared in a notebook's `parameters` cell. */
export interface NotebookParameter {
  name: string;
  type: ParameterType;
  /** `const` or `let`, as declared: the injected cell re-declares it the same way. */
  keyword: 'const' | 'let' | 'var';
  /** The type annotation as written (e.g. `string[]`), or null when the type was inferred from the default. */
  annotation: string | null;
  /** True when the annotation allows `null` (e.g. `string | null`): an empty value gives null. */
  nullable: boolean;
  /** The allowed values, when the annotation is a union of string literals (`'scitt' | 'hei'`). */
  choices?: string[];
  /** The default as written in the cell, e.g. `'2024-03-03'` or `false`. */
  defaultSource: string;
  /** The default as a value, when it is a plain literal; undefined for an expression. */
  defaultValue: string | number | boolean | null | string[] | number[] | undefined;
  /** The comment on the line (or the lines just above), e.g. "The trainee's slug". */
  description: string;
}

/** The parameter cell's tag (papermill's convention). */
export const PARAMETERS_TAG = 'parameters';
/** The tag of the cell `support run` inserts with the given values. */
export const INJECTED_TAG = 'injected-parameters';

/**
 * The index of the cell tagged `parameters`, or -1. Throws when several cells carry the tag.
 *
 * @example
 * const index = findParametersCell(nb);
 */
export function findParametersCell(nb: Notebook): number {
  const indexes = nb.cells.map((cell, i) => (cell.cell_type === 'code' && hasTag(cell, PARAMETERS_TAG) ? i : -1)).filter((i) => i >= 0);
  if (indexes.length > 1) throw new Error(`The notebook has ${indexes.length} cells tagged "parameters" (cells ${indexes.map((i) => i + 1).join(', ')}); expected exactly one.`);
  return indexes[0] ?? -1;
}

/**
 * The parameters a notebook declares in its `parameters` cell, with their types.
 *
 * @example
 * notebookParameters(readNotebook('notebooks/ops/trainee-timeline.ipynb'))
 * // [{ name: 'slug', type: 'string', keyword: 'const', defaultSource: "'…'", … }]
 */
export function notebookParameters(nb: Notebook): NotebookParameter[] {
  const index = findParametersCell(nb);
  return index < 0 ? [] : parseParameters(cellSource(nb.cells[index]!));
}

interface Statement {
  text: string;
  comment: string;
  before: string[];
}

/**
 * Reads the declarations of a `parameters` cell, written as TypeScript:
 * `const slug: string = 'abc';`, `let commit = false;`, `const providerIds: string[] = [];`,
 * `const date = '2024-03-03';`, `const withdrawalDate: string = ''; // date`.
 *
 * A parameter's type comes from its annotation, else from its default. A string is a **date** when its default
 * looks like `YYYY-MM-DD`, its comment says `date` or `YYYY-MM-DD`, or its name is `date` or ends in `Date`.
 * Declarations of other types (objects, functions) are not settable and are left out.
 */
export function parseParameters(source: string): NotebookParameter[] {
  const out: NotebookParameter[] = [];
  for (const statement of splitStatements(source)) {
    const match = /^(?:export\s+)?(const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*([^=]+?))?\s*=\s*([\s\S]+?)\s*;?\s*$/.exec(statement.text);
    if (!match) continue;
    const [, keyword, name, annotationRaw, defaultSource] = match as unknown as [string, 'const' | 'let' | 'var', string, string | undefined, string];
    const annotation = annotationRaw?.trim() || null;
    const description = (statement.comment || statement.before.join(' ')).trim();
    const literal = parseLiteral(defaultSource);
    const typed = typeOf(name, annotation, literal, description);
    if (!typed) continue;
    out.push({
      name,
      type: typed.type,
      ...(typed.choices ? { choices: typed.choices } : {}),
      keyword,
      annotation,
      nullable: typed.nullable,
      defaultSource: defaultSource.trim(),
      defaultValue: literal.ok ? literal.value : undefined,
      description,
    });
  }
  return out;
}

type Literal = { ok: true; value: string | number | boolean | null | string[] | number[]; kind: 'string' | 'number' | 'boolean' | 'null' | 'string[]' | 'number[]' | 'empty[]' } | { ok: false };

function parseLiteral(source: string): Literal {
  const s = source.trim();
  const str = parseStringLiteral(s);
  if (str !== null) return { ok: true, value: str, kind: 'string' };
  if (/^-?(\d[\d_]*)(\.\d+)?$/.test(s)) return { ok: true, value: Number(s.replace(/_/g, '')), kind: 'number' };
  if (s === 'true' || s === 'false') return { ok: true, value: s === 'true', kind: 'boolean' };
  if (s === 'null') return { ok: true, value: null, kind: 'null' };
  const array = /^\[([\s\S]*)\]$/.exec(s);
  if (array) {
    const items = splitTopLevel(array[1]!, ',').map((x) => x.trim()).filter(Boolean);
    if (items.length === 0) return { ok: true, value: [], kind: 'empty[]' };
    const strings = items.map(parseStringLiteral);
    if (strings.every((x) => x !== null)) return { ok: true, value: strings as string[], kind: 'string[]' };
    if (items.every((x) => /^-?\d+(\.\d+)?$/.test(x))) return { ok: true, value: items.map(Number), kind: 'number[]' };
  }
  return { ok: false };
}

/** `'abc'`, `"abc"` or a template without `${` as its string value; null when `source` is not a plain string literal. */
function parseStringLiteral(source: string): string | null {
  const quote = source[0];
  if (!quote || !`'"\``.includes(quote) || source.length < 2 || source[source.length - 1] !== quote) return null;
  const body = source.slice(1, -1);
  if (quote === '`' && body.includes('${')) return null;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote) return null; // an unescaped quote: not one literal (e.g. 'a' + 'b')
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[++i];
    out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : (next ?? '');
  }
  return out;
}

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

function typeOf(name: string, annotation: string | null, literal: Literal, description: string): { type: ParameterType; nullable: boolean; choices?: string[] } | null {
  let nullable = false;
  let base: string | null = null;
  if (annotation) {
    const parts = annotation.split('|').map((p) => p.trim()).filter(Boolean);
    nullable = parts.some((p) => p === 'null' || p === 'undefined');
    const rest = parts.filter((p) => p !== 'null' && p !== 'undefined');
    // a union of string literals: `'scitt' | 'hei'`
    const literals = rest.map(parseStringLiteral);
    if (rest.length > 0 && literals.every((l) => l !== null)) return { type: 'string', nullable, choices: literals as string[] };
    if (rest.length !== 1) return null;
    base = rest[0]!.replace(/^readonly\s+/, '').replace(/\s+/g, '');
    base = ({ 'Array<string>': 'string[]', 'ReadonlyArray<string>': 'string[]', 'Array<number>': 'number[]', 'ReadonlyArray<number>': 'number[]' } as Record<string, string>)[base] ?? base;
    // a named type (e.g. `TrainingRoute`) with a string default: a string; TypeScript checks the value when the cell runs
    if (/^[A-Z][\w$.]*$/.test(base) && literal.ok && typeof literal.value === 'string') return { type: 'string', nullable };
    if (!['string', 'number', 'boolean', 'string[]', 'number[]'].includes(base)) return null;
  } else if (literal.ok) {
    base = literal.kind === 'empty[]' ? 'string[]' : literal.kind === 'null' ? null : literal.kind;
    if (literal.kind === 'null') return null; // `const x = null` says nothing about the type
  } else {
    return null;
  }
  if (base === 'string') {
    const looksLikeDate =
      (literal.ok && typeof literal.value === 'string' && DATE_SHAPE.test(literal.value)) ||
      /\bdate\b|YYYY-MM-DD/i.test(description) ||
      /^date$|Date$/.test(name);
    return { type: looksLikeDate ? 'date' : 'string', nullable };
  }
  return { type: base as ParameterType, nullable };
}

/** Splits the cell into top-level statements, keeping each one's trailing `//` comment and the comment lines above it. */
function splitStatements(source: string): Statement[] {
  const statements: Statement[] = [];
  let text = '';
  let comment = '';
  let before: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  const flush = () => {
    if (text.trim()) statements.push({ text: text.trim(), comment: comment.trim(), before });
    if (text.trim()) before = [];
    text = '';
    comment = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      text += c;
      if (c === '\\') text += source[++i] ?? '';
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      const line = source.slice(i + 2, end < 0 ? source.length : end).trim();
      if (text.trim()) comment += ` ${line}`;
      else before.push(line);
      i = (end < 0 ? source.length : end) - 1;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const body = source.slice(i + 2, end < 0 ? source.length : end).replace(/^\s*\*+/gm, '').trim();
      if (text.trim()) comment += ` ${body}`;
      else before.push(body);
      i = end < 0 ? source.length : end + 1;
      continue;
    }
    if (`'"\``.includes(c)) quote = c;
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) depth--;
    if (depth <= 0 && c === ';') {
      // a comment on the same line belongs to this statement
      const end = source.indexOf('\n', i);
      const rest = source.slice(i + 1, end < 0 ? source.length : end);
      const m = /^\s*\/\/(.*)$/.exec(rest);
      if (m) {
        comment += ` ${m[1]!.trim()}`;
        i = (end < 0 ? source.length : end) - 1;
      }
      flush();
      continue;
    }
    if (depth <= 0 && c === '\n') {
      if (!text.trim()) {
        if (source[i - 1] === '\n') before = []; // a blank line ends a comment block
        continue;
      }
      if (/=\s*\S/.test(text) && !/[=,+\-*/|&?:]\s*$/.test(text)) {
        flush();
        continue;
      }
    }
    text += c;
  }
  flush();
  return statements;
}

function splitTopLevel(source: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      current += c;
      if (c === '\\') current += source[++i] ?? '';
      else if (c === quote) quote = null;
      continue;
    }
    if (`'"\``.includes(c)) quote = c;
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) depth--;
    if (c === separator && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts;
}

/** `string`, `boolean`, `date (YYYY-MM-DD)`, `string list (a,b,c)`… for help texts. */
export function describeType(p: Pick<NotebookParameter, 'type' | 'nullable' | 'choices'>): string {
  if (p.choices) return `one of ${p.choices.join(', ')}${p.nullable ? ', or empty for null' : ''}`;
  const base = { string: 'string', number: 'number', boolean: 'boolean (true or false)', date: 'date (YYYY-MM-DD)', 'string[]': 'list of strings (a,b,c)', 'number[]': 'list of numbers (1,2,3)' }[p.type];
  return p.nullable ? `${base}, or empty for null` : base;
}

/**
 * The parameters as a table for `--help-notebook` and error messages.
 *
 * @example
 * console.log(formatParameterList(notebookParameters(nb)));
 */
export function formatParameterList(params: NotebookParameter[]): string {
  if (params.length === 0) return '  (this notebook declares no parameters)';
  const nameWidth = Math.max(...params.map((p) => p.name.length));
  const typeWidth = Math.max(...params.map((p) => describeType(p).length));
  return params
    .map((p) => `  ${p.name.padEnd(nameWidth)}  ${describeType(p).padEnd(typeWidth)}  default ${p.defaultSource}${p.description ? `  ${p.description}` : ''}`)
    .join('\n');
}
