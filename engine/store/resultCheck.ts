/**
 * What a recorded result must look like before anything is built from it:
 * results come from this machine's store and from a shared bucket that
 * others can write to, so each is checked field by field. A result that
 * fails is a cache miss (MalformedResultError), never an error of the run.
 */
import { MalformedResultError } from '../model/errors';
import { isName, isSha256 } from '../model/hash';
import type { Reduction } from './objectStore';

/** Why `value` is not a result, or undefined when it is one. */
export function whyNotAResult(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const r = value as Record<string, unknown>;
  if (!Array.isArray(r.outputs) || r.outputs.length === 0) return 'no outputs';
  for (const o of r.outputs as unknown[]) {
    const out = o as Record<string, unknown> | null;
    if (typeof out !== 'object' || out === null) return 'an output is not an object';
    if (typeof out.tag !== 'string' || out.tag === '' || out.tag.startsWith('/') || out.tag.split('/').includes('..'))
      return `bad output path ${JSON.stringify(out.tag)}`;
    if (typeof out.name !== 'string' || !isName(out.name)) return `bad object name ${JSON.stringify(out.name)}`;
    if (typeof out.executable !== 'boolean') return 'an output without its executable flag';
  }
  for (const k of ['stdout', 'stderr'] as const)
    if (r[k] !== undefined && (typeof r[k] !== 'string' || !isName(r[k] as string))) return `bad ${k} name`;
  if (typeof r.program !== 'string') return 'no program';
  if (typeof r.durationMs !== 'number' || !Number.isFinite(r.durationMs) || r.durationMs < 0) return 'no duration';
  for (const k of ['backend', 'reason'] as const) if (r[k] !== undefined && typeof r[k] !== 'string') return `bad ${k}`;
  if (r.sha256 !== undefined) {
    if (typeof r.sha256 !== 'object' || r.sha256 === null || Array.isArray(r.sha256)) return 'bad sha256';
    for (const [name, digest] of Object.entries(r.sha256)) if (!isName(name) || !isSha256(digest)) return `bad SHA-256 of ${name}`;
  }
  return undefined;
}

/** The result in `text`, checked; `where` names it in the error. */
export function parseResult(thunk: string, text: string, where: string): Reduction {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedResultError(thunk, where, 'not JSON');
  }
  const why = whyNotAResult(value);
  if (why) throw new MalformedResultError(thunk, where, why);
  return value as Reduction;
}
