/** Shared by the tool models. */
import { relativeFrom } from '../../toolchain';
import type { RecordedOutput } from '../session';

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
