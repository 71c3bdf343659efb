/**
 * What `bin/burst` runs: loads the CLI bundle with V8's code cache, so a
 * command does not compile the engine's functions again on every start (Node
 * 20 has no module.enableCompileCache). The cache lives in a directory of the
 * user's own, mode 0700, as V8 trusts the bytes it is given; a cache V8
 * rejects (another Node, another bundle) is rewritten after the command.
 * Imports nothing of the engine: it is on every command's start-up path.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

interface CliModule {
  main(argv: string[]): Promise<number>;
}

const bundle = join(__dirname, 'cli.js');

function privateCacheDir(): string | undefined {
  const uid = process.getuid?.() ?? 0;
  const dir = join(tmpdir(), `burst-v8-cache-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    // exists already: checked below
  }
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Named by the bundle's content (installs give every file the same date) and the Node that compiled it. */
function cacheFile(dir: string, source: string): string {
  const key = createHash('sha256').update(`${process.version}\0${process.arch}\0`).update(source).digest('hex');
  return join(dir, `cli-${key.slice(0, 24)}.bin`);
}

function readCache(file: string | undefined): Buffer | undefined {
  try {
    return file ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

function saveCache(file: string, script: Script): void {
  try {
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // no cache: the next start compiles again
  }
}

function loadCli(): { cli: CliModule; afterRun: () => void } {
  const source = readFileSync(bundle, 'utf8');
  const dir = privateCacheDir();
  const file = dir ? cacheFile(dir, source) : undefined;
  const cachedData = readCache(file);
  const script = new Script(Module.wrap(source), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(bundle));
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, (id: string) => mod.require(id), mod, bundle, dirname(bundle));
  const stale = !cachedData || script.cachedDataRejected === true;
  return { cli: mod.exports as CliModule, afterRun: () => file && stale && saveCache(file, script) };
}

const { cli, afterRun } = loadCli();
void cli.main(process.argv.slice(2)).then((code) => {
  afterRun();
  // Writes to a pipe are asynchronous: exit only once what was printed (a value of megabytes) has left.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
