/**
 * The stand-in program, compiled from standin.c with the machine's C compiler
 * on first use and kept in the store, and a directory of links to it named
 * after each tool, put first on the build's PATH.
 */
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { nativeHelper } from '../exec/nativeHelper';
import type { LocalStore } from '../store/local';
import { tempPath } from '../store/atomic';
import { resolveOnPath } from '../exec/toolchain';
import source from './standin.c';
import { STANDIN_TOOLS } from './tools';

/**
 * The stand-in to install: the compiled C client, or, where no C compiler can
 * build it (or BURST_STANDIN_CLIENT=node), a script that runs the portable
 * Node client, which costs a Node start per call.
 */
export async function standinProgram(store: LocalStore, pathVar: string): Promise<{ path: string; native: boolean }> {
  const native = process.env.BURST_STANDIN_CLIENT === 'node' ? undefined : await nativeHelper(store, 'burst-standin', source, pathVar);
  return native ? { path: native, native: true } : { path: await nodeStandin(store), native: false };
}

async function nodeStandin(store: LocalStore): Promise<string> {
  // dist/standin-node.js, from the CLI bundle in dist/ or another bundle below it.
  const client = [__dirname, join(__dirname, '..'), join(__dirname, '..', '..')]
    .map((d) => join(d, 'standin-node.js'))
    .find((p) => existsSync(p));
  if (!client) throw new Error('the portable stand-in (dist/standin-node.js) is missing: run npm run build');
  const script = join(store.dir, 'standin', 'node', 'burst-standin');
  await fs.mkdir(join(script, '..'), { recursive: true });
  const tmp = tempPath(store.tmpDir, 'standin');
  await fs.writeFile(tmp, `#!/bin/sh\nexec "${process.execPath}" "${client}" "$0" "$@"\n`, { mode: 0o755 });
  await fs.rename(tmp, script);
  return script;
}

function tryResolve(tool: string, pathVar: string): string | undefined {
  try {
    return resolveOnPath(tool, pathVar);
  } catch {
    return undefined;
  }
}

/** A fresh directory of stand-ins for the tools this PATH has. */
export async function standinDir(program: string, pathVar: string, dir: string): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const installed: string[] = [];
  for (const tool of STANDIN_TOOLS) {
    if (!tryResolve(tool, pathVar)) continue;
    await fs.symlink(program, join(dir, tool));
    installed.push(tool);
  }
  return installed;
}
