/**
 * The engine's public API: the one entry point for the CLI, the language
 * server, the tests and programs that make thunks themselves (the SDK).
 *
 *   const engine = await Engine.open();                  // the user's store
 *   const src = await engine.addFile('hello.c');         // a value, by content
 *   const cc = await engine.packExecutable('gcc');       // a tool with its libraries and loader
 *   const t = await engine.createThunk({ args: [...cc.launch('', 'gcc'), '-c', 'hello.c'],
 *     inputs: { ...cc.inputs, 'hello.c': src }, executables: cc.executables, outputs: ['hello.o'] });
 *   const { values, report } = await engine.force([t]);
 *
 * Thunks reference other thunks' outputs as `T…#path`, so a graph is built
 * bottom-up, and a job may write thunks as its outputs (dynamic graphs).
 */
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { LocalBackend } from './backends/local';
import { runBuild, type BuildResult } from './infer/build';
import type { Backend } from './schedule/backend';
import { BurstError } from './model/errors';
import { initHash, nameOfBytes } from './model/hash';
import { Scheduler, type ForceResult, type RunEvent, type SchedulerOptions } from './schedule/scheduler';
import { tempPath } from './store/atomic';
import { LocalStore, defaultCacheDir, type OutputEntry, type Reduction } from './store/local';
import { canonicalThunk, decodeThunk, encodeThunk, type Thunk } from './model/thunk';
import { packExecutable, type PackedExecutable } from './exec/toolchain';
import type { RunReport } from './model/report';
import type { StragglerOptions } from './schedule/straggler';

export type { Backend, BuildResult, OutputEntry, PackedExecutable, Reduction, RunEvent, RunReport, StragglerOptions, Thunk };
export { BurstError, CorruptObjectError, MissingObjectError } from './model/errors';
export { formatDiagnostic, type Diagnostic } from './model/diagnostics';
export { summarize } from './model/report';
export { initHash, isName, nameOfBytes, parseName } from './model/hash';
export { encodeThunk, decodeThunk, isRef, parseThunkRef, programOf, THUNK_MAGIC } from './model/thunk';
export { readPlaceholder, writePlaceholder } from './model/placeholder';
export { defaultCacheDir, LocalStore };

/** A thunk as callers write it: everything but `args` and `outputs` has a default. */
export type ThunkSpec = Pick<Thunk, 'args' | 'outputs'> & Partial<Omit<Thunk, 'args' | 'outputs'>>;

export function completeThunk(spec: ThunkSpec): Thunk {
  return canonicalThunk({ env: {}, inputs: {}, executables: [], cwd: '', timeoutMs: 10 * 60_000, ...spec });
}

/** The name a thunk gets in any store (call `initHash()` once first). */
export function thunkName(spec: ThunkSpec): string {
  return nameOfBytes('T', encodeThunk(completeThunk(spec)));
}

/** The scheduler's options (cache, retries, stragglers, cancellation, events), with the local pool as the default backend. */
export interface ForceOptions extends Omit<SchedulerOptions, 'backend'> {
  /** Jobs at once on the local backend (default: the number of cores). */
  jobs?: number;
  /** Run each job under a root holding only its inputs. */
  isolate?: boolean;
  /** A backend other than the local pool. */
  backend?: Backend;
}

export interface EngineOptions {
  /** The store's directory (default: $BURST_CACHE_DIR, else $XDG_CACHE_HOME/burst, else ~/.cache/burst). */
  cacheDir?: string;
}

export class Engine {
  private constructor(readonly store: LocalStore) {}

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    await initHash();
    return new Engine(await LocalStore.open(opts.cacheDir ?? defaultCacheDir()));
  }

  addFile(path: string): Promise<string> {
    return this.store.putFile(path);
  }

  addBytes(bytes: Uint8Array | string): Promise<string> {
    return this.store.putBytes('V', typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  }

  /** Adds every file under a directory: sandbox path (under `at`) → value name, and the executable ones. */
  async addTree(dir: string, at: string): Promise<{ inputs: Record<string, string>; executables: string[] }> {
    const inputs: Record<string, string> = {};
    const executables: string[] = [];
    for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const host = join(entry.parentPath, entry.name);
      const rel = join(at, host.slice(dir.length + 1));
      inputs[rel] = await this.store.putFile(host);
      if (((await fs.stat(host)).mode & 0o111) !== 0) executables.push(rel);
    }
    return { inputs, executables };
  }

  packExecutable(path: string): Promise<PackedExecutable> {
    return packExecutable(this.store, path);
  }

  async createThunk(spec: ThunkSpec): Promise<string> {
    return this.store.putBytes('T', encodeThunk(completeThunk(spec)));
  }

  async readThunk(name: string): Promise<Thunk> {
    return decodeThunk(await this.store.readBytes(name), name);
  }

  async force(refs: string[], opts: ForceOptions = {}): Promise<ForceResult & { report: RunReport }> {
    const backend = opts.backend ?? new LocalBackend(this.store, { ...(opts.jobs ? { jobs: opts.jobs } : {}), isolate: opts.isolate ?? false });
    const scheduler = new Scheduler(this.store, { ...opts, backend });
    const result = await scheduler.force(refs);
    await this.store.flush();
    return { ...result, report: scheduler.report() };
  }

  async readValue(name: string): Promise<Buffer> {
    return this.store.readBytes(name);
  }

  /** Writes a value to a path, replacing what is there in one step. */
  async materialize(entry: OutputEntry, dest: string): Promise<void> {
    const src = await this.store.verifiedPath(entry.name);
    await fs.mkdir(dirname(dest), { recursive: true });
    const tmp = tempPath(dirname(dest), '.burst');
    try {
      await fs.copyFile(src, tmp);
      await fs.chmod(tmp, entry.executable ? 0o755 : 0o644);
      await fs.rename(tmp, dest);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e instanceof BurstError ? e : new BurstError('usage', `cannot write ${dest}: ${(e as Error).message}`);
    }
  }

  /**
   * Runs a build command (make, cmake --build, ninja, a script) in `root` with
   * stand-ins for the compilers on PATH, then runs every job it recorded and
   * writes the outputs into the tree (unless `inferOnly`).
   */
  async build(command: string[], opts: ForceOptions & { root: string; inferOnly?: boolean; burstProgram?: string }): Promise<BuildResult> {
    const backend = opts.backend ?? new LocalBackend(this.store, { ...(opts.jobs ? { jobs: opts.jobs } : {}), isolate: opts.isolate ?? false });
    return runBuild(this.store, {
      command,
      root: opts.root,
      backend,
      useCache: opts.useCache ?? true,
      inferOnly: opts.inferOnly ?? false,
      isolate: opts.isolate ?? false,
      burstProgram: opts.burstProgram ?? 'burst',
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
      ...(opts.straggler ? { straggler: opts.straggler } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
  }

  async reductionOf(thunk: string): Promise<Reduction | undefined> {
    return this.store.getReduction(thunk);
  }
}
