/** Which model takes which tool, and what a stand-in is told to do. */
import { realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { errorMessage } from '../model/errors';
import { LAUNCHERS, toolNameOf } from './interception';
import type { Answer, MaterializeRequest, ToolCall } from './protocol';
import type { BuildSession, ModelContext, ModelResult } from './session';
import { RecordingContext, rememberCall, replayCall } from './callCache';
import { assembleThunk } from './models/assemble';
import { modelAr, modelRanlib, modelStrip } from './models/binutils';
import { modelCompilerDriver } from './models/gcc';
import { linkThunk, withoutLtoPlugin } from './models/link';
import type { Step } from './models/common';

export const COMPILER_DRIVERS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'clang++'];
/** Every name a stand-in is installed under (when the real tool exists). cpp always runs for real. */
export const STANDIN_TOOLS = [...COMPILER_DRIVERS, 'cpp', 'as', 'ld', 'ar', 'ranlib', 'strip'];

async function recordStep(ctx: ModelContext, step: Step | string): Promise<ModelResult> {
  if (typeof step === 'string') return { kind: 'fallback', reason: step };
  await ctx.record(step.finalOutputs);
  return { kind: 'recorded' };
}

async function model(call: ToolCall, session: ModelContext, realPath: string, pathVar: string): Promise<ModelResult> {
  if (COMPILER_DRIVERS.includes(call.tool)) return modelCompilerDriver(call, session, realPath, pathVar);
  const cwd = session.paths.sandboxCwd(call.cwd);
  switch (call.tool) {
    case 'ar':
      return modelAr(call, session, realPath);
    case 'ranlib':
      return modelRanlib(call, session, realPath);
    case 'strip':
      return modelStrip(call, session, realPath);
    case 'as':
      if (cwd === undefined) return { kind: 'fallback', reason: 'runs outside the build tree' };
      return recordStep(session, await assembleThunk(session, call, realPath, call.args, cwd, new Map()));
    case 'ld':
      if (cwd === undefined) return { kind: 'fallback', reason: 'runs outside the build tree' };
      return recordStep(session, await linkThunk(session, call, realPath, withoutLtoPlugin(call.args), cwd, new Map()));
    default:
      return { kind: 'fallback', reason: `${call.tool} is not modelled` };
  }
}

/**
 * The call as the models see it, and the program it is to: an intercepted
 * call names its program, known by the name the build ran it under; a name
 * that says no modelled tool (clang-cpp is the clang binary) runs as it is.
 * A stand-in found on PATH is the tool of its name, where the build's PATH
 * finds it.
 */
function identify(
  call: ToolCall,
  session: BuildSession,
  pathVar: string,
  programs: Map<string, string>,
): { call: ToolCall; realPath: string } {
  if (!call.execPath) return withoutLauncher(call, session.realTool(call.tool, pathVar), session, pathVar, programs);
  const tool = toolNameOf(call.execPath) ?? basename(call.execPath);
  // ccache's masquerade links (/usr/lib/ccache/gcc) are ccache launching the tool they are named after.
  if (!LAUNCHERS.includes(tool) && isLauncher(call.execPath, programs)) {
    const path = compilerPath(tool, session, pathVar, programs);
    return { call: { ...call, tool, execPath: path }, realPath: path };
  }
  return withoutLauncher({ ...call, tool }, call.execPath, session, pathVar, programs);
}

function isLauncher(path: string, programs: Map<string, string>): boolean {
  try {
    return LAUNCHERS.includes(programs.get(realpathSync(path)) ?? '');
  } catch {
    return false;
  }
}

/** Where PATH finds a compiler (looked up once per build), passing over launchers' masquerade links. */
function compilerPath(name: string, session: BuildSession, pathVar: string, programs: Map<string, string>): string {
  const first = session.realTool(name, pathVar);
  if (!isLauncher(first, programs)) return first;
  const dirs = pathVar.split(':').filter((d) => d && !isLauncher(join(d, name), programs));
  return session.realTool(name, dirs.join(':'));
}

/**
 * `ccache cc …` (as Meson configures where ccache is installed, or CMake with
 * a compiler launcher) is taken as the compile it launches: Burst caches
 * the compile itself, and ccache would otherwise run the preprocessor for
 * real and store whatever file the compile left, a placeholder included.
 */
function withoutLauncher(
  call: ToolCall,
  realPath: string,
  session: BuildSession,
  pathVar: string,
  programs: Map<string, string>,
): { call: ToolCall; realPath: string } {
  const compiler = call.args[0];
  if (!LAUNCHERS.includes(call.tool) || compiler === undefined) return { call, realPath };
  const tool = toolNameOf(compiler);
  if (tool === undefined || LAUNCHERS.includes(tool)) return { call, realPath };
  const path = compiler.includes('/') ? resolve(call.cwd, compiler) : compilerPath(compiler, session, pathVar, programs);
  return { call: { ...call, tool, execPath: path, argv0: compiler, args: call.args.slice(1) }, realPath: path };
}

/** Models the call, or lets the real tool run; an error in a model is a fallback, never a broken build. */
export async function answerCall(
  received: ToolCall,
  session: BuildSession,
  pathVar: string,
  programs: Map<string, string> = new Map(),
): Promise<Answer> {
  let realPath: string;
  let call: ToolCall;
  try {
    ({ call, realPath } = identify(received, session, pathVar, programs));
  } catch {
    return { kind: 'exit', status: 127, stdout: '', stderr: `${received.tool}: command not found\n` };
  }
  let result: ModelResult;
  try {
    if (await replayCall(session, call, realPath)) return { kind: 'exit', status: 0, stdout: '', stderr: '' };
    const rec = new RecordingContext(session);
    result = await model(call, rec, realPath, pathVar);
    if (result.kind === 'recorded') await rememberCall(session.store, call, realPath, rec);
  } catch (e) {
    result = { kind: 'fallback', reason: `the ${call.tool} model failed: ${errorMessage(e)}` };
  }
  if (result.kind === 'recorded') return { kind: 'exit', status: 0, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  return session.fallback(call, result.reason, realPath, pathVar);
}

/** Placeholders a program Burst did not model is about to read are made real first; failures are told, the program still runs. */
export async function answerMaterialize(request: MaterializeRequest, session: BuildSession): Promise<Answer> {
  const { failures } = await session.materialize(request.paths.map((p) => resolve(request.cwd, p)));
  const stderr = failures.map((f) => `burst: ${f.path}: ${f.error.message}\n`).join('');
  return { kind: 'exit', status: failures.length > 0 ? 1 : 0, stdout: '', stderr };
}
