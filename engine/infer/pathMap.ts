/**
 * Where a host file goes in a job's sandbox. The sandbox mirrors the build
 * root, so paths inside the tree keep their relative spelling (and the bytes
 * compilers write from them stay the same); files from elsewhere on the
 * machine (system headers, crt objects, libraries) go under `_burst/sys/`
 * at their absolute path.
 */
import { isAbsolute, posix, relative, resolve } from 'node:path';
import { relativeFrom, TOOL_DIR } from '../exec/toolchain';

export const SYS_DIR = `${TOOL_DIR}/sys`;

export class PathMap {
  private readonly rootSlash: string;

  constructor(readonly root: string) {
    this.rootSlash = root.endsWith('/') ? root : `${root}/`;
  }

  /** The sandbox path (relative to the sandbox root) of a host path. */
  sandboxPath(hostPath: string): string {
    const abs = resolve(hostPath);
    const rel = relative(this.root, abs);
    if (rel === '') return '';
    if (!rel.startsWith('..') && !isAbsolute(rel)) return rel;
    return `${SYS_DIR}${abs}`;
  }

  isInside(hostPath: string): boolean {
    // Called for every header of every compile: plain absolute paths skip path.resolve.
    if (isPlainAbsolute(hostPath)) return hostPath === this.root || hostPath.startsWith(this.rootSlash);
    const rel = relative(this.root, resolve(hostPath));
    return !rel.startsWith('..') && !isAbsolute(rel);
  }

  /** The job's working directory for a host cwd, or undefined if it is outside the tree. */
  sandboxCwd(hostCwd: string): string | undefined {
    return this.isInside(hostCwd) ? relative(this.root, resolve(hostCwd)) : undefined;
  }

  /** How a job in `cwd` (sandbox) names a host path: unchanged if relative and inside, else mapped. */
  argPath(hostCwd: string, arg: string, sandboxCwd: string): string {
    const abs = resolve(hostCwd, arg);
    if (!isAbsolute(arg) && this.isInside(abs)) return arg;
    const mapped = this.sandboxPath(abs);
    if (mapped === '') return posix.relative(sandboxCwd || '.', '.') || '.'; // the root itself: `..` from below it
    return relativeFrom(sandboxCwd, mapped);
  }
}

/** An absolute path that path.resolve would return unchanged: no `.`, `..` or empty segments. */
export function isPlainAbsolute(p: string): boolean {
  return p.startsWith('/') && !/\/\.{0,2}(\/|$)/.test(p);
}
