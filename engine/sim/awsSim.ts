/**
 * `--backend sim`: the real client against a simulated Lambda and S3
 * (awsSimWorker.ts, in a thread of its own). The client models, scans,
 * uploads, signs and invokes as it would against AWS; the simulated worker
 * answers each job from the result the store recorded when the job last ran
 * for real, after the time the platform model gives. A thousand workers cost
 * this machine nothing but the client's own work, which is what it measures.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BurstError } from '../model/errors';
import { LAMBDA, type Platform } from './platform';
import type { SimWorkerData } from './awsSimWorker';

export interface AwsSim {
  endpoint: string;
  bucket: string;
  functionName: string;
  /** A signing key made for this run only: the client signs what it shares, as it must, into a bucket nobody reads. */
  signingKeyPem: string;
  stop(): Promise<void>;
}

/** The worker's script beside the bundle that runs (dist/cli.js, dist/server.js) or one level up (dist/test/*.js). */
function workerScript(): string {
  const found = [join(__dirname, 'sim-worker.js'), join(__dirname, '..', 'sim-worker.js')].find((f) => existsSync(f));
  if (!found) throw new BurstError('usage', 'the simulator is not built (dist/sim-worker.js is missing): run npm run build');
  return found;
}

export async function startAwsSim(storeDir: string, times: Record<string, number>, platform: Platform = LAMBDA): Promise<AwsSim> {
  const data: SimWorkerData = { storeDir, platform, times };
  const worker = new Worker(workerScript(), { workerData: data });
  worker.unref();
  const port = await new Promise<number>((res, rej) => {
    worker.once('message', (m: { port: number }) => res(m.port));
    worker.once('error', rej);
  });
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'burst-sim',
    functionName: 'burst-sim',
    signingKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    stop: async () => {
      await worker.terminate();
    },
  };
}
