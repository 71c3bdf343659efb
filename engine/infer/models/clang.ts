/**
 * clang's compile step: the `-cc1` job of a clang driver's plan (`-###`),
 * which preprocesses, compiles and assembles in one (the integrated
 * assembler), run as one thunk: clang itself with its libraries (libLLVM,
 * libclang-cpp) and loader. Its headers come from clang (`-E` with a
 * dependency file), remembered like cc1's; system directories, which cc1
 * receives as -internal-isystem options, move under _burst/sys, and prefix
 * maps give the object the names a plain clang build writes.
 */
import { basename, resolve } from 'node:path';
import { promises as fs } from 'node:fs';
import { runCommand } from '../../exec/launcher';
import { tempPath } from '../../store/atomic';
import { SANDBOX_TOKEN } from '../../model/thunk';
import { relativeFrom } from '../../exec/toolchain';
import { SYS_DIR } from '../pathMap';
import type { ToolCall } from '../protocol';
import type { ModelContext } from '../session';
import { JOB_TIMEOUT_MS, SCRATCH_DIR, compilerPathArg, isTempFile, stepResult, thunkOutputRef, type Step } from './common';
import { knownDeps, parseMakeDeps, rememberDeps, type CompileDeps } from './compilerDeps';
import { writeDepfile, type DepfileRequest } from './depfile';

/** clang -cc1 options whose value is the next argument. */
const VALUE_OPTS = new Set([
  '-triple',
  '-main-file-name',
  '-mrelocation-model',
  '-pic-level',
  '-target-cpu',
  '-tune-cpu',
  '-target-feature',
  '-target-abi',
  '-mllvm',
  '-resource-dir',
  '-internal-isystem',
  '-internal-externc-isystem',
  '-isystem',
  '-I',
  '-iquote',
  '-idirafter',
  '-include',
  '-imacros',
  '-isysroot',
  '-D',
  '-U',
  '-o',
  '-x',
  '-ferror-limit',
  '-fmessage-length',
  '-stack-protector',
  '-mcode-model',
  '-dependency-file',
  '-MT',
  '-MQ',
  '-fvisibility',
  '-ftls-model',
  '-mthread-model',
  '-mfloat-abi',
  '-target-linker-version',
  '-fdebug-compilation-dir',
  '-fcoverage-compilation-dir',
]);
/** Of those, the ones naming a file or directory clang reads. */
const PATH_OPTS = new Set([
  '-resource-dir',
  '-internal-isystem',
  '-internal-externc-isystem',
  '-isystem',
  '-I',
  '-iquote',
  '-idirafter',
  '-include',
  '-imacros',
  '-isysroot',
]);
const SYSTEM_DIR_OPTS = new Set(['-internal-isystem', '-internal-externc-isystem', '-isystem']);
/** What the job is asked to produce; the header query asks for preprocessing instead. */
const ACTIONS = new Set(['-emit-obj', '-S', '-emit-llvm', '-emit-llvm-bc', '-emit-llvm-only']);
const UNMODELLED = /^-(include-pch|emit-pch|fmodules|fprofile-instrument-use-path|fprofile-sample-use|load|plugin|fcrash-diagnostics-dir)/;

interface ClangArgs {
  jobArgs: string[];
  /** Host paths, no output or dependency-file options: for asking clang about headers. */
  hostArgs: string[];
  output: string | undefined;
  source: string | undefined;
  systemDirs: string[];
  depfile: DepfileRequest | undefined;
  treeNamedAbsolutely: boolean;
}

function splitArgs(ctx: ModelContext, call: ToolCall, args: string[], cwd: string): ClangArgs | string {
  const r: ClangArgs = {
    jobArgs: [],
    hostArgs: [],
    output: undefined,
    source: undefined,
    systemDirs: [],
    depfile: undefined,
    treeNamedAbsolutely: false,
  };
  const depfile = (): DepfileRequest => (r.depfile ??= { file: undefined, systemHeaders: false, targets: [], phony: false });
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (UNMODELLED.test(a)) return `clang -cc1 ${a} is not modelled`;
    if (a === '-sys-header-deps') {
      depfile().systemHeaders = true;
      continue;
    }
    if (a === '-MP') {
      depfile().phony = true;
      continue;
    }
    if (!VALUE_OPTS.has(a)) {
      if (!a.startsWith('-')) {
        if (r.source !== undefined) return 'clang -cc1 with more than one input is not modelled';
        r.source = a;
        r.jobArgs.push(compilerPathArg(ctx, call, a, cwd, r));
      } else r.jobArgs.push(a);
      r.hostArgs.push(a);
      continue;
    }
    const value = args[++i];
    if (value === undefined) return `clang -cc1 ${a} without a value`;
    if (a === '-o') r.output = value;
    else if (a === '-dependency-file') depfile().file = value;
    else if (a === '-MT' || a === '-MQ') depfile().targets.push(a === '-MQ' ? value.replace(/\$/g, '$$$$') : value);
    else {
      if (SYSTEM_DIR_OPTS.has(a)) r.systemDirs.push(resolve(call.cwd, value));
      r.hostArgs.push(a, value);
      r.jobArgs.push(a, PATH_OPTS.has(a) ? compilerPathArg(ctx, call, value, cwd, r) : value);
    }
  }
  return r;
}

/** The files this compile reads, from clang itself; remembered per command line like cc1's lists. */
async function clangDeps(ctx: ModelContext, clang: string, parsed: ClangArgs, cwd: string): Promise<CompileDeps | string> {
  const known = await knownDeps(ctx, clang, parsed.hostArgs, cwd);
  if (known) return known;
  const depfile = `${tempPath(ctx.store.tmpDir, 'clang-deps')}.d`;
  try {
    const query = [
      '-cc1',
      ...parsed.hostArgs.filter((a) => !ACTIONS.has(a)),
      '-E',
      '-o',
      '/dev/null',
      '-dependency-file',
      depfile,
      '-MT',
      'x',
      '-sys-header-deps',
    ];
    const { code, stderr } = await runCommand(ctx.store, clang, query, cwd, { LC_ALL: 'C' }, { stdout: false });
    if (code !== 0) return `clang could not list the headers: ${stderr.trim().split('\n')[0] ?? ''}`;
    const spelled = parseMakeDeps(await fs.readFile(depfile, 'utf8'));
    return rememberDeps(ctx, clang, parsed.hostArgs, cwd, spelled, parsed.systemDirs);
  } finally {
    await fs.rm(depfile, { force: true });
  }
}

/** Names as a plain clang build writes them: system files under their own path; tree files named absolutely under theirs. */
function prefixMaps(ctx: ModelContext, cwd: string, parsed: ClangArgs): string[] {
  const sys = relativeFrom(cwd, SYS_DIR);
  const maps = [`-fdebug-prefix-map=${sys}=`, `-fmacro-prefix-map=${sys}=`];
  if (parsed.treeNamedAbsolutely)
    maps.push(`-fdebug-prefix-map=${SANDBOX_TOKEN}=${ctx.paths.root}`, `-fmacro-prefix-map=${SANDBOX_TOKEN}=${ctx.paths.root}`);
  return maps;
}

export async function clangCompileThunk(
  ctx: ModelContext,
  call: ToolCall,
  cmd: string[],
  cwd: string,
  temps: Map<string, string>,
): Promise<Step | string> {
  const [clangPath, cc1Flag, ...args] = cmd as [string, string, ...string[]];
  const parsed = splitArgs(ctx, call, args, cwd);
  if (typeof parsed === 'string') return parsed;
  if (!parsed.output || !parsed.source) return 'clang -cc1 without an input and an output';
  if (!args.includes('-emit-obj') && !args.includes('-S'))
    return 'clang -cc1 other than compiling to an object or assembly is not modelled';
  const deps = await clangDeps(ctx, clangPath, parsed, call.cwd);
  if (typeof deps === 'string') return deps;
  if (parsed.depfile) await writeDepfile(ctx, call.cwd, { depfile: parsed.depfile, output: parsed.output, source: parsed.source }, deps);

  const clang = await ctx.packTool(clangPath);
  const inputs: Record<string, string> = { ...clang.inputs };
  for (const f of deps.files) inputs[ctx.paths.sandboxPath(f)] = await ctx.inputRef(f);
  const isTemp = isTempFile(parsed.output);
  const outAbs = resolve(call.cwd, parsed.output);
  if (!isTemp && !ctx.paths.isInside(outAbs)) return `writes ${parsed.output}, outside the build tree`;
  const outTag = isTemp ? `${SCRATCH_DIR}/out${args.includes('-S') ? '.s' : '.o'}` : ctx.paths.sandboxPath(outAbs);
  const name = await ctx.store.putThunk({
    args: [
      ...clang.launch(cwd, basename(clangPath)),
      cc1Flag,
      ...parsed.jobArgs,
      ...prefixMaps(ctx, cwd, parsed),
      '-o',
      relativeFrom(cwd, outTag),
    ],
    env: { LC_ALL: 'C', SOURCE_DATE_EPOCH: call.env.get('SOURCE_DATE_EPOCH') ?? '0' },
    inputs,
    executables: clang.executables,
    outputs: [outTag],
    cwd,
    timeoutMs: JOB_TIMEOUT_MS,
  });
  const ref = thunkOutputRef(name, outTag);
  return stepResult(temps, parsed.output, ref, outAbs, basename(clangPath));
}
