/**
 * Fibonacci by dynamic thunks, shared by the driver and the job.
 *
 * fib(n) is a job that, for n < 2, outputs the number itself, and otherwise
 * outputs a new thunk, add(fib(n-1), fib(n-2)), together with the two child
 * thunks it refers to (outputs `left` and `right`, so they reach the store).
 * Equal subproblems get equal names, so each fib(k) runs once however many
 * parents ask for it.
 */
import { thunkName, type ThunkSpec } from '../../engine/api';

/** What every job of the graph shares: node, its libraries, and the job script. Passed to jobs as `fib/base.json`. */
export interface Base {
  inputs: Record<string, string>;
  executables: string[];
  /** argv that starts node with the job script. */
  command: string[];
}

export const BASE_PATH = 'fib/base.json';

export function fibThunk(base: Base, baseName: string, n: number): ThunkSpec {
  return {
    args: [...base.command, 'fib', String(n)],
    inputs: { ...base.inputs, [BASE_PATH]: baseName },
    executables: base.executables,
    outputs: ['out', 'left', 'right'],
    timeoutMs: 60_000,
  };
}

export function addThunk(base: Base, baseName: string, n: number): ThunkSpec {
  return {
    args: [...base.command, 'add'],
    inputs: {
      ...base.inputs,
      [BASE_PATH]: baseName,
      a: thunkName(fibThunk(base, baseName, n - 1)),
      b: thunkName(fibThunk(base, baseName, n - 2)),
    },
    executables: base.executables,
    outputs: ['out'],
    timeoutMs: 60_000,
  };
}
