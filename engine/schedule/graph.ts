/**
 * A run's job graph, as `burst plan` and the simulated backend read it from a
 * report: each job with the time its result records, the jobs whose outputs it
 * reads, and the bytes it would move on a remote worker. Built after the run
 * from what the scheduler knows, so it keeps nothing extra while jobs run.
 */
import { parseName } from '../model/hash';
import { isThunkRef, parseThunkRef, type Thunk } from '../model/thunk';
import type { GraphNode } from '../model/report';
import type { Reduction } from '../store/objectStore';
import { TOOL_DIR } from '../exec/toolchain';

const sizeOf = (name: string): number => parseName(name).size;

interface RanJob {
  name: string;
  result: Reduction;
  /** Its inputs as values: sandbox path → object name (an input made by another job, as that job's result names it). */
  inputs: Array<[string, string]>;
}

/**
 * The jobs named, in the order given, that have a result (jobs that failed or
 * never ran are left out: nothing is known of their time or outputs). A job
 * depends on the jobs of the run that made an object it reads, whichever
 * name each was recorded under. The upload of an input several jobs share is
 * counted once, for the first of them.
 */
export interface GraphSource {
  /** The run's jobs, in the order they were first asked for. */
  names: Iterable<string>;
  thunk(name: string): Promise<Thunk | undefined>;
  result(name: string): Promise<Reduction | undefined>;
}

export async function runGraph(source: GraphSource): Promise<GraphNode[]> {
  const jobs: RanJob[] = [];
  for (const name of new Set(source.names)) {
    const job = await ranJob(source, name);
    if (job) jobs.push(job);
  }
  const producer = new Map<string, string>();
  for (const j of jobs) for (const o of j.result.outputs) if (!producer.has(o.name)) producer.set(o.name, j.name);
  const uploaded = new Set<string>();
  return jobs.map((j) => nodeOf(j, producer, uploaded));
}

async function ranJob(source: GraphSource, name: string): Promise<RanJob | undefined> {
  const [thunk, result] = await Promise.all([source.thunk(name), source.result(name)]);
  if (!thunk || !result) return undefined;
  const inputs: Array<[string, string]> = [];
  for (const [path, ref] of Object.entries(thunk.inputs)) {
    if (!isThunkRef(ref)) {
      inputs.push([path, ref]);
      continue;
    }
    const { thunk: dep, output } = parseThunkRef(ref);
    const made = (await source.result(dep))?.outputs;
    const entry = output === undefined ? made?.[0] : made?.find((o) => o.tag === output);
    if (entry && !isThunkRef(entry.name)) inputs.push([path, entry.name]);
  }
  return { name, result, inputs };
}

function nodeOf(j: RanJob, producer: Map<string, string>, uploaded: Set<string>): GraphNode {
  const deps = new Set<string>();
  let inBytes = 0;
  let toolBytes = 0;
  let uploadBytes = 0;
  let uploadObjects = 0;
  for (const [path, value] of j.inputs) {
    const size = sizeOf(value);
    inBytes += size;
    const isTool = path.startsWith(`${TOOL_DIR}/`);
    if (isTool) toolBytes += size;
    const maker = producer.get(value);
    if (maker !== undefined && maker !== j.name) deps.add(maker);
    // Shipped tools are uploaded once per toolchain, not per run: a bucket in use has them.
    else if (maker === undefined && !isTool && !uploaded.has(value)) (uploaded.add(value), (uploadBytes += size), uploadObjects++);
  }
  const values = j.result.outputs.filter((o) => !isThunkRef(o.name));
  return {
    name: j.name,
    program: j.result.program,
    ms: Math.round(j.result.durationMs),
    deps: [...deps],
    inBytes,
    inObjects: j.inputs.length,
    toolBytes,
    uploadBytes,
    uploadObjects,
    outBytes: values.reduce((n, o) => n + sizeOf(o.name), 0),
    outObjects: values.length,
  };
}
