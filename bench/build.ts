/**
 * Builds of real projects (Debian's upstream tarballs), side by side in one
 * run, round after round (each round runs every contender once, so a drifting
 * machine slows all alike; ratios are medians of the rounds' ratios), all through `bin/burst` as a user runs it: plain
 * `make -jJ`; `burst build` cold, that is a project this store has never
 * built (the store has seen the machine's compiler once, from a one-file
 * build elsewhere); first use (an empty store: Burst also builds its helpers
 * and stores the compiler); after `make clean` (warm store); ccache warm
 * (after `make clean`, with a populated ccache). Prints the ratios the
 * project aims at:
 *   cold burst / make        goal <= 1.10
 *   make / warm burst        goal >= 10
 *   warm ccache / warm burst goal > 1
 *
 * CMake and Meson projects are configured once, outside Burst, as their
 * users do, and built with ninja; they have no ccache row (ccache sits in
 * their configuration, not on the build's command line).
 *
 *   node dist/bench/build.js [runs=3] [project...]   (projects: lua zlib zstd cmake-json-c cmake-yaml-cpp meson-pixman)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { copyTree, debianSource } from '../test/helpers';
import { interleaved, medianOf, pairedRatio, row, timedCommand as timed } from './lib/measure';

interface Project {
  name: string;
  pkg: string;
  configure?: string[];
  /** The build command, as a user types it after `burst build --`. */
  build: string[];
  clean: string[];
  /** The make variable assignment that puts ccache in front of the compiler. */
  ccache?: string;
}

const JOBS = availableParallelism();
const PROJECTS: Project[] = [
  { name: 'lua', pkg: 'lua5.4', build: ['make', `-j${JOBS}`, 'linux'], clean: ['make', 'clean'], ccache: 'CC=ccache gcc -std=gnu99' },
  {
    name: 'zlib',
    pkg: 'zlib',
    configure: ['./configure'],
    build: ['make', `-j${JOBS}`],
    clean: ['make', 'clean'],
    ccache: 'CC=ccache gcc',
  },
  { name: 'zstd', pkg: 'libzstd', build: ['make', `-j${JOBS}`, 'zstd-release'], clean: ['make', 'clean'], ccache: 'CC=ccache cc' },
  {
    name: 'cmake-json-c',
    pkg: 'json-c',
    configure: ['cmake', '-S', '.', '-B', 'build', '-G', 'Ninja'],
    build: ['ninja', '-C', 'build', `-j${JOBS}`],
    clean: ['ninja', '-C', 'build', 'clean'],
  },
  // A C++ library whose compiles take a few hundred milliseconds each, as most C++ does; json-c's take about ten.
  // Its tests need a GoogleTest that Debian's tarball leaves out, so the library alone is built.
  {
    name: 'cmake-yaml-cpp',
    pkg: 'yaml-cpp',
    configure: ['cmake', '-S', '.', '-B', 'build', '-G', 'Ninja', '-DYAML_CPP_BUILD_TESTS=OFF'],
    build: ['ninja', '-C', 'build', `-j${JOBS}`],
    clean: ['ninja', '-C', 'build', 'clean'],
  },
  // CC=cc: Meson would otherwise put ccache in front of the compiler where one is installed, and plain ninja would be ccache's.
  {
    name: 'meson-pixman',
    pkg: 'pixman',
    configure: ['env', 'CC=cc', 'meson', 'setup', 'build'],
    build: ['ninja', '-C', 'build', `-j${JOBS}`],
    clean: ['ninja', '-C', 'build', 'clean'],
  },
];
const BURST = resolve(__dirname, '..', '..', 'bin', 'burst');

function clean(p: Project, tree: string): void {
  spawnSync(p.clean[0] as string, p.clean.slice(1), { cwd: tree, stdio: 'ignore' });
}

function plainBuild(p: Project, tree: string, extra: string[] = [], env?: NodeJS.ProcessEnv): number {
  return timed(p.build[0] as string, [...p.build.slice(1), ...extra], tree, env);
}

/** A store that has built one small C program and one C++ one: helpers built, compilers, assembler and linker stored. */
function machineStore(work: string): string {
  const store = join(work, 'store-machine');
  const dir = join(work, 'hello');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
  writeFileSync(join(dir, 'hello.cc'), '#include <iostream>\nint main() { std::cout << "hello" << std::endl; }\n');
  timed(BURST, ['--cache-dir', store, 'build', '-q', '--', 'gcc', '-O2', '-o', 'hello', 'hello.c'], dir);
  timed(BURST, ['--cache-dir', store, 'build', '-q', '--', 'g++', '-O2', '-o', 'hello++', 'hello.cc'], dir);
  return store;
}

async function benchProject(p: Project, runs: number, work: string, seeded: string): Promise<void> {
  const tree = copyTree(debianSource(p.pkg), join(work, p.name));
  if (p.configure) execFileSync(p.configure[0] as string, p.configure.slice(1), { cwd: tree, stdio: 'ignore' });
  const ccacheEnv = { ...process.env, CCACHE_DIR: join(work, `ccache-${p.name}`) };
  const burst = (store: string): number => timed(BURST, ['--cache-dir', store, 'build', '-q', '--', ...p.build], tree);
  let round = 0;
  const freshStore = (from?: string): string => {
    const store = join(work, `store-${p.name}-${round++}`);
    if (from) cpSync(from, store, { recursive: true });
    return store;
  };
  const stores: string[] = [];
  const first = await interleaved(runs, {
    plain: () => (clean(p, tree), plainBuild(p, tree)),
    cold: () => {
      clean(p, tree);
      const store = freshStore(seeded);
      stores.push(store);
      return burst(store);
    },
    firstUse: () => (clean(p, tree), burst(freshStore())),
  });
  const store = stores[0] as string;
  const ccache = p.ccache;
  if (ccache) {
    clean(p, tree);
    plainBuild(p, tree, [ccache], ccacheEnv);
  }
  const steps: Record<string, () => number> = { warm: () => (clean(p, tree), burst(store)) };
  if (ccache) steps.ccache = () => (clean(p, tree), plainBuild(p, tree, [ccache], ccacheEnv));
  steps.plain = () => (clean(p, tree), plainBuild(p, tree));
  const again = (await interleaved(runs, steps)) as Record<'warm' | 'plain', number[]> & { ccache?: number[] };
  const plain = medianOf([...first.plain, ...again.plain]);
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  console.log(`\n${p.name}: ${p.build.join(' ')}`);
  row(`plain ${p.build[0]}`, s(plain));
  row(
    'burst build, cold (project never built)',
    s(medianOf(first.cold)),
    `${pairedRatio(first.cold, first.plain).toFixed(2)}x plain (goal <= 1.10)`,
  );
  row('burst build, first use (empty store)', s(medianOf(first.firstUse)), `${pairedRatio(first.firstUse, first.plain).toFixed(2)}x plain`);
  row(
    'burst build after make clean, warm store',
    s(medianOf(again.warm)),
    `${pairedRatio(again.plain, again.warm).toFixed(1)}x faster than plain (goal >= 10)`,
  );
  if (again.ccache)
    row(
      'ccache after make clean, warm cache',
      s(medianOf(again.ccache)),
      `${pairedRatio(again.ccache, again.warm).toFixed(2)}x burst's time (goal > 1)`,
    );
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const wanted = process.argv.slice(3);
  const work = mkdtempSync(join(tmpdir(), 'burst-bench-build-'));
  try {
    console.log(`build bench: -j${JOBS}, ${runs} interleaved rounds, medians`);
    const seeded = machineStore(work);
    for (const p of PROJECTS.filter((x) => wanted.length === 0 || wanted.includes(x.name))) await benchProject(p, runs, work, seeded);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
