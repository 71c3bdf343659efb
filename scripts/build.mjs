// One build for every bundle: the CLI, the examples, the benches and the tests.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** Files under dir ending in suffix, not looking into node_modules (test/e2e/code-server has a large one). */
const files = (dir, suffix) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : files(p, suffix);
    return p.endsWith(suffix) ? [p] : [];
  });

// lambda/index.js is the worker function; server.js the engine as a language server for the extension.
const entryPoints = { cli: 'engine/cli.ts', boot: 'engine/boot.ts', 'lambda/index': 'engine/aws/handler.ts', server: 'engine/lsp/server.ts', 'standin-node': 'engine/build/standinNode.ts' };
for (const f of [...files('test', '.test.ts'), ...files('bench', '.ts'), ...files('examples', '.ts')]) {
  if (f.includes('/fixtures/') || f.includes('/lib/') || f.startsWith('examples/geom')) continue;
  entryPoints[f.replace(/\.ts$/, '')] = f;
}

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

await build({ ...common, entryPoints });

// The Burst panel's page, run in the webview (a browser): its script and its stylesheet.
await build({ ...common, platform: 'browser', target: 'chrome114', format: 'iife', entryPoints: { 'webview/panel': 'webview-ui/main.ts', 'webview/panel-style': 'webview-ui/panel.css' } });

// The extension: VS Code provides `vscode` at run time.
await build({ ...common, entryPoints: { extension: 'extension/extension.ts' }, external: ['vscode'] });

// dist/aws.js: the Lambda backend and deploy, loaded by the CLI only when a
// command needs AWS (the SDK would slow every start). Engine modules it uses
// are the CLI's own instances (engine/cli.ts exports them as engineModules),
// never second copies: hash state and error classes must be one.
const engineDir = resolve('engine');
const awsDir = join(engineDir, 'aws');
const shareEngine = {
  name: 'share-engine',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const abs = resolve(args.resolveDir, args.path);
      if (!abs.startsWith(`${engineDir}/`) || abs.startsWith(`${awsDir}/`)) return undefined;
      return { path: relative(engineDir, abs), namespace: 'engine-shared' };
    });
    b.onLoad({ filter: /.*/, namespace: 'engine-shared' }, (args) => ({
      contents: `const m = require('./cli.js').engineModules[${JSON.stringify(args.path)}];\n` +
        `if (!m) throw new Error('engine module ${args.path} is not shared with aws.js: add it to engineModules in engine/cli.ts');\n` +
        'module.exports = m;',
      loader: 'js',
    }));
  },
};
await build({ ...common, entryPoints: { aws: 'engine/aws/index.ts' }, external: ['./cli.js'], plugins: [shareEngine] });
