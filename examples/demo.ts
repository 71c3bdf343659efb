/**
 * `npm run demo`: builds examples/geom (a C library of 33 files and a program)
 * as thunks on the local backend, runs the program, then builds again to show
 * every job answered from the cache.
 *
 * The thunks are made here with the SDK; each compile ships gcc with its
 * libraries and loader, and the job sees only its source and the project's
 * headers. Options: --cache-dir DIR (default: a fresh store, so the first
 * build is cold), -j N.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Engine, summarize, type ForceOptions, type PackedExecutable, type RunReport } from '../engine/api';

const PROJECT = resolve(__dirname, '..', '..', 'examples', 'geom');
const CFLAGS = ['-O2', '-Wall', '-Wextra', '-Iinclude'];
/** gcc finds cc1, as and ld by itself: they come from this machine until builds are modelled tool by tool. */
const ENV = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };

interface Project {
  headers: Record<string, string>;
  gcc: PackedExecutable;
  ar: PackedExecutable;
}

async function sources(engine: Engine, dir: string, ext: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(join(PROJECT, dir)).filter((n) => n.endsWith(ext)).sort()) {
    out[`${dir}/${f}`] = await engine.addFile(join(PROJECT, dir, f));
  }
  return out;
}

function compile(engine: Engine, p: Project, source: string, name: string): Promise<string> {
  const object = source.replace(/\.c$/, '.o');
  return engine.createThunk({
    args: [...p.gcc.launch('', 'gcc'), ...CFLAGS, '-c', source, '-o', object],
    env: ENV,
    inputs: { ...p.gcc.inputs, ...p.headers, [source]: name },
    executables: p.gcc.executables,
    outputs: [object],
  });
}

async function buildGraph(engine: Engine): Promise<{ program: string; library: string }> {
  const p: Project = {
    headers: { ...(await sources(engine, 'include/geom', '.h')), ...(await sources(engine, 'src', '.h')) },
    gcc: await engine.packExecutable('gcc'),
    ar: await engine.packExecutable('ar'),
  };
  const libObjects: Record<string, string> = {};
  for (const [src, name] of Object.entries(await sources(engine, 'lib', '.c'))) {
    libObjects[src.replace(/\.c$/, '.o')] = await compile(engine, p, src, name);
  }
  const library = await engine.createThunk({
    args: [...p.ar.launch('', 'ar'), 'rcs', 'libgeom.a', ...Object.keys(libObjects)],
    env: ENV,
    inputs: { ...p.ar.inputs, ...libObjects },
    executables: p.ar.executables,
    outputs: ['libgeom.a'],
  });
  const progObjects: Record<string, string> = {};
  for (const [src, name] of Object.entries(await sources(engine, 'src', '.c'))) {
    progObjects[src.replace(/\.c$/, '.o')] = await compile(engine, p, src, name);
  }
  const program = await engine.createThunk({
    args: [...p.gcc.launch('', 'gcc'), '-o', 'geomdemo', ...Object.keys(progObjects), 'libgeom.a', '-lm'],
    env: ENV,
    inputs: { ...p.gcc.inputs, ...progObjects, 'libgeom.a': library },
    executables: p.gcc.executables,
    outputs: ['geomdemo'],
  });
  return { program, library };
}

async function build(engine: Engine, opts: ForceOptions): Promise<{ report: RunReport; program: string }> {
  const { program } = await buildGraph(engine);
  const { values, failures, report } = await engine.force([program], opts);
  for (const f of failures) throw f.error;
  const value = values.get(program);
  if (!value) throw new Error('the build produced no program');
  const out = join(mkdtempSync(join(tmpdir(), 'burst-demo-')), 'geomdemo');
  await engine.materialize(value, out);
  return { report, program: out };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const cacheDir = flag('--cache-dir') ?? mkdtempSync(join(tmpdir(), 'burst-demo-store-'));
  const jobs = flag('-j');
  const engine = await Engine.open({ cacheDir });
  const opts: ForceOptions = jobs ? { jobs: Number(jobs) } : {};
  console.log(`Building examples/geom as thunks on the local backend (store: ${cacheDir})`);

  const cold = await build(engine, opts);
  console.log(`first build:  ${summarize(cold.report)}`);
  const output = execFileSync(cold.program, { encoding: 'utf8' }).trimEnd().split('\n');
  console.log(`geomdemo ran: ${output.length} lines, ending "${output.at(-1)}"`);
  rmSync(dirname(cold.program), { recursive: true, force: true });

  const warm = await build(engine, opts);
  console.log(`second build: ${summarize(warm.report)}`);
  rmSync(dirname(warm.program), { recursive: true, force: true });
  if (warm.report.executed !== 0) throw new Error('the second build should have run nothing');
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${(e as Error).message}`);
  process.exit(1);
});
