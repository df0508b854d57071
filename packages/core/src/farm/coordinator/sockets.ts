import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { FesterError, isFesterError } from '../../errors/FesterError.js';
import { agentMessage, clientMessage, parseFrame } from '../protocol.js';
import type { Farm } from './Farm.js';
import type { JournalMirror } from './JournalMirror.js';
import type { LeaseOwner } from './Leases.js';

/** Bad frames tolerated on one socket before it is closed (a confused peer, not an attack). */
const MAX_BAD_FRAMES = 3;

function send(ws: WebSocket, frame: object): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}

/** Count a refused frame: answer with its code, journal it, close after too many. */
function badFrame(ws: WebSocket, farm: Farm, e: unknown, peer: string | undefined, count: number): void {
  const err = isFesterError(e) ? e : new FesterError('FE0804', { message: String(e) });
  farm.rejected(err, peer);
  send(ws, { type: 'error', code: err.code, message: err.message });
  if (count >= MAX_BAD_FRAMES) ws.close(1008, 'too many malformed frames');
}

export function attachAgentSocket(ws: WebSocket, farm: Farm, peer?: string): void {
  let nodeId: string | undefined;
  let bad = 0;
  const port = { send: (f: object) => send(ws, f), close: (code: number, reason: string) => ws.close(code, reason) };
  ws.on('message', (data, isBinary) => {
    try {
      if (isBinary) throw new FesterError('FE0804', { message: 'binary frame on the control socket' });
      const msg = parseFrame(agentMessage, data as Buffer);
      if (msg.type !== 'hello' && !nodeId) throw new FesterError('FE0806', { message: `"${msg.type}" before hello: unknown node` });
      nodeId = farm.onAgentFrame(port, nodeId, msg, Date.now(), peer);
    } catch (e) {
      badFrame(ws, farm, e, peer, ++bad);
    }
  });
  ws.on('close', () => farm.agentClosed(port, nodeId, Date.now()));
  ws.on('error', () => { /* close follows; the dropout is handled there */ });
}

export function attachClientSocket(ws: WebSocket, farm: Farm, mirror: JournalMirror, peer?: string): void {
  let bad = 0;
  const mirrored = new Set<string>();
  const owner: LeaseOwner = { id: randomBytes(6).toString('hex'), send: (f) => send(ws, f) };
  farm.addOwner(owner);
  ws.on('message', (data, isBinary) => {
    try {
      if (isBinary) throw new FesterError('FE0804', { message: 'binary frame on the control socket' });
      const msg = parseFrame(clientMessage, data as Buffer);
      if (msg.type === 'run') farm.run(owner, msg.req, msg.node, msg.task, Date.now());
      else if (msg.type === 'cancel') farm.cancel(owner, msg.req);
      else { mirrored.add(msg.session); mirror.append(msg); }
    } catch (e) {
      badFrame(ws, farm, e, peer, ++bad);
    }
  });
  ws.on('close', () => { farm.removeOwner(owner); for (const s of mirrored) mirror.close(s); });
  ws.on('error', () => { /* close follows */ });
}
