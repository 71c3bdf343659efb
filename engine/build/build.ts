/**
 * `burst build` and `burst infer`: run a build command with the stand-ins on
 * PATH and the engine listening; then (build) force and write every output.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Backend } from '../backends/backend';
import type { BurstError } from '../errors';
import type { RunReport } from '../report';
import type { RunEvent } from '../scheduler';
import type { LocalStore } from '../store/local';
import type { StragglerOptions } from '../straggler';
import { writeBuildRecord } from './record';
import { startServer } from './server';
import { BuildSession } from './session';
import { standinDir, standinProgram } from './standins';
import { userEnv } from '../userEnv';
import { launcherFor } from '../launcher';

export interface BuildOptions {
  command: string[];
  root: string;
  backend: Backend;
  useCache: boolean;
  inferOnly: boolean;
  isolate?: boolean;
  retries?: number;
  straggler?: Partial<StragglerOptions>;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /** The `burst` program placeholders call when the build runs one of them. */
  burstProgram: string;
}

export interface BuildResult {
  /** The build command's own exit status. */
  commandStatus: number;
  failures: Array<{ path: string; error: BurstError }>;
  report: RunReport;
  outputs: number;
}

export async function runBuild(store: LocalStore, opts: BuildOptions): Promise<BuildResult> {
  const pathVar = process.env.PATH ?? '/usr/bin:/bin';
  // The job launcher is needed by the first compile: on first use its build overlaps the stand-in's.
  void launcherFor(store).catch(() => undefined);
  const program = await standinProgram(store, pathVar);
  const work = await fs.mkdtemp(join(tmpdir(), 'burst-build-'));
  const session = new BuildSession(store, opts.root, {
    backend: opts.backend,
    useCache: opts.useCache,
    inferOnly: opts.inferOnly,
    isolate: opts.isolate ?? false,
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.straggler ? { straggler: opts.straggler } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  const socket = join(work, 'engine.sock');
  const server = await startServer(socket, session, pathVar);
  try {
    const bin = join(work, 'bin');
    await standinDir(program, pathVar, bin);
    const commandStatus = await runCommand(opts.command, opts.root, {
      ...userEnv(),
      PATH: `${bin}:${pathVar}`,
      BURST_SOCKET: socket,
      BURST: opts.burstProgram,
      BURST_CACHE_DIR: store.dir,
    }, opts.signal);
    const { failures } = opts.inferOnly ? { failures: [] } : await session.finish();
    if (opts.inferOnly) await store.flush();
    await writeBuildRecord(store, resolve(opts.root), session.outputs.values());
    return { commandStatus, failures, report: session.report(), outputs: session.outputs.size };
  } finally {
    server.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

function runCommand(command: string[], cwd: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<number> {
  return new Promise((res) => {
    const child = spawn(command[0] as string, command.slice(1), { cwd, env, stdio: 'inherit' });
    const onAbort = (): void => {
      child.kill('SIGINT');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      process.stderr.write(`burst: cannot run ${command[0]}: ${e.message}\n`);
      res(127);
    });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      res(code ?? (sig ? 130 : 1));
    });
  });
}
