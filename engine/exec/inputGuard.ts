/**
 * A job that runs as the store's owner (Burst not run as root, or a user
 * namespace under --isolate) gets copies of its inputs, never the store's own
 * files, so nothing it does to them reaches a later reader. The one thing it
 * shares is the tool tree (shipped programs, their libraries, system
 * headers), made once per set of tools from copies and linked into each
 * sandbox. So that tree is checked when the job ends, however it ended: no
 * job links or copies its files, so any change of status (the kernel sets
 * ctime on every write or chmod, and no job can set it back) is a job's
 * doing. A changed tree fails the job and is removed, to be made again;
 * another job that read it meanwhile sees the change at its own end and
 * fails too.
 */
import { lstatSync, rmSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { BurstError, TransientError } from '../model/errors';

interface Watched {
  path: string;
  state: BigIntStats;
}

export class InputGuard {
  private readonly watched: Watched[] = [];

  /** Call before the job starts. A tree already changed (by an earlier job) is removed, and the attempt ends as a fault: the next makes it again. */
  constructor(
    private readonly tree: string,
    paths: string[],
  ) {
    for (const path of paths) {
      const state = stateOf(join(tree, path));
      if (!state || !state.isFile()) this.broken(`${path} is no longer a file there`);
      this.watched.push({ path, state: state as BigIntStats });
    }
  }

  /** Throws, naming the file, if the job changed the tool tree. */
  async verify(): Promise<void> {
    for (const w of this.watched) {
      const now = stateOf(join(this.tree, w.path));
      if (now && same(now, w.state)) continue;
      rmSync(this.tree, { recursive: true, force: true });
      throw new BurstError(
        'job-failed',
        `the job changed ${w.path} in the shared tool tree ${this.tree}; the tree is removed, to be made again`,
      );
    }
  }

  private broken(why: string): never {
    rmSync(this.tree, { recursive: true, force: true });
    throw new TransientError(`the shared tool tree ${this.tree} had been changed (${why}); it is made again`);
  }
}

function stateOf(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

function same(a: BigIntStats, b: BigIntStats): boolean {
  return a.ino === b.ino && a.ctimeNs === b.ctimeNs && a.mtimeNs === b.mtimeNs && a.size === b.size && a.mode === b.mode;
}
