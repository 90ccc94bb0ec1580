import type { Server } from 'node:http';
import type { Socket } from 'node:net';

// The connection slots of `callbot listen`. Anyone who can reach the port can open connections,
// and nothing about a sender is known until its body has arrived whole and its signature is
// checked: 256 senders dripping a byte every few seconds held every slot of Node's own
// `maxConnections` (which refuses the newcomer) until their requests timed out, and every real
// callback in that time was reset. So the newcomer is never the one refused while a slot can be
// freed: when every slot is taken, the connection that has waited longest without a whole request
// (waiting for headers or a body, or idle between requests) is closed to make room. A real
// delivery sends its request at once and is the newest; a dripping sender is the oldest. A
// connection whose request body is whole (being verified, written, answered) is never closed;
// only when every slot holds one is the newcomer refused. The time each request may take is
// bounded separately (node:http's headersTimeout and requestTimeout, see receiver.ts).

interface Slot {
  /** When the connection began to wait: it opened, a request began, or the last answer went out. */
  since: number;
  /** Its request's body is whole: it is being handled or answered. */
  proven: boolean;
}

/** Limits `server` to `max` connections at once, making room for a newcomer as described above. */
export function shareConnectionSlots(server: Server, max: number, now: () => number = () => performance.now()): void {
  const slots = new Map<Socket, Slot>();
  server.on('connection', (socket: Socket) => {
    if (slots.size >= max) {
      let victim: Socket | undefined;
      let oldest = Number.POSITIVE_INFINITY;
      for (const [other, slot] of slots) {
        if (!slot.proven && slot.since < oldest) {
          victim = other;
          oldest = slot.since;
        }
      }
      if (!victim) {
        socket.destroy();
        return;
      }
      slots.delete(victim);
      victim.destroy();
    }
    slots.set(socket, { since: now(), proven: false });
    socket.once('close', () => slots.delete(socket));
  });
  server.on('request', (req, res) => {
    const slot = slots.get(req.socket);
    if (!slot) return;
    slot.since = now();
    req.once('end', () => {
      slot.proven = true;
    });
    res.once('close', () => {
      slot.proven = false;
      slot.since = now();
    });
  });
}
