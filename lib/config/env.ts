import { z } from 'zod';
import { DEFAULT_REGISTER_VERSION, REGISTER_VERSION_NAMES, type RegisterVersionName } from '../db/versions/description.js';

/**
 * The toolkit's whole configuration, read once from the environment and validated.
 *
 * | Variable | Meaning | Default |
 * |---|---|---|
 * | `DATABASE_URL` | Register's PostgreSQL | the embedded sandbox |
 * | `REDIS_URL` | Redis holding the job queues | `redis://127.0.0.1:6379` |
 * | `DQT_API_URL` | DQT API base URL | the DQT sandbox |
 * | `DQT_API_KEY` | DQT API key (secret) | the sandbox's key |
 * | `TRS_API_URL`, `TRS_API_KEY` (secret), `TRS_API_VERSION` | the TRS API v3 (Register today) | the TRS sandbox, its key, "20250627" |
 * | `SUPPORT_OPERATOR` | your name, written into audits | none: needed to commit |
 * | `SUPPORT_ALLOW_WRITES` | `true` to allow commits to a database other than the sandbox | `false` |
 * | `SUPPORT_SANDBOX_SCHEMA` | the Register version the sandbox is built as: `2024-08` or `2026-08` | `2024-08` |
 *
 * @example
 * const config = loadConfig();          // throws ConfigError naming each bad variable
 * config.database.kind                  // 'sandbox' | 'external'
 */
export interface Config {
  database: { kind: 'sandbox' | 'external'; url: string };
  redis: { url: string; prefix: string };
  dqt: { kind: 'sandbox' | 'external'; url: string; apiKey: Secret };
  /** The TRS API v3 (Register since 2025): its URL, key and the `X-Api-Version` sent. */
  trs: { kind: 'sandbox' | 'external'; url: string; apiKey: Secret; version: string };
  operator: string | null;
  writesAllowed: boolean;
  sandbox: { port: number; dqtPort: number; trsPort: number; dataDir: string; /** The Register version the sandbox database is built as. */ schema: RegisterVersionName };
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

const schema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://user@127.0.0.1:5432/register').optional(),
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().trim().regex(/^[A-Za-z0-9:_-]+$/, 'expected letters, digits, ":", "_" or "-"').default('bull'),
  DQT_API_URL: url(['http:', 'https:'], 'https://teacher-qualifications-api.education.gov.uk').optional(),
  DQT_API_KEY: z.string().min(1, 'expected the DQT API key (not empty)').optional(),
  TRS_API_URL: url(['http:', 'https:'], 'https://teacher-qualifications-api.education.gov.uk').optional(),
  TRS_API_KEY: z.string().min(1, 'expected the TRS API key (not empty)').optional(),
  TRS_API_VERSION: z.string().trim().regex(/^\d{8}$/, 'expected a TRS API version: 8 digits such as 20250627').default(SANDBOX_DEFAULTS.trsApiVersion),
  SUPPORT_OPERATOR: z.string().trim().min(2, 'expected your name, at least 2 characters').max(100, 'expected at most 100 characters').optional(),
  SUPPORT_ALLOW_WRITES: z
    .enum(['true', 'false'], { message: 'expected exactly "true" or "false"' })
    .default('false'),
  SUPPORT_SANDBOX_PORT: port.default(SANDBOX_DEFAULTS.port),
  SUPPORT_DQT_SANDBOX_PORT: port.default(SANDBOX_DEFAULTS.dqtPort),
  SUPPORT_TRS_SANDBOX_PORT: port.optional(),
  SUPPORT_SANDBOX_DIR: z.string().min(1).optional(),
  SUPPORT_SANDBOX_SCHEMA: z.enum(REGISTER_VERSION_NAMES, { message: `expected a Register version the toolkit supports: ${REGISTER_VERSION_NAMES.join(' or ')}` }).default(DEFAULT_REGISTER_VERSION),
});

/** Names of every variable the toolkit reads, for `--help` and `doctor`. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

/** The values of the environment that are secrets: masked wherever the toolkit writes text. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const values: string[] = [];
  if (env.DQT_API_KEY) values.push(env.DQT_API_KEY);
  if (env.TRS_API_KEY) values.push(env.TRS_API_KEY);
  for (const name of ['DATABASE_URL', 'REDIS_URL']) {
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

  const sandboxUrl = `postgres://${SANDBOX_DEFAULTS.user}@127.0.0.1:${v.SUPPORT_SANDBOX_PORT}/${SANDBOX_DEFAULTS.database}`;
  const database = v.DATABASE_URL ? { kind: 'external' as const, url: v.DATABASE_URL } : { kind: 'sandbox' as const, url: sandboxUrl };
  const dqt = v.DQT_API_URL
    ? { kind: 'external' as const, url: v.DQT_API_URL.replace(/\/+$/, ''), apiKey: new Secret(v.DQT_API_KEY!) }
    : { kind: 'sandbox' as const, url: `http://127.0.0.1:${v.SUPPORT_DQT_SANDBOX_PORT}`, apiKey: new Secret(v.DQT_API_KEY ?? SANDBOX_DEFAULTS.dqtApiKey) };
  // The TRS sandbox listens next to the DQT sandbox unless told otherwise, so a sandbox on other ports moves both.
  const trsPort = v.SUPPORT_TRS_SANDBOX_PORT ?? (v.SUPPORT_DQT_SANDBOX_PORT === 65535 ? SANDBOX_DEFAULTS.trsPort : v.SUPPORT_DQT_SANDBOX_PORT + 1);
  const trs = v.TRS_API_URL
    ? { kind: 'external' as const, url: v.TRS_API_URL.replace(/\/+$/, ''), apiKey: new Secret(v.TRS_API_KEY!), version: v.TRS_API_VERSION }
    : { kind: 'sandbox' as const, url: `http://127.0.0.1:${trsPort}`, apiKey: new Secret(v.TRS_API_KEY ?? SANDBOX_DEFAULTS.trsApiKey), version: v.TRS_API_VERSION };
  return {
    database,
    redis: { url: v.REDIS_URL, prefix: v.REDIS_PREFIX },
    dqt,
    trs,
    operator: v.SUPPORT_OPERATOR ?? null,
    writesAllowed: database.kind === 'sandbox' || v.SUPPORT_ALLOW_WRITES === 'true',
    sandbox: {
      port: v.SUPPORT_SANDBOX_PORT,
      dqtPort: v.SUPPORT_DQT_SANDBOX_PORT,
      trsPort,
      dataDir: v.SUPPORT_SANDBOX_DIR ?? `${projectRoot}/.sandbox`,
      schema: v.SUPPORT_SANDBOX_SCHEMA,
    },
  };
}

/** The project folder (the one holding package.json), found from this file's place in dist/ or lib/. */
export function defaultProjectRoot(): string {
  // dist/config/env.js or lib/config/env.ts: two levels up.
  return require('node:path').resolve(__dirname, '..', '..');
}
