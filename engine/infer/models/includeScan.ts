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
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
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
      /** Of `spelled`, the files only asked about (see Include.asked). */
      asked: string[];
    }
  | {
      ok: false;
      reason: string;
      /** cc1 -M cannot list the headers either (a header only __has_include asks about): the compile must run where its headers are. */
      unlistable?: boolean;
    };

export type AskedResult = { ok: true; asked: string[] } | { ok: false; reason: string; unlistable?: boolean };

interface Include {
  form: 'quote' | 'bracket';
  name: string;
  next: boolean;
  /** Asked about (__has_include, #pragma GCC dependency), not read: gcc -M leaves it out. */
  asked?: boolean;
  /** In a #define's body: a "..." operand, or a _next one, is looked for from the file where the macro is used, which may be any. */
  inDefinition?: boolean;
}

interface Computed {
  macro: string;
  next: boolean;
  asked?: boolean;
}

interface Parsed {
  includes: Include[];
  /** Includes and __has_include operands that name a macro. */
  computed: Computed[];
  /** Object-like macro definitions, by macro: what a computed include may stand for. */
  defines: Map<string, string[]>;
  /** Function-like macros that hand a parameter to __has_include: the headers their calls name are asked about. */
  probeMacros: ProbeMacro[];
  /** Function-like macros that hand a parameter to another (`#define HAS(x) HAS2(x)`): probe macros when that one is. */
  forwarders: Array<{ name: string; callee: string }>;
  /** Why a header this file asks about cannot be known from its text (`__has_include(HDR(x))`). */
  unlistable?: string;
}

interface ProbeMacro {
  name: string;
  next: boolean;
}

const PREINCLUDE = 'stdc-predef.h';
const FOLLOWABLE = /^(<[^>]*>|"[^"]*"|[A-Za-z_]\w*)$/;
const UNFOLLOWABLE = '?';
/** A file or directory changed this recently may change again within its time's resolution unseen: what was read of it is not kept. */
const SETTLED_MS = 2000;

/** Parsed files by path, with the identity and times they had (a build reads each header many times). */
const parsedFiles = new Map<string, { key: string; parsed: Parsed }>();

const DIRECTIVE = /^[ \t\f\v]*(?:#|%:)[ \t\f\v]*(include_next|include|import|define|pragma[ \t]+GCC[ \t]+dependency)\b(.*)$/gm;
const HAS_INCLUDE = /__has_include(_next)?\s*\(\s*(<[^>\n]*>|"[^"\n]*"|[A-Za-z_]\w*)(\s*\()?/g;
const FUNCTION_LIKE = /^([A-Za-z_]\w*)\(([^)]*)\)\s*(.*)$/;
/** A body that is one call of another macro with a parameter, maybe in parentheses. */
const FORWARDER = /^\(?\s*([A-Za-z_]\w*)\s*\(\s*([A-Za-z_]\w*)\s*\)\s*\)?$/;
const TRIGRAPHS: Record<string, string> = { '=': '#', '/': '\\', "'": '^', '(': '[', ')': ']', '!': '|', '<': '{', '>': '}', '-': '~' };
/** Deeper than any real chain of macros: past it a computed include counts as one the scan cannot follow. */
const MAX_EXPANSION_DEPTH = 200;
/**
 * Comments (blanked), and literals (kept, so a comment marker inside one is no
 * comment). A literal left open ends at its line's end, as gcc ends it.
 */
const COMMENT_OR_LITERAL =
  /\/\*[\s\S]*?\*\/|\/\/[^\n]*|(?<!\w)(?:u8|[uUL])?R"([^()\\\s"]{0,16})\([\s\S]*?\)\1"|"(?:\\.|[^"\\\n])*(?:"|$)|'(?:\\.|[^'\\\n])*(?:'|$)/gm;

/**
 * The directives of a source text that decide what it includes. Trigraphs
 * count only under -trigraphs or a strict -std, so a text that has any is
 * read both ways and the union kept.
 */
export function parseDirectives(source: string): Parsed {
  const parsed = parseText(normalized(source, false));
  if (/\?\?[=/'()!<>-]/.test(source)) {
    const other = parseText(normalized(source, true));
    parsed.includes.push(...other.includes);
    parsed.computed.push(...other.computed);
    parsed.probeMacros.push(...other.probeMacros);
    parsed.forwarders.push(...other.forwarders);
    parsed.unlistable ??= other.unlistable;
    for (const [name, bodies] of other.defines) for (const body of bodies) addDefinition(parsed.defines, name, body);
  }
  return parsed;
}

/** Logical lines as cc1 sees them, comments blanked and literals kept (a comment marker inside one is no comment). */
function normalized(source: string, trigraphs: boolean): string {
  let text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (trigraphs) text = text.replace(/\?\?([=/'()!<>-])/g, (_, c: string) => TRIGRAPHS[c] as string);
  text = text
    .replace(/\\[ \t\f\v]*\n/g, '')
    // C++14 digit separators, which are no character literals (matched from the quote: a look-behind at every character costs more than the rest of the parse)
    .replace(/'(?=\d)/g, (quote, at: number, all: string) => (separatesDigits(all, at) ? '' : quote));
  return text.replace(COMMENT_OR_LITERAL, (m) => (m[0] === '/' ? ' ' : m));
}

function parseText(plain: string): Parsed {
  const parsed: Parsed = { includes: [], computed: [], defines: new Map(), probeMacros: [], forwarders: [] };
  for (const m of plain.matchAll(DIRECTIVE)) {
    const word = m[1] as string;
    const rest = (m[2] as string).trim();
    if (word === 'define') {
      parseDefinition(parsed, rest);
      continue;
    }
    const next = word === 'include_next';
    const asked = word.startsWith('pragma');
    const named = headerName(rest, next);
    if (named) parsed.includes.push({ ...named, asked });
    else parsed.computed.push({ macro: rest, next, asked });
  }
  // __has_include may stand anywhere, a #define's body included: the sandbox must answer it as this machine does
  for (const h of plain.matchAll(HAS_INCLUDE)) {
    const operand = h[2] as string;
    const next = h[1] !== undefined;
    const named = headerName(operand, next);
    if (named)
      parsed.includes.push({
        ...named,
        asked: true,
        ...((named.form === 'quote' || next) && inDefinition(plain, h.index) ? { inDefinition: true } : {}),
      });
    else if (h[3] !== undefined) parsed.unlistable ??= `\`__has_include(${operand}(...))\` names a header the scan cannot work out`;
    else parsed.computed.push({ macro: operand, next, asked: true });
  }
  return parsed;
}

/** Whether the text at `at` is in a #define line. */
function inDefinition(plain: string, at: number): boolean {
  return /^[ \t\f\v]*(?:#|%:)[ \t\f\v]*define\b/.test(plain.slice(plain.lastIndexOf('\n', at) + 1, at));
}

function parseDefinition(parsed: Parsed, rest: string): void {
  const object = /^([A-Za-z_]\w*)\b(?!\()\s*(.*)$/.exec(rest);
  if (object) {
    addDefinition(parsed.defines, object[1] as string, (object[2] as string).trim());
    return;
  }
  const fn = FUNCTION_LIKE.exec(rest);
  if (!fn) return;
  const params = new Set((fn[2] as string).split(',').map((p) => p.trim()));
  const forward = FORWARDER.exec(fn[3] as string);
  if (forward && params.has(forward[2] as string)) parsed.forwarders.push({ name: fn[1] as string, callee: forward[1] as string });
  if (!(fn[3] as string).includes('__has_include')) return;
  for (const h of (fn[3] as string).matchAll(HAS_INCLUDE)) {
    if (params.has(h[2] as string)) parsed.probeMacros.push({ name: fn[1] as string, next: h[1] !== undefined });
  }
}

/** Whether the quote at `at` is a digit separator: inside a number (`1'000`), not after a prefix (`u8'0'`). */
function separatesDigits(text: string, at: number): boolean {
  if (!isDigit(text.charCodeAt(at - 1))) return false;
  let start = at - 1;
  while (start > 0 && /[\w.']/.test(text[start - 1] as string)) start--;
  const first = text.charCodeAt(start);
  return isDigit(first) || (first === 46 && isDigit(text.charCodeAt(start + 1)));
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

/** Whether a file asks about headers it need not read (see Include.asked), which gcc -M does not list; false for one that cannot be read. */
export function asksAboutHeaders(path: string): boolean {
  let parsed: Parsed;
  try {
    parsed = parsedFile(path);
  } catch {
    return false;
  }
  return parsed.unlistable !== undefined || parsed.includes.some((i) => i.asked) || parsed.computed.some((c) => c.asked);
}

/** Whether the command line's definitions ask about headers (`-DHAVE_FOO=__has_include(<foo.h>)`). */
export function commandLineAsks(defines: Array<[string, string]>): boolean {
  return defines.some(([, body]) => body.includes('__has_include'));
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
  private readonly asked = new Set<string>();
  /** Probe macros whose calls have been looked for, and in how many of the files followed. */
  private probesLookedFor = { macros: 0, files: 0 };
  /** Directories spelled with `..`, and whether the kernel's reading of them differs from the text's. */
  private readonly linkedParents = new Map<string, boolean>();
  private readonly commandLineText: string;
  private readonly commandLineFile: Found;

  constructor(
    private readonly cwd: string,
    private readonly chains: SearchChains,
    defines: Array<[string, string]>,
    private readonly predefined: ReadonlySet<string>,
    /** Whether "..." looks beside the including file first (not after -I-). */
    private readonly besideIncluder = true,
  ) {
    this.chain = [...chains.quote, ...chains.bracket];
    for (const [name, body] of defines) addDefinition(this.commandLine, name, body);
    this.commandLineText = defines.map(([name, body]) => `#define ${name} ${body}`).join('\n');
    this.commandLineFile = { abs: join(cwd, '<command-line>'), spelled: '<command-line>', at: -1 };
  }

  /** Headers the command line's definitions ask about (`-DHAVE_FOO=__has_include(<foo.h>)`). */
  private includeAskedOnCommandLine(): void {
    if (!this.commandLineText.includes('__has_include')) return;
    const parsed = parseDirectives(this.commandLineText);
    if (parsed.unlistable) throw new ScanStop(`the command line: ${parsed.unlistable}`, true);
    this.parsed.push(parsed);
    for (const inc of parsed.includes) if (inc.asked) this.include(inc, this.commandLineFile);
    // worked out once every file's definitions are seen (`-DHAVE_CFG=__has_include(CFG_H)`, CFG_H defined in a header)
    for (const computed of parsed.computed) if (computed.asked) this.pending.push({ computed, includer: this.commandLineFile });
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
    this.includeAskedOnCommandLine();
    let done = 0;
    for (;;) {
      for (; done < this.order.length; done++) {
        const failed = this.follow(this.order[done] as Found);
        if (failed) return { ok: false, reason: failed };
      }
      // again with every definition seen: a macro may be defined in a file read after its use
      const before = this.order.length;
      this.includeProbed();
      for (const p of this.pending) {
        const failed = this.includeComputed(p.computed, p.includer);
        if (failed) return { ok: false, reason: failed };
      }
      if (this.order.length === before) break;
    }
    this.includeFromUses();
    return { ok: true, files: [...this.listed], spelled: this.spelledList(), unresolvedIn: [...this.unresolvedIn], asked: [...this.asked] };
  }

  /**
   * The headers that files gcc read ask about without reading them (see
   * Include.asked), found where gcc would look: what its -M list lacks. The
   * files' own includes are not followed; their definitions count, as any
   * of them may define a macro a computed operand names.
   */
  askedBy(listed: string[]): AskedResult {
    this.includeAskedOnCommandLine();
    const files: Array<{ places: Found[]; parsed: Parsed }> = [];
    for (const spelled of listed) {
      const abs = resolve(this.cwd, spelled);
      let parsed: Parsed;
      try {
        parsed = parsedFile(abs);
      } catch {
        continue; // gone since gcc read it: the compile's own inputs are checked when its job is made
      }
      if (parsed.unlistable) throw new ScanStop(`${spelled}: ${parsed.unlistable}`, true);
      const places = this.placesOf(abs, spelled);
      for (const place of places) this.add(place);
      this.parsed.push(parsed);
      files.push({ places, parsed });
    }
    for (const { places, parsed } of files) {
      // __has_include_next looks on from where the file was found: from each place it may have been
      for (const inc of parsed.includes)
        if (inc.asked) for (const place of inc.next ? places : places.slice(0, 1)) this.include(inc, place);
      for (const computed of parsed.computed) {
        if (!computed.asked) continue;
        for (const place of computed.next ? places : places.slice(0, 1)) {
          const failed = this.includeComputed(computed, place);
          if (failed) return { ok: false, reason: failed };
        }
      }
    }
    this.includeProbed();
    for (const p of this.pending) {
      const failed = this.includeComputed(p.computed, p.includer);
      if (failed) return { ok: false, reason: failed };
    }
    this.includeFromUses();
    return { ok: true, asked: [...this.asked] };
  }

  /**
   * A macro's `__has_include("x.h")` looks beside the file using the macro,
   * and its `__has_include_next` on from where that file was found: from
   * every file followed, as any may use it.
   */
  private includeFromUses(): void {
    const asked = new Map<string, Include>();
    for (const p of this.parsed) for (const i of p.includes) if (i.inDefinition) asked.set(`${i.form}:${i.next}:${i.name}`, i);
    if (asked.size === 0) return;
    const files = [...this.order];
    for (const inc of asked.values()) for (const file of files) this.include(inc, file);
  }

  /**
   * A file of gcc's list at each place in the chain it may have been found
   * from (its path lies under that directory), and outside it. The list does
   * not say which, and #include_next depends on it.
   */
  private placesOf(abs: string, spelled: string): Found[] {
    const places: Found[] = [];
    this.chain.forEach((dir, at) => {
      if (abs.startsWith(`${resolve(this.cwd, dir)}/`)) places.push({ abs, spelled, at });
    });
    // or beside the file that included it, from where #include_next looks as from outside the chain
    return [...places, { abs, spelled, at: -1 }];
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
    if (parsed.unlistable) throw new ScanStop(`${file.spelled}: ${parsed.unlistable}`, true);
    this.parsed.push(parsed);
    for (const inc of parsed.includes) this.include(inc, file);
    for (const computed of parsed.computed) {
      const failed = this.includeComputed(computed, file);
      if (failed) return failed;
      this.pending.push({ computed, includer: file });
    }
    return undefined;
  }

  /**
   * The headers named in calls of function-like macros that hand their
   * argument to __has_include (`HAS(<foo.h>)`): rare, so the files are read
   * again for them only once such a macro turns up, and again when more do.
   */
  private includeProbed(): void {
    const macros = new Map<string, boolean>();
    for (const p of this.parsed) for (const m of p.probeMacros) macros.set(m.name, (macros.get(m.name) ?? false) || m.next);
    // and the macros that hand their argument on to one, through any number of others
    for (let grew = macros.size > 0; grew;) {
      grew = false;
      for (const p of this.parsed) {
        for (const f of p.forwarders) {
          const next = macros.get(f.callee);
          if (next === undefined) continue;
          const merged = (macros.get(f.name) ?? false) || next;
          if (macros.get(f.name) === merged) continue;
          macros.set(f.name, merged);
          grew = true;
        }
      }
    }
    if (macros.size === 0) return;
    const from = macros.size === this.probesLookedFor.macros ? this.probesLookedFor.files : 0;
    const files = this.order.slice(from);
    this.probesLookedFor = { macros: macros.size, files: this.order.length };
    const call = new RegExp(`\\b(${[...macros.keys()].join('|')})\\s*\\(([^()]*)\\)`, 'g');
    for (const file of files) this.includeProbedIn(normalized(readFileSync(file.abs, 'utf8'), false), file, macros, call);
    if (from === 0) this.includeProbedIn(this.commandLineText, this.commandLineFile, macros, call); // -DHAVE_X=HAS("x.h")
  }

  private includeProbedIn(text: string, file: Found, macros: Map<string, boolean>, call: RegExp): void {
    for (const c of text.matchAll(call)) {
      const arg = (c[2] as string).trim();
      const next = macros.get(c[1] as string) as boolean;
      const named = headerName(arg, next);
      if (named) this.include({ ...named, asked: true }, file);
      else if (/^[A-Za-z_]\w*$/.test(arg)) this.pending.push({ computed: { macro: arg, next, asked: true }, includer: file });
      else throw new ScanStop(`${file.spelled}: \`${c[1]}(${arg})\` asks __has_include about a header the scan cannot work out`, true);
    }
  }

  private includeComputed(computed: Computed, includer: Found): string | undefined {
    const expansions = this.expand(computed.macro, new Set());
    if (expansions === undefined) return `${includer.spelled} has \`#include ${computed.macro}\`, which the scan cannot follow`;
    for (const inc of expansions) this.include({ ...inc, next: computed.next, asked: computed.asked ?? false }, includer);
    return undefined;
  }

  private include(inc: Include, includer: Found): void {
    const found = this.resolveInclude(inc, includer);
    if (found.length === 0) this.unresolvedIn.add(includer.abs);
    for (const f of found) {
      this.add(f);
      if (inc.asked) this.asked.add(f.spelled);
    }
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
    for (; known.upTo < this.parsed.length; known.upTo++)
      known.bodies.push(...((this.parsed[known.upTo] as Parsed).defines.get(name) ?? []));
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
    // <...> from a macro's body is tokens, each macro in it replaced (`<ARCH/a.h>` with -DARCH=x86, `<linux/x.h>` where linux is predefined)
    if (named) return visiting.size > 0 && named.form === 'bracket' && this.namesMacro(named.name) ? undefined : [named];
    if (!/^[A-Za-z_]\w*$/.test(text)) return undefined;
    if (visiting.has(text)) return [];
    if (visiting.size >= MAX_EXPANSION_DEPTH) return undefined;
    visiting.add(text);
    const out: Include[] = [];
    for (const body of this.definitions(text)) {
      const more = this.expand(body, visiting);
      if (more === undefined) return undefined;
      out.push(...more);
    }
    return out;
  }

  private namesMacro(text: string): boolean {
    for (const [id] of text.matchAll(/[A-Za-z_]\w*/g)) if (this.predefined.has(id) || this.definitions(id).length > 0) return true;
    return false;
  }

  /**
   * Where gcc finds an include; for #include_next from a file found outside
   * the chain (the source, a file beside its includer, an absolute path), both
   * places gcc may look (as a plain include, and from the chain's start).
   */
  private resolveInclude(inc: Include, includer: Found): Found[] {
    if (isAbsolute(inc.name)) return this.isFile(inc.name) ? [{ abs: inc.name, spelled: inc.name, at: -1 }] : [];
    if (inc.next && includer.at >= 0) return present(this.search(inc.name, includer.at + 1));
    const plain =
      inc.form === 'quote'
        ? ((this.besideIncluder ? this.beside(inc.name, includer) : undefined) ?? this.search(inc.name, 0))
        : this.search(inc.name, this.chains.quote.length);
    if (!inc.next) return present(plain);
    const fromStart = this.search(inc.name, 0);
    return [...present(plain), ...present(fromStart)];
  }

  private beside(name: string, includer: Found): Found | undefined {
    this.refuseLinkedParent(`${dirname(includer.spelled)}/${name}`);
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
      this.refuseLinkedParent(`${this.chain[k] as string}/${name}`);
      const spelled = spell(this.chain[k] as string, name);
      const abs = resolve(this.cwd, spelled);
      if (this.isFile(abs)) return { abs, spelled, at: k };
    }
    return undefined;
  }

  /**
   * gcc opens what it spells, so `..` after a symbolic link to a directory
   * leads to the target's parent, where the text says otherwise: a layout the
   * sandbox, which holds plain directories, cannot show.
   */
  private refuseLinkedParent(raw: string): void {
    const dir = raw.slice(0, raw.lastIndexOf('/'));
    if (!/(^|\/)\.\.(\/|$)/.test(dir)) return;
    let linked = this.linkedParents.get(dir);
    if (linked === undefined) {
      const abs = isAbsolute(dir) ? dir : `${this.cwd}/${dir}`;
      linked = realPath(abs) !== realPath(resolve(abs));
      this.linkedParents.set(dir, linked);
    }
    if (linked) throw new ScanStop(`${raw}: \`..\` after a symbolic link to a directory`);
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

/** Why a scan gave up, thrown from deep inside it. */
class ScanStop extends Error {
  constructor(
    message: string,
    readonly unlistable = false,
  ) {
    super(message);
  }
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync.native(path);
  } catch {
    return undefined;
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
  let st: Stats | undefined;
  try {
    st = statSync(dir, { throwIfNoEntry: false });
  } catch {
    return NOTHING; // a loop of links, a name too long, a file where a directory should be: nothing found there, as for gcc
  }
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
    known = {
      key,
      files: new Set(entries.filter((e) => e.isFile()).map((e) => e.name)),
      links: new Set(entries.filter((e) => e.isSymbolicLink()).map((e) => e.name)),
    };
    if (settled(st)) listings.set(dir, known);
    else listings.delete(dir);
  }
  const { files, links } = known;
  return { has: (name) => files.has(name) || (links.has(name) && isFileAt(join(dir, name))) };
}

function isFileAt(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

function spell(dir: string, name: string): string {
  return dir === '' || dir === '.' ? posix.normalize(name) : join(dir, name);
}

/**
 * The source and every header it may include, absolute and as the compiler
 * would spell them; `forced` are the -include and -imacros files, `defines`
 * the command line's -D definitions, `predefined` the compiler's own macros
 * (`cc1 -E -dM`), which a `<...>` from a macro body may hold.
 */
export function scanIncludes(
  source: string,
  forced: string[],
  cwd: string,
  chains: SearchChains,
  defines: Array<[string, string]> = [],
  predefined: ReadonlySet<string> = new Set(),
): ScanResult {
  try {
    return new Scan(cwd, chains, defines, predefined).run(source, forced);
  } catch (e) {
    return gaveUp(e);
  }
}

/** Why a scan gave up: a ScanStop's reason, or an error from a path the system will not look at (a loop of links, a name too long). */
function gaveUp(e: unknown): { ok: false; reason: string; unlistable?: boolean } {
  if (e instanceof ScanStop) return { ok: false, reason: e.message, ...(e.unlistable ? { unlistable: true } : {}) };
  return { ok: false, reason: `the scan failed: ${(e as Error).message}` };
}

/**
 * The headers the files of a compiler's -M list ask about without reading
 * them (`__has_include`, `#pragma GCC dependency`), which the list lacks:
 * the compile's result depends on them all the same.
 */
export function headersAskedBy(
  listed: string[],
  cwd: string,
  chains: SearchChains,
  defines: Array<[string, string]> = [],
  predefined: ReadonlySet<string> = new Set(),
  besideIncluder = true,
): AskedResult {
  try {
    return new Scan(cwd, chains, defines, predefined, besideIncluder).askedBy(listed);
  } catch (e) {
    return gaveUp(e);
  }
}
