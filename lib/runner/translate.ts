import type { NotebookParameter } from './parameters.js';
import type { ParameterValue } from './values.js';

/** TypeScript type written in the injected cell for each parameter type. */
const TS_TYPE: Record<NotebookParameter['type'], string> = {
  string: 'string',
  date: 'string',
  number: 'number',
  boolean: 'boolean',
  'string[]': 'string[]',
  'number[]': 'number[]',
};

/** A value as a TypeScript literal: strings JSON-quoted (so quotes and newlines are escaped), lists as arrays. */
export function toTypeScriptLiteral(value: ParameterValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${(value as (string | number)[]).map((v) => toTypeScriptLiteral(v)).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return String(value);
}

/**
 * The source of the `injected-parameters` cell: each given value re-declared, typed, with the same `const`/`let`
 * as the `parameters` cell (tslab allows re-declaring in a later cell).
 *
 * @example
 * injectedSource(params, { slug: 'abc', commit: true })
 * // // Parameters given to `support run`
 * // const slug: string = "abc";
 * // let commit: boolean = true;
 */
export function injectedSource(params: NotebookParameter[], values: Record<string, ParameterValue>): string {
  const lines = ['// Parameters given to `support run`'];
  for (const p of params) {
    if (!(p.name in values)) continue;
    const type = p.annotation ?? TS_TYPE[p.type];
    lines.push(`${p.keyword} ${p.name}: ${type} = ${toTypeScriptLiteral(values[p.name]!)};`);
  }
  return lines.join('\n');
}
