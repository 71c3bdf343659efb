/** Shared by the tool models. */
import { resolve } from 'node:path';
import { relativeFrom } from '../../toolchain';
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
export async function fileArgument(ctx: ModelContext, call: ToolCall, cwd: string, arg: string, temps: Map<string, string>, inputs: Record<string, string>, index: number, ext: string): Promise<string> {
  const temp = temps.get(arg);
  if (temp) return scratchInput(inputs, temp, index, ext, cwd);
  const abs = resolve(call.cwd, arg);
  inputs[ctx.paths.sandboxPath(abs)] = await ctx.inputRef(abs);
  return ctx.paths.argPath(call.cwd, arg, cwd);
}
