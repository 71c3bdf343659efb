// One build for every bundle: the CLI, the examples, the benches and the tests.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** Files under dir ending in suffix, not looking into node_modules (test/e2e/code-server has a large one). */
const files = (dir, suffix) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : files(p, suffix);
    return p.endsWith(suffix) ? [p] : [];
  });

// lambda/index.js is the worker function; server.js the engine as a language server for the extension.
const entryPoints = {
  cli: 'engine/cli/cli.ts',
  boot: 'engine/cli/boot.ts',
  'lambda/index': 'engine/aws/handler.ts',
  server: 'engine/lsp/server.ts',
  'standin-node': 'engine/infer/standinNode.ts',
  'sim-worker': 'engine/sim/awsSimWorker.ts',
};
for (const f of [...files('test', '.test.ts'), ...files('bench', '.ts'), ...files('examples', '.ts')]) {
  if (f.includes('/fixtures/') || f.includes('/lib/') || f.startsWith('examples/geom')) continue;
  entryPoints[f.replace(/\.ts$/, '')] = f;
}

// Bundles of tests, benches and examples that no longer have a source must not run: those folders are made anew.
for (const dir of ['test', 'bench', 'examples']) rmSync(join('dist', dir), { recursive: true, force: true });

const common = {
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  loader: { '.c': 'text' },
  logLevel: 'warning',
};

// dist/aws.js: the Lambda backend and deploy, loaded only when a run or a
// command needs AWS (the SDK would slow every start). The engine modules it
// imports are not bundled twice: hash state and error classes must be one. It
// is built first, recording each engine module it imports; every other
// bundle then carries those modules in a table (the virtual module
// `burst:engine-modules`, imported by the CLI and the language server) that
// aws.js reads. The table is made from what aws.js imports, so no module can
// be missing from it.
const engineDir = resolve('engine');
const awsDir = join(engineDir, 'aws');
const TABLE = "Symbol.for('burst.engineModules')";
const shared = new Set();
const shareEngine = {
  name: 'share-engine',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const abs = resolve(args.resolveDir, args.path);
      if (!abs.startsWith(`${engineDir}/`) || abs.startsWith(`${awsDir}/`)) return undefined;
      const key = relative(engineDir, abs);
      shared.add(key);
      return { path: key, namespace: 'engine-shared' };
    });
    b.onLoad({ filter: /.*/, namespace: 'engine-shared' }, (args) => ({
      contents:
        `const t = globalThis[${TABLE}];\n` +
        `if (!t) throw new Error('dist/aws.js is loaded by the CLI or the language server, which share the engine with it');\n` +
        `module.exports = t[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
};
await build({ ...common, entryPoints: { aws: 'engine/aws/index.ts' }, plugins: [shareEngine] });

const engineTable = {
  name: 'engine-table',
  setup(b) {
    b.onResolve({ filter: /^burst:engine-modules$/ }, () => ({ path: 'engine-modules', namespace: 'engine-table' }));
    b.onLoad({ filter: /.*/, namespace: 'engine-table' }, () => {
      const keys = [...shared].sort();
      const imports = keys.map((k, i) => `import * as m${i} from ${JSON.stringify(join(engineDir, k))};`);
      const entries = keys.map((k, i) => `  ${JSON.stringify(k)}: m${i},`);
      return {
        contents: `${imports.join('\n')}\nglobalThis[${TABLE}] = {\n${entries.join('\n')}\n};\n`,
        loader: 'js',
        resolveDir: engineDir,
      };
    });
  },
};

await build({ ...common, entryPoints, plugins: [engineTable] });

// The Burst panel's page, run in the webview (a browser): its script and its stylesheet.
await build({
  ...common,
  platform: 'browser',
  target: 'chrome114',
  format: 'iife',
  entryPoints: { 'webview/panel': 'webview-ui/main.ts', 'webview/panel-style': 'webview-ui/panel.css' },
});

// The extension: VS Code provides `vscode` at run time.
// ESM entry points first: jsonc-parser's CommonJS build is a UMD wrapper whose requires esbuild cannot follow.
await build({ ...common, entryPoints: { extension: 'extension/extension.ts' }, external: ['vscode'], mainFields: ['module', 'main'] });
