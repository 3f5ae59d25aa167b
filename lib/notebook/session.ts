import { describeUrl, loadConfig, type Config } from '../config/env.js';
import { connect, ping, type RegisterDb } from '../db/connect.js';
import { registerFeatures } from '../db/versions/detect.js';
import type { RegisterFeatures } from '../db/versions/features.js';
import { backgroundSandboxNotice, ensureSandbox } from '../sandbox/ensure.js';
import { escapeHtml } from '../tables/format.js';
import { callout, showHtml } from './display.js';

export interface RunbookSession {
  config: Config;
  db: RegisterDb;
  /** Which Register the database is (detected by its tables and columns). */
  register: RegisterFeatures;
}

let current: RunbookSession | undefined;

/**
 * The start of every runbook: reads the configuration, starts the embedded sandbox if that is what is configured,
 * connects to the database (failing with the reason if it cannot) and shows the environment banner: which database,
 * read-only or writable, who is operating, which DQT. Calling it again reuses the connection.
 *
 * @example
 * const { db, config } = await openRunbook();
 */
export async function openRunbook(options: { banner?: boolean } = {}): Promise<RunbookSession> {
  if (!current) {
    const config = loadConfig();
    const ensured = await ensureSandbox(config);
    if (ensured.started) callout('info', backgroundSandboxNotice(ensured), 'Sandbox started');
    const db = connect(config.database.url, { applicationName: 'register-support notebook' });
    try {
      await ping(db);
    } catch (error) {
      await db.destroy().catch(() => {});
      throw new Error(`Cannot reach the database at ${describeUrl(config.database.url)}: ${(error as Error).message}. Check DATABASE_URL, or run \`support doctor\`.`);
    }
    let register: RegisterFeatures;
    try {
      // Which Register this is, before anything is read: a database the toolkit cannot serve is refused here, naming what is missing.
      register = await registerFeatures(db);
    } catch (error) {
      await db.destroy().catch(() => {});
      throw error;
    }
    current = { config, db, register };
  }
  if (options.banner !== false) {
    const { describeJobStore } = await import('../queues/describe.js');
    showEnvironment(current.config, { register: current.register, jobs: (await describeJobStore(current.config, { timeoutMs: 2_000 })).text });
  }
  return current;
}

/** Closes the runbook's connection (the next `openRunbook` opens a new one). */
export async function closeRunbook(): Promise<void> {
  const session = current;
  current = undefined;
  await session?.db.destroy();
}

/** The environment banner: green for the sandbox, amber for a real database read-only, red when writes are on. */
export function showEnvironment(config: Config = loadConfig(), found: { register?: RegisterFeatures; jobs?: string } = {}): void {
  const sandbox = config.database.kind === 'sandbox';
  const tone = sandbox ? { border: '#00703c', background: '#e6f4ea' } : config.writesAllowed ? { border: '#d4351c', background: '#fde2e1' } : { border: '#f47738', background: '#fff4d6' };
  const database = sandbox ? `embedded sandbox (${describeUrl(config.database.url)})` : describeUrl(config.database.url);
  const mode = sandbox ? 'writes allowed (sandbox)' : config.writesAllowed ? 'WRITES ALLOWED (SUPPORT_ALLOW_WRITES=true)' : 'read-only: commits are refused (set SUPPORT_ALLOW_WRITES=true to allow)';
  const lines: [string, string][] = [
    ['Database', database],
    ...(found.register ? ([['Register', found.register.label]] as [string, string][]) : []),
    ['Mode', mode],
    ['Operator', config.operator ?? 'not set (SUPPORT_OPERATOR): needed to commit'],
    ...(found.register?.api === 'trs'
      ? ([['TRS', `${config.trs.kind === 'sandbox' ? 'TRS sandbox ' : ''}${config.trs.url} (API version ${config.trs.version})`]] as [string, string][])
      : ([['DQT', `${config.dqt.kind === 'sandbox' ? 'DQT sandbox ' : ''}${config.dqt.url}`]] as [string, string][])),
    ['Redis', `${describeUrl(config.redis.url)} (prefix ${config.redis.prefix})`],
    ['Jobs', found.jobs ?? (config.redis.backend ? `${config.redis.backend === 'sidekiq' ? 'Sidekiq' : 'BullMQ'} (QUEUE_BACKEND)` : 'detected from what Redis holds')],
  ];
  const html = `<div style="border-left:6px solid ${tone.border};background:${tone.background};padding:6px 10px;font:13px/1.6 system-ui,sans-serif">${lines
    .map(([k, v]) => `<div><strong style="display:inline-block;width:80px">${k}</strong>${escapeHtml(v)}</div>`)
    .join('')}</div>`;
  showHtml(html, lines.map(([k, v]) => `${k.padEnd(9)} ${v}`).join('\n'));
}
