/** Which model takes which tool, and what a stand-in is told to do. */
import { errorMessage } from '../errors';
import type { Answer, ToolCall } from './protocol';
import type { BuildSession, ModelContext, ModelResult } from './session';
import { RecordingContext, rememberCall, replayCall } from './callCache';
import { assembleThunk } from './models/assemble';
import { modelAr, modelRanlib, modelStrip } from './models/binutils';
import { modelCompilerDriver } from './models/gcc';
import { linkThunk } from './models/link';
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
      return recordStep(session, await linkThunk(session, call, realPath, call.args, cwd, new Map()));
    default:
      return { kind: 'fallback', reason: `${call.tool} is not modelled` };
  }
}

/** Models the call, or lets the real tool run; an error in a model is a fallback, never a broken build. */
export async function answerCall(call: ToolCall, session: BuildSession, pathVar: string): Promise<Answer> {
  let realPath: string;
  try {
    realPath = session.realTool(call.tool, pathVar);
  } catch {
    return { kind: 'exit', status: 127, stdout: '', stderr: `${call.tool}: command not found\n` };
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
