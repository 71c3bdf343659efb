/** The assembler: `as [options] -o OUT INPUT...`, from the driver or called directly. */
import { promises as fs } from 'node:fs';
import { basename, resolve } from 'node:path';
import { runCommand } from '../../exec/launcher';
import { tempPath } from '../../store/atomic';
import { resultOrNone } from '../../store/objectStore';
import { nameOfBytes } from '../../model/hash';
import { encodeThunk, type Thunk } from '../../model/thunk';
import { relativeFrom } from '../../exec/toolchain';
import type { ToolCall } from '../protocol';
import type { ModelContext } from '../session';
import { SCRATCH_DIR, JOB_ENV, JOB_TIMEOUT_MS, fileArgument, isTempFile, stepResult, thunkOutputRef, type Step } from './common';
import { adoptRanHere, type HereFiles } from './ranHere';

/** as options whose value is the next argument. */
const AS_VALUE_OPTS = new Set(['-o', '-I', '--defsym', '-MD', '--debug-prefix-map']);

export async function assembleThunk(
  ctx: ModelContext,
  call: ToolCall,
  asPath: string,
  args: string[],
  cwd: string,
  temps: Map<string, string>,
  hereFiles: HereFiles = new Map(),
): Promise<Step | string> {
  const as = await ctx.packTool(asPath);
  const inputs: Record<string, string> = { ...as.inputs };
  const jobArgs: string[] = [];
  // The same command with the driver's temporaries replaced by local files holding their bytes, if every input is one.
  let hostArgs: string[] | undefined = [];
  let output: string | undefined;
  let n = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (AS_VALUE_OPTS.has(a)) {
      const v = args[++i];
      if (v === undefined) return `as ${a} without a value`;
      hostArgs?.push(a, v);
      if (a === '-o') output = v;
      else if (a === '-MD') return `as ${a} is not modelled`;
      // The driver passes its -I options on; they matter only to .include, which compiler output never uses.
      else if (a === '-I') jobArgs.push(a, ctx.paths.argPath(call.cwd, v, cwd));
      else jobArgs.push(a, v);
      continue;
    }
    if (a.startsWith('-')) {
      jobArgs.push(a);
      hostArgs?.push(a);
      continue;
    }
    const local = hereFiles.get(temps.get(a) ?? '');
    hostArgs = local && hostArgs ? [...hostArgs, local.path] : undefined;
    jobArgs.push(await fileArgument(ctx, call, cwd, a, temps, inputs, n++, '.s'));
  }
  if (!output) return 'as without -o';
  const isTemp = isTempFile(output);
  const outAbs = resolve(call.cwd, output);
  if (!isTemp && !ctx.paths.isInside(outAbs)) return `writes ${output}, outside the build tree`;
  const outTag = isTemp ? `${SCRATCH_DIR}/out.o` : ctx.paths.sandboxPath(outAbs);
  const thunk: Thunk = {
    args: [...as.launch(cwd, 'as'), ...jobArgs, '-o', relativeFrom(cwd, outTag)],
    env: JOB_ENV,
    inputs,
    executables: as.executables,
    outputs: [outTag],
    cwd,
    timeoutMs: JOB_TIMEOUT_MS,
  };
  const name = await ctx.store.putThunk(thunk);
  const ref = thunkOutputRef(name, outTag);
  if (hostArgs && n > 0 && ctx.compilesInPlace) await assembleHere(ctx, call, asPath, hostArgs, { name, thunk, outTag, cwd }, hereFiles);
  return stepResult(temps, output, ref, outAbs, basename(asPath));
}

interface AssemblyJob {
  name: string;
  thunk: Thunk;
  outTag: string;
  cwd: string;
}

/**
 * Runs the assembler where the build stands on the assembly the compile just
 * wrote here, and adopts the object as the thunk's result, under its name and
 * under the name it has once its input is resolved (the name a later build
 * that compiles in a sandbox arrives at, so its early cut-off still works).
 * A failure leaves the thunk to the scheduler, which reports it as a job's.
 */
async function assembleHere(
  ctx: ModelContext,
  call: ToolCall,
  asPath: string,
  hostArgs: string[],
  job: AssemblyJob,
  hereFiles: HereFiles,
): Promise<void> {
  const inputs = Object.fromEntries(Object.entries(job.thunk.inputs).map(([path, ref]) => [path, hereFiles.get(ref)?.name ?? ref]));
  // Only its name: the scheduler stores the resolved thunk itself if it ever runs it.
  const resolved = nameOfBytes('T', encodeThunk({ ...job.thunk, inputs }));
  if (ctx.store.hasReduction(resolved)) return; // the same assembly was assembled before: the scheduler finds it
  const out = `${tempPath(ctx.store.tmpDir, 'as')}.o`;
  const args = hostArgs.map((a, i) => (hostArgs[i - 1] === '-o' ? out : a));
  const started = performance.now();
  const run = await runCommand(ctx.store, asPath, args, call.cwd, JOB_ENV, { stdout: false });
  const durationMs = performance.now() - started;
  if (run.code !== 0) {
    await fs.rm(out, { force: true });
    return;
  }
  await adoptRanHere(ctx, job.name, job.outTag, 'as', { output: out, stderr: run.stderr, durationMs }, job.cwd);
  const reduction = await resultOrNone(ctx.store, job.name);
  if (reduction && resolved !== job.name) await ctx.store.putReduction(resolved, reduction);
}
