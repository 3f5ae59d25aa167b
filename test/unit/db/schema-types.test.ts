import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { registerVersions, REGISTER_VERSION_NAMES } from '../../../lib/db/versions/description.js';
import { TOOLKIT_COLUMNS } from '../../../lib/db/versions/requirements.js';

/**
 * The Kysely types in lib/db/schema.ts, read with the TypeScript compiler, checked against the project's description
 * of Register's schema: every table and column the code can name exists in Register. A table or column marked
 * `@register <version>` exists in exactly those versions; an unmarked one in every supported version.
 */
const file = join(__dirname, '../../../lib/db/schema.ts');
const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
const interfaces = new Map<string, ts.InterfaceDeclaration>();
source.forEachChild((node) => {
  if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
});

function versionsOf(node: ts.Node): string[] | null {
  const tags = ts.getJSDocTags(node).filter((t) => t.tagName.text === 'register');
  if (!tags.length) return null;
  return tags.flatMap((t) => String(t.comment ?? '').split(/[\s,]+/).filter(Boolean));
}

/** Table name → its interface's columns with their version marks. */
function declaredTables(): Map<string, { versions: string[] | null; columns: Map<string, string[] | null> }> {
  const root = interfaces.get('RegisterDatabase')!;
  const out = new Map<string, { versions: string[] | null; columns: Map<string, string[] | null> }>();
  for (const member of root.members) {
    if (!ts.isPropertySignature(member) || !member.type || !ts.isTypeReferenceNode(member.type)) continue;
    const table = (member.name as ts.Identifier).text;
    const columns = new Map<string, string[] | null>();
    const collect = (name: string) => {
      const decl = interfaces.get(name);
      if (!decl) throw new Error(`interface ${name} not found in schema.ts`);
      for (const h of decl.heritageClauses ?? []) for (const t of h.types) collect(t.expression.getText());
      for (const m of decl.members) if (ts.isPropertySignature(m)) columns.set((m.name as ts.Identifier).text, versionsOf(m));
    };
    collect(member.type.typeName.getText());
    out.set(table, { versions: versionsOf(member), columns });
  }
  return out;
}

describe('the Kysely types against the description of Register', () => {
  const declared = declaredTables();
  const versions = registerVersions();

  it('declares tables', () => {
    expect(declared.size).toBeGreaterThan(15);
  });

  for (const [table, { versions: tableVersions, columns }] of declared) {
    it(`${table}: exists where its types say, with those columns`, () => {
      const problems: string[] = [];
      const expectedTableVersions = tableVersions ?? [...REGISTER_VERSION_NAMES];
      for (const v of versions) {
        const described = v.tables.find((t) => t.name === table);
        if (expectedTableVersions.includes(v.version) !== !!described) problems.push(`table ${table} ${described ? 'exists' : 'does not exist'} in ${v.version}, but its type says ${expectedTableVersions.join(', ')}`);
        if (!described) continue;
        for (const [column, marks] of columns) {
          const expected = marks ?? expectedTableVersions;
          const has = described.columns.some((c) => c.name === column);
          if (expected.includes(v.version) !== has) problems.push(`${table}.${column} ${has ? 'exists' : 'does not exist'} in Register ${v.version}, but its type says ${expected.join(', ')}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('nullability: a column typed without null is NOT NULL in every version that has it (or has a default)', () => {
    const problems: string[] = [];
    for (const [table, { columns }] of declared) {
      const decl = [...interfaces.values()];
      void decl;
      for (const v of versions) {
        const described = v.tables.find((t) => t.name === table);
        if (!described) continue;
        for (const c of described.columns) {
          if (!columns.has(c.name)) continue;
          const text = typeText(table, c.name);
          const typedNullable = /\bnull\b/.test(text);
          if (c.nullable && !typedNullable) problems.push(`${table}.${c.name} is nullable in ${v.version} but typed ${text}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the columns the toolkit checks for at connect time are exactly the unmarked columns of the types', () => {
    const fromTypes: Record<string, string[]> = {};
    for (const [table, { versions: tv, columns }] of declared) {
      if (tv) continue;
      fromTypes[table] = [...columns].filter(([, marks]) => !marks).map(([c]) => c).sort();
    }
    const listed = Object.fromEntries(Object.entries(TOOLKIT_COLUMNS).map(([t, cols]) => [t, [...cols].sort()]));
    expect(listed).toEqual(fromTypes);
  });
});

function typeText(table: string, column: string): string {
  const root = interfaces.get('RegisterDatabase')!;
  const member = root.members.find((m) => ts.isPropertySignature(m) && (m.name as ts.Identifier).text === table) as ts.PropertySignature;
  const seen: string[] = [];
  const find = (name: string): string | null => {
    const decl = interfaces.get(name)!;
    seen.push(name);
    for (const m of decl.members) if (ts.isPropertySignature(m) && (m.name as ts.Identifier).text === column) return m.type!.getText();
    for (const h of decl.heritageClauses ?? []) for (const t of h.types) {
      const found = find(t.expression.getText());
      if (found) return found;
    }
    return null;
  };
  return find((member.type as ts.TypeReferenceNode).typeName.getText()) ?? '';
}
