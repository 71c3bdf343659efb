/** The engine end of the stand-ins' socket. */
import { createServer, type Server } from 'node:net';
import { errorMessage } from '../model/errors';
import { encodeAnswer, FrameReader, parseAnyRequest, type Answer, type Request } from './protocol';
import type { BuildSession } from './session';
import { answerCall, answerMaterialize } from './tools';

/** Intercepted programs by real path, with the tool each is. */
export type Programs = Map<string, string>;

function answer(request: Request, session: BuildSession, pathVar: string, programs: Programs): Promise<Answer> {
  if (request.kind === 'materialize') return answerMaterialize(request.request, session);
  return answerCall(request.call, session, pathVar, programs);
}

export async function startServer(
  socketPath: string,
  session: BuildSession,
  pathVar: string,
  programs: Programs = new Map(),
): Promise<Server> {
  const server = createServer((socket) => {
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        void (async () => {
          try {
            socket.end(encodeAnswer(await answer(parseAnyRequest(frame), session, pathVar, programs)));
          } catch (e) {
            socket.end(encodeAnswer({ kind: 'exit', status: 127, stdout: '', stderr: `burst: ${errorMessage(e)}\n` }));
          }
        })();
      }
    });
    socket.on('error', () => undefined); // a stand-in that went away (make was interrupted) is not our failure
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(socketPath, () => res());
  });
  return server;
}
