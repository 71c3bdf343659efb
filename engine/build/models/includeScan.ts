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
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, resolve } from 'node:path';

/** The compiler's search chains, as cc1 -v prints them. */
export interface SearchChains {
  /** `#include "..."` directories, searched after the including file's own. */
  quote: string[];
  /** `#include <...>` directories, searched after the quote ones for "..." too. */
  bracket: string[];
}

export type ScanResult =
  | {
      ok: true;
      files: string[];
      spelled: string[];
      /** Files with an include found nowhere: the list may change when that header appears. */
      unresolvedIn: string[];
    }
  | { ok: false; reason: string };

interface Include {
  form: 'quote' | 'bracket';
  name: string;
  next: boolean;
}

interface Computed {
  macro: string;
  next: boolean;
}

interface Parsed {
  includes: Include[];
  /** Includes and __has_include operands that name a macro. */
  computed: Computed[];
  /** Object-like macro definitions, by macro: what a computed include may stand for. */
  defines: Map<string, string[]>;
}

const PREINCLUDE = 'stdc-predef.h';
const FOLLOWABLE = /^(<[^>]*>|"[^"]*"|[A-Za-z_]\w*)$/;
const UNFOLLOWABLE = '?';
/** A file or directory changed this recently may change again within its time's resolution unseen: what was read of it is not kept. */
const SETTLED_MS = 2000;

/** Parsed files by path, with the identity and times they had (a build reads each header many times). */
const parsedFiles = new Map<string, { key: string; parsed: Parsed }>();

const DIRECTIVE = /^[ \t\f\v]*(?:#|%:)[ \t\f\v]*(include_next|include|import|define)\b(.*)$/gm;
const HAS_INCLUDE = /__has_include(_next)?\s*\(\s*(<[^>\n]*>|"[^"\n]*"|[A-Za-z_]\w*)/g;
/**
 * Comments (blanked), and literals (kept, so a comment marker inside one is no
 * comment). A literal left open ends at its line's end, as gcc ends it.
 */
const COMMENT_OR_LITERAL = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|(?<!\w)(?:u8|[uUL])?R"([^()\\\s"]{0,16})\([\s\S]*?\)\1"|"(?:\\.|[^"\\\n])*(?:"|$)|'(?:\\.|[^'\\\n])*(?:'|$)/gm;

/** The directives of a source text that decide what it includes. */
export function parseDirectives(source: string): Parsed {
  const text = source
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\?\?=/g, '#') // trigraphs, where -trigraphs or a strict -std turns them on
    .replace(/\?\?\//g, '\\')
    .replace(/\\[ \t\f\v]*\n/g, '')
    .replace(/'(?=\d)/g, (quote, at: number, all: string) => (isDigit(all.charCodeAt(at - 1)) ? '' : quote)); // C++14 digit separators, which are no character literals (matched from the quote: a look-behind at every character costs more than the rest of the parse)
  const plain = text.replace(COMMENT_OR_LITERAL, (m) => (m[0] === '/' ? ' ' : m));
  const parsed: Parsed = { includes: [], computed: [], defines: new Map() };
  for (const m of plain.matchAll(DIRECTIVE)) {
    const word = m[1] as string;
    const rest = (m[2] as string).trim();
    if (word === 'define') {
      const d = /^([A-Za-z_]\w*)\b(?!\()\s*(.*)$/.exec(rest);
      if (d) addDefinition(parsed.defines, d[1] as string, (d[2] as string).trim());
      continue;
    }
    const next = word === 'include_next';
    const named = headerName(rest, next);
    if (named) parsed.includes.push(named);
    else parsed.computed.push({ macro: rest, next });
  }
  // __has_include may stand anywhere, a #define's body included: the sandbox must answer it as this machine does
  for (const h of plain.matchAll(HAS_INCLUDE)) {
    const operand = h[2] as string;
    const next = h[1] !== undefined;
    const named = headerName(operand, next);
    if (named) parsed.includes.push(named);
    else parsed.computed.push({ macro: operand, next });
  }
  return parsed;
}

function addDefinition(defines: Map<string, string[]>, name: string, text: string): void {
  const body = FOLLOWABLE.test(text) ? text : UNFOLLOWABLE; // most bodies are neither, and need not be kept
  const bodies = defines.get(name);
  if (bodies) bodies.push(body);
  else defines.set(name, [body]);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function headerName(text: string, next: boolean): Include | undefined {
  const m = /^(?:<([^>]*)>|"([^"]*)")/.exec(text);
  if (!m) return undefined;
  return m[1] !== undefined ? { form: 'bracket', name: m[1], next } : { form: 'quote', name: m[2] as string, next };
}

function settled(st: Stats): boolean {
  return Date.now() - Math.max(st.mtimeMs, st.ctimeMs) > SETTLED_MS;
}

function parsedFile(path: string): Parsed {
  const st = statSync(path);
  const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = parsedFiles.get(path);
  if (known?.key === key) return known.parsed;
  const parsed = parseDirectives(readFileSync(path, 'utf8'));
  if (settled(st)) parsedFiles.set(path, { key, parsed });
  else parsedFiles.delete(path);
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
  private readonly listings = new Map<string, Listing>();
  /** Where a name was found from a place in the chain: system headers include the same few many times. */
  private readonly searched = new Map<string, Found | undefined>();
  /** Files by path and place in the chain: #include_next from one depends on where it was found. */
  private readonly seen = new Set<string>();
  private readonly order: Found[] = [];
  private readonly listed = new Set<string>();
  private readonly commandLine = new Map<string, string[]>();
  private readonly parsed: Parsed[] = [];
  /** Definitions gathered so far, by macro, and how many parsed files they cover. */
  private readonly definitionsSeen = new Map<string, { upTo: number; bodies: string[] }>();
  private readonly pending: Array<{ computed: Computed; includer: Found }> = [];
  private readonly unresolvedIn = new Set<string>();

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
      if (found.length === 0) return { ok: false, reason: `-include ${name} is not on the search path` };
      for (const f of found) this.add(f);
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
      // again with every definition seen: a macro may be defined in a file read after its use
      const before = this.order.length;
      for (const p of this.pending) {
        const failed = this.includeComputed(p.computed, p.includer);
        if (failed) return { ok: false, reason: failed };
      }
      if (this.order.length === before) break;
    }
    return { ok: true, files: [...this.listed], spelled: this.spelledList(), unresolvedIn: [...this.unresolvedIn] };
  }

  private spelledList(): string[] {
    const out = new Map<string, string>();
    for (const f of this.order) if (!out.has(f.abs)) out.set(f.abs, f.spelled);
    return [...out.values()];
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
    for (const computed of parsed.computed) {
      const failed = this.includeComputed(computed, file);
      if (failed) return failed;
      this.pending.push({ computed, includer: file });
    }
    return undefined;
  }

  private includeComputed(computed: Computed, includer: Found): string | undefined {
    const expansions = this.expand(computed.macro, new Set());
    if (expansions === undefined) return `${includer.spelled} has \`#include ${computed.macro}\`, which the scan cannot follow`;
    for (const inc of expansions) this.include({ ...inc, next: computed.next }, includer);
    return undefined;
  }

  private include(inc: Include, includer: Found): void {
    const found = this.resolveInclude(inc, includer);
    if (found.length === 0) this.unresolvedIn.add(includer.abs);
    for (const f of found) this.add(f);
  }

  private add(found: Found): void {
    const key = `${found.at}:${found.abs}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.order.push(found);
    this.listed.add(found.abs);
  }

  private definitions(name: string): string[] {
    let known = this.definitionsSeen.get(name);
    if (!known) this.definitionsSeen.set(name, (known = { upTo: 0, bodies: [...(this.commandLine.get(name) ?? [])] }));
    for (; known.upTo < this.parsed.length; known.upTo++) known.bodies.push(...((this.parsed[known.upTo] as Parsed).defines.get(name) ?? []));
    return known.bodies;
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

  /**
   * Where gcc finds an include; for #include_next from a file found outside
   * the chain (the source, a file beside its includer, an absolute path), both
   * places gcc may look (as a plain include, and from the chain's start).
   */
  private resolveInclude(inc: Include, includer: Found): Found[] {
    if (isAbsolute(inc.name)) return this.isFile(inc.name) ? [{ abs: inc.name, spelled: inc.name, at: -1 }] : [];
    if (inc.next && includer.at >= 0) return present(this.search(inc.name, includer.at + 1));
    const plain = inc.form === 'quote' ? (this.beside(inc.name, includer) ?? this.search(inc.name, 0)) : this.search(inc.name, this.chains.quote.length);
    if (!inc.next) return present(plain);
    const fromStart = this.search(inc.name, 0);
    return [...present(plain), ...present(fromStart)];
  }

  private beside(name: string, includer: Found): Found | undefined {
    const spelled = spell(dirname(includer.spelled), name);
    const abs = resolve(this.cwd, spelled);
    return this.isFile(abs) ? { abs, spelled, at: -1 } : undefined;
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
    let listing = this.listings.get(dir);
    if (!listing) {
      listing = listingOf(dir);
      this.listings.set(dir, listing);
    }
    return listing.has(basename(abs));
  }
}

function present(found: Found | undefined): Found[] {
  return found ? [found] : [];
}

/** Whether a directory holds a file of a name (following links), from one listing. */
interface Listing {
  has(name: string): boolean;
}

/** Directory listings by path, with the directory's identity and times when read. */
const listings = new Map<string, { key: string; files: Set<string>; links: Set<string> }>();
const NOTHING: Listing = { has: () => false };

/**
 * A header search looks for many names in few directories: one listing
 * answers them all. Kept while the directory's identity and times are
 * unchanged, which adding, removing or renaming an entry changes. A link's
 * target may come and go without the directory changing: links are looked at
 * each scan, and a directory that cannot be listed is asked name by name.
 */
function listingOf(dir: string): Listing {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return NOTHING;
  const key = `${st.dev}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
  let known = listings.get(dir);
  if (known?.key !== key) {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return { has: (name) => isFileAt(join(dir, name)) };
    }
    known = { key, files: new Set(entries.filter((e) => e.isFile()).map((e) => e.name)), links: new Set(entries.filter((e) => e.isSymbolicLink()).map((e) => e.name)) };
    if (settled(st)) listings.set(dir, known);
    else listings.delete(dir);
  }
  const { files, links } = known;
  return { has: (name) => files.has(name) || (links.has(name) && isFileAt(join(dir, name))) };
}

function isFileAt(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
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
