/**
 * Errors are data: a stable code, a message a user can act on, and where known
 * the object or job it concerns. Front ends decide how to show them.
 */
export type ErrorCode =
  | 'usage'
  | 'bad-thunk'
  | 'bad-result'
  | 'missing-object'
  | 'corrupt-object'
  | 'job-failed'
  | 'dependency-failed'
  | 'cancelled'
  | 'transient'
  | 'aws';

export class BurstError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { object?: string; job?: string; file?: string } = {},
  ) {
    super(message);
    this.name = 'BurstError';
  }
}

export class CorruptObjectError extends BurstError {
  /** `why`: how it fails, when it is not its name it fails to match. */
  constructor(
    readonly object: string,
    where: string,
    why?: string,
  ) {
    super(
      'corrupt-object',
      `object ${object} is corrupt: ${why ? `the content of ${where}: ${why}` : `the content of ${where} no longer matches its name`}. ` +
        'It was moved out of the store; re-run to recreate it, or re-add the file it came from.',
      { object },
    );
  }
}

export class MissingObjectError extends BurstError {
  /** `elsewhere`: where else it was looked for (a remote backend's copy). */
  constructor(
    readonly object: string,
    elsewhere?: string,
  ) {
    super('missing-object', `object ${object} is not in the store${elsewhere ? `, nor at ${elsewhere}` : ''}`, { object });
  }
}

/**
 * Inputs a remote backend found missing or damaged where it keeps them (an
 * expiry rule, a clean-up), with no copy on this machine to put back: only
 * the jobs that made them can.
 */
export class LostInputsError extends BurstError {
  constructor(
    readonly objects: string[],
    readonly where: string,
    detail: string,
  ) {
    super(
      'missing-object',
      `${objects.join(', ')} ${objects.length === 1 ? 'is' : 'are'} missing or damaged in ${where}, with no copy on this machine (${detail})`,
      { object: objects[0] as string },
    );
  }
}

/** One lost input (see LostInputsError), which the job that made it makes again. */
export class LostObjectError extends BurstError {
  constructor(
    readonly object: string,
    where: string,
  ) {
    super('missing-object', `object ${object} is missing or damaged in ${where}, with no copy on this machine`, { object });
  }
}

/** Faults worth another attempt: the job did not give an answer of its own. */
export class TransientError extends BurstError {
  constructor(message: string, job?: string) {
    super('transient', message, job === undefined ? {} : { job });
  }
}

/** A recorded result that is not one this engine could have written (hand-made, damaged, or planted): a miss, with a warning. */
export class MalformedResultError extends BurstError {
  constructor(
    readonly thunk: string,
    where: string,
    why: string,
  ) {
    super('bad-result', `the recorded result of ${thunk} at ${where} is malformed (${why}): it is ignored and the job runs`, {
      job: thunk,
    });
  }
}

/**
 * A job stopped by a limit (its timeout) or by the machine (a signal such as
 * the out-of-memory killer's): worth one more attempt, since a loaded machine
 * can cause it, but not more: the scheduler fails a job that ends this way
 * twice, naming the limit, rather than retrying it at length.
 */
export class StoppedJobError extends TransientError {
  constructor(
    message: string,
    readonly why: 'timeout' | 'signal',
  ) {
    super(message);
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const TRANSIENT_ERRNO = new Set(['ENOSPC', 'EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM', 'EIO', 'EBUSY']);

export function isTransientErrno(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && TRANSIENT_ERRNO.has(code);
}
