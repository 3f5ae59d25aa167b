import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRedisPrefix, testRedisPrefix } from '../../helpers/db.js';
import { assertBuilt, cleanEnv, ROOT } from '../runner/cli.js';

/**
 * `support` delivers everything it prints to a pipe, however slowly the reader reads, and fails loudly (a message on
 * stderr, exit 1) when the reader goes away. A Redis prefix of its own holds JOBS dead jobs in BullMQ's layout (about
 * 2 MB of `--json`), far more than a pipe buffers (64 KiB), so the writes are still pending when the command returns.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = 3_000;
const prefix = testRedisPrefix();
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });

beforeAll(async () => {
  assertBuilt();
  await redis.connect();
  const pipeline = redis.pipeline();
  const now = Date.now();
  for (let i = 0; i < JOBS; i++) {
    const id = String(i + 1);
    const finishedOn = now - (JOBS - i) * 1000;
    const data = { job_class: 'Dqt::UpdateTraineeJob', job_id: randomBytes(8).toString('hex'), queue_name: 'dqt', arguments: [{ _aj_globalid: `gid://register/Trainee/${i + 1}` }], executions: 5 };
    pipeline.hset(`${prefix}:dqt:${id}`, {
      name: 'Dqt::UpdateTraineeJob',
      data: JSON.stringify(data),
      opts: JSON.stringify({ attempts: 5 }),
      timestamp: String(finishedOn - 5_000),
      processedOn: String(finishedOn - 200),
      finishedOn: String(finishedOn),
      failedReason: 'status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}',
      stacktrace: JSON.stringify(['Dqt::Client::HttpError: status: 404']),
      atm: '5',
    });
    pipeline.zadd(`${prefix}:dqt:failed`, finishedOn, id);
  }
  await pipeline.exec();
}, 60_000);

afterAll(async () => {
  await clearRedisPrefix(redis, prefix);
  redis.disconnect();
});

interface Outcome {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the built `support` with its stdout on a real pipe read by a slow reader, or by one that closes the pipe after
 * its first chunk (`closeAfterFirstChunk`).
 */
function throughPipe(args: string[], options: { closeAfterFirstChunk?: boolean } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}/bin/support.js`, ...args], {
      env: cleanEnv({ REDIS_URL, REDIS_PREFIX: prefix }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A slow reader: nothing for 300 ms, then one chunk every 5 ms ('data' with pause/resume: a paused stream
    // without a 'data' listener is resumed and emptied by Node when the child exits).
    child.stdout.pause();
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.closeAfterFirstChunk) {
        child.stdout.destroy();
        return;
      }
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 5);
    });
    setTimeout(() => child.stdout.resume(), 300);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks), stderr }));
  });
}

describe('support prints all of its output to a pipe', () => {
  it('--json through a slow reader: the whole array arrives, and it parses', async () => {
    const out = await throughPipe(['triage', '--json', '--no-db']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.length).toBeGreaterThan(1_000_000);
    const records = JSON.parse(out.stdout.toString('utf8')) as { jobId: string }[];
    expect(records).toHaveLength(JOBS);
    expect(new Set(records.map((r) => r.jobId)).size).toBe(JOBS);
  }, 60_000);

  it('--csv through a slow reader: a header and every row, each complete', async () => {
    const out = await throughPipe(['triage', '--csv', '--no-db']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const lines = out.stdout.toString('utf8').trimEnd().split(/\r?\n/);
    expect(lines[0]).toMatch(/^queue,jobId,jobName,traineeId,/);
    expect(lines).toHaveLength(JOBS + 1);
    const columns = lines[0]!.split(',').length;
    const jobIds = new Set(lines.slice(1).map((line) => line.split(',')[1]));
    expect(jobIds.size).toBe(JOBS);
    // Every row complete: its queue first and its last columns (runbook … payload shape) all there.
    expect(lines.slice(1).every((line) => line.startsWith('dqt,') && line.endsWith(',dqt-errors/teacher-not-found-404,failed,,' + line.split(',').at(-3) + ',false,activejob'))).toBe(true);
    expect(columns).toBe(19);
  }, 60_000);

  it('a reader that closes the pipe early: a message on stderr and exit 1, not a silent success', async () => {
    const out = await throughPipe(['triage', '--json', '--no-db'], { closeAfterFirstChunk: true });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^support triage: the output was cut off: the program reading it closed the pipe \(EPIPE\)/);
  }, 60_000);
});
