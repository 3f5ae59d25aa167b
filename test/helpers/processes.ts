import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Processes of one test, found by a tag in their environment (children inherit it: Jupyter, its kernels, a sandbox
 * started in the background), so a test can say "nothing of mine is left running" while other tests run beside it.
 *
 * @example
 * const tag = processTag(); // spawn with env { ...env, ...tag.env }
 * expect(tag.running()).toEqual([]);
 */
export function processTag(): { env: Record<string, string>; running(): { pid: number; command: string }[] } {
  const value = `rs-${randomBytes(6).toString('hex')}`;
  const needle = `RS_TEST_PROCESS_TAG=${value}`;
  return {
    env: { RS_TEST_PROCESS_TAG: value },
    running() {
      const found: { pid: number; command: string }[] = [];
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
          if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(needle)) continue;
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // exited, not yet reaped
          found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim() });
        } catch {
          /* gone meanwhile, or not ours to read */
        }
      }
      return found;
    },
  };
}
