import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/env.js';

/** What a running sandbox records in `<dataDir>/sandbox.json`: the process serving it and its ports. */
export interface SandboxState {
  pid: number;
  port: number;
  dqtPort: number;
  startedAt: string;
  /** False while it starts (database, services, first seed), true once it serves. */
  ready: boolean;
  /** The checkout whose sandbox it is (its id), so a second checkout can tell it is not its own. */
  checkout?: string;
}

/** `<dataDir>/sandbox.json`. */
export function sandboxStateFile(config: Config): string {
  return join(config.sandbox.dataDir, 'sandbox.json');
}

/**
 * Claims this configuration's sandbox for this process before it starts (called by `startSandbox`): writes
 * `<dataDir>/sandbox.json` only if no live process holds it, so two starts in one checkout cannot both serve it.
 * Throws naming the process that has it.
 */
export function claimSandbox(config: Config, pid = process.pid): void {
  mkdirSync(config.sandbox.dataDir, { recursive: true });
  const state: SandboxState = { pid, port: config.sandbox.port, dqtPort: config.sandbox.dqtPort, startedAt: new Date().toISOString(), ready: false, checkout: config.checkout.id };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(sandboxStateFile(config), `${JSON.stringify(state, null, 2)}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readState(config);
      if (holder && processAlive(holder.pid)) throw new Error(`This checkout's sandbox is already running or starting (process ${holder.pid}; ${sandboxStateFile(config)}).`);
      rmSync(sandboxStateFile(config), { force: true }); // left by a sandbox that is gone
    }
  }
  throw new Error(`Could not claim ${sandboxStateFile(config)}.`);
}

/** Marks the claimed sandbox as serving (called by `startSandbox` once everything is up). */
export function markSandboxReady(config: Config, pid = process.pid): void {
  const state = readState(config);
  if (!state || state.pid !== pid) throw new Error(`${sandboxStateFile(config)} is not held by this process (${pid}).`);
  writeFileSync(sandboxStateFile(config), `${JSON.stringify({ ...state, ready: true }, null, 2)}\n`);
}

/** Removes the state file if this process holds it. */
export function releaseSandbox(config: Config, pid = process.pid): void {
  if (readState(config)?.pid === pid) rmSync(sandboxStateFile(config), { force: true });
}

function readState(config: Config): SandboxState | null {
  try {
    return JSON.parse(readFileSync(sandboxStateFile(config), 'utf8')) as SandboxState;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The sandbox of this configuration that is running (or starting: see `ready`) now, from `<dataDir>/sandbox.json`:
 * null when there is no such file, its process is gone, or it serves other ports than the configuration's.
 *
 * @example
 * runningSandbox(loadConfig())?.pid
 */
export function runningSandbox(config: Config): SandboxState | null {
  const state = readState(config);
  if (!state || !Number.isInteger(state.pid) || !processAlive(state.pid)) return null;
  if (state.port !== config.sandbox.port) return null;
  return state;
}

/** The command line of a process (Linux), or null where /proc is not available. */
function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

/**
 * Stops this configuration's background sandbox (what `support sandbox stop` does): SIGTERM to the process recorded
 * in `<dataDir>/sandbox.json`, then waits, up to `timeoutMs` (default 30 s), for it to exit; SIGKILL if it does not.
 * Refuses a process that is not a `support sandbox` (a pid reused by something else). Returns the pid stopped, or
 * null when none was running.
 *
 * @example
 * const pid = await stopSandbox(loadConfig()); // null: it was not running
 */
export async function stopSandbox(config: Config, options: { timeoutMs?: number } = {}): Promise<number | null> {
  const state = runningSandbox(config);
  if (!state) {
    rmSync(sandboxStateFile(config), { force: true });
    return null;
  }
  const cmdline = commandLine(state.pid);
  if (cmdline !== null && !/\bsandbox\b/.test(cmdline)) {
    throw new Error(`${sandboxStateFile(config)} names process ${state.pid}, which is not a sandbox (${cmdline.trim()}): not stopping it. Delete that file if the sandbox is gone.`);
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (processAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(state.pid)) {
    process.kill(state.pid, 'SIGKILL');
    const killed = Date.now() + 5_000;
    while (processAlive(state.pid) && Date.now() < killed) await new Promise((r) => setTimeout(r, 50));
  }
  rmSync(sandboxStateFile(config), { force: true });
  return state.pid;
}
