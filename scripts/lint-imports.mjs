// The boundaries of ARCHITECTURE.md, checked: `node scripts/lint-imports.mjs [ROOT]`.
// Exit status 1, with one line per broken rule, when
// - engine/ or webview-ui/ imports vscode;
// - extension/ imports from engine/ anything but the LSP protocol module, or from webview-ui/ anything but its protocol;
// - webview-ui/ imports from outside itself anything but engine/model/heap.ts;
// - an engine folder imports from a folder above it (LAYERS, lowest first; a folder may import its own files);
// - engine/cli or engine/lsp import the engine other than through engine/api.ts (and lsp/protocol.ts);
// - engine files import each other in a cycle.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Engine folders, lowest first: each may import only from folders before it. api.ts sits below the front ends. */
export const LAYERS = ['model', 'store', 'exec', 'schedule', 'sim', 'aws', 'backends', 'audit', 'infer', 'testing', 'api.ts', 'cli', 'lsp'];
const FRONT_ENDS = new Set(['cli', 'lsp']);

const root = resolve(process.argv[2] ?? '.');
const rel = (p) => relative(root, p);

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function importsOf(file) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (existsSync(c) && statSync(c).isFile()) return c;
  return undefined;
}

/** The layer of an engine file: its first folder under engine/, or api.ts. */
function layerOf(file) {
  const parts = relative(join(root, 'engine'), file).split('/');
  return parts.length === 1 ? parts[0] : parts[0];
}

const problems = [];
const graph = new Map();

for (const file of [
  ...sourceFiles(join(root, 'engine')),
  ...sourceFiles(join(root, 'extension')),
  ...sourceFiles(join(root, 'webview-ui')),
]) {
  const area = rel(file).split('/')[0];
  const edges = [];
  for (const spec of importsOf(file)) {
    if (spec === 'vscode' && area !== 'extension') problems.push(`${rel(file)}: imports vscode (only extension/ may)`);
    if (!spec.startsWith('.')) continue;
    const target = resolveRelative(file, spec);
    if (!target) continue; // a .c source, or a file tsc reports
    const targetArea = rel(target).split('/')[0];
    if (area === 'extension' && targetArea === 'engine' && rel(target) !== 'engine/lsp/protocol.ts')
      problems.push(`${rel(file)}: imports ${rel(target)} (extension/ may import only engine/lsp/protocol.ts of the engine)`);
    if (area === 'extension' && targetArea === 'webview-ui' && rel(target) !== 'webview-ui/protocol.ts')
      problems.push(`${rel(file)}: imports ${rel(target)} (extension/ may import only webview-ui/protocol.ts of the page)`);
    if (area === 'webview-ui' && targetArea !== 'webview-ui' && rel(target) !== 'engine/model/heap.ts')
      problems.push(`${rel(file)}: imports ${rel(target)} (the page imports only its own files and engine/model/heap.ts)`);
    if (area === 'engine' && targetArea !== 'engine')
      problems.push(`${rel(file)}: imports ${rel(target)} (the engine imports only its own files)`);
    if (area !== 'engine' || targetArea !== 'engine') continue;
    edges.push(target);
    const from = layerOf(file);
    const to = layerOf(target);
    if (from === to || !LAYERS.includes(from) || !LAYERS.includes(to)) continue;
    if (FRONT_ENDS.has(from) && to !== 'api.ts' && rel(target) !== 'engine/lsp/protocol.ts')
      problems.push(`${rel(file)}: imports ${rel(target)} (engine/${from} goes through engine/api.ts)`);
    else if (LAYERS.indexOf(to) > LAYERS.indexOf(from))
      problems.push(`${rel(file)}: imports ${rel(target)} (engine/${from} sits below engine/${to})`);
  }
  if (area === 'engine') graph.set(file, edges);
}

// Cycles: strongly connected components of more than one file (Tarjan).
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function connect(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1) problems.push(`import cycle: ${scc.map(rel).sort().join(' ↔ ')}`);
  }
}
for (const v of graph.keys()) if (!idx.has(v)) connect(v);

for (const p of problems) console.error(p);
if (problems.length > 0) {
  console.error(`${problems.length} import${problems.length === 1 ? '' : 's'} break the boundaries of ARCHITECTURE.md`);
  process.exit(1);
}
console.log(`imports: ${graph.size} engine files, boundaries kept`);
