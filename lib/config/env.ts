import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_REGISTER_VERSION, REGISTER_VERSION_NAMES, type RegisterVersionName } from '../db/versions/description.js';

/**
 * The toolkit's whole configuration, read once from the environment and validated.
 *
 * | Variable | Meaning | Default |
 * |---|---|---|
 * | `DATABASE_URL` | Register's PostgreSQL | the embedded sandbox |
 * | `REDIS_URL` | Redis holding the job queues (may name a database: `redis://host:6379/3`) | `redis://127.0.0.1:6379` |
 * | `QUEUE_BACKEND` | `sidekiq` (Register's) or `bullmq` (the toolkit's sandbox queues) | detected from what Redis holds |
 * | `DQT_API_URL` | DQT API base URL | the DQT sandbox |
 * | `DQT_API_KEY` | DQT API key (secret) | the sandbox's key |
 * | `TRS_API_URL`, `TRS_API_KEY` (secret), `TRS_API_VERSION` | the TRS API v3 (Register today) | the TRS sandbox, its key, "20250627" |
 * | `SUPPORT_OPERATOR` | your name, written into audits | none: needed to commit |
 * | `SUPPORT_ALLOW_WRITES` | `true` to allow commits to a database other than the sandbox | `false` |
 * | `REDIS_PREFIX`, `SUPPORT_SANDBOX_PORT`, `SUPPORT_DQT_SANDBOX_PORT`, `SUPPORT_TRS_SANDBOX_PORT`, `SUPPORT_SANDBOX_SIDEKIQ_REDIS` | per checkout (see `checkoutDefaults`) | derived from the checkout's path |
 * | `SUPPORT_SANDBOX_SCHEMA` | the Register version the sandbox is built as: `2024-08` (DQT era) or `2026-08` (today, TRS) | `2026-08` |
 *
 * @example
 * const config = loadConfig();          // throws ConfigError naming each bad variable
 * config.database.kind                  // 'sandbox' | 'external'
 */
export interface Config {
  database: { kind: 'sandbox' | 'external'; url: string };
  /** `backend` null: detected from what Redis holds (lib/queues/open.ts). `prefix` is BullMQ's only. */
  redis: { url: string; prefix: string; backend?: 'sidekiq' | 'bullmq' | null };
  dqt: { kind: 'sandbox' | 'external'; url: string; apiKey: Secret };
  /** The TRS API v3 (Register since 2025): its URL, key and the `X-Api-Version` sent. */
  trs: { kind: 'sandbox' | 'external'; url: string; apiKey: Secret; version: string };
  operator: string | null;
  writesAllowed: boolean;
  /** This checkout: two checkouts on one machine get their own sandbox ports, data and Redis keys. */
  checkout: Checkout;
  /**
   * The embedded sandbox of this checkout: its PostgreSQL, DQT and TRS ports, its data folder, the Register version its
   * database is built as, and where it keeps its Sidekiq-shaped dead and retry sets (a Redis database of its own,
   * `redisDb` on REDIS_URL's server unless `sidekiqRedisUrl` names another: Sidekiq has no key prefix).
   */
  sandbox: { port: number; dqtPort: number; trsPort: number; dataDir: string; schema: RegisterVersionName; redisDb: number; sidekiqRedisUrl: string };
}

/** A checkout of the project: its folder and a short id made from the folder's path (`everyday-3fa2c1`). */
export interface Checkout {
  root: string;
  id: string;
}

/** A secret value that never prints: `String(secret)`, JSON and `console.log` all show `[redacted]`. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The real value, for the one place that needs it (an Authorization header). */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Secret([redacted])';
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const SANDBOX_DEFAULTS = {
  port: 55432,
  dqtPort: 55433,
  dqtApiKey: 'sandbox-dqt-key',
  trsPort: 55434,
  trsApiKey: 'sandbox-trs-key',
  trsApiVersion: '20250627',
  user: 'postgres',
  database: 'postgres',
  /** The Redis database (on REDIS_URL's server) holding the sandbox's Sidekiq-shaped sets. */
  sidekiqDatabase: '1',
} as const;

const url = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `expected a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL such as ${example}`);

const port = z.coerce.number().int().min(1).max(65535);

/**
 * This checkout's identity: its folder and an id made of the folder's name and a hash of its path, the same every
 * time for the same folder and different for two checkouts.
 *
 * @example
 * checkoutIdentity('/work/wt/everyday') // { root: '/work/wt/everyday', id: 'everyday-…' }
 */
export function checkoutIdentity(projectRoot = defaultProjectRoot()): Checkout {
  const root = resolve(projectRoot);
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 6);
  const name = basename(root).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24) || 'checkout';
  return { root, id: `${name}-${hash}` };
}

/**
 * The defaults a checkout derives from its id, so that two checkouts side by side never share a sandbox: the
 * sandbox's PostgreSQL port (55432 + a multiple of 3 below 1,000), the DQT sandbox's and the TRS sandbox's (the next
 * two), the BullMQ key prefix (`bull:<id>`), and a Redis database number from 1 to 15 for Sidekiq-shaped sandbox data (database 0 is left
 * alone). Each can be overridden by its variable (SUPPORT_SANDBOX_PORT, SUPPORT_DQT_SANDBOX_PORT, REDIS_PREFIX,
 * SUPPORT_SANDBOX_SIDEKIQ_REDIS).
 *
 * @example
 * checkoutDefaults(checkoutIdentity()) // { port: 55875, dqtPort: 55876, trsPort: 55877, redisPrefix: 'bull:everyday-…', redisDb: 7 }
 */
export function checkoutDefaults(checkout: Checkout): { port: number; dqtPort: number; trsPort: number; redisPrefix: string; redisDb: number } {
  const n = Number.parseInt(checkout.id.slice(-6), 16);
  const offset = 3 * (n % 333);
  return { port: SANDBOX_DEFAULTS.port + offset, dqtPort: SANDBOX_DEFAULTS.dqtPort + offset, trsPort: SANDBOX_DEFAULTS.trsPort + offset, redisPrefix: `bull:${checkout.id}`, redisDb: 1 + (n % 15) };
}

/** A Redis URL whose path is empty or a database number (`redis://127.0.0.1:6379/3`). */
const redisUrl = url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').refine((value) => {
  try {
    return /^\/?(\d{1,5})?$/.test(new URL(value).pathname);
  } catch {
    return true;
  }
}, 'expected the path to be a database number, as in redis://127.0.0.1:6379/3, or nothing');

/** A Redis database number (on REDIS_URL's server) or a Redis URL. */
const redisLocation = z
  .string()
  .trim()
  .refine((value) => /^\d{1,5}$/.test(value) || redisUrl.safeParse(value).success, 'expected a Redis database number such as 1, or a redis:// URL such as redis://127.0.0.1:6379/1');

const schema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://user@127.0.0.1:5432/register').optional(),
  REDIS_URL: redisUrl.optional(),
  QUEUE_BACKEND: z.enum(['sidekiq', 'bullmq'], { message: 'expected "sidekiq" (Register\'s Sidekiq) or "bullmq" (the toolkit\'s queues); leave it unset to detect' }).optional(),
  REDIS_PREFIX: z.string().trim().regex(/^[A-Za-z0-9:_-]+$/, 'expected letters, digits, ":", "_" or "-"').optional(),
  DQT_API_URL: url(['http:', 'https:'], 'https://teacher-qualifications-api.education.gov.uk').optional(),
  DQT_API_KEY: z.string().min(1, 'expected the DQT API key (not empty)').optional(),
  TRS_API_URL: url(['http:', 'https:'], 'https://teacher-qualifications-api.education.gov.uk').optional(),
  TRS_API_KEY: z.string().min(1, 'expected the TRS API key (not empty)').optional(),
  TRS_API_VERSION: z.string().trim().regex(/^\d{8}$/, 'expected a TRS API version: 8 digits such as 20250627').default(SANDBOX_DEFAULTS.trsApiVersion),
  SUPPORT_OPERATOR: z.string().trim().min(2, 'expected your name, at least 2 characters').max(100, 'expected at most 100 characters').optional(),
  SUPPORT_ALLOW_WRITES: z
    .enum(['true', 'false'], { message: 'expected exactly "true" or "false"' })
    .default('false'),
  SUPPORT_SANDBOX_PORT: port.optional(),
  SUPPORT_DQT_SANDBOX_PORT: port.optional(),
  SUPPORT_TRS_SANDBOX_PORT: port.optional(),
  SUPPORT_SANDBOX_DIR: z.string().min(1).optional(),
  SUPPORT_SANDBOX_SIDEKIQ_REDIS: redisLocation.optional(),
  SUPPORT_SANDBOX_SCHEMA: z.enum(REGISTER_VERSION_NAMES, { message: `expected a Register version the toolkit supports: ${REGISTER_VERSION_NAMES.join(' or ')}` }).default(DEFAULT_REGISTER_VERSION),
});

/** Names of every variable the toolkit reads, for `--help` and `doctor`. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

/** The values of the environment that are secrets: masked wherever the toolkit writes text. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const values: string[] = [];
  if (env.DQT_API_KEY) values.push(env.DQT_API_KEY);
  if (env.TRS_API_KEY) values.push(env.TRS_API_KEY);
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'SUPPORT_SANDBOX_SIDEKIQ_REDIS']) {
    const value = env[name];
    if (!value) continue;
    try {
      const password = new URL(value).password;
      if (password) values.push(decodeURIComponent(password), password);
    } catch {
      /* not a URL: nothing to mask */
    }
  }
  return [...new Set(values.filter((v) => v.length >= 4))];
}

/** Masks the password of a connection URL for display. */
export function describeUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password) parsed.password = '*****';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/** The same Redis URL on another database number. */
export function withDatabase(redisUrl: string, database: number): string {
  const parsed = new URL(redisUrl);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Reads and validates the environment. Throws `ConfigError` listing every bad variable; never echoes a secret. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, projectRoot = defaultProjectRoot()): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const v = result.data;
  const problems: string[] = [];
  if (v.DQT_API_URL && !v.DQT_API_KEY) problems.push('DQT_API_KEY: expected the DQT API key, because DQT_API_URL is set');
  if (v.TRS_API_URL && !v.TRS_API_KEY) problems.push('TRS_API_KEY: expected the TRS API key, because TRS_API_URL is set');
  if (v.SUPPORT_ALLOW_WRITES === 'true' && !v.DATABASE_URL) {
    // harmless: the sandbox always allows writes
  }
  if (problems.length) throw new ConfigError(problems);

  const checkout = checkoutIdentity(projectRoot);
  const derived = checkoutDefaults(checkout);
  const sandboxPort = v.SUPPORT_SANDBOX_PORT ?? derived.port;
  const dqtSandboxPort = v.SUPPORT_DQT_SANDBOX_PORT ?? derived.dqtPort;
  const sandboxUrl = `postgres://${SANDBOX_DEFAULTS.user}@127.0.0.1:${sandboxPort}/${SANDBOX_DEFAULTS.database}`;
  const database = v.DATABASE_URL ? { kind: 'external' as const, url: v.DATABASE_URL } : { kind: 'sandbox' as const, url: sandboxUrl };
  const dqt = v.DQT_API_URL
    ? { kind: 'external' as const, url: v.DQT_API_URL.replace(/\/+$/, ''), apiKey: new Secret(v.DQT_API_KEY!) }
    : { kind: 'sandbox' as const, url: `http://127.0.0.1:${dqtSandboxPort}`, apiKey: new Secret(v.DQT_API_KEY ?? SANDBOX_DEFAULTS.dqtApiKey) };
  // The TRS sandbox listens next to the DQT sandbox unless told otherwise, so a sandbox on other ports moves both.
  const trsPort = v.SUPPORT_TRS_SANDBOX_PORT ?? (v.SUPPORT_DQT_SANDBOX_PORT === undefined ? derived.trsPort : dqtSandboxPort === 65535 ? SANDBOX_DEFAULTS.trsPort : dqtSandboxPort + 1);
  const trs = v.TRS_API_URL
    ? { kind: 'external' as const, url: v.TRS_API_URL.replace(/\/+$/, ''), apiKey: new Secret(v.TRS_API_KEY!), version: v.TRS_API_VERSION }
    : { kind: 'sandbox' as const, url: `http://127.0.0.1:${trsPort}`, apiKey: new Secret(v.TRS_API_KEY ?? SANDBOX_DEFAULTS.trsApiKey), version: v.TRS_API_VERSION };
  const defaultRedis = 'redis://127.0.0.1:6379';
  // The sandbox's Sidekiq-shaped sets: a database number of this checkout's own on REDIS_URL's server, or another URL.
  const sandboxSidekiq = v.SUPPORT_SANDBOX_SIDEKIQ_REDIS ?? String(derived.redisDb);
  const sidekiqRedisUrl = /^\d+$/.test(sandboxSidekiq) ? withDatabase(v.REDIS_URL ?? defaultRedis, Number(sandboxSidekiq)) : sandboxSidekiq;
  const redisDb = /^\d+$/.test(sandboxSidekiq) ? Number(sandboxSidekiq) : Number(new URL(sandboxSidekiq).pathname.replace('/', '') || 0);
  // On the sandbox, QUEUE_BACKEND=sidekiq alone shows the sandbox's Sidekiq-shaped sets.
  const redisUrlValue = v.REDIS_URL ?? (v.QUEUE_BACKEND === 'sidekiq' && database.kind === 'sandbox' ? sidekiqRedisUrl : defaultRedis);
  return {
    database,
    redis: { url: redisUrlValue, prefix: v.REDIS_PREFIX ?? derived.redisPrefix, backend: v.QUEUE_BACKEND ?? null },
    dqt,
    trs,
    operator: v.SUPPORT_OPERATOR ?? null,
    writesAllowed: database.kind === 'sandbox' || v.SUPPORT_ALLOW_WRITES === 'true',
    checkout,
    sandbox: {
      port: sandboxPort,
      dqtPort: dqtSandboxPort,
      trsPort,
      dataDir: v.SUPPORT_SANDBOX_DIR ?? `${checkout.root}/.sandbox`,
      schema: v.SUPPORT_SANDBOX_SCHEMA,
      redisDb,
      sidekiqRedisUrl,
    },
  };
}

/** The project folder (the one holding package.json), found from this file's place in dist/ or lib/. */
export function defaultProjectRoot(): string {
  // dist/config/env.js or lib/config/env.ts: two levels up.
  return require('node:path').resolve(__dirname, '..', '..');
}
