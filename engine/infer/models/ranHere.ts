/**
 * Results of programs a model ran where the build stands (local backend, cache
 * on) instead of in a sandbox: adopted as their thunks' results, exactly as if
 * their jobs had run. The compile of a file whose headers are not known yet
 * runs here anyway; its assembly then follows here too, as the driver itself
 * would run it, rather than paying for a sandbox per object.
 */
import type { Reduction } from '../../store/local';
import type { ModelContext } from '../session';

/** Values a driver's earlier step made here, by reference: the object's name and a local file holding its bytes. */
export type HereFiles = Map<string, { name: string; path: string }>;

export interface RanHere {
  /** The output file, in the store's temporary directory. */
  output: string;
  stderr: string;
  durationMs: number;
}

/** Stores the output and records the result; returns the output's object name. */
export async function adoptRanHere(
  ctx: ModelContext,
  thunk: string,
  tag: string,
  program: string,
  ran: RanHere,
  cwd: string,
): Promise<string> {
  const output = await ctx.store.ingestOutput(ran.output);
  const reduction: Reduction = { outputs: [{ tag, ...output }], program, durationMs: Math.round(ran.durationMs), backend: 'local' };
  if (ran.stderr) reduction.stderr = await ctx.store.putBytes('V', Buffer.from(ran.stderr));
  await ctx.adoptResult(thunk, reduction, ran.stderr, cwd);
  return output.name;
}
