/**
 * The Lambda worker's jobs run as its own user: Lambda has no other user to
 * give them, no user namespaces and no setuid. A process of the same user may
 * read another's environment (the role's credentials) and memory, or attach
 * to it, unless that process is non-dumpable. Node cannot make itself so,
 * and the zip ships no compiler's output it does not need, so the handler
 * loads the smallest Node-API module that can: one call to
 * prctl(PR_SET_DUMPABLE, 0) at load. /proc/<pid>/environ, mem and ptrace
 * then need CAP_SYS_PTRACE, which jobs on Lambda do not have. Jobs get only
 * their thunk's environment, so credentials reach them by neither way.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../model/errors';

/** The module's name in the function's zip, beside index.js. */
export const GUARD_FILE = 'burst-guard.node';

export { default as GUARD_SOURCE } from './guard.c';

/** Loads the guard from `dir`; returns undefined once this process is non-dumpable, else why it is not (for the engine to tell the user). */
export function guardHandler(dir: string): string | undefined {
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, join(dir, GUARD_FILE));
  } catch (e) {
    return `the worker could not load ${GUARD_FILE} (${errorMessage(e).split('\n')[0]}), so its jobs may read its credentials: redeploy from a Linux machine with a C compiler for the function's architecture`;
  }
  // A non-dumpable process's /proc files belong to root: what a job of this user would find.
  if (process.getuid?.() !== 0 && statSync('/proc/self/environ').uid !== 0)
    return 'the worker is still dumpable after loading its guard, so its jobs may read its credentials';
  return undefined;
}
