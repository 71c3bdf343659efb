/**
 * The scheduler on its own: an in-memory store, and backends that run jobs in
 * this process (an in-process stand-in for a worker: here a job's output is
 * its inputs' bytes joined, so every answer is checkable). No disk, no
 * processes, no network.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { LostInputsError, TransientError } from '../engine/model/errors';
import { initHash } from '../engine/model/hash';
import { decodeThunk, encodeThunk, type Thunk } from '../engine/model/thunk';
import { JobTimes } from '../engine/schedule/jobTimes';
import { CriticalPath, UNKNOWN_JOB_MS } from '../engine/schedule/criticalPath';
import { StragglerPolicy } from '../engine/schedule/straggler';
import type { RunEvent } from '../engine/schedule/scheduler';
import { Scheduler } from '../engine/schedule/scheduler';
import type { Backend } from '../engine/schedule/backend';
import type { JobResult } from '../engine/exec/worker';
import { MemoryStore } from '../engine/store/memory';
import type { Reduction, SharedStore } from '../engine/store/objectStore';
import { answerWithOutput } from './lib/jobAnswer';

before(() => initHash());

/** A job `join`: its output `out` holds its inputs' bytes in path order, then its first argument. */
async function joinThunk(store: MemoryStore, tag: string, inputs: Record<string, string> = {}): Promise<string> {
  const thunk: Thunk = { args: ['join', tag], env: {}, inputs, executables: [], outputs: ['out'], cwd: '', timeoutMs: 60_000 };
  return store.putBytes('T', encodeThunk(thunk));
}

type Behaviour = (name: string, thunk: Thunk, attempt: number, signal: AbortSignal) => Promise<void> | void;

/** A backend running `join` jobs in this process; `behave` may throw, or wait, before the job's answer. */
class InProcessBackend implements Backend {
  readonly maxJobs: number = 4;
  readonly runs: string[] = [];
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly store: MemoryStore,
    readonly label = 'memory',
    private readonly behave: Behaviour = () => undefined,
    private readonly decline?: (thunk: Thunk) => string | undefined,
    readonly shared?: SharedStore,
  ) {}

  declines(_name: string, thunk: Thunk): string | undefined {
    return this.decline?.(thunk);
  }

  async execute(name: string, thunk: Thunk, signal: AbortSignal): Promise<JobResult> {
    const attempt = (this.attempts.get(name) ?? 0) + 1;
    this.attempts.set(name, attempt);
    this.runs.push(`${thunk.args[1]}#${attempt}`);
    await this.behave(name, thunk, attempt, signal);
    const parts = await Promise.all(
      Object.keys(thunk.inputs)
        .sort()
        .map((p) => this.store.readBytes(thunk.inputs[p] as string)),
    );
    const out = await this.store.putBytes('V', Buffer.concat([...parts, Buffer.from(thunk.args[1] as string)]));
    return answerWithOutput(out);
  }
}

async function text(store: MemoryStore, name: string | undefined): Promise<string> {
  return (await store.readBytes(name as string)).toString();
}

describe('the scheduler, on an in-memory store', () => {
  test('a graph runs bottom-up, and a second run of it is all cache hits', async () => {
    const store = new MemoryStore();
    const a = await joinThunk(store, 'a');
    const b = await joinThunk(store, 'b', { x: `${a}#out` });
    const first = new InProcessBackend(store);
    const r1 = await new Scheduler(store, { backend: first }).force([b]);
    assert.equal(await text(store, r1.values.get(b)?.name), 'ab');
    assert.deepEqual(first.runs, ['a#1', 'b#1']);

    const again = new InProcessBackend(store);
    const events: RunEvent[] = [];
    const scheduler = new Scheduler(store, { backend: again, onEvent: (e) => events.push(e) });
    const r2 = await scheduler.force([b]);
    assert.equal(r2.values.get(b)?.name, r1.values.get(b)?.name);
    assert.deepEqual(again.runs, [], 'nothing runs');
    assert.equal(scheduler.report().cached, 1, 'the target itself is found: its inputs are never looked at');
    assert.ok(events.some((e) => e.type === 'job-cached'));
  });

  test('a transient fault is retried, and the report counts the retry', async () => {
    const store = new MemoryStore();
    const a = await joinThunk(store, 'a');
    const flaky = new InProcessBackend(store, 'memory', (_n, _t, attempt) => {
      if (attempt === 1) throw new TransientError('the worker went away');
    });
    const scheduler = new Scheduler(store, { backend: flaky, retryBaseMs: 1 });
    const { values, failures } = await scheduler.force([a]);
    assert.deepEqual(failures, []);
    assert.equal(await text(store, values.get(a)?.name), 'a');
    assert.deepEqual(flaky.runs, ['a#1', 'a#2']);
    const report = scheduler.report();
    assert.equal(report.retried, 1);
    assert.deepEqual(
      report.jobs.map((j) => j.outcome),
      ['lost', 'ok'],
    );
  });

  test('a job that ends without its result after every retry counts as failed, with its cause', async () => {
    const store = new MemoryStore();
    const a = await joinThunk(store, 'a');
    const b = await joinThunk(store, 'b');
    const broken = new InProcessBackend(store, 'memory', (_n, thunk) => {
      if (thunk.args[1] === 'a') throw new TransientError('sandbox set-up failed: ENOENT: the store lost an input');
    });
    const events: RunEvent[] = [];
    const scheduler = new Scheduler(store, {
      backend: broken,
      retries: 2,
      retryBaseMs: 1,
      keepGoing: true,
      onEvent: (e) => events.push(e),
    });
    const { failures } = await scheduler.force([a, b]);
    assert.deepEqual(
      failures.map((f) => f.ref),
      [a],
    );
    const report = scheduler.report();
    assert.equal(report.failed, 1, 'counted, never "0 failed"');
    assert.equal(report.retried, 2);
    const failed = events.find((e) => e.type === 'job-failed');
    assert.ok(failed && failed.type === 'job-failed' && /the store lost an input/.test(failed.message), JSON.stringify(failed));
  });

  test('a straggler gets a duplicate; the first copy to answer wins and the other is stopped', async () => {
    const store = new MemoryStore();
    const slow = await joinThunk(store, 'slow');
    let stopped = false;
    const backend = new InProcessBackend(store, 'memory', (_n, _t, attempt, signal) => {
      if (attempt > 1) return; // the duplicate answers at once
      return new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          stopped = true;
          reject(new TransientError('stopped'));
        });
      });
    });
    const scheduler = new Scheduler(store, { backend, straggler: { minMs: 40, noHistoryMs: 40 } });
    const { values } = await scheduler.force([slow]);
    assert.equal(await text(store, values.get(slow)?.name), 'slow');
    const report = scheduler.report();
    assert.equal(report.duplicated, 1);
    assert.ok(stopped, 'the first copy was stopped');
    const [original, duplicate] = report.jobs;
    assert.deepEqual([original?.duplicate, duplicate?.duplicate, duplicate?.outcome], [false, true, 'ok']);
    assert.notEqual(original?.outcome, 'ok');
  });

  test('a cached result whose output is gone runs its job again, with a warning', async () => {
    const store = new MemoryStore();
    const a = await joinThunk(store, 'a');
    const r1 = await new Scheduler(store, { backend: new InProcessBackend(store) }).force([a]);
    store.objects.delete(r1.values.get(a)?.name as string);
    const again = new InProcessBackend(store);
    const events: RunEvent[] = [];
    const { values } = await new Scheduler(store, { backend: again, onEvent: (e) => events.push(e) }).force([a]);
    assert.equal(await text(store, values.get(a)?.name), 'a');
    assert.deepEqual(again.runs, ['a#1']);
    assert.ok(
      events.some((e) => e.type === 'warning' && e.message.includes('is not in the store')),
      JSON.stringify(events),
    );
  });

  test('an input lost where only the remote side held it is made again by its job, then its reader runs', async () => {
    const store = new MemoryStore();
    const a = await joinThunk(store, 'a');
    const b = await joinThunk(store, 'b', { x: `${a}#out` });
    let lostOnce = false;
    const backend = new InProcessBackend(store, 'memory', (_n, thunk) => {
      if (thunk.args[1] === 'b' && !lostOnce) {
        lostOnce = true;
        throw new LostInputsError(Object.values(thunk.inputs), 'memory://remote', 'gone from the remote side');
      }
    });
    const { values, failures } = await new Scheduler(store, { backend }).force([b]);
    assert.deepEqual(failures, []);
    assert.equal(await text(store, values.get(b)?.name), 'ab');
    assert.deepEqual(backend.runs, ['a#1', 'b#1', 'a#2', 'b#2']);
  });

  test('a job the backend declines runs on the local pool, with its reason in the report, and every result is shared', async () => {
    const store = new MemoryStore();
    const small = await joinThunk(store, 'small');
    const big = await joinThunk(store, 'big');
    const published: Array<[string, Reduction]> = [];
    const shared: SharedStore = {
      where: () => 'memory://shared',
      holds: () => false,
      getReduction: async () => undefined,
      publish: async (thunk, r) => void published.push([thunk, r]),
      discard: async () => undefined,
      expect: () => undefined,
    };
    const remote = new InProcessBackend(
      store,
      'remote',
      undefined,
      (t) => (t.args[1] === 'big' ? 'its inputs are too large for a remote job' : undefined),
      shared,
    );
    const local = new InProcessBackend(store, 'local');
    const scheduler = new Scheduler(store, { backend: remote, local });
    const { failures } = await scheduler.force([small, big]);
    assert.deepEqual(failures, []);
    assert.deepEqual([remote.runs, local.runs], [['small#1'], ['big#1']]);
    const report = scheduler.report();
    assert.deepEqual(report.ranLocally, [{ job: big, program: 'join', reason: 'its inputs are too large for a remote job' }]);
    assert.deepEqual(report.byBackend, { remote: 1, local: 1 });
    assert.equal(report.jobs.find((j) => j.name === big)?.reason, 'its inputs are too large for a remote job');
    // Every result made in the run is shared, the one made here with its reason.
    assert.deepEqual(
      published.map(([t, r]) => [t, r.backend, r.reason]).sort(),
      [
        [big, 'local', 'its inputs are too large for a remote job'],
        [small, 'remote', undefined],
      ].sort(),
    );
  });

  test('without a local pool, a declined job fails with the reason, and the run says so', async () => {
    const store = new MemoryStore();
    const big = await joinThunk(store, 'big');
    const remote = new InProcessBackend(store, 'remote', undefined, () => 'it runs a program of this machine');
    const { failures } = await new Scheduler(store, { backend: remote }).force([big]);
    assert.equal(failures.length, 1);
    assert.match(failures[0]?.error.message ?? '', /the remote backend cannot run .*it runs a program of this machine/);
  });
});

describe('the order in which waiting jobs get a slot', () => {
  /** One slot, so the order jobs run in is the order the scheduler chose. */
  class OneSlot extends InProcessBackend {
    override readonly maxJobs = 1;
  }

  test('the longest way to the end goes first: a chain of three before three short jobs asked for before it', async () => {
    const store = new MemoryStore();
    const shorts = await Promise.all(['s0', 's1', 's2', 's3'].map((t) => joinThunk(store, t)));
    const z0 = await joinThunk(store, 'z0');
    const z1 = await joinThunk(store, 'z1', { x: `${z0}#out` });
    const z2 = await joinThunk(store, 'z2', { x: `${z1}#out` });
    const backend = new OneSlot(store);
    const r = await new Scheduler(store, { backend }).force([...shorts, z2]);
    assert.equal(r.failures.length, 0);
    // s0 found the slot free. Then z0 (three jobs to the end) and z1 (two) go before the short jobs, which were asked
    // for first; z2, the chain's last, is one job from the end like them and waits its turn. In the order of asking,
    // the chain would have run last.
    assert.deepEqual(backend.runs, ['s0#1', 'z0#1', 'z1#1', 's1#1', 's2#1', 's3#1', 'z2#1']);
  });

  test("times from earlier runs: a job that took long before goes before one that did not; a run keeps its jobs' times", async () => {
    const store = new MemoryStore();
    const [first, short, long] = await Promise.all(['first', 'short', 'long'].map((t) => joinThunk(store, t)));
    const thunkOf = async (name: string): Promise<Thunk> => decodeThunk(await store.readBytes(name), name);
    const times = JobTimes.empty();
    await new Scheduler(store, { backend: new OneSlot(store), times, useCache: false }).force([first]);
    assert.equal(times.estimate(await thunkOf(first)), 1, "the run kept the job's time (the test backend reports 1 ms)");
    assert.equal(times.estimate(await thunkOf(long)), undefined);
    // Unknown times are all alike, and then the order of asking decides.
    const unknown = new OneSlot(store);
    await new Scheduler(store, { backend: unknown, times, useCache: false }).force([first, short, long]);
    assert.deepEqual(unknown.runs, ['first#1', 'short#1', 'long#1']);
    times.record(await thunkOf(long), 5000);
    times.record(await thunkOf(short), 10);
    const known = new OneSlot(store);
    await new Scheduler(store, { backend: known, times, useCache: false }).force([first, short, long]);
    assert.deepEqual(known.runs, ['first#1', 'long#1', 'short#1']);
  });
});

test('a straggler on the critical path gets its duplicate at half the usual wait; others wait the whole of it', async () => {
  const store = new MemoryStore();
  const [a, c] = await Promise.all(['a', 'c'].map((t) => joinThunk(store, t)));
  const b = await joinThunk(store, 'b', { x: `${a}#out` });
  const thunkOf = async (name: string): Promise<Thunk> => decodeThunk(await store.readBytes(name), name);
  const path = new CriticalPath(JobTimes.empty());
  // As the scheduler learns the graph: a job is registered before the jobs it reads from.
  path.job(b, await thunkOf(b));
  path.job(a, await thunkOf(a));
  path.job(c, await thunkOf(c));
  assert.deepEqual([path.tail(a), path.tail(b), path.tail(c)], [2 * UNKNOWN_JOB_MS, UNKNOWN_JOB_MS, UNKNOWN_JOB_MS]);
  path.started(a);
  path.started(c);
  assert.equal(path.isCritical(a), true);
  assert.equal(path.isCritical(c), false);
  path.ended(a);
  assert.equal(path.isCritical(c), true, 'with a done, c is as far from the end as anything left');

  const policy = new StragglerPolicy({ factor: 4, minMs: 10, minSamples: 1 });
  policy.recordDuration('cc1', 100);
  const work = [{ program: 'cc1', timeoutMs: 60_000 }];
  assert.equal(policy.isStraggling(work, 250, false), false, 'not yet four times the usual 100 ms');
  assert.equal(policy.isStraggling(work, 250, true), true, 'on the critical path, twice is enough');
  assert.equal(policy.isStraggling(work, 450, false), true);
});
