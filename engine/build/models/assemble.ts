/** The assembler: `as [options] -o OUT INPUT...`, from the driver or called directly. */
import { basename, resolve } from 'node:path';
import { relativeFrom } from '../../toolchain';
import type { ToolCall } from '../protocol';
import type { ModelContext } from '../session';
import { SCRATCH_DIR, JOB_ENV, JOB_TIMEOUT_MS, fileArgument, thunkOutputRef, type Step } from './common';
import { isTempFile } from './gcc';

/** as options whose value is the next argument. */
const AS_VALUE_OPTS = new Set(['-o', '-I', '--defsym', '-MD', '--debug-prefix-map']);

export async function assembleThunk(ctx: ModelContext, call: ToolCall, asPath: string, args: string[], cwd: string, temps: Map<string, string>): Promise<Step | string> {
  const as = await ctx.packTool(asPath);
  const inputs: Record<string, string> = { ...as.inputs };
  const jobArgs: string[] = [];
  let output: string | undefined;
  let n = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (AS_VALUE_OPTS.has(a)) {
      const v = args[++i];
      if (v === undefined) return `as ${a} without a value`;
      if (a === '-o') output = v;
      else if (a === '-MD') return `as ${a} is not modelled`;
      // The driver passes its -I options on; they matter only to .include, which compiler output never uses.
      else if (a === '-I') jobArgs.push(a, ctx.paths.argPath(call.cwd, v, cwd));
      else jobArgs.push(a, v);
      continue;
    }
    if (a.startsWith('-')) {
      jobArgs.push(a);
      continue;
    }
    jobArgs.push(await fileArgument(ctx, call, cwd, a, temps, inputs, n++, '.s'));
  }
  if (!output) return 'as without -o';
  const isTemp = isTempFile(output);
  const outAbs = resolve(call.cwd, output);
  if (!isTemp && !ctx.paths.isInside(outAbs)) return `writes ${output}, outside the build tree`;
  const outTag = isTemp ? `${SCRATCH_DIR}/out.o` : ctx.paths.sandboxPath(outAbs);
  const name = await ctx.store.putThunk({
    args: [...as.launch(cwd, 'as'), ...jobArgs, '-o', relativeFrom(cwd, outTag)],
    env: JOB_ENV,
    inputs,
    executables: as.executables,
    outputs: [outTag],
    cwd,
    timeoutMs: JOB_TIMEOUT_MS,
  });
  const ref = thunkOutputRef(name, outTag);
  if (isTemp) {
    temps.set(output, ref);
    return { finalOutputs: [] };
  }
  return { finalOutputs: [{ path: outAbs, ref, executable: false, program: basename(asPath) }] };
}
