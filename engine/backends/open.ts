/**
 * The one place a run's backend is opened from what the user asked for, and
 * every check across options is made once: the CLI, the language server and
 * programs using engine/api.ts all come here.
 */
import type { LambdaFlags } from '../aws/config';
import type { WorkspaceTrust } from '../aws/workspaceTrust';
import { BurstError } from '../model/errors';
import type { Backend } from '../schedule/backend';
import type { LocalStore } from '../store/local';
import { promises as fs } from 'node:fs';
import { startAwsSim } from '../sim/awsSim';
import { LAMBDA } from '../sim/platform';
import { LocalBackend } from './local';
import { loadAws } from './loadAws';

export const BACKEND_NAMES = ['local', 'lambda', 'sim'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Where a run's jobs go. */
export type BackendSpec =
  | { kind: 'local' }
  /** `aws`: settings over .burst.json's "aws" section in `configRoot` and the environment. */
  /** `trust`: whether the editor vouches for the workspace (its .burst.json may say where code goes); else `burst trust`'s record decides. */
  | { kind: 'lambda'; aws?: LambdaFlags; configRoot: string; trust?: WorkspaceTrust }
  /** A backend made by the caller (programs using the API, tests); its objects are in the engine's store. */
  | { kind: 'given'; backend: Backend }
  /** The real client against a simulated Lambda and S3 (engine/sim): `workers` at once, jobs' times from a report's graph or their results. */
  | { kind: 'sim'; workers?: number; timesFrom?: string };

export interface BackendChoice {
  jobs?: number;
  isolate?: boolean;
  /** Bytes of memory a local job may use (default: see LocalBackend). */
  memoryLimit?: number;
}

/** A run's backend, the local pool for what it declines, and the store the run reads and writes. */
export interface RunTarget {
  backend: Backend;
  local: Backend;
  store: LocalStore;
  /** Ends what the backend holds open for the run. */
  close?: () => Promise<void>;
}

/** A backend's name as the user typed it (a flag, a setting, BURST_BACKEND). */
export function backendName(name: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new BurstError('usage', `unknown backend ${name}: use ${BACKEND_NAMES.join(' or ')}`);
}

export async function openBackend(store: LocalStore, spec: BackendSpec, choice: BackendChoice = {}): Promise<RunTarget> {
  store.checkJobsCanReachSandboxes(); // every kind of run may run jobs here
  const limits = { ...(choice.jobs ? { jobs: choice.jobs } : {}), ...(choice.memoryLimit ? { memoryLimit: choice.memoryLimit } : {}) };
  if (spec.kind === 'sim') return openSimulated(store, spec, limits);
  if (spec.kind !== 'lambda') {
    const local = new LocalBackend(store, { ...limits, isolate: choice.isolate ?? false });
    return { backend: spec.kind === 'local' ? local : spec.backend, local, store };
  }
  if (choice.isolate)
    throw new BurstError(
      'usage',
      '--isolate is for the local backend: Lambda runs every job in a fresh directory of its own inputs already',
    );
  const aws = loadAws();
  const lambda = await aws.LambdaBackend.create(
    store,
    aws.resolveLambdaSettings(spec.aws ?? {}, spec.configRoot, process.env, spec.trust ? { trust: spec.trust } : {}),
  );
  // Jobs Lambda declines run here, on the run's layered store: their inputs may be held only by the bucket.
  return { backend: lambda, local: new LocalBackend(lambda.store, limits), store: lambda.store };
}

async function openSimulated(
  store: LocalStore,
  spec: { workers?: number; timesFrom?: string },
  limits: { jobs?: number; memoryLimit?: number },
): Promise<RunTarget> {
  const workers = spec.workers ?? 1000;
  const sim = await startAwsSim(store.dir, spec.timesFrom ? await timesOf(spec.timesFrom) : {});
  try {
    const lambda = await loadAws().LambdaBackend.create(store, {
      region: 'us-east-1',
      bucket: sim.bucket,
      prefix: '',
      functionName: sim.functionName,
      concurrency: workers,
      s3Endpoint: sim.endpoint,
      lambdaEndpoint: sim.endpoint,
      memoryMb: LAMBDA.memoryMb,
      timeoutSeconds: 900,
      ephemeralMb: 10_240,
      runtime: 'nodejs20.x',
      architecture: 'x86_64',
      maxInputBytes: 5 * 2 ** 30,
      readOnly: false,
      signingKeyPem: sim.signingKeyPem,
      trustedKeyFiles: [],
      credentials: { accessKeyId: 'burst-sim', secretAccessKey: 'burst-sim' },
      simulated: true,
    });
    return { backend: lambda, local: new LocalBackend(lambda.store, limits), store: lambda.store, close: () => sim.stop() };
  } catch (e) {
    await sim.stop();
    throw e;
  }
}

/** Jobs' times from a report's graph (--sim-times). */
async function timesOf(file: string): Promise<Record<string, number>> {
  let graph: unknown;
  try {
    graph = (JSON.parse(await fs.readFile(file, 'utf8')) as { graph?: unknown }).graph;
  } catch {
    throw new BurstError('usage', `${file}: not a run report (--sim-times takes a report written by --report)`);
  }
  if (!Array.isArray(graph)) throw new BurstError('usage', `${file} has no job graph: write it with --report from this version`);
  return Object.fromEntries((graph as Array<{ name: string; ms: number }>).map((n) => [n.name, n.ms]));
}
