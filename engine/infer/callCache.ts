/**
 * Remembered tool calls: the same command line, in the same directory, with
 * every machine file and tree file it consulted still the same, records the
 * same thunks. A hit skips the model entirely (the driver's plan, the header
 * list, making and naming thunks): it checks the files, which the file-state
 * index answers from their stat, and writes the placeholders.
 *
 * Like ccache's direct mode, it does not notice a new file that would be
 * found earlier on a search path (a header shadowing another).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nameOfBytes } from '../model/hash';
import type { LocalStore, Reduction } from '../store/local';
import { writeFileAtomic } from '../store/atomic';
import type { PackedExecutable } from '../exec/toolchain';
import type { ToolCall } from './protocol';
import type { ModelContext, RecordedOutput } from './session';
import type { PathMap } from './pathMap';

interface CallEntry {
  inputs: Array<[string, string]>;
  outputs: RecordedOutput[];
  sideFiles: Array<[string, string]>;
}

/** Environment variables that a model's result may depend on. */
const KEY_ENV = ['SOURCE_DATE_EPOCH', 'CPATH', 'C_INCLUDE_PATH', 'CPLUS_INCLUDE_PATH', 'LIBRARY_PATH', 'GCC_EXEC_PREFIX', 'COMPILER_PATH'];

/** Changes when the models make other thunks for the same call, so an older engine's remembered calls are not replayed. */
const MODELS_VERSION = 2;

function entryPath(store: LocalStore, call: ToolCall, realPath: string): string {
  const env = KEY_ENV.map((k) => call.env.get(k) ?? '');
  const key = nameOfBytes('V', Buffer.from(JSON.stringify([MODELS_VERSION, call.tool, realPath, call.cwd, call.args, env])));
  return join(store.dir, 'calls', key.slice(1, 2), key);
}

/** A model context that notes everything the model consults and produces. */
export class RecordingContext implements ModelContext {
  readonly inputs = new Map<string, string>();
  readonly outputs: RecordedOutput[] = [];
  readonly sideFiles: Array<[string, string]> = [];

  constructor(private readonly inner: ModelContext) {}

  get store(): LocalStore {
    return this.inner.store;
  }

  get paths(): PathMap {
    return this.inner.paths;
  }

  async inputRef(hostPath: string): Promise<string> {
    const ref = await this.inner.inputRef(hostPath);
    this.inputs.set(hostPath, ref);
    return ref;
  }

  async packTool(hostPath: string): Promise<PackedExecutable> {
    const packed = await this.inner.packTool(hostPath);
    for (const [p, n] of packed.hostFiles) this.inputs.set(p, n);
    return packed;
  }

  async record(outputs: RecordedOutput[]): Promise<void> {
    this.outputs.push(...outputs);
    await this.inner.record(outputs);
  }

  get compilesInPlace(): boolean {
    return this.inner.compilesInPlace;
  }

  adoptResult(thunk: string, reduction: Reduction, stderr: string, cwd: string): Promise<void> {
    return this.inner.adoptResult(thunk, reduction, stderr, cwd);
  }

  isPending(hostPath: string, kind?: 'thin archive'): boolean {
    return this.inner.isPending(hostPath, kind);
  }

  makeRealNow(hostPaths: string[]): Promise<void> {
    return this.inner.makeRealNow(hostPaths);
  }

  async writeSideFile(path: string, text: string): Promise<void> {
    this.sideFiles.push([path, text]);
    await this.inner.writeSideFile(path, text);
  }
}

export async function replayCall(ctx: ModelContext, call: ToolCall, realPath: string): Promise<boolean> {
  let entry: CallEntry;
  try {
    // Synchronous: small, and read by every tool call of a rebuild.
    entry = JSON.parse(readFileSync(entryPath(ctx.store, call, realPath), 'utf8')) as CallEntry;
  } catch {
    return false;
  }
  for (const [path, ref] of entry.inputs) {
    const now = await ctx.inputRef(path).catch(() => undefined);
    if (now !== ref) return false;
  }
  for (const [path, text] of entry.sideFiles) await ctx.writeSideFile(path, text);
  await ctx.record(entry.outputs);
  return true;
}

export async function rememberCall(store: LocalStore, call: ToolCall, realPath: string, rec: RecordingContext): Promise<void> {
  if (rec.outputs.length === 0) return;
  const file = entryPath(store, call, realPath);
  const entry: CallEntry = { inputs: [...rec.inputs], outputs: rec.outputs, sideFiles: rec.sideFiles };
  await writeFileAtomic(file, JSON.stringify(entry), store.tmpDir);
}
