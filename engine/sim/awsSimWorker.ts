/**
 * The simulated S3 and Lambda, in a thread of its own so that its work never
 * counts as the client's: an HTTP server on 127.0.0.1 speaking the subset of
 * both APIs the client uses. Invocations are answered from results the store
 * recorded in earlier real runs, after the time the platform model gives
 * (start, fetch, the job's recorded time, store): no job runs, and no CPU is
 * spent on it. Objects "in the bucket" are names and sizes; bytes the client
 * downloads are read from the store.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { initHash } from '../model/hash';
import { decodeThunk, resolvedFollowOn } from '../model/thunk';
import type { Platform } from './platform';

export interface SimWorkerData {
  storeDir: string;
  platform: Platform;
  /** Recorded job times by job name (from --sim-times), else each result's own. */
  times: Record<string, number>;
}

/** The parts of the worker protocol (engine/aws/protocol.ts) the simulator reads and answers. */
interface WorkerRequest {
  thunk: string;
  thunkData: string;
  inline: Record<string, string>;
  inlineOutputLimit: number;
  followOn?: { thunk: string; thunkData: string; feeder: string };
}
type FollowOnAnswer =
  { thunk: string; exitCode: number; stdout: string; stderr: string; outputs: unknown[]; timings: object } | { notRun: string };

interface Output {
  tag: string;
  name: string;
  executable: boolean;
}
interface Result {
  outputs: Output[];
  stdout?: string;
  stderr?: string;
  durationMs: number;
  sha256?: Record<string, string>;
}

const data = workerData as SimWorkerData;
const p = data.platform;
/** Objects the simulated bucket holds: uploaded by the client, or stored by a simulated job. */
const bucket = new Set<string>();
/** Environments: when each is free again, and the objects it keeps in /tmp. */
const environments: Array<{ freeAt: number; cache: Set<string> }> = [];

const sizeOf = (name: string): number => parseInt(name.slice(33), 16);
const shard = (name: string): string => name.slice(1, 2);

async function readResult(thunk: string): Promise<Result | undefined> {
  try {
    return JSON.parse(await fs.readFile(join(data.storeDir, 'reductions', shard(thunk), thunk), 'utf8')) as Result;
  } catch {
    return undefined;
  }
}

function objectFile(name: string): string {
  return join(data.storeDir, 'objects', shard(name), name);
}

async function sha256Of(name: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(objectFile(name)))
    .digest('hex');
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((res, rej) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => res(Buffer.concat(parts)));
    req.on('error', rej);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** An environment for an invocation arriving now: an idle warm one, else a new one (cold), as Lambda routes. */
function environmentFor(now: number): { env: { freeAt: number; cache: Set<string> }; cold: boolean } {
  const idle = environments.find((e) => e.freeAt <= now);
  if (idle) return { env: idle, cold: false };
  const env = { freeAt: now, cache: new Set<string>() };
  environments.push(env);
  return { env, cold: true };
}

type Environment = { freeAt: number; cache: Set<string> };

const timings = (fetchMs: number, runMs: number, uploadMs: number): object => ({
  fetchMs: Math.round(fetchMs),
  runMs: Math.round(runMs),
  uploadMs: Math.round(uploadMs),
  totalMs: Math.round(fetchMs + runMs + uploadMs),
});

/** One job as the environment would run it: its answer's fields from the recorded result, and the time it takes; undefined without a result. */
async function simulatedJob(
  name: string,
  inputs: Record<string, string>,
  inline: Record<string, string>,
  inlineLimit: number,
  env: Environment,
): Promise<{ fields: Record<string, unknown>; ms: number; result: Result } | undefined> {
  const result = await readResult(name);
  if (!result) return undefined;
  // Inputs the environment does not keep are fetched from the bucket; inline ones came with the request.
  let fetched = 0;
  for (const input of Object.values(inputs)) {
    if (input in inline || env.cache.has(input)) continue;
    env.cache.add(input);
    fetched += sizeOf(input);
  }
  const stored = result.outputs.reduce((n, o) => n + sizeOf(o.name), 0);
  const fetchMs = fetched > 0 ? p.s3GetMs + (fetched / p.workerBytesPerSecond) * 1000 : 0;
  const runMs = (data.times[name] ?? result.durationMs) / p.workerSpeed;
  const uploadMs = p.s3PutMs + (stored / p.workerBytesPerSecond) * 1000;
  const outputs = [];
  for (const o of result.outputs) {
    bucket.add(o.name);
    env.cache.add(o.name);
    const small = sizeOf(o.name) <= inlineLimit;
    outputs.push({
      ...o,
      sha256: result.sha256?.[o.name] ?? (await sha256Of(o.name)),
      ...(small ? { data: (await fs.readFile(objectFile(o.name))).toString('base64') } : {}),
    });
  }
  const text = async (object: string | undefined): Promise<string> =>
    object ? (await fs.readFile(objectFile(object))).toString('base64') : '';
  const fields = {
    exitCode: 0,
    stdout: await text(result.stdout),
    stderr: await text(result.stderr),
    outputs,
    timings: timings(fetchMs, runMs, uploadMs),
    bytesFetched: fetched,
    bytesStored: stored,
    s3Gets: fetched > 0 ? 1 : 0,
    s3Puts: outputs.length,
  };
  return { fields, ms: fetchMs + runMs + uploadMs, result };
}

/** The job the first one feeds, in the same invocation, as the real worker runs it: under the name its resolved inputs give it. */
async function simulatedFollowOn(request: WorkerRequest, fed: Output[], env: Environment): Promise<{ answer: FollowOnAnswer; ms: number }> {
  const f = request.followOn as NonNullable<WorkerRequest['followOn']>;
  const resolved = resolvedFollowOn(decodeThunk(Buffer.from(f.thunkData, 'base64'), f.thunk), f.feeder, fed);
  if (!resolved) return { answer: { notRun: 'an input is not a value the job before it made' }, ms: 0 };
  const job = await simulatedJob(resolved.name, resolved.thunk.inputs, request.inline, request.inlineOutputLimit, env);
  if (!job) return { answer: { notRun: 'the simulator has no result recorded for it' }, ms: 0 };
  const f2 = job.fields as { exitCode: number; stdout: string; stderr: string; outputs: unknown[]; timings: object };
  return {
    answer: { thunk: resolved.name, exitCode: f2.exitCode, stdout: f2.stdout, stderr: f2.stderr, outputs: f2.outputs, timings: f2.timings },
    ms: job.ms,
  };
}

async function invoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = JSON.parse((await body(req)).toString('utf8')) as WorkerRequest;
  const { env, cold } = environmentFor(Date.now());
  env.freeAt = Number.POSITIVE_INFINITY;
  const answer = (fields: object, ms: number): void => {
    void sleep(ms).then(() => {
      env.freeAt = Date.now();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ protocol: 2, ...fields }));
    });
  };
  const inputs = decodeThunk(Buffer.from(request.thunkData, 'base64'), request.thunk).inputs;
  const job = await simulatedJob(request.thunk, inputs, request.inline, request.inlineOutputLimit, env);
  if (!job) {
    const message = 'the simulator has no result recorded for this job: run the build once for real (locally) first, then simulate it';
    answer({ exitCode: -1, stdout: '', stderr: '', outputs: [], timings: timings(0, 0, 0), fault: { code: 'bad-request', message } }, 1);
    return;
  }
  const next = request.followOn ? await simulatedFollowOn(request, job.result.outputs, env) : undefined;
  answer({ ...job.fields, ...(next ? { followOn: next.answer } : {}) }, (cold ? p.coldStartMs : p.warmInvokeMs) + job.ms + (next?.ms ?? 0));
}

let uploads = 0;

async function s3(req: IncomingMessage, res: ServerResponse, key: string, query: URLSearchParams): Promise<void> {
  const object = /(?:^|\/)objects\/([VT][0-9a-f]+)$/.exec(key)?.[1];
  await sleep(req.method === 'PUT' || req.method === 'POST' ? p.s3PutMs : p.s3GetMs);
  // Multipart uploads (large objects): started, parts taken, completed as one object.
  if (req.method === 'POST' && query.has('uploads')) {
    await body(req);
    const xml = `<InitiateMultipartUploadResult><Bucket>burst-sim</Bucket><Key>${key}</Key><UploadId>sim-${++uploads}</UploadId></InitiateMultipartUploadResult>`;
    res.writeHead(200, { 'content-type': 'application/xml' }).end(xml);
    return;
  }
  if (req.method === 'POST' && query.has('uploadId')) {
    await body(req);
    if (object) bucket.add(object);
    res
      .writeHead(200, { 'content-type': 'application/xml' })
      .end(`<CompleteMultipartUploadResult><Key>${key}</Key><ETag>"sim"</ETag></CompleteMultipartUploadResult>`);
    return;
  }
  if (req.method === 'PUT' && query.has('uploadId')) {
    await body(req);
    res.writeHead(200, { etag: `"sim-part-${query.get('partNumber') ?? '1'}"` }).end();
    return;
  }
  if (req.method === 'PUT') {
    await body(req);
    if (object) bucket.add(object);
    res.writeHead(200, { etag: '"sim"' }).end();
    return;
  }
  if (req.method === 'DELETE') {
    if (object) bucket.delete(object);
    res.writeHead(204).end();
    return;
  }
  if (!object || !bucket.has(object)) {
    res
      .writeHead(404, { 'content-type': 'application/xml' })
      .end('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
    return;
  }
  if (req.method === 'HEAD') {
    res.writeHead(200, { 'content-length': String(sizeOf(object)) }).end();
    return;
  }
  res.writeHead(200, { 'content-length': String(sizeOf(object)) });
  createReadStream(objectFile(object)).pipe(res);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://sim');
  const invocation = /^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(url.pathname);
  const work = invocation ? invoke(req, res) : s3(req, res, decodeURIComponent(url.pathname.replace(/^\/[^/]+\//, '')), url.searchParams);
  work.catch((e: unknown) => {
    if (!res.headersSent) res.writeHead(500).end(String(e));
  });
});
void initHash().then(() =>
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    parentPort?.postMessage({ port: typeof address === 'object' && address ? address.port : 0 });
  }),
);
