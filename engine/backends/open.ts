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
import { LocalBackend } from './local';
import { loadAws } from './loadAws';

export const BACKEND_NAMES = ['local', 'lambda'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Where a run's jobs go. */
export type BackendSpec =
  | { kind: 'local' }
  /** `aws`: settings over .burst.json's "aws" section in `configRoot` and the environment. */
  /** `trust`: whether the editor vouches for the workspace (its .burst.json may say where code goes); else `burst trust`'s record decides. */
  | { kind: 'lambda'; aws?: LambdaFlags; configRoot: string; trust?: WorkspaceTrust }
  /** A backend made by the caller (programs using the API, tests); its objects are in the engine's store. */
  | { kind: 'given'; backend: Backend };

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
}

/** A backend's name as the user typed it (a flag, a setting, BURST_BACKEND). */
export function backendName(name: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new BurstError('usage', `unknown backend ${name}: use ${BACKEND_NAMES.join(' or ')}`);
}

export async function openBackend(store: LocalStore, spec: BackendSpec, choice: BackendChoice = {}): Promise<RunTarget> {
  store.checkJobsCanReachSandboxes(); // every kind of run may run jobs here
  const limits = { ...(choice.jobs ? { jobs: choice.jobs } : {}), ...(choice.memoryLimit ? { memoryLimit: choice.memoryLimit } : {}) };
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
