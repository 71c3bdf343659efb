/**
 * The headers a compile may read, found by reading #include lines instead of
 * running the preprocessor (as distcc's pump mode does). Every include is
 * followed whether or not the #if around it holds, so the list holds every
 * header cc1 -M would name, and perhaps a few more; one that exists nowhere on
 * the search path is under an #if that does not hold (or the compile fails
 * here as it would there). A computed `#include MACRO` follows every
 * definition of MACRO the scan sees, or the command line's; one it cannot
 * follow leaves the compile without a list, and the caller asks the compiler.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, resolve } from 'node:path';

/** The compiler's search chains, as cc1 -v prints them. */
export interface SearchChains {
  /** `#include "..."` directories, searched after the including file's own. */
  quote: string[];
  /** `#include <...>` directories, searched after the quote ones for "..." too. */
  bracket: string[];
}

export type ScanResult = { ok: true; files: string[]; spelled: string[] } | { ok: false; reason: string };

interface Include {
  form: 'quote' | 'bracket';
  name: string;
  next: boolean;
}

interface Parsed {
  includes: Include[];
  /** Macros named by computed includes. */
  computed: string[];
  /** Object-like macro definitions, by macro: what a computed include may stand for. */
  defines: Map<string, string[]>;
}

const PREINCLUDE = 'stdc-predef.h';
const FOLLOWABLE = /^(<[^>]*>|"[^"]*"|[A-Za-z_]\w*)$/;
const UNFOLLOWABLE = '?';

/** Parsed files by path, with the size and time they had (a build reads each header many times). */
const parsedFiles = new Map<string, { key: string; parsed: Parsed }>();

const LINE = /^[ \t]*#[ \t]*(include_next|include|import|define|if|elif)\b(.*)$/gm;
const HAS_INCLUDE = /__has_include(_next)?\s*\(\s*(<[^>]*>|"[^"]*")\s*\)/g;
/** Comments (blanked), and strings and characters (kept, so a comment marker inside them is no comment). */
const COMMENT_OR_LITERAL = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g;

/** The directives of a source text that decide what it includes. */
export function parseDirectives(text: string): Parsed {
  const plain = text.replace(/\\\r?\n/g, '').replace(COMMENT_OR_LITERAL, (m) => (m[0] === '/' ? ' ' : m));
  const parsed: Parsed = { includes: [], computed: [], defines: new Map() };
  for (const m of plain.matchAll(LINE)) {
    const word = m[1] as string;
    const rest = (m[2] as string).trim();
    if (word === 'define') {
      const d = /^([A-Za-z_]\w*)(?:\s+(.*))?$/.exec(rest);
      if (d) addDefinition(parsed.defines, d[1] as string, (d[2] ?? '').trim());
    } else if (word === 'if' || word === 'elif') {
      for (const h of rest.matchAll(HAS_INCLUDE)) parsed.includes.push(headerName(h[2] as string, h[1] !== undefined) as Include);
    } else {
      const named = headerName(rest, word === 'include_next');
      if (named) parsed.includes.push(named);
      else parsed.computed.push(rest);
    }
  }
  return parsed;
}

function addDefinition(defines: Map<string, string[]>, name: string, text: string): void {
  const body = FOLLOWABLE.test(text) ? text : UNFOLLOWABLE; // most bodies are neither, and need not be kept
  const bodies = defines.get(name);
  if (bodies) bodies.push(body);
  else defines.set(name, [body]);
}

function headerName(text: string, next: boolean): Include | undefined {
  const m = /^(?:<([^>]*)>|"([^"]*)")/.exec(text);
  if (!m) return undefined;
  return m[1] !== undefined ? { form: 'bracket', name: m[1], next } : { form: 'quote', name: m[2] as string, next };
}

function parsedFile(path: string): Parsed {
  const st = statSync(path);
  const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const known = parsedFiles.get(path);
  if (known?.key === key) return known.parsed;
  const parsed = parseDirectives(readFileSync(path, 'latin1'));
  parsedFiles.set(path, { key, parsed });
  return parsed;
}

interface Found {
  abs: string;
  spelled: string;
  /** Where in quote+bracket the file was found; -1 when not through the chains. */
  at: number;
}

/** `-DNAME=VALUE` definitions of the command line, by name. */
export function commandLineDefines(args: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const def = a === '-D' ? args[++i] : a.startsWith('-D') ? a.slice(2) : undefined;
    if (def === undefined) continue;
    const eq = def.indexOf('=');
    out.push(eq < 0 ? [def, '1'] : [def.slice(0, eq), def.slice(eq + 1)]);
  }
  return out;
}

class Scan {
  private readonly chain: string[];
  private readonly listings = new Map<string, Set<string>>();
  /** Where a name was found from a place in the chain: system headers include the same few many times. */
  private readonly searched = new Map<string, Found | undefined>();
  private readonly seen = new Map<string, Found>();
  private readonly order: Found[] = [];
  private readonly commandLine = new Map<string, string[]>();
  private readonly parsed: Parsed[] = [];
  private readonly pending: Array<{ macro: string; includer: Found }> = [];

  constructor(
    private readonly cwd: string,
    private readonly chains: SearchChains,
    defines: Array<[string, string]>,
  ) {
    this.chain = [...chains.quote, ...chains.bracket];
    for (const [name, body] of defines) addDefinition(this.commandLine, name, body);
  }

  run(source: string, forced: string[]): ScanResult {
    this.add({ abs: resolve(this.cwd, source), spelled: source, at: -1 });
    // -include files are looked for from the working directory first, then as "..." includes are
    const commandLine: Found = { abs: join(this.cwd, '<command-line>'), spelled: '<command-line>', at: -1 };
    for (const name of forced) {
      const found = this.resolveInclude({ form: 'quote', name, next: false }, commandLine);
      if (!found) return { ok: false, reason: `-include ${name} is not on the search path` };
      this.add(found);
    }
    // the C library's predefined macros, which cc1 reads before anything else when it is there
    const predefined = this.search(PREINCLUDE, this.chains.quote.length);
    if (predefined) this.add(predefined);
    let done = 0;
    for (;;) {
      for (; done < this.order.length; done++) {
        const failed = this.follow(this.order[done] as Found);
        if (failed) return { ok: false, reason: failed };
      }
      // computed includes last: the definitions they use may come from any file
      const before = this.order.length;
      for (const { macro, includer } of this.pending.splice(0)) {
        const expansions = this.expand(macro, new Set());
        if (expansions === undefined) return { ok: false, reason: `${includer.spelled} has \`#include ${macro}\`, which the scan cannot follow` };
        for (const inc of expansions) this.include(inc, includer);
        this.pending.push({ macro, includer }); // again, should later files define it too
      }
      if (this.order.length === before) break;
    }
    return { ok: true, files: this.order.map((f) => f.abs), spelled: this.order.map((f) => f.spelled) };
  }

  private follow(file: Found): string | undefined {
    let parsed: Parsed;
    try {
      parsed = parsedFile(file.abs);
    } catch {
      return `cannot read ${file.spelled}`;
    }
    this.parsed.push(parsed);
    for (const inc of parsed.includes) this.include(inc, file);
    for (const macro of parsed.computed) this.pending.push({ macro, includer: file });
    return undefined;
  }

  private include(inc: Include, includer: Found): void {
    const found = this.resolveInclude(inc, includer);
    if (found) this.add(found);
  }

  private add(found: Found): void {
    if (this.seen.has(found.abs)) return;
    this.seen.set(found.abs, found);
    this.order.push(found);
  }

  private definitions(name: string): string[] {
    return [...(this.commandLine.get(name) ?? []), ...this.parsed.flatMap((p) => p.defines.get(name) ?? [])];
  }

  /**
   * The header names a macro may stand for, through other object-like macros;
   * none if it is never defined (a computed include of an undefined macro
   * cannot be reached in a compile that works). Undefined if some definition
   * is anything else (token pasting, a function-like macro).
   */
  private expand(text: string, visiting: Set<string>): Include[] | undefined {
    const named = headerName(text, false);
    if (named) return [named];
    if (!/^[A-Za-z_]\w*$/.test(text)) return undefined;
    if (visiting.has(text)) return [];
    visiting.add(text);
    const out: Include[] = [];
    for (const body of this.definitions(text)) {
      const more = this.expand(body, visiting);
      if (more === undefined) return undefined;
      out.push(...more);
    }
    return out;
  }

  private resolveInclude(inc: Include, includer: Found): Found | undefined {
    if (isAbsolute(inc.name)) return this.isFile(inc.name) ? { abs: inc.name, spelled: inc.name, at: -1 } : undefined;
    if (inc.next) return this.search(inc.name, includer.at >= 0 ? includer.at + 1 : inc.form === 'bracket' ? this.chains.quote.length : 0);
    if (inc.form === 'quote') {
      const spelled = spell(dirname(includer.spelled), inc.name);
      const abs = resolve(this.cwd, spelled);
      if (this.isFile(abs)) return { abs, spelled, at: -1 };
      return this.search(inc.name, 0);
    }
    return this.search(inc.name, this.chains.quote.length);
  }

  private search(name: string, from: number): Found | undefined {
    const key = `${from}:${name}`;
    if (this.searched.has(key)) return this.searched.get(key);
    const found = this.searchChain(name, from);
    this.searched.set(key, found);
    return found;
  }

  private searchChain(name: string, from: number): Found | undefined {
    for (let k = from; k < this.chain.length; k++) {
      const spelled = spell(this.chain[k] as string, name);
      const abs = resolve(this.cwd, spelled);
      if (this.isFile(abs)) return { abs, spelled, at: k };
    }
    return undefined;
  }

  private isFile(abs: string): boolean {
    const dir = dirname(abs);
    let files = this.listings.get(dir);
    if (!files) {
      files = filesIn(dir);
      this.listings.set(dir, files);
    }
    return files.has(basename(abs));
  }
}

/** Directory listings by path, with the directory's identity and time when read. */
const listings = new Map<string, { key: string; files: Set<string> }>();
/** A directory changed this recently may change again within its time's resolution unseen: such a listing is not kept. */
const SETTLED_MS = 2000;
const NOTHING = new Set<string>();

/**
 * The files in a directory (a header search looks for many names in few
 * directories: one listing answers them all). Kept while the directory's time
 * is unchanged, which adding, removing or renaming an entry changes.
 */
function filesIn(dir: string): Set<string> {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return NOTHING;
  const key = `${st.dev}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = listings.get(dir);
  if (known?.key === key) return known.files;
  const files = new Set<string>();
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isFile() || (e.isSymbolicLink() && statSync(join(dir, e.name), { throwIfNoEntry: false })?.isFile())) files.add(e.name);
    }
  } catch {
    return NOTHING;
  }
  // Any change to the entries sets the time to now, so only a time this recent can hide one made after the read.
  if (Date.now() - st.mtimeMs > SETTLED_MS) listings.set(dir, { key, files });
  else listings.delete(dir);
  return files;
}

function spell(dir: string, name: string): string {
  return dir === '' || dir === '.' ? posix.normalize(name) : join(dir, name);
}

/**
 * The source and every header it may include, absolute and as the compiler
 * would spell them; `forced` are the -include and -imacros files, `defines`
 * the command line's -D definitions.
 */
export function scanIncludes(source: string, forced: string[], cwd: string, chains: SearchChains, defines: Array<[string, string]> = []): ScanResult {
  return new Scan(cwd, chains, defines).run(source, forced);
}
