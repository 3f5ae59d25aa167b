import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { RegisterDatabase, TableName } from '../../db/schema.js';

/** Rows to seed, per table, each with an explicit id so that seeding again updates rather than adds. */
export type SeedRows = { [T in TableName]?: (Insertable<RegisterDatabase[T]> & { id: number })[] };

/** When seeded records were created: a fixed time, so two seeds write the same values. */
export const SEED_TIME = new Date('2024-09-02T09:00:00Z');

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/**
 * A stable 24-character base58 slug (the shape of Register's `SecureRandom.base58(24)`) derived from a name,
 * so a scenario's trainee has the same slug on every machine and every seed.
 */
export function stableSlug(name: string): string {
  const bytes = createHash('sha256').update(`register-support:${name}`).digest();
  let out = '';
  for (let i = 0; out.length < 24; i++) out += BASE58[bytes[i % bytes.length]! % 58];
  return out;
}

/** A stable UUID (v4 layout) derived from a name. */
export function stableUuid(name: string): string {
  const h = createHash('sha256').update(`uuid:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A date `days` before today (UTC), as 'YYYY-MM-DD'. */
export function daysAgo(days: number, from = new Date()): string {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** A timestamp `days` before today at 09:00 UTC. */
export function timestampDaysAgo(days: number, from = new Date()): Date {
  return new Date(`${daysAgo(days, from)}T09:00:00Z`);
}

/** Merges several seed row sets (ids must not collide; `seed` checks). */
export function mergeSeeds(...parts: SeedRows[]): SeedRows {
  const out: SeedRows = {};
  for (const part of parts) {
    for (const [table, rows] of Object.entries(part) as [TableName, unknown[]][]) {
      ((out as Record<string, unknown[]>)[table] ??= []).push(...rows);
    }
  }
  return out;
}
