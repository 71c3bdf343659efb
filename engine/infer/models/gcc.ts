/**
 * The compiler-driver model (gcc, cc, g++, c++, clang, clang++). The driver's
 * own plan (`-###`) is split into one thunk per real program: cc1/cc1plus
 * (source and headers to assembly), as (assembly to object), and the link,
 * run as ld itself. Each program travels with its libraries and loader. Calls
 * that only ask the compiler something are probes and run for real.
 */
import { basename, resolve } from 'node:path';
import { relativeFrom, resolveOnPath } from '../../exec/toolchain';
import type { ToolCall } from '../protocol';
import type { ModelContext, ModelResult } from '../session';
import { driverPlan } from './driverPlan';
import { compileDeps, compileHere, knownDeps, type CompiledHere } from './compilerDeps';
import { adoptRanHere, type HereFiles } from './ranHere';
import { SANDBOX_TOKEN } from '../../model/thunk';
import { SYS_DIR } from '../pathMap';
import { linkThunk, withoutLtoPlugin, type Step } from './link';
import { assembleThunk } from './assemble';
import { clangCompileThunk } from './clang';
import { JOB_TIMEOUT_MS, SCRATCH_DIR, compilerPathArg, isTempFile, stepResult, thunkOutputRef } from './common';
import { writeDepfile, type DepfileRequest } from './depfile';

/** Flags that make a call a question to the compiler rather than a build step. */
const PROBE_FLAGS = new Set([
  '-E',
  '-M',
  '-MM',
  '-dM',
  '--version',
  '-v',
  '-###',
  '--help',
  '-fsyntax-only',
  '-save-temps',
  '-dumpversion',
  '-dumpfullversion',
  '-dumpmachine',
  '-dumpspecs',
  '-Wl,--version',
  '--target-help',
  '-print-search-dirs',
]);
const PROBE_PREFIXES = ['-print-', '--print-', '-flto', '-fuse-ld', '-save-temps=', '-specs', '--help='];
/** Environment variables that change what the compiler reads; the model does not carry them into jobs. */
const COMPILER_ENV = [
  'CPATH',
  'C_INCLUDE_PATH',
  'CPLUS_INCLUDE_PATH',
  'OBJC_INCLUDE_PATH',
  'LIBRARY_PATH',
  'GCC_EXEC_PREFIX',
  'COMPILER_PATH',
  'DEPENDENCIES_OUTPUT',
  'SUNPRO_DEPENDENCIES',
];

export function probeReason(call: ToolCall): string | undefined {
  if (call.args.length === 0) return 'no arguments';
  for (const a of call.args) {
    if (PROBE_FLAGS.has(a)) return `asks the compiler (${a})`;
    const p = PROBE_PREFIXES.find((x) => a.startsWith(x));
    if (p) return `${a} is not modelled`;
    if (a === '-' || a === '/dev/null' || a.startsWith('/dev/')) return 'reads or writes a device or stdin';
    if (a.startsWith('@')) return 'response files are not modelled';
  }
  for (const v of COMPILER_ENV) if (call.env.has(v)) return `${v} is set`;
  return undefined;
}

export async function modelCompilerDriver(call: ToolCall, ctx: ModelContext, realDriver: string, pathVar: string): Promise<ModelResult> {
  const probe = probeReason(call);
  if (probe) return { kind: 'fallback', reason: probe };
  const cwd = ctx.paths.sandboxCwd(call.cwd);
  if (cwd === undefined) return { kind: 'fallback', reason: 'runs outside the build tree' };
  await ctx.inputRef(realDriver); // its plan depends on the driver itself
  const env = { PATH: pathVar, LC_ALL: 'C' };
  const planned = await driverPlan(ctx.store, realDriver, call.tool, call.args, call.cwd, env);
  if (!planned.ok) return { kind: 'fallback', reason: planned.reason };

  const temps = new Map<string, string>();
  const hereFiles: HereFiles = new Map();
  const steps: Step[] = [];
  for (const cmd of planned.plan.commands) {
    const program = basename(cmd[0] ?? '');
    if (program.startsWith('(')) continue; // clang's "(in-process)": a note, not a command
    let step: Step | string;
    if (cmd[1] === '-cc1') step = await clangCompileThunk(ctx, call, cmd, cwd, temps);
    else if (/^cc1(plus|obj)?$/.test(program)) step = await compileThunk(ctx, call, cmd, cwd, temps, hereFiles);
    else if (program === 'as') step = await assembleThunk(ctx, call, resolveOnPath('as', pathVar), cmd.slice(1), cwd, temps, hereFiles);
    else if (program === 'collect2')
      step = await linkThunk(ctx, call, resolveOnPath('ld', pathVar), withoutLtoPlugin(cmd.slice(1)), cwd, temps);
    else if (program === 'ld' || program === 'ld.bfd')
      step = await linkThunk(ctx, call, cmd[0] as string, withoutLtoPlugin(cmd.slice(1)), cwd, temps);
    else step = `the driver runs ${program}, which is not modelled`;
    if (typeof step === 'string') return { kind: 'fallback', reason: step };
    steps.push(step);
  }
  await ctx.record(steps.flatMap((s) => s.finalOutputs));
  return { kind: 'recorded' };
}

/** cc1 options whose value is the next argument. */
const CC1_VALUE_OPTS = new Set([
  '-D',
  '-U',
  '-I',
  '-include',
  '-imacros',
  '-isystem',
  '-iquote',
  '-idirafter',
  '-iprefix',
  '-iwithprefix',
  '-iwithprefixbefore',
  '-isysroot',
  '-imultiarch',
  '-imultilib',
  '-dumpbase',
  '-dumpbase-ext',
  '-dumpdir',
  '-o',
  '-MF',
  '-MT',
  '-MQ',
  '-MD',
  '-MMD',
  '--param',
  '-auxbase',
  '-auxbase-strip',
  '-aux-info',
  '-x',
]);
const PATH_OPTS = new Set(['-I', '-include', '-imacros', '-isystem', '-iquote', '-idirafter']);
const INCLUDE_DIR_OPTS = new Set(['-I', '-isystem', '-iquote', '-idirafter']);
const DEPFILE_OPTS = new Set(['-MF', '-MT', '-MQ', '-MD', '-MMD']);

interface Cc1Args {
  /** Arguments for the job, paths as the sandbox names them, without -o and depfile options. */
  jobArgs: string[];
  /** The same, with host paths: for asking the compiler about headers. */
  hostArgs: string[];
  output: string | undefined;
  userIncludeDirs: string[];
  nostdinc: boolean;
  depfile: DepfileRequest | undefined;
  source: string | undefined;
  /** cc1 -E: the driver preprocessing a .S file before assembling it. */
  preprocessOnly: boolean;
  /** Some file or directory of the tree is named by its absolute path (as CMake names sources and include directories). */
  treeNamedAbsolutely: boolean;
}

function splitCc1Args(ctx: ModelContext, call: ToolCall, args: string[], cwd: string): Cc1Args | string {
  const r: Cc1Args = {
    jobArgs: [],
    hostArgs: [],
    output: undefined,
    userIncludeDirs: [],
    nostdinc: false,
    depfile: undefined,
    source: undefined,
    preprocessOnly: false,
    treeNamedAbsolutely: false,
  };
  const depfile = (): DepfileRequest => (r.depfile ??= { file: undefined, systemHeaders: true, targets: [], phony: false });
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-nostdinc') r.nostdinc = true;
    if (a === '-MP') {
      depfile().phony = true;
      continue;
    }
    if (a === '-MG') return '-MG (missing headers as dependencies) is not modelled';
    if (a === '-E') {
      r.preprocessOnly = true;
      r.jobArgs.push(a);
      continue;
    }
    let opt: string | undefined;
    let value: string | undefined;
    if (CC1_VALUE_OPTS.has(a)) {
      opt = a;
      value = args[++i];
      if (value === undefined) return `${a} without a value`;
    } else {
      const joined = [...PATH_OPTS].find((p) => a.startsWith(p) && a.length > p.length && p.length === 2);
      if (joined) [opt, value] = [joined, a.slice(joined.length)];
    }
    if (opt === undefined || value === undefined) {
      if (!a.startsWith('-')) {
        r.source = a;
        r.hostArgs.push(a);
        r.jobArgs.push(compilerPathArg(ctx, call, a, cwd, r));
      } else {
        r.hostArgs.push(a);
        r.jobArgs.push(a);
      }
      continue;
    }
    if (opt === '-o') {
      r.output = value;
      continue;
    }
    if (DEPFILE_OPTS.has(opt)) {
      const d = depfile();
      if (opt === '-MD' || opt === '-MMD') {
        d.file ??= value;
        d.systemHeaders = opt === '-MD';
      } else if (opt === '-MF') d.file = value;
      else d.targets.push(opt === '-MQ' ? value.replace(/\$/g, '$$$$') : value);
      continue;
    }
    if (INCLUDE_DIR_OPTS.has(opt)) r.userIncludeDirs.push(value);
    r.hostArgs.push(opt, value);
    r.jobArgs.push(opt, PATH_OPTS.has(opt) ? compilerPathArg(ctx, call, value, cwd, r) : value);
  }
  return r;
}

async function compileThunk(
  ctx: ModelContext,
  call: ToolCall,
  cmd: string[],
  cwd: string,
  temps: Map<string, string>,
  hereFiles: HereFiles,
): Promise<Step | string> {
  const [cc1Path, ...args] = cmd as [string, ...string[]];
  const parsed = splitCc1Args(ctx, call, args, cwd);
  if (typeof parsed === 'string') return parsed;
  if (!parsed.output) return 'compiles without -o';
  if (parsed.preprocessOnly && !isTempFile(parsed.output)) return 'preprocessing only';
  // SOURCE_DATE_EPOCH fixes __DATE__ and __TIME__, so the job gives the same bytes every day.
  const env = { LC_ALL: 'C', SOURCE_DATE_EPOCH: call.env.get('SOURCE_DATE_EPOCH') ?? '0' };
  let here: CompiledHere | undefined;
  let deps = await knownDeps(ctx, cc1Path, parsed.hostArgs, call.cwd);
  if (!deps && ctx.compilesInPlace && parsed.source) {
    const ran = await compileHere(ctx, cc1Path, parsed.hostArgs, parsed.source, call.cwd, env, parsed.userIncludeDirs);
    if (ran && 'unlistable' in ran) return ran.unlistable;
    here = ran;
    deps = here?.deps;
  }
  if (!deps) {
    const listed = await compileDeps(ctx, cc1Path, parsed.hostArgs, parsed.source, call.cwd, parsed.userIncludeDirs);
    if (!listed.ok) return listed.reason;
    deps = listed.deps;
  }
  if (parsed.depfile) await writeDepfile(ctx, call.cwd, parsed, deps);

  const cc1 = await ctx.packTool(cc1Path);
  const inputs: Record<string, string> = { ...cc1.inputs };
  for (const f of deps.files) inputs[ctx.paths.sandboxPath(f)] = await ctx.inputRef(f);
  const isTemp = isTempFile(parsed.output);
  const outAbs = resolve(call.cwd, parsed.output);
  if (!isTemp && !ctx.paths.isInside(outAbs)) return `writes ${parsed.output}, outside the build tree`;
  const outTag = isTemp ? `${SCRATCH_DIR}/out.s` : ctx.paths.sandboxPath(outAbs);
  const systemIncludes = parsed.nostdinc
    ? []
    : ['-nostdinc', ...deps.systemDirs.flatMap((d) => ['-isystem', relativeFrom(cwd, ctx.paths.sandboxPath(d))])];
  const sameNames = prefixMaps(ctx, call, cwd, parsed);
  const name = await ctx.store.putThunk({
    args: [...cc1.launch(cwd, basename(cc1Path)), ...parsed.jobArgs, ...systemIncludes, ...sameNames, '-o', relativeFrom(cwd, outTag)],
    env,
    inputs,
    executables: cc1.executables,
    outputs: [outTag],
    cwd,
    timeoutMs: JOB_TIMEOUT_MS,
  });
  const ref = thunkOutputRef(name, outTag);
  if (here) {
    const value = await adoptRanHere(
      ctx,
      name,
      outTag,
      basename(cc1Path),
      { output: here.asm, stderr: here.stderr, durationMs: here.durationMs },
      cwd,
    );
    hereFiles.set(ref, { name: value, path: await ctx.store.verifiedPath(value) });
  }
  return stepResult(temps, parsed.output, ref, outAbs, basename(cc1Path));
}

function wantsDebugInfo(args: string[]): boolean {
  let on = false;
  for (const a of args) if (/^-g/.test(a)) on = a !== '-g0';
  return on;
}

/**
 * Names as the plain build writes them: system files, which the job reads
 * under _burst/sys, appear under their own path in __FILE__ and debug
 * information; with debug information, the job's directory (a new sandbox
 * each run) is recorded as the build's directory; tree files the build
 * named absolutely keep their absolute names. The last two name the tree's
 * place on this machine, so only such jobs depend on it.
 */
function prefixMaps(ctx: ModelContext, call: ToolCall, cwd: string, parsed: Cc1Args): string[] {
  const maps = [`-ffile-prefix-map=${relativeFrom(cwd, SYS_DIR)}=`];
  if (wantsDebugInfo(parsed.hostArgs)) maps.push(`-fdebug-prefix-map=${SANDBOX_TOKEN}${cwd ? `/${cwd}` : ''}=${call.cwd}`);
  if (parsed.treeNamedAbsolutely) maps.push(`-ffile-prefix-map=${SANDBOX_TOKEN}=${ctx.paths.root}`);
  return maps;
}
