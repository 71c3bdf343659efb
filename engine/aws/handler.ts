/**
 * The Lambda function: runs one thunk sent by the engine. Inputs come inline
 * or from the bucket, each checked against its name and the SHA-256 the
 * engine gives, into a store in /tmp that stays warm across invocations
 * (capped in size, and checked again before each job: warmStore.ts); the
 * job runs through the same worker module as local jobs, in a fresh
 * directory; outputs go to the bucket, small ones also back in the answer,
 * each with its SHA-256. The result is the engine's to sign and share.
 * Never throws: every failure is an answer the engine can act on.
 */
import './sdkNotice';
import { S3Client } from '@aws-sdk/client-s3';
import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptObjectError, MissingObjectError, StoppedJobError, errorMessage } from '../model/errors';
import { nameOfBytes, parseName } from '../model/hash';
import { LocalStore, type TaggedOutput } from '../store/local';
import { cacheStats, collectGarbage } from '../store/maintenance';
import { decodeThunk, isThunkRef, resolvedFollowOn, type Thunk } from '../model/thunk';
import { executeThunk, sandboxesRemoved, type JobResult } from '../exec/worker';
import { S3Objects } from './s3Objects';
import {
  LAUNCHER_FILE,
  WORKER_PROTOCOL,
  type FollowOnAnswer,
  type StorageTarget,
  type WorkerFault,
  type WorkerOutput,
  type WorkerRequest,
  type WorkerResponse,
  type WorkerTimings,
} from './protocol';
import { mapLimit } from './mapLimit';
import { guardHandler } from './guard';
import { WarmStore } from './warmStore';

/** Why jobs may read this process (its credentials, its memory of the warm store); undefined when they cannot. */
const unguarded = guardHandler(__dirname);
const warm = new WarmStore();

// Lambda has no C compiler: the job launcher comes built in the zip (workerPackage.ts); without it, jobs start through child_process.
// BURST_LAUNCHER set in the function's environment (node: no launcher) wins.
process.env.BURST_LAUNCHER ??= shippedLauncher() ?? 'node';

function shippedLauncher(): string | undefined {
  const path = join(__dirname, LAUNCHER_FILE);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined; // not in the zip, or unpacked without its mode by a tool that repacked the zip
  }
}

const STORE_DIR = process.env.BURST_WORKER_DIR ?? join(tmpdir(), 'burst-worker');
/** The warm store's size cap; Lambda's /tmp is 512 MB unless configured larger. */
const CACHE_BYTES = Number(process.env.BURST_WORKER_CACHE_BYTES ?? 384 << 20);
const FETCH_PARALLELISM = 32;
/** Base64 grows bytes by a third: this much raw output keeps an answer under Lambda's 6 MB. */
const ANSWER_INLINE_BYTES = 4 << 20;

/**
 * The bucket and endpoint deploy fixed in the function's environment: a
 * request may not make the function use its role's access anywhere else.
 */
function refusedStorage(target: StorageTarget): string | undefined {
  const bucket = process.env.BURST_WORKER_BUCKET;
  if (bucket && target.bucket !== bucket) return `this worker serves bucket ${bucket}, not ${target.bucket}`;
  const endpoint = process.env.BURST_WORKER_S3_ENDPOINT;
  if ((target.endpoint ?? '') !== (endpoint ?? ''))
    return `this worker uses ${endpoint ? `the S3 endpoint ${endpoint}` : 'AWS S3'}, not ${target.endpoint ?? 'AWS S3'}`;
  return undefined;
}

let storePromise: Promise<LocalStore> | undefined;
let storeBytes: number | undefined;
const clients = new Map<string, S3Client>();

function s3For(target: StorageTarget): S3Objects {
  const key = `${target.region}\0${target.endpoint ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    client = new S3Client({
      region: target.region,
      ...(target.endpoint
        ? {
            endpoint: target.endpoint,
            forcePathStyle: true,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }
        : {}),
    });
    clients.set(key, client);
  }
  return new S3Objects(client, target);
}

/** What the handler reads of Lambda's context object. */
interface InvocationContext {
  getRemainingTimeInMillis?: () => number;
}

/** A follow-on runs only with this much of the invocation's time left beyond what its feeder took. */
const FOLLOW_ON_RESERVE_MS = 30_000;
/** Of the invocation's time, what a job leaves for putting its outputs in the bucket. */
const OUTPUT_RESERVE_MS = 10_000;
/** When this invocation must have answered (one invocation at a time per instance); undefined outside Lambda. */
let deadline: number | undefined;

export async function handler(event: WorkerRequest, context?: InvocationContext): Promise<WorkerResponse> {
  const started = performance.now();
  await sandboxesRemoved(); // the last invocation's, if the environment was frozen before they were gone
  const answer = (
    partial: Partial<Omit<WorkerResponse, 'timings'>> & { timings?: Omit<WorkerTimings, 'totalMs'> },
    s3?: S3Objects,
  ): WorkerResponse => ({
    protocol: WORKER_PROTOCOL,
    exitCode: -1,
    stdout: '',
    stderr: '',
    outputs: [],
    ...partial,
    timings: { fetchMs: 0, runMs: 0, uploadMs: 0, ...partial.timings, totalMs: Math.round(performance.now() - started) },
    ...(unguarded ? { unguarded } : {}),
    bytesFetched: s3?.counts.bytesDown ?? 0,
    bytesStored: s3?.counts.bytesUp ?? 0,
    // A HEAD is billed as a GET.
    s3Gets: (s3?.counts.gets ?? 0) + (s3?.counts.heads ?? 0),
    s3Puts: s3?.counts.puts ?? 0,
  });
  if (event?.protocol !== WORKER_PROTOCOL)
    return answer({
      fault: { code: 'bad-request', message: `this worker speaks protocol ${WORKER_PROTOCOL}; redeploy it (burst deploy)` },
    });
  const refused = refusedStorage(event.storage);
  if (refused) return answer({ fault: { code: 'bad-request', message: refused } });
  const s3 = s3For(event.storage);
  const left = context?.getRemainingTimeInMillis?.();
  deadline = left === undefined ? undefined : Date.now() + left;
  try {
    const store = (await openStore()).over(s3.asRemote()); // this invocation's bucket
    const thunk = readThunk(event.thunk, event.thunkData);
    const ran = await runHere(store, thunk, event);
    let job: Omit<JobAnswer, 'produced'>;
    let followOn: FollowOnAnswer | undefined;
    if (ran.exitCode !== 0 || !event.followOn) job = await recorded(store, s3, ran, event, ANSWER_INLINE_BYTES);
    else [job, followOn] = await withFollowOn(store, s3, event, ran, context);
    await trimStore(store).catch(() => undefined); // the jobs are done; a cache that stays too big is trimmed next time
    return answer({ ...job, ...(followOn ? { followOn } : {}) }, s3);
  } catch (e) {
    return answer({ fault: faultOf(e) }, s3);
  }
}

type JobAnswer = Pick<WorkerResponse, 'exitCode' | 'stdout' | 'stderr' | 'outputs'> & {
  timings: Omit<WorkerTimings, 'totalMs'>;
  produced: TaggedOutput[];
};

/** A job run here, its outputs not yet in the bucket. */
type Ran = JobResult & { fetchMs: number; runMs: number; sha256: Record<string, string> };

/** One job: its inputs fetched and checked, run in a fresh directory, its outputs put in the bucket. */
async function runJob(store: LocalStore, s3: S3Objects, thunk: Thunk, event: WorkerRequest, inlineBudget: number): Promise<JobAnswer> {
  return recorded(store, s3, await runHere(store, thunk, event), event, inlineBudget);
}

async function runHere(store: LocalStore, thunk: Thunk, event: WorkerRequest): Promise<Ran> {
  let t = performance.now();
  await fetchInputs(store, thunk, event.inline, event.sha256 ?? {});
  const fetchMs = Math.round(performance.now() - t);
  t = performance.now();
  // A job's timeout is capped to the invocation's time left: a job the runtime would stop has no answer at all.
  const timeLeftMs = deadline === undefined ? undefined : Math.max(1000, deadline - Date.now() - OUTPUT_RESERVE_MS);
  const result = await executeThunk(store, thunk, {
    isolate: false,
    outputLimit: event.outputLimit,
    ...(timeLeftMs !== undefined ? { timeLeftMs } : {}),
  });
  const runMs = Math.round(performance.now() - t);
  // Taken now, before anything else runs: the follow-on's job could change the store's copies while these go to the bucket.
  const sha256: Record<string, string> = {};
  if (result.exitCode === 0) for (const o of result.outputs) sha256[o.name] = await warm.taken(store, o.name);
  return { ...result, sha256, fetchMs, runMs };
}

/** The job's answer, once its outputs (if it succeeded) are in the bucket. */
async function recorded(store: LocalStore, s3: S3Objects, ran: Ran, event: WorkerRequest, inlineBudget: number): Promise<JobAnswer> {
  const timings = { fetchMs: ran.fetchMs, runMs: ran.runMs, uploadMs: 0 };
  const base = {
    exitCode: ran.exitCode,
    stdout: ran.stdout.toString('base64'),
    stderr: ran.stderr.toString('base64'),
    timings,
    produced: ran.outputs,
  };
  if (ran.exitCode !== 0) return { ...base, outputs: [] };
  const t = performance.now();
  // Outputs only: the result is the engine's to sign and share (this worker holds no key, and its jobs could read one).
  const outputs = await storeOutputs(
    store,
    s3,
    ran.outputs,
    ran.sha256,
    event.inlineOutputLimit,
    inlineBudget - ran.stdout.length - ran.stderr.length,
  );
  timings.uploadMs = Math.round(performance.now() - t);
  return { ...base, outputs };
}

/**
 * The follow-on runs while the first job's outputs and result go to the
 * bucket: it reads them here, so the uploads leave the invocation's critical
 * path. Both end before the answer, whatever happens to either.
 */
async function withFollowOn(
  store: LocalStore,
  s3: S3Objects,
  event: WorkerRequest,
  ran: Ran,
  context?: InvocationContext,
): Promise<[Omit<JobAnswer, 'produced'>, FollowOnAnswer]> {
  // Its outputs are the follow-on's inputs here: they need not travel back.
  const first = recorded(store, s3, ran, event, 0);
  const budget = ANSWER_INLINE_BYTES - ran.stdout.length - ran.stderr.length;
  const next = followOnAnswer(store, s3, event, ran.runMs, budget, ran.outputs, context);
  const [job, followOn] = await Promise.allSettled([first, next]);
  if (job.status === 'rejected') throw job.reason;
  const { produced: _, ...answered } = job.value;
  return [answered, followOn.status === 'fulfilled' ? followOn.value : { fault: faultOf(followOn.reason) }];
}

/** The follow-on run if time allows; whatever stops it is an answer, never the first job's failure. */
async function followOnAnswer(
  store: LocalStore,
  s3: S3Objects,
  event: WorkerRequest,
  firstRunMs: number,
  inlineBudget: number,
  fed: TaggedOutput[],
  context?: InvocationContext,
): Promise<FollowOnAnswer> {
  const left = context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  if (left < FOLLOW_ON_RESERVE_MS + firstRunMs) return { notRun: `${Math.round(left / 1000)} s of the invocation were left` };
  return runFollowOn(store, s3, event, fed, inlineBudget).catch((e: unknown) => ({ fault: faultOf(e) }));
}

/**
 * The job the first one feeds, run under the name the engine will give it:
 * its inputs that named the first job's outputs now name their values.
 * Anything that stops it is an answer the engine acts on by running the job
 * itself; a failure of the job is its result, as for any job.
 */
async function runFollowOn(
  store: LocalStore,
  s3: S3Objects,
  event: WorkerRequest,
  fed: TaggedOutput[],
  inlineBudget: number,
): Promise<FollowOnAnswer> {
  const request = event.followOn as NonNullable<WorkerRequest['followOn']>;
  const resolved = resolvedFollowOn(readThunk(request.thunk, request.thunkData), request.feeder, fed);
  if (!resolved) return { notRun: 'an input is not a value the job before it made' };
  const { thunk, name } = resolved;
  // Not looked for in the bucket first: it is there only when an edit left the intermediate unchanged, and then running it again costs about what the look costs every time.
  const job = await runJob(store, s3, thunk, event, inlineBudget);
  return {
    thunk: name,
    exitCode: job.exitCode,
    stdout: job.stdout,
    stderr: job.stderr,
    outputs: job.outputs,
    timings: { ...job.timings, totalMs: 0 },
  };
}

function openStore(): Promise<LocalStore> {
  storePromise ??= LocalStore.open(STORE_DIR).catch((e: unknown) => {
    storePromise = undefined;
    throw e;
  });
  return storePromise;
}

function readThunk(name: string, data: string): Thunk {
  const bytes = Buffer.from(data, 'base64');
  if (nameOfBytes('T', bytes) !== name) throw new CorruptObjectError(name, 'the request');
  return decodeThunk(bytes, name);
}

/** Every missing or corrupt object is named at once, so the engine repairs them all before the next attempt. */
class BadObjects extends Error {
  constructor(readonly fault: WorkerFault) {
    super(fault.message);
  }
}

/** Every input present and as checked (warmStore.ts), fetched if need be: a job may have changed the warm store since. */
async function fetchInputs(store: LocalStore, thunk: Thunk, inline: Record<string, string>, sha256: Record<string, string>): Promise<void> {
  const names = [...new Set(Object.values(thunk.inputs))].filter((n) => !isThunkRef(n));
  const bad: Array<CorruptObjectError | MissingObjectError> = [];
  await mapLimit(names, FETCH_PARALLELISM, async (name) => {
    try {
      await warm.admit(store, name, sha256[name], () => fetchInput(store, name, inline[name]));
    } catch (e) {
      if (!(e instanceof CorruptObjectError || e instanceof MissingObjectError)) throw e;
      bad.push(e);
    }
  });
  if (bad.length === 0) return;
  const corrupt = bad.some((e) => e instanceof CorruptObjectError);
  throw new BadObjects({
    code: corrupt ? 'corrupt-object' : 'missing-object',
    message: bad.map((e) => e.message).join('; '),
    object: bad[0]?.object as string,
    objects: bad.map((e) => e.object),
  });
}

async function fetchInput(store: LocalStore, name: string, data: string | undefined): Promise<void> {
  if (data !== undefined) {
    if ((await store.putBytes(parseName(name).type, Buffer.from(data, 'base64'))) !== name)
      throw new CorruptObjectError(name, 'the request');
    return;
  }
  await store.verifiedPath(name); // fetched from the request's bucket (the store is layered over it), checked against its name
  if (storeBytes !== undefined) storeBytes += parseName(name).size;
}

async function storeOutputs(
  store: LocalStore,
  s3: S3Objects,
  outputs: Array<{ tag: string; name: string; executable: boolean }>,
  sha256: Record<string, string>,
  inlineLimit: number,
  inlineBudget: number,
): Promise<WorkerOutput[]> {
  let budget = inlineBudget;
  return mapLimit(outputs, FETCH_PARALLELISM, async (o) => {
    const path = await store.verifiedPath(o.name);
    const size = parseName(o.name).size;
    // A HEAD saves re-sending a large object another job already put there; for a small one it costs as much as the PUT.
    if (size <= inlineLimit || !(await s3.exists(o.name))) await s3.putFile(o.name, path);
    const out: WorkerOutput = { tag: o.tag, name: o.name, executable: o.executable, sha256: sha256[o.name] as string };
    // The answer stays under Lambda's 6 MB: outputs past the budget are fetched from the bucket instead.
    if (size <= inlineLimit && size <= budget) {
      budget -= size;
      out.data = (await store.readBytes(o.name)).toString('base64');
    }
    return out;
  });
}

/** Keeps the warm store under its cap: the oldest objects go first. */
async function trimStore(store: LocalStore): Promise<void> {
  storeBytes ??= (await cacheStats(store)).bytes;
  if (storeBytes <= CACHE_BYTES) return;
  await collectGarbage(store, Math.floor(CACHE_BYTES * 0.75));
  storeBytes = (await cacheStats(store)).bytes;
}

function faultOf(e: unknown): WorkerFault {
  if (e instanceof BadObjects) return e.fault;
  if (e instanceof CorruptObjectError) return { code: 'corrupt-object', message: e.message, object: e.object };
  if (e instanceof MissingObjectError) return { code: 'missing-object', message: e.message, object: e.object };
  if (e instanceof StoppedJobError) return { code: 'job-stopped', message: e.message, why: e.why };
  return { code: 'worker-error', message: errorMessage(e) };
}
