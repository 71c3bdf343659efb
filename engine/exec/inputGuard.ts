/**
 * Inputs are hard links to the store's objects (and the shared tool trees are
 * made of such links). A job that runs as the store's owner (Burst not run as
 * root, or a user namespace under --isolate) can chmod one writable, change
 * its bytes and put its times back, and every later reader would get those
 * bytes under the old name. So such a job's inputs are checked when it ends,
 * whatever its ending: a file whose status changed (the kernel sets ctime on
 * any write or chmod; no job can set it back) is hashed again. Unchanged
 * bytes are fine (another job linking the same object changes ctime too) and
 * get their mode back; changed bytes fail the job and send the object to
 * corrupt/, so it is made or added again.
 */
import { chmodSync, lstatSync, rmSync, statSync, type BigIntStats } from 'node:fs';
import { BurstError, TransientError } from '../model/errors';
import { nameOfFile, parseName } from '../model/hash';
import type { LocalStore } from '../store/local';

interface Watched {
  /** The input's sandbox path, for the message. */
  path: string;
  name: string;
  /** The store's file (the object, or its executable copy) the sandbox links to. */
  file: string;
  state: BigIntStats;
  /** A link in a shared tool tree that must still be this file. */
  treeLink?: string;
}

export class InputGuard {
  private readonly watched: Watched[] = [];

  constructor(private readonly store: LocalStore) {}

  /**
   * Call after the links are made: linking changes ctime. A shared tree whose
   * link is no longer the store's file (an earlier job replaced it) is removed,
   * and the attempt ends as a fault: the next one makes the tree again.
   */
  watch(path: string, name: string, file: string, tree?: { dir: string; link: string }): void {
    const state = statSync(file, { bigint: true });
    if (tree && !sameFile(tree.link, state)) {
      rmSync(tree.dir, { recursive: true, force: true });
      throw new TransientError(`the shared tool tree ${tree.dir} had been changed (${path}); it is made again`);
    }
    this.watched.push({ path, name, file, state, ...(tree ? { treeLink: tree.link } : {}) });
  }

  /** Throws, naming the input, if the job changed one; a broken shared tree is reported the same way. */
  async verify(): Promise<void> {
    for (const w of this.watched) {
      const problem = await this.check(w);
      if (problem)
        throw new BurstError(
          'job-failed',
          `the job changed its input ${w.path} (${problem}); the store's copy was set aside, and the job that made it runs again`,
          { object: w.name },
        );
    }
  }

  private async check(w: Watched): Promise<string | undefined> {
    if (w.treeLink && !sameFile(w.treeLink, w.state)) return 'replaced it in the shared tool tree';
    let now: BigIntStats;
    try {
      now = statSync(w.file, { bigint: true });
    } catch {
      return 'the store lost it';
    }
    if (now.ino === w.state.ino && now.ctimeNs === w.state.ctimeNs && now.size === w.state.size && now.mtimeNs === w.state.mtimeNs)
      return undefined;
    const actual = await nameOfFile(parseName(w.name).type, w.file).catch(() => undefined);
    if (actual !== w.name) {
      await this.store.quarantine(w.name);
      return 'its bytes no longer match their name';
    }
    if ((now.mode & 0o222n) !== 0n) chmodSync(w.file, w.file.endsWith('.x') ? 0o555 : 0o444);
    return undefined;
  }
}

function sameFile(link: string, state: BigIntStats): boolean {
  try {
    return lstatSync(link, { bigint: true }).ino === state.ino;
  } catch {
    return false;
  }
}
