/** What an in-process test backend answers for a job that made one output, `out`, and printed nothing. */
import type { JobResult } from '../../engine/exec/worker';

export function answerWithOutput(value: string): JobResult {
  return {
    exitCode: 0,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    outputs: [{ tag: 'out', name: value, executable: false }],
    durationMs: 1,
  };
}
