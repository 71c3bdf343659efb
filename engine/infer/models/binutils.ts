/**
 * ar, ranlib and strip: programs that write one file from others, often in
 * place. A file they update is both an input and an output of the thunk.
 */
import { basename, resolve } from 'node:path';
import { archiveMembers } from './arMembers';
import type { ToolCall } from '../protocol';
import type { ModelContext, ModelResult } from '../session';
import { JOB_ENV, JOB_TIMEOUT_MS, thunkOutputRef } from './common';

async function exists(ctx: ModelContext, abs: string): Promise<string | undefined> {
  try {
    return await ctx.inputRef(abs);
  } catch {
    return undefined;
  }
}

interface FileJob {
  tool: string;
  realPath: string;
  call: ToolCall;
  /** Arguments, with file names still as the call gave them. */
  args: string[];
  /** Indexes in args of files the program reads. */
  reads: number[];
  /** The file it writes (also read if it exists and `updates`). */
  writes: number;
  updates: boolean;
  /** `ar T`: the output names its members by path instead of holding them. */
  thin?: boolean;
}

/**
 * `ar r` on an archive holding exactly the members it is given, in that order,
 * replaces each in place: the result is the archive made from scratch. Seen
 * that way it is the same job as the first build's, and is found in the cache.
 */
function rebuildsWholeArchive(call: ToolCall, archive: string, members: string[]): boolean {
  const existing = archiveMembers(resolve(call.cwd, archive));
  return existing !== undefined && existing.length === members.length && existing.every((m, i) => m === basename(members[i] as string));
}

async function recordFileJob(ctx: ModelContext, job: FileJob): Promise<ModelResult> {
  const cwd = ctx.paths.sandboxCwd(job.call.cwd);
  if (cwd === undefined) return { kind: 'fallback', reason: 'runs outside the build tree' };
  const outAbs = resolve(job.call.cwd, job.args[job.writes] as string);
  if (!ctx.paths.isInside(outAbs)) return { kind: 'fallback', reason: `writes ${job.args[job.writes]}, outside the build tree` };
  const tool = await ctx.packTool(job.realPath);
  const inputs: Record<string, string> = { ...tool.inputs };
  const jobArgs = [...job.args];
  for (const i of [...job.reads, job.writes]) {
    const abs = resolve(job.call.cwd, job.args[i] as string);
    const ref = i === job.writes && !job.updates ? undefined : await exists(ctx, abs);
    if (ref) inputs[ctx.paths.sandboxPath(abs)] = ref;
    else if (i !== job.writes) return { kind: 'fallback', reason: `${job.args[i]} does not exist` };
    jobArgs[i] = ctx.paths.argPath(job.call.cwd, job.args[i] as string, cwd);
  }
  const outTag = ctx.paths.sandboxPath(outAbs);
  const name = await ctx.store.putThunk({
    args: [...tool.launch(cwd, job.tool), ...jobArgs],
    env: JOB_ENV,
    inputs,
    executables: tool.executables,
    outputs: [outTag],
    cwd,
    timeoutMs: JOB_TIMEOUT_MS,
  });
  await ctx.record([
    { path: outAbs, ref: thunkOutputRef(name, outTag), executable: false, program: job.tool, ...(job.thin ? { thinArchive: true } : {}) },
  ]);
  return { kind: 'recorded' };
}

/**
 * `ar [--plugin PLUGIN] r|q[modifiers] ARCHIVE MEMBER...`: builds or updates
 * an archive (thin with T, as Meson makes them); other operations run for
 * real. gcc-ar passes gcc's LTO plugin, which goes into the job with ar.
 */
export async function modelAr(call: ToolCall, ctx: ModelContext, realPath: string): Promise<ModelResult> {
  const args = call.args;
  const plugins: number[] = [];
  let at = 0;
  while (args[at] === '--plugin' && args[at + 1] !== undefined) {
    plugins.push(at + 1);
    at += 2;
  }
  const ops = (args[at] ?? '').replace(/^-/, '');
  if (args.length < at + 2 || !/^[cDsSuUvT]*[rq][cDsSuUvT]*$/.test(ops))
    return { kind: 'fallback', reason: `ar ${args.slice(0, at + 1).join(' ')} is not modelled` };
  const members = args.slice(at + 2).map((_, i) => i + at + 2);
  if (members.some((i) => (args[i] as string).startsWith('-')))
    return { kind: 'fallback', reason: 'ar options after the archive are not modelled' };
  const thin = ops.includes('T');
  const fresh =
    !thin &&
    rebuildsWholeArchive(
      call,
      args[at + 1] as string,
      members.map((i) => args[i] as string),
    );
  return recordFileJob(ctx, { tool: 'ar', realPath, call, args, reads: [...plugins, ...members], writes: at + 1, updates: !fresh, thin });
}

/** `ranlib [-D|-U] ARCHIVE`: rewrites the archive's index in place. */
export async function modelRanlib(call: ToolCall, ctx: ModelContext, realPath: string): Promise<ModelResult> {
  const files = call.args.map((a, i) => [a, i] as const).filter(([a]) => !a.startsWith('-'));
  if (files.length !== 1 || call.args.some((a) => a.startsWith('-') && a !== '-D' && a !== '-U')) {
    return { kind: 'fallback', reason: 'ranlib with options or several archives is not modelled' };
  }
  return recordFileJob(ctx, {
    tool: 'ranlib',
    realPath,
    call,
    args: call.args,
    reads: [],
    writes: (files[0] as readonly [string, number])[1],
    updates: true,
  });
}

const STRIP_FLAGS =
  /^(-s|-g|-S|-d|-x|-X|-p|-D|-U|--strip-all|--strip-debug|--strip-unneeded|--strip-dwo|--discard-all|--discard-locals|--preserve-dates|--enable-deterministic-archives|--only-keep-debug|-R\S+|-K\S+|-N\S+|--remove-section=\S+|--keep-symbol=\S+|--strip-symbol=\S+)$/;

/** `strip [flags] FILE` in place, or `strip [flags] -o OUT FILE`. */
export async function modelStrip(call: ToolCall, ctx: ModelContext, realPath: string): Promise<ModelResult> {
  const args = call.args;
  const o = args.indexOf('-o');
  const files = args.map((a, i) => [a, i] as const).filter(([a, i]) => !a.startsWith('-') && i !== o + 1);
  if (files.length !== 1 || args.some((a, i) => a.startsWith('-') && a !== '-o' && i !== o + 1 && !STRIP_FLAGS.test(a))) {
    return { kind: 'fallback', reason: 'strip with these options is not modelled' };
  }
  const file = (files[0] as readonly [string, number])[1];
  if (o >= 0) return recordFileJob(ctx, { tool: 'strip', realPath, call, args, reads: [file], writes: o + 1, updates: false });
  return recordFileJob(ctx, { tool: 'strip', realPath, call, args, reads: [], writes: file, updates: true });
}
