/** The engine end of the stand-ins' socket. */
import { createServer, type Server } from 'node:net';
import { errorMessage } from '../errors';
import { encodeAnswer, FrameReader, parseRequest } from './protocol';
import type { BuildSession } from './session';
import { answerCall } from './tools';

export async function startServer(socketPath: string, session: BuildSession, pathVar: string): Promise<Server> {
  const server = createServer((socket) => {
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk)) {
        void (async () => {
          try {
            socket.end(encodeAnswer(await answerCall(parseRequest(frame), session, pathVar)));
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
