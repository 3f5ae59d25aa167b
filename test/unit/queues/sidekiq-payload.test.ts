import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { activeJobPayload, recordArgument, timeArgument } from '../../../lib/queues/activejob.js';
import { parseHttpErrorMessage, messageWithoutHeaders } from '../../../lib/queues/http-error.js';
import { parseRubyInspect } from '../../../lib/queues/ruby-inspect.js';
import { decodeBacktrace } from '../../../lib/queues/sidekiq/backtrace.js';
import { cleanupKey, DeadDuplicatesCleanup, rubySplit } from '../../../lib/queues/sidekiq/cleanup.js';
import { editTopLevel, retryPayload } from '../../../lib/queues/sidekiq/json-edit.js';
import { decodeSidekiqJob, readSidekiqEntry, subjectOf } from '../../../lib/queues/sidekiq/payload.js';
import { jobSubjectFromText } from '../../../lib/queues/globalid.js';
import { sidekiqTimeJson, sidekiqTimeMs } from '../../../lib/queues/sidekiq/time.js';
import { isoOrNull } from '../../../lib/queues/store.js';

/** The fact sheet's two dead entries (sidekiq-trs.md §3): HEAD (Ruby 3.4) and the DQT era (Ruby 3.2). */
const HEAD_DEAD =
  '{"retry":true,"queue":"trs","wrapped":"Trs::UpdateProfessionalStatusJob","args":[{"job_class":"Trs::UpdateProfessionalStatusJob","job_id":"5b0f3c1e-8a5d-4f7e-9d38-2f4c1a7e9b10","provider_job_id":null,"queue_name":"trs","priority":null,"arguments":[{"_aj_globalid":"gid://register-trainee-teachers/Trainee/123456"}],"executions":0,"exception_executions":{},"locale":"en","timezone":"UTC","enqueued_at":"2026-07-20T09:15:02.117406000Z","scheduled_at":null}],"class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","jid":"3f9a1c7d2e4b6a8c0d1e2f3a","created_at":1784538902.118734,"trace_propagation_headers":{"sentry-trace":"4b1c9e2f8a7d4c3b9e1f0a2b3c4d5e6f-9a8b7c6d5e4f3a2b","baggage":"sentry-trace_id=4b1c9e2f8a7d4c3b9e1f0a2b3c4d5e6f,sentry-environment=production"},"enqueued_at":1786303760.861,"error_message":"Error updating professional status: status: 400, body: {\\"title\\":\\"Invalid training provider UKPRN.\\",\\"status\\":400,\\"detail\\":\\"Training provider UKPRN: \'10012345\'\\",\\"errorCode\\":10048}, headers: {\\"date\\" => [\\"Sun, 09 Aug 2026 19:29:21 GMT\\"], \\"content-type\\" => [\\"application/problem+json; charset=utf-8\\"]}","error_class":"Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError","failed_at":1784538903.4072,"retry_count":25,"retried_at":1786303761.2104}';
const DQT_DEAD =
  '{"retry":0,"queue":"dqt","wrapped":"Dqt::UpdateTraineeJob","args":[{"job_class":"Dqt::UpdateTraineeJob","job_id":"c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f","provider_job_id":null,"queue_name":"dqt","priority":null,"arguments":[{"_aj_globalid":"gid://register-trainee-teachers/Trainee/98765"}],"executions":0,"exception_executions":{},"locale":"en","timezone":"UTC","enqueued_at":"2024-08-01T10:15:30.497113000Z","scheduled_at":null}],"class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","jid":"a1b2c3d4e5f60718293a4b5c","created_at":1722507330.498,"trace_propagation_headers":{"sentry-trace":"0f1e2d3c4b5a69788796a5b4c3d2e1f0-1a2b3c4d5e6f7a8b","baggage":"sentry-trace_id=0f1e2d3c4b5a69788796a5b4c3d2e1f0,sentry-environment=production"},"enqueued_at":1722507330.4993,"error_message":"status: 400, body: {\\"title\\":\\"Teacher has no incomplete ITT record\\",\\"status\\":400,\\"errorCode\\":10005}, headers: {\\"date\\"=>[\\"Thu, 01 Aug 2024 10:15:31 GMT\\"], \\"content-type\\"=>[\\"application/problem+json; charset=utf-8\\"]}","error_class":"Dqt::Client::HttpError","failed_at":1722507331.2871,"retry_count":0}';

describe('reading a Sidekiq dead entry', () => {
  it('HEAD: death is the score, failed_at the first failure, enqueued_at the last enqueue; 25 retries = 26 runs', () => {
    const { entry } = readSidekiqEntry(HEAD_DEAD, 'dead', '1786303761.2147');
    expect(entry).toEqual({
      location: { backend: 'sidekiq', set: 'dead', score: '1786303761.2147', jid: '3f9a1c7d2e4b6a8c0d1e2f3a', size: HEAD_DEAD.length },
      queue: 'trs',
      state: 'dead',
      jobId: '3f9a1c7d2e4b6a8c0d1e2f3a',
      jobName: 'Trs::UpdateProfessionalStatusJob',
      shape: 'activejob',
      shapeProblem: null,
      traineeId: 123456,
      trnRequestId: null,
      message: expect.stringMatching(/^Error updating professional status: status: 400/),
      errorClass: 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError',
      enqueuedAt: 1786303760861,
      firstFailedAt: 1784538903407.2,
      failedAt: 1786303761210.4,
      at: 1786303761214.7,
      attempts: 26,
      removedByCleanup: false,
    });
  });

  it('decodes both: ActiveJob hash, GlobalIDs, the HTTP status, body and headers in Ruby 3.4 and Ruby 3.2 forms', () => {
    const head = decodeSidekiqJob(HEAD_DEAD);
    expect(head.http).toEqual({
      prefix: 'Error updating professional status: ',
      status: 400,
      body: '{"title":"Invalid training provider UKPRN.","status":400,"detail":"Training provider UKPRN: \'10012345\'","errorCode":10048}',
      json: { title: 'Invalid training provider UKPRN.', status: 400, detail: "Training provider UKPRN: '10012345'", errorCode: 10048 },
      headers: { date: ['Sun, 09 Aug 2026 19:29:21 GMT'], 'content-type': ['application/problem+json; charset=utf-8'] },
      headersText: '{"date" => ["Sun, 09 Aug 2026 19:29:21 GMT"], "content-type" => ["application/problem+json; charset=utf-8"]}',
    });
    expect(head.extra).toEqual({ trace_propagation_headers: expect.objectContaining({ baggage: expect.stringContaining('sentry-environment=production') }) });
    const dqt = decodeSidekiqJob(DQT_DEAD);
    expect(dqt).toMatchObject({ retry: 0, retryCount: 0, jobClass: 'Dqt::UpdateTraineeJob', traineeId: 98765, createdAt: 1722507330498, failedAt: 1722507331287.1 });
    expect(dqt.http!.headers).toEqual({ date: ['Thu, 01 Aug 2024 10:15:31 GMT'], 'content-type': ['application/problem+json; charset=utf-8'] });
    expect(dqt.activeJob).toMatchObject({ jobId: 'c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f', executions: 0, timezone: 'UTC', scheduledAt: null, arguments: [{ type: 'record', model: 'Trainee', id: 98765, app: 'register-trainee-teachers' }] });
  });

  it('never throws: not JSON, JSON that is not a job, a plain job, an unknown class, a TRS TRN request', () => {
    expect(readSidekiqEntry('{oops', 'dead', '1').entry).toMatchObject({ shape: 'not-json', jobName: null, jobId: '', shapeProblem: 'not JSON: {oops' });
    expect(readSidekiqEntry('[1,2]', 'dead', '1').entry).toMatchObject({ shape: 'not-activejob', shapeProblem: 'JSON but not a job hash: [1,2]' });
    expect(readSidekiqEntry('{"class":"HardJob","args":[1],"jid":"j"}', 'retry', '1').entry).toMatchObject({ shape: 'not-activejob', jobName: 'HardJob', shapeProblem: 'a plain Sidekiq job (HardJob), not ActiveJob' });
    const unknown = HEAD_DEAD.replace(/Trs::UpdateProfessionalStatusJob/g, 'Trs::SomethingNewJob');
    expect(readSidekiqEntry(unknown, 'dead', '1').entry).toMatchObject({ shape: 'unknown-class', jobName: 'Trs::SomethingNewJob', traineeId: 123456 });
    const trs = HEAD_DEAD.replace('Trainee/123456', 'Trs::TrnRequest/77');
    expect(readSidekiqEntry(trs, 'dead', '1').entry).toMatchObject({ traineeId: null, trnRequestId: 77 });
    // Sidekiq 8: its own wrapper class name, times in milliseconds.
    const eight = DQT_DEAD.replace('ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper', 'Sidekiq::ActiveJob::Wrapper').replace('"failed_at":1722507331.2871', '"failed_at":1722507331287');
    expect(readSidekiqEntry(eight, 'dead', '1722507331.2919').entry).toMatchObject({ shape: 'activejob', firstFailedAt: 1722507331287 });
  });
});

describe('GlobalIDs in a scan', () => {
  it('finds the same trainee and TRN request as the BullMQ reader (document order), for well-formed and odd GlobalIDs alike', () => {
    const gids = [
      'gid://register-trainee-teachers/Trainee/123',
      'gid://register/Trainee/5',
      'gid://a/Trs::TrnRequest/77',
      'gid://a/Dqt::TrnRequest/78',
      'gid://a/TrnRequest/79',
      'gid://a/NotTrnRequest/80',
      'gid://a/Provider/1',
      'gid:///Trainee/1',
      'gid://a/b/Trainee/1',
      'gid://a/Trainee/',
      'gid://a/Trainee/1x',
      'gid://a/Trainees/1',
      'http://a/Trainee/1',
    ];
    for (const gid of gids) {
      for (const other of ['gid://a/Trainee/9', 'gid://a/Dqt::TrnRequest/9']) {
        const args = [{ _aj_globalid: gid }, { _aj_globalid: other }];
        expect(subjectOf(args), gid).toEqual(jobSubjectFromText(JSON.stringify(args)));
      }
    }
  });
});

describe('times', () => {
  it('ISO text as Date#toISOString gives it, for times across centuries', () => {
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(Math.random() * 253402300799999);
      expect(isoOrNull(ms)).toBe(new Date(ms).toISOString());
    }
    expect(isoOrNull(-1)).toBe(new Date(-1).toISOString());
    expect(isoOrNull(null)).toBeNull();
  });

  it('float seconds (6.x, 7.x) and integer milliseconds (8.x) read the same; written with a fraction', () => {
    expect(sidekiqTimeMs(1722507330.4993)).toBeCloseTo(1722507330499.3, 1);
    expect(sidekiqTimeMs(1722507330499)).toBe(1722507330499);
    expect(sidekiqTimeMs('1722507330')).toBe(1722507330000);
    expect(sidekiqTimeMs(null)).toBeNull();
    expect(sidekiqTimeJson(1796301068000, 'seconds')).toBe('1796301068.000000');
    expect(sidekiqTimeJson(1796301068667.9, 'milliseconds')).toBe('1796301068668');
  });
});

describe('Ruby inspect and HTTP errors', () => {
  it('reads hashes, arrays, strings with escapes, symbols in both Ruby forms', () => {
    expect(parseRubyInspect('{"a"=>["x", "y\\"z"], "n" => 1, :s=>nil, t: true, "u" => "\\u00e9\\n"}')).toEqual({ a: ['x', 'y"z'], n: 1, s: null, t: true, u: 'é\n' });
    expect(parseRubyInspect('{"a"=>[')).toBeNull();
  });

  it('a message without headers, an empty body, and text that is not an HTTP error', () => {
    expect(parseHttpErrorMessage('status: 500, body: , headers: {}')).toMatchObject({ status: 500, body: '', json: null, headers: {} });
    expect(parseHttpErrorMessage('status: 404, body: {"errorCode":10001}')).toMatchObject({ status: 404, json: { errorCode: 10001 }, headers: null, headersText: null });
    expect(parseHttpErrorMessage('Cannot update trainee on DQT without a trn (id: 209)')).toBeNull();
    expect(messageWithoutHeaders('status: 500, body: x, headers: {"date"=>["now"]}')).toBe('status: 500, body: x');
  });
});

describe('compressed backtraces', () => {
  const lines = ["app/lib/dqt/client.rb:45:in `handle_response'", "app/jobs/dqt/update_trainee_job.rb:20:in `perform'"];
  it('reads strict base64 (7.2.4+), MIME base64 with line breaks (older) and a plain array', () => {
    const deflated = deflateSync(Buffer.from(JSON.stringify(lines)));
    expect(decodeBacktrace(deflated.toString('base64'))).toEqual(lines);
    expect(decodeBacktrace(deflated.toString('base64').replace(/(.{60})/g, '$1\n'))).toEqual(lines);
    expect(decodeBacktrace(lines)).toEqual(lines);
    expect(decodeBacktrace('not base64 zlib')).toBeNull();
  });
});

describe('retry payload: two values change, every other byte stays', () => {
  it('retry_count − 1 and enqueued_at now, floats and key order as Ruby wrote them', () => {
    const now = new Date('2026-12-03T12:00:00.123Z');
    const edit = retryPayload(DQT_DEAD, now)!;
    expect(edit.queue).toBe('dqt');
    expect(edit.payload).toBe(DQT_DEAD.replace('"enqueued_at":1722507330.4993', '"enqueued_at":1796299200.123000').replace('"retry_count":0', '"retry_count":-1'));
    // Only the top-level enqueued_at: ActiveJob's own (an ISO string in args) is untouched.
    expect(edit.payload).toContain('"enqueued_at":"2024-08-01T10:15:30.497113000Z"');
    const ms = retryPayload(DQT_DEAD.replace('"enqueued_at":1722507330.4993', '"enqueued_at":1722507330499'), now)!;
    expect(ms.payload).toContain('"enqueued_at":1796299200123,');
  });

  it('adds enqueued_at when the member has none (a scheduled job) and refuses what is not a job', () => {
    expect(editTopLevel('{"a":1.0}', { b: '2' })).toBe('{"a":1.0,"b":2}');
    expect(retryPayload('{"queue":"default","class":"X","args":[]}', new Date(0))!.payload).toBe('{"queue":"default","class":"X","args":[],"enqueued_at":0.000000}');
    expect(retryPayload('{"class":"X"}')).toBeNull();
    expect(retryPayload('not json')).toBeNull();
  });
});

describe('writing an ActiveJob job as Register does', () => {
  it('Sidekiq keys in order, the ActiveJob hash in Rails order, GlobalIDs with Register\'s app name, a TimeWithZone', () => {
    const { json, jid } = activeJobPayload(
      { jobClass: 'Dqt::RetrieveTrnJob', queue: 'dqt', retry: 10, arguments: [recordArgument('Dqt::TrnRequest', 201), timeArgument('2026-12-04')] },
      { now: new Date('2026-12-01T09:00:00.5Z'), jid: 'abcdefabcdefabcdefabcdef', jobId: '00000000-0000-4000-8000-000000000000' },
    );
    expect(jid).toBe('abcdefabcdefabcdefabcdef');
    expect(json).toBe(
      '{"retry":10,"queue":"dqt","wrapped":"Dqt::RetrieveTrnJob","args":[{"job_class":"Dqt::RetrieveTrnJob","job_id":"00000000-0000-4000-8000-000000000000","provider_job_id":null,"queue_name":"dqt","priority":null,"arguments":[{"_aj_globalid":"gid://register-trainee-teachers/Dqt::TrnRequest/201"},{"_aj_serialized":"ActiveJob::Serializers::TimeWithZoneSerializer","value":"2026-12-04T00:00:00.000000000Z","time_zone":"Etc/UTC"}],"executions":0,"exception_executions":{},"locale":"en","timezone":"UTC","enqueued_at":"2026-12-01T09:00:00.500000000Z","scheduled_at":null}],"class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","jid":"abcdefabcdefabcdefabcdef","created_at":1796115600.500000,"enqueued_at":1796115600.500000}',
    );
    expect(decodeSidekiqJob(json)).toMatchObject({ shape: 'activejob', trnRequestId: 201, createdAt: 1796115600500 });
  });

  it('refuses a class or queue name that is not one', () => {
    expect(() => activeJobPayload({ jobClass: 'rm -rf', queue: 'dqt', arguments: [] })).toThrow('"rm -rf" is not a job class name');
    expect(() => activeJobPayload({ jobClass: 'Dqt::UpdateTraineeJob', queue: 'dqt queue', arguments: [] })).toThrow('"dqt queue" is not a queue name');
    expect(() => activeJobPayload({ jobClass: 'Dqt::UpdateTraineeJob', queue: 'dqt', arguments: [recordArgument('Trainee', 0)] })).toThrow('a whole id from 1');
  });
});

describe("Register's clean-up key", () => {
  it('first part of the message before a comma + wrapped class + the first argument\'s GlobalID id', () => {
    expect(cleanupKey(DQT_DEAD, JSON.parse(DQT_DEAD), false)).toBe('status: 400Dqt::UpdateTraineeJob98765');
    expect(cleanupKey('x', { error_message: 'boom', args: [{ arguments: ['plain'] }], class: 'HardJob' }, false)).toBeNull();
    expect(cleanupKey('x', { args: [{ arguments: [{ _aj_globalid: 'gid://a/Trainee/1' }] }] }, false)).toBeNull();
    expect(cleanupKey('{bad', null, true)).toEqual({ halt: 'a String cannot be dug into (TypeError) in a member that is not JSON' });
    expect(rubySplit('', ',')).toEqual([]);
    expect(rubySplit(',a,,', ',')).toEqual(['', 'a']);
  });

  it("decides as Ruby's one-string key would, job for job, over mixed shapes, ids and messages", () => {
    const errors = ['status: 500, body: , headers: {}', 'status: 404, body: {"a":1}', 'boom', ',lead', ',,,', '', 'Error updating professional status: status: 400, body: x'];
    const classes = ['Dqt::UpdateTraineeJob', 'Trs::UpdateTraineeJob', 'ActionMailer::MailDeliveryJob'];
    const ids = ['1', '7', '007', '0', '1234567890', 'abc', 'Trainee/', ''];
    const jobs: { raw: string; item: Record<string, unknown> | null }[] = [];
    let seed = 7;
    const pick = <T,>(list: T[]) => list[(seed = (seed * 1103515245 + 12345) % 2147483648) % list.length]!;
    for (let i = 0; i < 3000; i++) {
      const item: Record<string, unknown> = {
        class: pick(['ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper', 'ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper', 'HardJob']),
        wrapped: pick(classes),
        args: [{ arguments: [pick([{ _aj_globalid: `gid://a/Trainee/${pick(ids)}` }, { _aj_globalid: `gid://a/Trs::TrnRequest/${pick(ids)}` }, { nested: [{ _aj_globalid: 'gid://a/Trainee/3' }] }, 'plain'])] }],
        jid: `j${i}`,
      };
      const error = pick([...errors, null]);
      if (error !== null) item.error_message = error;
      jobs.push({ raw: JSON.stringify(item), item });
    }
    const cleanup = new DeadDuplicatesCleanup();
    const seen = new Set<string>();
    for (const { raw, item } of jobs) {
      const key = cleanupKey(raw, item, false);
      if (typeof key === 'object' && key !== null) break; // the reference stops where Ruby raises; so does the cleanup
      const expected = key !== null && seen.has(key);
      if (key !== null) seen.add(key);
      expect(cleanup.visit(raw, item), raw).toBe(expected);
    }
  });

  it('keeps the newest death per key, deletes the older ones, and stops where Ruby would raise', () => {
    const cleanup = new DeadDuplicatesCleanup();
    const item = JSON.parse(DQT_DEAD) as Record<string, unknown>;
    expect([cleanup.visit(DQT_DEAD, item), cleanup.visit(DQT_DEAD, item), cleanup.visit('{bad', null), cleanup.visit(DQT_DEAD, item)]).toEqual([false, true, false, false]);
    expect(cleanup.deletes).toBe(1);
    expect(cleanup.halted).toMatch(/TypeError/);
  });
});
