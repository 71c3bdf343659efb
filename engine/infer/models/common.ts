/** Shared by the tool models. */
import { resolve } from 'node:path';
import { relativeFrom } from '../../exec/toolchain';
import { SANDBOX_TOKEN } from '../../model/thunk';
import type { ToolCall } from '../protocol';
import type { ModelContext, RecordedOutput } from '../session';

/** What one modelled program run leaves in the tree. */
export interface Step {
  finalOutputs: RecordedOutput[];
}

export function thunkOutputRef(thunk: string, tag: string): string {
  return `${thunk}#${tag}`;
}

/**
 * Where intermediate values (a driver's temporary .s and .o files) sit in a
 * sandbox: beside the tree, never under `_burst/`, which jobs only read.
 */
export const SCRATCH_DIR = '_burst-scratch';

export const JOB_ENV = { LC_ALL: 'C' };
export const JOB_TIMEOUT_MS = 10 * 60_000;

/**
 * A driver temporary (another thunk's output) given to a job: placed in the
 * scratch directory under a numbered name, and the argument that names it.
 */
export function scratchInput(inputs: Record<string, string>, ref: string, index: number, ext: string, cwd: string): string {
  const at = `${SCRATCH_DIR}/in${index}${ext}`;
  inputs[at] = ref;
  return relativeFrom(cwd, at);
}

/**
 * A file named on a command line, as a job input: a driver temporary (another
 * thunk's output) goes to the scratch directory as the `index`-th one; a file
 * of the tree or the machine goes to its sandbox path. Returns the argument
 * that names it in the job.
 */
export async function fileArgument(
  ctx: ModelContext,
  call: ToolCall,
  cwd: string,
  arg: string,
  temps: Map<string, string>,
  inputs: Record<string, string>,
  index: number,
  ext: string,
): Promise<string> {
  const temp = temps.get(arg);
  if (temp) return scratchInput(inputs, temp, index, ext, cwd);
  const abs = resolve(call.cwd, arg);
  inputs[ctx.paths.sandboxPath(abs)] = await ctx.inputRef(abs);
  return ctx.paths.argPath(call.cwd, arg, cwd);
}

/** The driver's temporary files: intermediate values passed between the thunks of one call (gcc's /tmp/ccXXXXXX.s, clang's /tmp/NAME-XXXXXX.o). */
export function isTempFile(p: string): boolean {
  return /^\/tmp\/(cc[A-Za-z0-9]{6}|[^/]+-[0-9a-f]{6})\.[a-z]+$/.test(p);
}

/**
 * A path argument of a compiler job. A tree path spelled absolutely stays
 * absolute, under the job's sandbox, and the compile's prefix maps turn the
 * sandbox back into the tree in __FILE__ and debug information, so the
 * object holds the same names as the plain build's; `seen` records that.
 */
export function compilerPathArg(
  ctx: ModelContext,
  call: ToolCall,
  value: string,
  cwd: string,
  seen: { treeNamedAbsolutely: boolean },
): string {
  if (!value.startsWith('/') || !ctx.paths.isInside(value)) return ctx.paths.argPath(call.cwd, value, cwd);
  seen.treeNamedAbsolutely = true;
  const rel = ctx.paths.sandboxPath(value);
  return rel ? `${SANDBOX_TOKEN}/${rel}` : SANDBOX_TOKEN;
}

/** A compile's or assembly's result: a driver temporary handed to the call's next thunk, or an output in the tree. */
export function stepResult(temps: Map<string, string>, output: string, ref: string, outAbs: string, program: string): Step {
  if (isTempFile(output)) {
    temps.set(output, ref);
    return { finalOutputs: [] };
  }
  return { finalOutputs: [{ path: outAbs, ref, executable: false, program }] };
}
