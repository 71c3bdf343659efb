/**
 * What the scheduler needs of a store: objects by name, and the recorded
 * results of jobs. Three stores stand behind it: LocalStore (a directory of
 * this machine), the same layered over a bucket for one run (LocalStore.over:
 * objects the bucket holds are fetched when their bytes are needed), and
 * MemoryStore (tests, and anything that must not touch the disk).
 */
import { MalformedResultError } from '../model/errors';
import type { ObjectType } from '../model/hash';

export interface OutputEntry {
  name: string;
  executable: boolean;
}

export interface TaggedOutput extends OutputEntry {
  /** The output's sandbox path. */
  tag: string;
}

/** What a thunk reduced to. Only successful jobs are recorded. */
export interface Reduction {
  /** In the thunk's declared order: the first is its default output. */
  outputs: TaggedOutput[];
  /** Non-empty stdout/stderr of the job, as value names, so cached results still show warnings. */
  stdout?: string;
  stderr?: string;
  program: string;
  durationMs: number;
  /** Where the job ran: a backend label. */
  backend?: string;
  /** Why it ran there, when that is not the backend the run chose (a job Lambda could not take). */
  reason?: string;
  /**
   * SHA-256 of the objects named above (outputs, stdout, stderr), by name,
   * where known: a shared result must carry them all, so the bytes a reader
   * fetches are the bytes the signer saw, not merely bytes with the same name.
   */
  sha256?: Record<string, string>;
}

/** Every object a result names: its outputs, then its stdout and stderr. */
export function objectsOf(r: Reduction): string[] {
  return [...r.outputs.map((o) => o.name), ...[r.stdout, r.stderr].filter((n): n is string => n !== undefined)];
}

export interface ObjectStore {
  /** Whether the object is here now (nothing is fetched to answer). */
  has(name: string): boolean;
  /** The object's bytes, checked against its name. Rejects with MissingObjectError or CorruptObjectError. */
  readBytes(name: string): Promise<Buffer>;
  putBytes(type: ObjectType, bytes: Uint8Array): Promise<string>;
  /** Resolves once the object is here and intact, fetched from a layer below if need be; rejects as readBytes does. */
  verify(name: string): Promise<void>;
  /** The recorded result, or undefined; a malformed one rejects with MalformedResultError. */
  getReduction(thunk: string): Promise<Reduction | undefined>;
  /** Whether a result is recorded (not whether its outputs are intact: getReduction's caller checks that). */
  hasReduction(thunk: string): boolean;
  putReduction(thunk: string, r: Reduction): Promise<void>;
  deleteReduction(thunk: string): Promise<void>;
}

/** Where a local store fetches the objects it lacks (a bucket that keeps intermediate outputs). */
export interface RemoteObjects {
  /** Writes the object's bytes to `dest`; false if the remote does not have it. */
  fetch(name: string, dest: string): Promise<boolean>;
  /** Where an object lives remotely, for messages. */
  describe(name: string): string;
}

/**
 * A store shared with other machines (a remote backend's bucket): results a
 * teammate or CI made, and where results made here for that backend go.
 */
export interface SharedStore {
  /** For messages: the bucket and prefix. */
  where(): string;
  /** Whether it holds the object, as far as this run knows (so a cached result needing it is usable without it being here). */
  holds(name: string): boolean;
  /** A result another machine shared; a malformed one rejects with MalformedResultError, a refused read with the permission it lacks. */
  getReduction(thunk: string): Promise<Reduction | undefined>;
  /** Shares a result made on this machine (its objects first, then the result). */
  publish(thunk: string, reduction: Reduction): Promise<void>;
  /** Drops a copy found bad, so the job that made it puts a good one. */
  discard(name: string): Promise<void>;
  /** The SHA-256 a result accepted in this run gives its objects: their copies fetched from the shared store must match. */
  expect(digests: Record<string, string>): void;
}

/** A result where one is only a shortcut (a model's look-up): malformed counts as none. */
export async function resultOrNone(store: ObjectStore, thunk: string): Promise<Reduction | undefined> {
  return store.getReduction(thunk).catch((e: unknown) => {
    if (e instanceof MalformedResultError) return undefined;
    throw e;
  });
}
