/** Dependency files (-MD, -MMD) written from a compile's header list, for gcc's and clang's compiles alike. */
import { basename, resolve } from 'node:path';
import type { ModelContext } from '../session';
import type { CompileDeps } from './compilerDeps';

/** What the call asked for with -MD/-MMD and friends. */
export interface DepfileRequest {
  file: string | undefined;
  systemHeaders: boolean;
  targets: string[];
  phony: boolean;
}

/** What of a compile its dependency file names. */
export interface DepfileCompile {
  depfile: DepfileRequest | undefined;
  output: string | undefined;
  source: string | undefined;
}

/**
 * The dependency file -MD/-MMD asked for, written into the tree at once from
 * the headers the compiler listed: make reads it on the next run, and it is
 * the same whether or not the compile itself is cached.
 */
export async function writeDepfile(ctx: ModelContext, cwd: string, parsed: DepfileCompile, deps: CompileDeps): Promise<void> {
  const req = parsed.depfile as DepfileRequest;
  const file = req.file ?? `${(parsed.output ?? 'a').replace(/\.[^./]*$/, '')}.d`;
  const targets = req.targets.length > 0 ? req.targets : [`${basename(parsed.source ?? 'a.c').replace(/\.[^.]*$/, '')}.o`];
  const systemDirs = deps.systemDirs.map((d) => `${resolve(d)}/`);
  const listed = deps.spelled.filter((_, i) => req.systemHeaders || !systemDirs.some((d) => (deps.files[i] as string).startsWith(d)));
  const escape = (p: string): string => p.replace(/ /g, '\\ ').replace(/#/g, '\\#');
  const lines = [`${targets.join(' ')}: ${listed.map(escape).join(' ')}`];
  // A scanned list may name headers the compile never reads: removing one must rebuild, not stop make (what -MP is for).
  if (req.phony || deps.scanned) for (const h of listed.slice(1)) lines.push(`${escape(h)}:`);
  await ctx.writeSideFile(resolve(cwd, file), `${lines.join('\n')}\n`);
}
