/** The backend a run from the editor asked for: the local pool, or Lambda with the workspace's settings. */
import { LambdaBackend } from '../aws/lambdaBackend';
import { resolveLambdaSettings } from '../aws/config';
import type { Backend } from '../schedule/backend';
import { LocalBackend } from '../backends/local';
import type { LocalStore } from '../store/local';
import type { BuildParams } from './protocol';

export async function backendFor(store: LocalStore, p: Omit<BuildParams, 'command'>): Promise<Backend> {
  if (p.backend === 'local') return new LocalBackend(store, { ...(p.jobs ? { jobs: p.jobs } : {}), isolate: p.isolate ?? false });
  return LambdaBackend.create(store, resolveLambdaSettings(p.aws ?? {}, p.cwd), p.jobs ? { localJobs: p.jobs } : {});
}
