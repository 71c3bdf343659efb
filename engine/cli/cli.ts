/**
 * `burst`: the command line front end of engine/api.ts.
 * Exit status: 0 success, 1 a job failed, 2 bad input, 130 interrupted.
 */
import { spawn } from 'node:child_process';
import { promises as fs, statSync, type Stats } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  BurstError,
  Engine,
  JobFailedError,
  formatAudit,
  formatDiagnostic,
  isRef,
  parseSize,
  programOf,
  readPlaceholder,
  summarize,
  type BuildResult,
  type RunEvent,
  type Reduction,
  type RunOptions as EngineRunOptions,
  type RunReport,
  type StragglerOptions,
} from '../api';
import { addBackendOptions, addDeployCommand, addTrustCommand, backendSpec, type BackendCliOptions } from './aws';
import { addKeysCommand } from './keys';
import { addPlanCommand } from './plan';
import { humanBytes } from './units';
import { testCommand } from './test';

/** The `burst` a build's placeholders run: this one. */
const BURST_PROGRAM = resolve(__dirname, '..', 'bin', 'burst');

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

interface GlobalOptions {
  cacheDir?: string;
}

interface RunOptions extends BackendCliOptions {
  jobs?: number;
  memoryLimit?: number;
  isolate?: boolean;
  cache: boolean;
  report?: string;
  retries: number;
  straggler: boolean;
  stragglerFactor?: number;
  stragglerMinMs?: number;
  keepGoing?: boolean;
  quiet?: boolean;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function addRunOptions(cmd: Command): Command {
  return addBackendOptions(cmd)
    .option('-j, --jobs <n>', 'local jobs at once (default: number of cores)', positiveInt)
    .option(
      '--memory-limit <size>',
      'memory each local job may use, e.g. 4G (default: $BURST_MEMORY_LIMIT, else 80% of memory shared among the jobs)',
      sizeOption,
    )
    .option('--isolate', 'run each job under a root holding only its declared inputs (Linux)')
    .option('--no-cache', 'run every job, ignoring and not recording cached results')
    .option('--report <file>', 'write a JSON run report')
    .option('--retries <n>', 'further attempts after a transient fault', positiveInt, 3)
    .option('--no-straggler', 'never duplicate a slow job')
    .option('--straggler-factor <x>', "duplicate a job running this many times its program's median", positiveNumber)
    .option('--straggler-min-ms <ms>', 'never duplicate a job before this', positiveInt)
    .option('-k, --keep-going', 'run independent jobs after one fails')
    .option('-q, --quiet', 'no progress or summary on stderr');
}

function stragglerOptions(o: RunOptions): Partial<StragglerOptions> {
  return {
    enabled: o.straggler,
    ...(o.stragglerFactor ? { factor: o.stragglerFactor } : {}),
    ...(o.stragglerMinMs !== undefined ? { minMs: o.stragglerMinMs } : {}),
  };
}

function sizeOption(v: string): number {
  try {
    return parseSize(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

function memoryLimitOf(o: RunOptions): { memoryLimit?: number } {
  const env = process.env.BURST_MEMORY_LIMIT;
  const bytes = o.memoryLimit ?? (env ? sizeOption(env) : undefined);
  return bytes ? { memoryLimit: bytes } : {};
}

/** The engine's options for a run, from the command's flags. */
function runOptions(o: RunOptions, signal: AbortSignal, onEvent: (e: RunEvent) => void): EngineRunOptions {
  return {
    backend: backendSpec(o, process.cwd()),
    ...(o.jobs ? { jobs: o.jobs } : {}),
    ...memoryLimitOf(o),
    isolate: o.isolate ?? false,
    useCache: o.cache,
    retries: o.retries,
    keepGoing: o.keepGoing ?? false,
    straggler: stragglerOptions(o),
    graph: o.report !== undefined, // for burst plan
    signal,
    onEvent,
  };
}

/** Progress on a terminal: one line, rewritten. Elsewhere, only what needs attention. */
function progressPrinter(quiet: boolean): (e: RunEvent) => void {
  const tty = process.stderr.isTTY && !quiet;
  let last = 0;
  return (e) => {
    if (e.type === 'warning') process.stderr.write(`${tty ? '\r\x1b[K' : ''}burst: warning: ${e.message}\n`);
    if (e.type === 'job-retry' && !quiet) process.stderr.write(`${tty ? '\r\x1b[K' : ''}burst: retrying ${e.program} (${e.reason})\n`);
    if (e.type === 'job-duplicate' && !quiet)
      process.stderr.write(
        `${tty ? '\r\x1b[K' : ''}burst: ${e.program} is slow (${(e.elapsedMs / 1000).toFixed(1)} s): started a second copy\n`,
      );
    if (e.type === 'progress' && tty && Date.now() - last > 100) {
      last = Date.now();
      process.stderr.write(`\r\x1b[K[${e.done}/${e.thunks}] ${e.running} running, ${e.cached} cached, ${e.failed} failed`);
    }
  };
}

function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

/** SIGINT cancels the run: jobs are killed, the store stays consistent. A second one exits at once. */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nburst: interrupted; stopping jobs (press Ctrl-C again to quit at once)\n');
    controller.abort();
    process.once('SIGINT', () => process.exit(EXIT_INTERRUPTED));
  });
  process.once('SIGTERM', () => controller.abort());
  return controller.signal;
}

async function openEngine(cmd: Command): Promise<Engine> {
  const g = cmd.optsWithGlobals() as GlobalOptions;
  return Engine.open(g.cacheDir ? { cacheDir: resolve(g.cacheDir) } : {});
}

async function writeReport(path: string | undefined, report: RunReport): Promise<void> {
  if (path) await fs.writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}

function printFailures(failures: Array<{ ref: string; error: BurstError }>): void {
  for (const { ref, error } of failures) {
    if (error.code === 'cancelled') continue;
    if (error instanceof JobFailedError) {
      process.stderr.write(`burst: FAILED ${error.program} (job ${error.job}), exit status ${error.exitCode}\n`);
      const text = error.stderr.trimEnd();
      if (text)
        process.stderr.write(
          `${text
            .split('\n')
            .map((l) => `  | ${l}`)
            .join('\n')}\n`,
        );
    } else {
      process.stderr.write(`burst: ${ref}: ${error.message}\n`);
    }
  }
}

/** A target on the command line: an object reference, or the path of a placeholder standing for one. */
async function targetRef(target: string): Promise<{ ref: string; placeholder?: string }> {
  if (isRef(target)) return { ref: target };
  const ref = await readPlaceholder(target);
  if (ref) return { ref, placeholder: target };
  const exists = await fs.stat(target).then(
    () => true,
    () => false,
  );
  throw new BurstError('usage', exists ? `${target} is not a placeholder` : `${target}: neither an object name nor a file`);
}

async function defaultTag(engine: Engine, ref: string): Promise<string> {
  const hash = ref.indexOf('#');
  if (hash >= 0) return ref.slice(hash + 1);
  if (ref[0] !== 'T') return ref;
  return (await engine.readThunk(ref)).outputs[0] as string;
}

async function auditCommand(
  targets: string[],
  o: RunOptions & { sample?: number; all?: boolean; json?: boolean },
  cmd: Command,
): Promise<number> {
  const engine = await openEngine(cmd);
  const refs = targets.length > 0 ? (await Promise.all(targets.map(targetRef))).map((t) => t.ref) : undefined;
  const signal = interruptSignal();
  const opts = runOptions(o, signal, progressPrinter(o.quiet ?? false));
  const r = await engine.audit(refs, {
    ...opts,
    ...(o.isolate === undefined ? { isolate: undefined } : {}),
    ...(o.sample ? { sample: o.sample } : {}),
    all: o.all ?? false,
  });
  clearProgress();
  process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : formatAudit(r));
  if (signal.aborted) return EXIT_INTERRUPTED;
  return r.differences.length > 0 || r.failures.length > 0 ? EXIT_FAILED : 0;
}

async function forceCommand(
  targets: string[],
  o: RunOptions & { outputDir?: string; cat?: boolean; run?: boolean },
  cmd: Command,
): Promise<number> {
  const engine = await openEngine(cmd);
  const runArgs = o.run ? targets.slice(1) : [];
  const resolved = await Promise.all((o.run ? targets.slice(0, 1) : targets).map(targetRef));
  const signal = interruptSignal();
  const { values, failures, report } = await engine.force(
    resolved.map((r) => r.ref),
    runOptions(o, signal, progressPrinter(o.quiet ?? false)),
  );
  clearProgress();
  await writeReport(o.report, report);
  for (const d of report.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  printFailures(failures);
  for (const t of resolved) {
    const v = values.get(t.ref);
    if (!v) continue;
    if (t.placeholder) await engine.materialize(v, t.placeholder);
    else if (o.outputDir) await engine.materialize(v, join(o.outputDir, await defaultTag(engine, t.ref)));
    else if (o.cat) process.stdout.write(await engine.readValue(v.name));
    else if (!o.run) process.stdout.write(`${t.ref}\t${v.name}\n`);
  }
  if (!o.quiet) process.stderr.write(`burst: ${summarize(report)}\n`);
  if (signal.aborted) return EXIT_INTERRUPTED;
  if (failures.length > 0) return EXIT_FAILED;
  if (o.run && resolved[0]?.placeholder) return runProgram(resolved[0].placeholder, runArgs);
  return 0;
}

function runProgram(path: string, args: string[]): Promise<number> {
  return new Promise((res) => {
    const child = spawn(resolve(path), args, { stdio: 'inherit' });
    child.on('error', () => res(EXIT_FAILED));
    child.on('close', (code, sig) => res(code ?? (sig ? 128 : EXIT_FAILED)));
  });
}

interface CreateOptions {
  exe?: string;
  input: string[];
  executable: string[];
  output: string[];
  env: string[];
  cwd: string;
  timeout: number;
}

function splitPair(spec: string, what: string): [string, string] {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new BurstError('usage', `${what} must look like NAME=VALUE: ${spec}`);
  return [spec.slice(0, eq), spec.slice(eq + 1)];
}

async function createCommand(args: string[], o: CreateOptions, cmd: Command): Promise<number> {
  if (args.length === 0)
    throw new BurstError('usage', 'give the job\'s command after --, e.g. burst thunk create --output out -- sh -c "echo hi > out"');
  const engine = await openEngine(cmd);
  const inputs: Record<string, string> = {};
  const executables = new Set(o.executable);
  for (const spec of o.input) {
    const [path, source] = splitPair(spec, '--input');
    if (isRef(source)) {
      inputs[path] = source;
      continue;
    }
    const st = statOrUsage(source);
    if (st.isDirectory()) {
      const tree = await engine.addTree(resolve(source), path);
      Object.assign(inputs, tree.inputs);
      tree.executables.forEach((e) => executables.add(e));
    } else {
      inputs[path] = await engine.addFile(source);
      if ((st.mode & 0o111) !== 0) executables.add(path);
    }
  }
  let argv = args;
  if (o.exe) {
    const packed = await engine.packExecutable(o.exe);
    Object.assign(inputs, packed.inputs);
    packed.executables.forEach((e) => executables.add(e));
    argv = [...packed.launch(o.cwd, args[0] as string), ...args.slice(1)];
  }
  const env = Object.fromEntries(o.env.map((e) => splitPair(e, '--env')));
  const name = await engine.createThunk({
    args: argv,
    env,
    inputs,
    executables: [...executables],
    outputs: o.output.length > 0 ? o.output : ['out'],
    cwd: o.cwd,
    timeoutMs: Math.round(o.timeout * 1000),
  });
  await engine.store.flush();
  process.stdout.write(`${name}\n`);
  return 0;
}

function statOrUsage(path: string): Stats {
  try {
    return statSync(path);
  } catch {
    throw new BurstError('usage', `--input: ${path} is neither an object name nor a file`);
  }
}

async function showCommand(target: string, _o: unknown, cmd: Command): Promise<number> {
  const engine = await openEngine(cmd);
  const { ref } = await targetRef(target);
  const name = ref.split('#')[0] as string;
  if (name[0] === 'V') {
    const bytes = await engine.readValue(name);
    process.stdout.write(`${JSON.stringify({ name, type: 'value', size: bytes.length }, null, 2)}\n`);
    return 0;
  }
  const thunk = await engine.readThunk(name);
  const reduction = await engine.reductionOf(name);
  process.stdout.write(`${JSON.stringify({ name, type: 'thunk', ...thunk, ...(reduction ? { reduction } : {}) }, null, 2)}\n`);
  return 0;
}

function printBuildOutcome(result: BuildResult, quiet: boolean): void {
  if (result.restored > 0)
    process.stderr.write(`burst: ${result.restored} outputs of a build of this tree that stopped were recorded again\n`);
  for (const d of result.report.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  const shown = new Set<string>();
  for (const { path, error } of result.failures) {
    if (error.code === 'cancelled') continue;
    const rel = relative(process.cwd(), path);
    if (error instanceof JobFailedError) {
      if (shown.has(error.job)) continue;
      shown.add(error.job);
      process.stderr.write(`burst: FAILED ${error.program} for ${rel} (exit status ${error.exitCode}; job ${error.job})\n`);
      const extra = error.stderr.split('\n').filter((l) => l.trim() && !/^\S+:\d+:(\d+:)? (fatal error|error|warning|note):/.test(l));
      if (extra.length > 0 && result.report.diagnostics.length === 0) process.stderr.write(`${extra.map((l) => `  | ${l}`).join('\n')}\n`);
    } else {
      process.stderr.write(`burst: ${rel}: ${error.message}\n`);
    }
  }
  if (quiet) return;
  const fallbacks = result.report.fallbacks;
  if (fallbacks.length > 0) {
    const byReason = new Map<string, number>();
    for (const f of fallbacks) byReason.set(f.reason, (byReason.get(f.reason) ?? 0) + 1);
    process.stderr.write(
      `burst: ${fallbacks.length} tool calls ran locally, not as thunks: ${[...byReason].map(([r, n]) => `${n}× ${r}`).join('; ')}\n`,
    );
  }
  process.stderr.write(`burst: ${result.outputs} outputs; ${summarize(result.report)}\n`);
}

async function buildCommand(command: string[], o: RunOptions, cmd: Command, inferOnly: boolean): Promise<number> {
  const engine = await openEngine(cmd);
  const signal = interruptSignal();
  const result = await engine.build(command, {
    ...runOptions(o, signal, progressPrinter(o.quiet ?? false)),
    keepGoing: true,
    root: process.cwd(),
    inferOnly,
    burstProgram: BURST_PROGRAM,
  });
  clearProgress();
  await writeReport(o.report, result.report);
  printBuildOutcome(result, o.quiet ?? false);
  if (signal.aborted) return EXIT_INTERRUPTED;
  if (result.commandStatus !== 0) return result.commandStatus;
  // A failed job counts even when the build moved or deleted its output (libtool does both): a build with a failure never exits 0.
  return result.failures.some((f) => f.error.code !== 'cancelled') || result.report.failed > 0 ? EXIT_FAILED : 0;
}

async function testCommandAction(
  _filter: string | undefined,
  _build: string[],
  o: RunOptions & { list?: boolean },
  cmd: Command,
): Promise<number> {
  // Commander cannot tell the filter from the build command; `--` can.
  const raw = (cmd.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? [];
  const dashes = raw.indexOf('--');
  const build = dashes >= 0 ? raw.slice(dashes + 1) : [];
  const words = [...(_filter !== undefined ? [_filter] : []), ..._build];
  const filter = words.length > build.length ? words[0] : undefined;
  const engine = await openEngine(cmd);
  const signal = interruptSignal();
  const { exitCode, report } = await testCommand(engine, {
    root: process.cwd(),
    filter,
    build,
    list: o.list ?? false,
    quiet: o.quiet ?? false,
    run: runOptions(o, signal, progressPrinter(o.quiet ?? false)),
    burstProgram: BURST_PROGRAM,
  });
  clearProgress();
  if (report) await writeReport(o.report, report);
  return signal.aborted ? EXIT_INTERRUPTED : exitCode;
}

function whyThere(r: Reduction | undefined): string {
  if (r?.reason) return `not on the chosen remote backend: ${r.reason}`;
  if (r?.backend && r.backend !== 'local') return `the chosen backend (--backend ${r.backend})`;
  return 'the local backend: no remote backend is configured';
}

async function explainCommand(path: string, _o: unknown, cmd: Command): Promise<number> {
  const engine = await openEngine(cmd);
  const placeholder = await readPlaceholder(path);
  const found = await engine.buildOutput(path);
  const ref = placeholder ?? found?.entry.ref;
  if (!ref) throw new BurstError('usage', `${path} was not made by burst build (no record of it in ${engine.store.dir})`);
  const thunkName = ref.split('#')[0] as string;
  const thunk = await engine.readThunk(thunkName);
  const reduction = await engine.reductionOf(thunkName);
  const launch = thunk.args.findIndex((_, i) => i > 0 && thunk.args[i - 1] === '--argv0');
  const command = launch > 0 ? [thunk.args[launch] as string, ...thunk.args.slice(launch + 2)] : thunk.args;
  const tools = Object.keys(thunk.inputs).filter((p) => p.startsWith('_burst/bin/') || p.startsWith('_burst/lib/'));
  const upstream = Object.entries(thunk.inputs).filter(([, r]) => r.startsWith('T'));
  const files = Object.entries(thunk.inputs).filter(([p, r]) => !r.startsWith('T') && !tools.includes(p));
  const lines = [
    `${path}`,
    `  made by:   ${programOf(thunk)}, thunk ${ref}`,
    `  command:   ${command.join(' ')}  (in ${thunk.cwd || '.'})`,
    `  tools:     ${tools.length} files shipped with the job (${tools
      .filter((t) => t.startsWith('_burst/bin/'))
      .map((t) => t.slice(11))
      .join(', ')} and their libraries and loader)`,
    `  inputs:    ${files.length} files${files.length ? ':' : ''}`,
    ...files.slice(0, 40).map(([p, r]) => `               ${p}  ${r}`),
    ...(files.length > 40 ? [`               … and ${files.length - 40} more`] : []),
    ...(upstream.length ? [`  after:     ${upstream.map(([p, r]) => `${p} ← ${r}`).join('\n             ')}`] : []),
    reduction
      ? `  ran:       on the ${reduction.backend ?? 'local'} backend in ${reduction.durationMs} ms; its result is cached, so builds reuse it`
      : '  ran:       not yet (force it with burst force or a build)',
    `  why there: ${whyThere(reduction)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('burst')
    .description('Run builds and tests as small hermetic jobs, locally or on AWS Lambda.')
    .option('--cache-dir <dir>', 'the object store (default: $BURST_CACHE_DIR, else $XDG_CACHE_HOME/burst)')
    .showHelpAfterError()
    .exitOverride();
  // Commander hands each action its own argument list; each action declares its types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const run =
    (fn: (...a: any[]) => Promise<number>) =>
    async (...a: unknown[]) =>
      setExit(await fn(...a));

  const thunk = program.command('thunk').description('make thunks by hand');
  thunk
    .command('create')
    .description('create a thunk and print its name')
    .argument('<args...>', "the job's command line (after --)")
    .option('--exe <path>', 'ship this executable with its shared libraries and loader, and run it as args[0]')
    .option('--input <path=file|ref>', 'an input at a sandbox path: a file, a directory or an object reference (repeatable)', collect, [])
    .option('--executable <path>', 'make this input executable (files with an x bit already are)', collect, [])
    .option('--output <path>', 'a file the job must produce (repeatable; default "out")', collect, [])
    .option('--env <key=value>', 'an environment variable; the job gets no others (repeatable)', collect, [])
    .option('--cwd <dir>', 'working directory inside the sandbox', '')
    .option('--timeout <seconds>', 'kill the job after this long', positiveNumber, 600)
    .action(run(createCommand));

  addRunOptions(
    program
      .command('force')
      .description('run what it takes to produce the targets: thunk names or placeholder files')
      .argument('<targets...>', 'thunk names (T…, T…#output) or placeholder files'),
  )
    .option('-o, --output-dir <dir>', "write each target's value under this directory, at its output path")
    .option('--cat', "print the targets' contents to stdout")
    .addOption(new Option('--run', 'force one placeholder, then run it with the arguments after it').hideHelp())
    .action(run(forceCommand));

  for (const [verb, inferOnly, description] of [
    ['build', false, 'run a build command with stand-ins for the compilers, then run every job it recorded and write the outputs'],
    ['infer', true, 'run a build command with stand-ins, leaving placeholders for the outputs (burst force makes them real)'],
  ] as const) {
    addRunOptions(
      program.command(verb).description(description).argument('<command...>', 'the build command (after --), e.g. make -j8'),
    ).action(run((command: string[], o: RunOptions, c: Command) => buildCommand(command, o, c, inferOnly)));
  }

  addRunOptions(
    program
      .command('test')
      .description(
        'run the workspace\'s tests (.burst.json "tests") as jobs, one per test case or file; after --, a build command that makes the test binaries first',
      )
      .argument('[filter]', 'only tests whose name or id contains this, or matches it with * wildcards (Calc.*)')
      .argument('[build...]', 'the build command, after --'),
  )
    .option('--list', 'list the tests with their files and lines, and run none')
    .action(run(testCommandAction));

  program
    .command('explain')
    .description('show the job behind a build output: program, command, inputs, where it ran and why')
    .argument('<path>', 'an output of burst build')
    .action(run(explainCommand));

  program
    .command('show')
    .description("show an object: a thunk as JSON (with its cached result), or a value's size")
    .argument('<name>', 'an object name or a placeholder file')
    .action(run(showCommand));

  addRunOptions(
    program
      .command('audit')
      .description('run cached jobs again with no cache (isolated) and compare their outputs with the cached ones')
      .argument('[targets...]', 'outputs whose jobs to audit: placeholder files or thunk names (default: the jobs of the last run)'),
  )
    .option('--sample <n>', 'how many jobs, chosen at random (default 10)', positiveInt)
    .option('--all', 'every cached job')
    .option('--json', 'print the findings as JSON')
    .action(run(auditCommand));

  addDeployCommand(program, run);
  addTrustCommand(program, run);
  addKeysCommand(program, run);
  addPlanCommand(program, run);

  const cache = program.command('cache').description('inspect and trim the object store');
  cache
    .command('stats')
    .description('objects, bytes and cached results in the store')
    .action(
      run(async (_o: unknown, cmd: Command) => {
        const s = await (await openEngine(cmd)).cacheStats();
        process.stdout.write(
          `store:      ${s.dir}\nobjects:    ${s.objects} (${humanBytes(s.bytes)})\nreductions: ${s.reductions}\ncorrupt:    ${s.corrupt}\n`,
        );
        return 0;
      }),
    );
  cache
    .command('gc')
    .description('remove leftovers of interrupted runs; with --max-size, the oldest objects until the store fits')
    .option('--max-size <size>', 'e.g. 5G', (v: string) => parseSize(v))
    .action(
      run(async (o: { maxSize?: number }, cmd: Command) => {
        const r = await (await openEngine(cmd)).collectGarbage(o.maxSize);
        process.stdout.write(
          `removed ${r.removedObjects} objects (${humanBytes(r.removedBytes)}), ${r.removedReductions} reductions, ${r.removedTemporary} leftovers\n`,
        );
        if (r.busy.length === 0 || o.maxSize === undefined) return 0;
        const runs = `${r.busy.length} run${r.busy.length === 1 ? '' : 's'} (process ${r.busy.join(', ')})`;
        process.stderr.write(
          `burst: no object was removed: ${runs} using this store may need any of them; run burst cache gc again when they end\n`,
        );
        return EXIT_FAILED;
      }),
    );
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      return ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version' ? 0 : EXIT_USAGE;
    }
    if (e instanceof BurstError) {
      process.stderr.write(`burst: ${e.message}\n`);
      return e.code === 'cancelled' ? EXIT_INTERRUPTED : e.code === 'job-failed' ? EXIT_FAILED : EXIT_USAGE;
    }
    process.stderr.write(`burst: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code))));
}
