/**
 * The Lambda backend: one RequestResponse invocation of the worker function
 * per job. Inputs the bucket lacks go up first (each object once, small ones
 * inline in the request); outputs stay in the bucket, small ones also come
 * back at once, and the rest are fetched only when something here needs
 * their bytes. Results are shared through the bucket, so another machine
 * with the same bucket gets cache hits. Jobs Lambda cannot take it
 * declines, with the reason: the scheduler runs them on the local pool.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { posix } from 'node:path';
import type { Backend, BackendStats, FollowOn } from '../schedule/backend';
import { elfArchitecture } from '../exec/elf';
import { BurstError, CorruptObjectError, LostInputsError, StoppedJobError, TransientError, errorMessage } from '../model/errors';
import { isSha256, nameOfFile, parseName, sha256OfFile } from '../model/hash';
import type { LocalStore } from '../store/local';
import { objectsOf, type Reduction, type RemoteObjects, type SharedStore, type TaggedOutput } from '../store/objectStore';
import {
  loadSigningKey,
  loadTrustedKeys,
  openSignedResult,
  signResult,
  signingKeyFromPem,
  type SigningKey,
  type TrustedKeys,
} from '../store/signing';
import { encodeThunk, isThunkRef, resolvedFollowOn, SANDBOX_TOKEN, type Thunk } from '../model/thunk';
import type { JobResult } from '../exec/worker';
import { invokeTimeoutMs, lambdaClient, resolvedRegion, s3Client, s3Sockets } from './clients';
import type { LambdaSettings } from './config';
import { explainAwsError } from './awsErrors';
import { mapLimit } from './mapLimit';
import {
  WORKER_PROTOCOL,
  objectKey,
  reductionKey,
  type FollowOnAnswer,
  type StorageTarget,
  type WorkerOutput,
  type WorkerRequest,
  type WorkerResponse,
} from './protocol';
import { S3Objects } from './s3Objects';
import { UploadRecord } from './uploaded';
import { SignedWire, agents, errorOf, readBody, type WireAgents } from './wire';

/** Objects up to this size travel inside the request. */
const INLINE_OBJECT_BYTES = 64 << 10;
/** Lambda takes requests up to 6 MB; base64 grows bytes by a third. */
const INLINE_REQUEST_BYTES = 3 << 20;
const INLINE_OUTPUT_BYTES = 256 << 10;
const OUTPUT_LIMIT = 1 << 20;
const UPLOAD_PARALLELISM = 32;

/** us-east-1 list prices. */
const PRICE = { gbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 }, request: 0.2e-6, s3Put: 0.005e-3, s3Get: 0.0004e-3 };

export class LambdaBackend implements Backend {
  /** 'sim' against the simulated Lambda (engine/sim), so reports say where jobs really went. */
  readonly label: string;
  readonly maxJobs: number;
  private readonly lambda: LambdaClient;
  private readonly s3: S3Objects;
  private readonly uploaded: UploadRecord;
  private readonly uploading = new Map<string, Promise<void>>();
  /** The run's store: this machine's, layered over the bucket (objects only the bucket holds are fetched when needed). */
  readonly store: LocalStore;
  readonly shared: SharedStore;
  private readonly architectures = new Map<string, string | undefined>();
  /** Results of jobs that ran along with the job feeding them, by the name the scheduler will run them under. */
  private readonly followOnResults = new Map<string, JobResult>();
  readonly takesFollowOns = true;
  private readonly meter = { invocations: 0, billedMs: 0, workerGets: 0, workerPuts: 0, bytesDown: 0, bytesInline: 0 };

  private readonly lambdaAgents: WireAgents;
  private invoker: Promise<SignedWire> | undefined;
  /**
   * SHA-256 of objects this run knows that the upload record does not (the
   * record keeps those of objects in the bucket): from this run's results
   * and this machine's files. What the bucket's copies must match.
   */
  private readonly digests = new Map<string, string>();
  private readonly hashing = new Map<string, Promise<string>>();

  private constructor(
    local: LocalStore,
    private readonly settings: LambdaSettings,
    s3: S3Client,
    s3Agents: WireAgents,
    target: StorageTarget,
    private readonly signingKey: SigningKey | undefined,
    private readonly trusted: TrustedKeys,
  ) {
    this.label = settings.simulated ? 'sim' : 'lambda';
    this.maxJobs = settings.concurrency;
    this.lambdaAgents = agents(settings.concurrency);
    this.lambda = lambdaClient(settings, this.lambdaAgents);
    this.s3 = new S3Objects(s3, target, s3Agents);
    this.store = local.over(this.checkedRemote(this.s3.asRemote()));
    this.uploaded = new UploadRecord(local, target, settings.s3Endpoint);
    this.shared = {
      where: () => this.s3.where(),
      holds: (name) => this.uploaded.has(name),
      getReduction: (thunk) => this.sharedReduction(thunk),
      publish: (thunk, reduction) => this.publish(thunk, reduction),
      discard: (name) => this.discard(name),
      expect: (digests) => {
        for (const [name, digest] of Object.entries(digests)) this.digests.set(name, digest);
      },
    };
  }

  /** The bucket as where objects are fetched from, each copy checked against the SHA-256 a signed result or this run gave it. */
  private checkedRemote(remote: RemoteObjects): RemoteObjects {
    return {
      describe: (name) => remote.describe(name),
      fetch: async (name, dest) => {
        if (!(await remote.fetch(name, dest))) return false;
        const expected = this.knownDigest(name);
        if (expected === undefined || (await sha256OfFile(dest)) === expected) return true;
        // Bytes that do not even match the name: the store refuses them as it refuses any damaged copy.
        if ((await nameOfFile(parseName(name).type, dest)) !== name) return true;
        throw new CorruptObjectError(
          name,
          remote.describe(name),
          'its name matches but its SHA-256 is not the one its signed result gives (a crafted copy)',
        );
      },
    };
  }

  private knownDigest(name: string): string | undefined {
    return this.digests.get(name) ?? this.uploaded.digest(name);
  }

  /** An object's SHA-256: known, or computed once from this machine's copy; undefined for one only the bucket holds. */
  private digestOf(name: string): Promise<string | undefined> {
    const known = this.knownDigest(name);
    if (known !== undefined) return Promise.resolve(known);
    if (!this.store.has(name)) return Promise.resolve(undefined);
    let p = this.hashing.get(name);
    if (!p) {
      p = this.store.verifiedPath(name).then(sha256OfFile);
      this.hashing.set(name, p);
      p.then(
        (d) => this.digests.set(name, d),
        () => this.hashing.delete(name),
      );
    }
    return p;
  }

  static async create(store: LocalStore, settings: LambdaSettings): Promise<LambdaBackend> {
    const s3Agents = agents(s3Sockets(settings));
    const s3 = s3Client(settings, s3Agents);
    let region: string;
    try {
      region = await resolvedRegion(s3);
    } catch {
      throw new BurstError('usage', 'no AWS region is configured: pass --region, set AWS_REGION, or set aws.region in .burst.json');
    }
    const target: StorageTarget = {
      bucket: settings.bucket,
      prefix: settings.prefix,
      region,
      ...(settings.s3Endpoint ? { endpoint: settings.s3Endpoint } : {}),
    };
    const signingKey = settings.signingKeyPem
      ? signingKeyFromPem(settings.signingKeyPem, "the editor's signing key")
      : settings.signingKeyFile
        ? loadSigningKey(settings.signingKeyFile)
        : undefined;
    const trusted = loadTrustedKeys(settings.trustedKeyFiles);
    if (signingKey) trusted.set(signingKey.id, signingKey.publicKey); // a writer trusts its own results
    return new LambdaBackend(store, settings, s3, s3Agents, target, signingKey, trusted);
  }

  /** An object of the bucket as IAM names it. */
  private s3Resource(key: string): string {
    return `arn:aws:s3:::${this.settings.bucket}/${key}`;
  }

  private async sharedReduction(thunk: string): Promise<Reduction | undefined> {
    if (this.followOnResults.has(thunk)) return undefined; // it ran along with its feeder, here: no one else's result to look for
    if (this.trusted.size === 0)
      throw new BurstError(
        'bad-result',
        `no signing key is trusted, so shared results in ${this.s3.where()} are neither used nor written: set BURST_TRUSTED_KEYS to use a writer's results, BURST_SIGNING_KEY_FILE to write them (burst keys generate)`,
      );
    const text = await this.s3.getResultText(thunk).catch((e: unknown) => {
      throw explainAwsError(e, this.settings, {
        action: 's3:GetObject',
        resource: this.s3Resource(reductionKey(this.settings.prefix, thunk)),
      });
    });
    if (text === undefined) return undefined;
    const r = openSignedResult(thunk, text, this.s3.where(), this.trusted);
    for (const name of objectsOf(r)) this.uploaded.add(name, r.sha256?.[name]); // in the bucket, with the digest its copies must match
    return r;
  }

  /** Shares a result: its objects first, then the result, signed; never over one already there. */
  private async publish(thunk: string, reduction: Reduction): Promise<void> {
    if (this.settings.readOnly) return;
    if (!this.signingKey)
      throw new BurstError(
        'usage',
        'this client has no signing key, so the results it makes are not shared: set BURST_SIGNING_KEY_FILE (burst keys generate makes one)',
      );
    const objects = objectsOf(reduction);
    // Outputs a worker made are in the bucket already; what ran here (and its messages) goes up now.
    const missing = objects.filter((name) => !this.uploaded.has(name));
    await mapLimit(missing, UPLOAD_PARALLELISM, (name) => this.ensureUploaded(name));
    const sha256: Record<string, string> = {};
    for (const name of objects) {
      const digest = reduction.sha256?.[name] ?? (await this.digestOf(name));
      if (digest === undefined) throw new BurstError('missing-object', `${name} is neither here nor known to the bucket`, { object: name });
      sha256[name] = digest;
    }
    await this.s3.putResultText(thunk, signResult(thunk, { ...reduction, sha256 }, this.signingKey));
  }

  private async discard(name: string): Promise<void> {
    this.uploaded.forget(name);
    for (const [job, r] of this.followOnResults) if (r.outputs.some((o) => o.name === name)) this.followOnResults.delete(job);
    await this.s3.delete(name).catch(() => undefined); // best effort: a worker overwrites small objects anyway
  }

  stats(): BackendStats {
    const gbSeconds = (this.settings.memoryMb / 1024) * (this.meter.billedMs / 1000);
    const s3Requests = this.s3.counts.gets + this.s3.counts.puts + this.s3.counts.heads + this.meter.workerGets + this.meter.workerPuts;
    const usd =
      gbSeconds * PRICE.gbSecond[this.settings.architecture] +
      this.meter.invocations * PRICE.request +
      (this.s3.counts.puts + this.meter.workerPuts) * PRICE.s3Put +
      (this.s3.counts.gets + this.s3.counts.heads + this.meter.workerGets) * PRICE.s3Get;
    return {
      bytesUploaded: this.s3.counts.bytesUp + this.meter.bytesInline, // objects inside requests leave this machine too
      bytesDownloaded: this.s3.counts.bytesDown + this.meter.bytesDown,
      cost: {
        lambdaRequests: this.meter.invocations,
        lambdaGbSeconds: Number(gbSeconds.toFixed(3)),
        s3Requests,
        usd: Number(usd.toFixed(6)),
      },
    };
  }

  async execute(name: string, thunk: Thunk, signal: AbortSignal, followOn?: FollowOn): Promise<JobResult> {
    const ranAlong = this.followOnResults.get(name);
    if (ranAlong) {
      this.followOnResults.delete(name);
      return ranAlong;
    }
    const next = followOn && this.whyLocal(followOn.thunk) === undefined ? followOn : undefined;
    const preparing = performance.now();
    const inline = await this.prepareInputs([thunk, ...(next ? [next.thunk] : [])]);
    const sha256 = await this.inputDigests([thunk, ...(next ? [next.thunk] : [])], inline);
    const uploadMs = performance.now() - preparing;
    const request: WorkerRequest = {
      protocol: WORKER_PROTOCOL,
      thunk: name,
      thunkData: encodeThunk(thunk).toString('base64'),
      inline,
      sha256,
      storage: this.s3.target,
      inlineOutputLimit: INLINE_OUTPUT_BYTES,
      outputLimit: OUTPUT_LIMIT,
      ...(next ? { followOn: { thunk: next.name, thunkData: encodeThunk(next.thunk).toString('base64'), feeder: next.feeder } } : {}),
    };
    const started = performance.now();
    const response = await this.invoke(request, signal);
    const durationMs = performance.now() - started;
    this.meter.billedMs += Math.max(1, response.timings.totalMs);
    this.meter.workerGets += response.s3Gets;
    this.meter.workerPuts += response.s3Puts;
    if (response.fault) return this.onFault(response);
    const outputs = await this.takeOutputs(response.outputs);
    const transferMs = Math.round(uploadMs + response.timings.fetchMs + response.timings.uploadMs);
    const followOnMs =
      next && response.followOn && 'thunk' in response.followOn ? await this.keepFollowOn(response.followOn, next, name, outputs) : 0;
    // The follow-on's time is its own: the feeder's duration (its program's straggler statistics) leaves it out.
    return {
      exitCode: response.exitCode,
      stdout: Buffer.from(response.stdout, 'base64'),
      stderr: Buffer.from(response.stderr, 'base64'),
      outputs,
      durationMs: Math.max(0, durationMs - followOnMs) + uploadMs,
      transferMs,
      sha256: digestsOf(response.outputs),
      ...(response.unguarded ? { warning: response.unguarded } : {}),
    };
  }

  /** What the worker checks the bucket's copies of the inputs against (inline ones it checks against the request). */
  private async inputDigests(thunks: Thunk[], inline: Record<string, string>): Promise<Record<string, string>> {
    const names = [...new Set(thunks.flatMap((t) => Object.values(t.inputs)))].filter((n) => !isThunkRef(n) && !(n in inline));
    const out: Record<string, string> = {};
    await mapLimit(names, UPLOAD_PARALLELISM, async (name) => {
      const digest = await this.digestOf(name);
      if (digest !== undefined) out[name] = digest;
    });
    return out;
  }

  /** Output names (small outputs' bytes into the local store, checked), each now known to be in the bucket. */
  private async takeOutputs(answered: WorkerOutput[]): Promise<TaggedOutput[]> {
    const outputs: TaggedOutput[] = [];
    for (const o of answered) {
      if (!isSha256(o.sha256)) throw new TransientError(`the worker gave no SHA-256 for ${o.name}: redeploy it (burst deploy)`);
      this.uploaded.add(o.name, o.sha256);
      if (o.data !== undefined) {
        const bytes = Buffer.from(o.data, 'base64');
        this.meter.bytesDown += bytes.length;
        if ((await this.store.putBytes(parseName(o.name).type, bytes)) !== o.name)
          throw new TransientError(`the worker's copy of ${o.name} does not match its name`);
      }
      outputs.push({ tag: o.tag, name: o.name, executable: o.executable });
    }
    return outputs;
  }

  /**
   * A follow-on's result, kept until the scheduler runs that job under its
   * resolved name, which is computed here as the scheduler will and must be
   * the one the worker ran it under. Returns the time it took (0 if not kept).
   */
  private async keepFollowOn(
    f: Extract<FollowOnAnswer, { thunk: string }>,
    next: FollowOn,
    feeder: string,
    fed: TaggedOutput[],
  ): Promise<number> {
    if (resolvedFollowOn(next.thunk, next.feeder, fed)?.name !== f.thunk) return 0; // a worker of another version: the job runs on its own
    const outputs = await this.takeOutputs(f.outputs).catch(() => undefined);
    if (!outputs) return 0; // a bad inline copy: the job runs again on its own
    const durationMs = f.timings.fetchMs + f.timings.runMs + f.timings.uploadMs;
    this.followOnResults.set(f.thunk, {
      exitCode: f.exitCode,
      stdout: Buffer.from(f.stdout, 'base64'),
      stderr: Buffer.from(f.stderr, 'base64'),
      outputs,
      durationMs,
      transferMs: f.timings.fetchMs + f.timings.uploadMs,
      ranWith: feeder,
      sha256: digestsOf(f.outputs),
    });
    return durationMs;
  }

  dropFollowOn(name: string): void {
    this.followOnResults.delete(name);
  }

  declines(name: string, thunk: Thunk): string | undefined {
    if (this.settings.readOnly) return 'this client is read-only (--read-only): jobs run here and nothing is written to the bucket';
    return this.followOnResults.has(name) ? undefined : this.whyLocal(thunk); // a follow-on that ran along with its feeder has its answer here
  }

  /** Why a job cannot run on Lambda, or undefined if it can. */
  private whyLocal(thunk: Thunk): string | undefined {
    const program = (thunk.args[0] ?? '').replace(`${SANDBOX_TOKEN}/`, '');
    const inSandbox = program.startsWith('/') ? undefined : posix.normalize(posix.join(thunk.cwd, program));
    if (!inSandbox || !(inSandbox in thunk.inputs))
      return `it runs ${thunk.args[0]}, a program of this machine that the job does not carry`;
    const values = [...new Set(Object.values(thunk.inputs))];
    const bytes = values.reduce((n, v) => n + (isThunkRef(v) ? 0 : parseName(v).size), 0);
    if (bytes > this.settings.maxInputBytes) {
      return `its inputs are ${mb(bytes)}, over the ${mb(this.settings.maxInputBytes)} a Lambda job may take (BURST_MAX_INPUT_BYTES, --max-input-bytes)`;
    }
    for (const path of thunk.executables) {
      const name = thunk.inputs[path];
      if (!name || isThunkRef(name) || !this.store.has(name)) continue;
      const arch = this.architectureOf(name);
      if (arch && arch !== this.settings.architecture)
        return `${path} is built for ${arch}; the function runs on ${this.settings.architecture}`;
    }
    return undefined;
  }

  /** An object's ELF architecture, read once: objects never change under their names. */
  private architectureOf(name: string): string | undefined {
    if (!this.architectures.has(name)) this.architectures.set(name, elfArchitecture(this.store.objectPath(name)));
    return this.architectures.get(name);
  }

  /**
   * Uploads what the bucket lacks; returns the small objects to carry inline.
   * A small object travels inline with the first job that needs it, which
   * also starts its upload without waiting for it; jobs that need it while
   * that upload runs wait for it and name it (or carry it after all, if it
   * failed). So a small object's bytes leave this machine about twice,
   * however many jobs include it.
   */
  private async prepareInputs(thunks: Thunk[]): Promise<Record<string, string>> {
    const carry: string[] = [];
    const waits: Array<{ name: string; upload: Promise<void> }> = [];
    const upload: string[] = [];
    let inlineBytes = 0;
    const lost: string[] = [];
    for (const name of new Set(thunks.flatMap((t) => Object.values(t.inputs)))) {
      if (isThunkRef(name) || this.uploaded.has(name)) continue;
      if (!this.store.has(name) && !this.uploading.has(name)) {
        lost.push(name); // another job's output, found missing or bad in the bucket: being made again
        continue;
      }
      const size = parseName(name).size;
      if (size > INLINE_OBJECT_BYTES || inlineBytes + size > INLINE_REQUEST_BYTES) {
        upload.push(name);
        continue;
      }
      inlineBytes += size; // room kept for a waited-for object, in case its upload fails
      const running = this.uploading.get(name);
      if (running) waits.push({ name, upload: running });
      else {
        carry.push(name);
        this.ensureUploaded(name).catch(() => undefined); // started before any await here, so jobs starting now wait for it
      }
    }
    if (lost.length > 0) throw new LostInputsError(lost, this.s3.where(), 'found missing or damaged there earlier in this run');
    const settled = await Promise.all(
      waits.map((w) =>
        w.upload.then(
          () => true,
          () => false,
        ),
      ),
    );
    carry.push(...waits.filter((_, i) => !settled[i]).map((w) => w.name));
    const inline: Record<string, string> = {};
    for (const name of carry) {
      const bytes = await this.store.readBytes(name);
      inline[name] = bytes.toString('base64');
      this.meter.bytesInline += bytes.length;
    }
    await mapLimit(upload, UPLOAD_PARALLELISM, (name) => this.ensureUploaded(name));
    return inline;
  }

  /**
   * One upload per object however many jobs need it at once. A large object
   * is looked for first (another machine may have put it there); a small one
   * is just put: the upload runs while jobs carry it inline, and a HEAD would
   * cost a round trip of its own.
   */
  private ensureUploaded(name: string): Promise<void> {
    const running = this.uploading.get(name);
    if (running) return running;
    return this.track(name, this.put(name, parseName(name).size > INLINE_OBJECT_BYTES));
  }

  /** Puts a good copy over a bad or lost one (a HEAD would say it is there); the job's next attempt waits for it. */
  private reupload(name: string): void {
    this.track(name, this.put(name, false)).catch(() => undefined); // awaited, and reported, by the next attempt
  }

  private async put(name: string, lookFirst: boolean): Promise<void> {
    try {
      const path = await this.store.verifiedPath(name);
      if (!lookFirst || !(await this.s3.exists(name))) await this.s3.putFile(name, path);
      this.uploaded.add(name, await this.digestOf(name));
      return;
    } catch (e) {
      if (isTransientAwsError(e)) throw new TransientError(`uploading ${name} failed: ${errorMessage(e)}`);
      throw explainAwsError(e, this.settings, { action: 's3:PutObject', resource: this.s3Resource(objectKey(this.settings.prefix, name)) });
    }
  }

  private track(name: string, upload: Promise<void>): Promise<void> {
    const p: Promise<void> = upload.finally(() => this.settled(name, p));
    this.uploading.set(name, p);
    return p;
  }

  /** Forgets a finished upload, unless a newer one for the same object took its place. */
  private settled(name: string, p: Promise<void>): void {
    if (this.uploading.get(name) === p) this.uploading.delete(name);
  }

  private async invoke(request: WorkerRequest, signal: AbortSignal): Promise<WorkerResponse> {
    this.meter.invocations++;
    let text: string;
    let functionError: string | undefined;
    try {
      const wire = await this.invokeWire();
      const res = await wire.send({
        method: 'POST',
        path: `/2015-03-31/functions/${encodeURIComponent(this.settings.functionName)}/invocations`,
        headers: { 'x-amz-invocation-type': 'RequestResponse', 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(request)),
        signal,
      });
      if (res.status !== 200) throw await errorOf(res);
      functionError = res.headers['x-amz-function-error'] as string | undefined;
      text = (await readBody(res.body)).toString('utf8');
    } catch (e) {
      if (signal.aborted) throw new BurstError('cancelled', 'cancelled');
      if (isTransientAwsError(e)) throw new TransientError(`invocation failed: ${errorMessage(e)}`);
      throw explainAwsError(e, this.settings, { action: 'lambda:InvokeFunction', resource: `function ${this.settings.functionName}` });
    }
    if (functionError) {
      // The worker never throws: this is the runtime failing it (a timeout, memory, a crash). Worth one more try, not more.
      const why = /timed out/i.test(text) ? 'timeout' : 'signal';
      throw new StoppedJobError(`the Lambda worker failed (${functionError}): ${errorText(text)}`, why);
    }
    try {
      return JSON.parse(text) as WorkerResponse;
    } catch {
      throw new TransientError(`the worker answered something that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** Invoke's endpoint and signing, as the SDK resolves them, settled once. */
  private invokeWire(): Promise<SignedWire> {
    this.invoker ??= SignedWire.forCommand(
      this.lambda.config,
      InvokeCommand,
      { FunctionName: this.settings.functionName },
      'lambda',
      this.lambdaAgents,
      invokeTimeoutMs(this.settings),
    ).catch((e: unknown) => {
      this.invoker = undefined;
      throw e;
    });
    return this.invoker;
  }

  /** A worker that found an object missing or corrupt in the bucket: it is uploaded again from here, and the job retried. */
  private onFault(response: WorkerResponse): never {
    const fault = response.fault as NonNullable<WorkerResponse['fault']>;
    const bad = fault.objects ?? (fault.object ? [fault.object] : []);
    if (bad.length > 0 && (fault.code === 'corrupt-object' || fault.code === 'missing-object')) {
      const lost: string[] = [];
      for (const name of bad) {
        this.uploaded.forget(name);
        if (this.store.has(name)) this.reupload(name);
        else lost.push(name); // another job's output, kept only in the bucket
      }
      if (lost.length > 0) throw new LostInputsError(lost, this.s3.where(), `the worker: ${fault.message}`);
      throw new TransientError(`the worker: ${fault.message}`);
    }
    if (fault.code === 'bad-request') throw new BurstError('usage', `the Lambda worker refused the job: ${fault.message}`);
    if (fault.code === 'job-stopped') throw new StoppedJobError(`on Lambda: ${fault.message}`, fault.why ?? 'signal');
    throw new TransientError(`the worker: ${fault.message}`);
  }
}

function isTransientAwsError(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = (e as { name?: string }).name ?? '';
  // 409: the function is still being created or updated (right after a deploy).
  if (status !== undefined && status > 0)
    return status === 429 || status === 409 || status >= 500 || /TooManyRequests|Throttl|ResourceNotReady|ResourceConflict/.test(name);
  // No answer at all (a dropped connection, a timeout): worth another try, unless the credentials are missing.
  return !/Credential|ExpiredToken/i.test(`${name} ${errorMessage(e)}`);
}

function errorText(payload: string): string {
  try {
    const p = JSON.parse(payload) as { errorMessage?: string; errorType?: string };
    return p.errorMessage ?? payload.slice(0, 300);
  } catch {
    return payload.slice(0, 300);
  }
}

function digestsOf(outputs: WorkerOutput[]): Record<string, string> {
  return Object.fromEntries(outputs.map((o) => [o.name, o.sha256]));
}

function mb(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MB`;
}
