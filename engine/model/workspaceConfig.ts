/**
 * The workspace's `.burst.json`: settings that travel with a project (its
 * "aws" backend, its "tests"). Each section is read and checked by the
 * module it belongs to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BurstError } from './errors';

export const WORKSPACE_CONFIG = '.burst.json';

/** One top-level section of `root`/.burst.json, with the file's path for messages; undefined when either is absent. */
export function workspaceSection(root: string, section: string): { file: string; value: unknown } | undefined {
  const file = join(root, WORKSPACE_CONFIG);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new BurstError('usage', `${file}: not valid JSON (${(e as Error).message})`, { file });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new BurstError('usage', `${file}: must hold a JSON object`, { file });
  const value = (parsed as Record<string, unknown>)[section];
  return value === undefined ? undefined : { file, value };
}
