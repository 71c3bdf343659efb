/**
 * `burst audit`: runs cached jobs again, from scratch, and compares what they
 * make with what the cache says they made. A difference is either a job that
 * is not deterministic (it writes the date, a random name, an address) or a
 * result that was wrong when it was recorded; both deserve a look, and
 * neither is found any other way, since a cached result is never checked
 * against a new run. Nothing is recorded: the cache stays as it was.
 */
import { randomInt } from 'node:crypto';
import { BurstError, errorMessage } from '../model/errors';
import { decodeThunk, isThunkRef, parseThunkRef, programOf, thunkDependencies, withInputValues, encodeThunk } from '../model/thunk';
import type { ObjectStore, OutputEntry } from '../store/objectStore';
import { Scheduler, type SchedulerOptions } from '../schedule/scheduler';

export interface AuditDifference {
  job: string;
  program: string;
  /** The output's path in the sandbox. */
  output: string;
  cached: string;
  rerun: string;
  /** The first byte that differs; the shorter one's length when one is a prefix of the other. */
  offset: number;
  /** The bytes around it, escaped, for the user to see what differs. */
  cachedAt: string;
  rerunAt: string;
  /** The job's inputs: sandbox path → value. */
  inputs: Record<string, string>;
}

export interface AuditReport {
  /** Jobs with a recorded result among those asked about. */
  candidates: number;
  audited: Array<{ job: string; program: string; same: boolean }>;
  differences: AuditDifference[];
  /** Jobs that could not be run again (an input lost, the job failing now): not a difference, but not checked either. */
  failures: Array<{ job: string; message: string }>;
}

export interface AuditOptions {
  /** How many of the candidates to run again, chosen at random (default 10); all of them with `all`. */
  sample?: number;
  all?: boolean;
}

/** Every job in the graph behind `refs`: the thunks named, and the thunks their inputs name, recursively. */
export async function jobsBehind(store: ObjectStore, refs: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const queue = refs.filter(isThunkRef).map((r) => parseThunkRef(r).thunk);
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const thunk = decodeThunk(await store.readBytes(name), name);
    for (const dep of thunkDependencies(thunk)) queue.push(parseThunkRef(dep).thunk);
  }
  return [...seen];
}

export async function audit(
  store: ObjectStore,
  jobs: string[],
  opts: AuditOptions,
  run: Omit<SchedulerOptions, 'useCache'>,
): Promise<AuditReport> {
  const candidates = [...new Set(jobs)].filter((j) => store.hasReduction(j));
  const chosen = opts.all ? candidates : sample(candidates, opts.sample ?? 10);
  const report: AuditReport = { candidates: candidates.length, audited: [], differences: [], failures: [] };
  // Inputs come from the cache as a build would take them; the jobs themselves run again with no cache at all.
  // Both go on past a failure: one job that cannot run again must not leave the others unchecked.
  const cached = new Scheduler(store, { ...run, keepGoing: true });
  const fresh = new Scheduler(store, { ...run, useCache: false, keepGoing: true });
  // All at once: the schedulers keep to the backend's slots, and share the inputs several jobs need.
  const outcomes = await Promise.all(
    chosen.map((job) =>
      auditOne(store, job, cached, fresh).then(
        (found) => ({ job, found }),
        (e: unknown) => ({ job, error: errorMessage(e) }),
      ),
    ),
  );
  for (const o of outcomes) {
    if ('error' in o) {
      report.failures.push({ job: o.job, message: o.error });
      continue;
    }
    report.audited.push({ job: o.job, program: o.found.program, same: o.found.differences.length === 0 });
    report.differences.push(...o.found.differences);
  }
  return report;
}

async function auditOne(
  store: ObjectStore,
  job: string,
  cached: Scheduler,
  fresh: Scheduler,
): Promise<{ program: string; differences: AuditDifference[] }> {
  const recorded = await store.getReduction(job);
  if (!recorded) throw new BurstError('usage', `${job} has no recorded result`);
  const thunk = decodeThunk(await store.readBytes(job), job);
  const program = programOf(thunk);
  const deps = thunkDependencies(thunk);
  let resolved = thunk;
  if (deps.length > 0) {
    const { values, failures } = await cached.force(deps);
    if (failures[0]) throw failures[0].error;
    const byPath = new Map<string, OutputEntry>();
    for (const [path, ref] of Object.entries(thunk.inputs)) {
      const v = values.get(ref);
      if (v) byPath.set(path, v);
    }
    resolved = withInputValues(thunk, byPath);
  }
  const name = await store.putBytes('T', encodeThunk(resolved));
  const refs = resolved.outputs.map((tag) => `${name}#${tag}`);
  const { values, failures } = await fresh.force(refs);
  if (failures[0]) throw failures[0].error;
  const differences: AuditDifference[] = [];
  for (const [i, tag] of resolved.outputs.entries()) {
    const before = recorded.outputs.find((o) => o.tag === tag);
    const now = values.get(refs[i] as string);
    if (!before || !now || before.name === now.name) continue;
    const [a, b] = await Promise.all([store.readBytes(before.name), store.readBytes(now.name)]);
    const offset = firstDifference(a, b);
    differences.push({
      job,
      program,
      output: tag,
      cached: before.name,
      rerun: now.name,
      offset,
      cachedAt: around(a, offset),
      rerunAt: around(b, offset),
      inputs: resolved.inputs,
    });
  }
  return { program, differences };
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** Up to 16 bytes from `offset`, printable ones as they are, others as \xNN. */
function around(bytes: Buffer, offset: number): string {
  const slice = bytes.subarray(offset, offset + 16);
  if (slice.length === 0) return '(end of file)';
  return [...slice]
    .map((c) => (c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`))
    .join('');
}

function sample<T>(items: T[], n: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, Math.max(0, n));
}
