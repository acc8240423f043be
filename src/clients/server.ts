/**
 * The wire broker's TCP server on 127.0.0.1 (an ephemeral port by default): framing, per
 * connection buffers, held answers, and closing connections. Everything the broker decides comes
 * from broker-core.ts; nothing here can crash the process or grow without bound.
 */

import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createBrokerCore, handleFrame } from './broker-core.js';
import type { BrokerCore, CoreOptions, Fault } from './broker-core.js';

/** Frames larger than this close the connection (socket.request.max.bytes is 100 MiB in Kafka). */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export interface WireBroker {
  readonly port: number;
  readonly core: BrokerCore;
  readonly log: readonly string[];
  /** Close every connection and stop listening. */
  close(): Promise<void>;
}

export interface WireBrokerOptions extends Omit<CoreOptions, 'port' | 'log'> {
  readonly faultFor: (ordinal: number) => Fault | null;
  readonly port?: number;
}

export async function startWireBroker(options: WireBrokerOptions): Promise<WireBroker> {
  const log: string[] = [];
  const sockets = new Set<Socket>();
  let port = 0;
  const core = createBrokerCore({ ...options, port: () => port, log: (line) => log.push(line) });
  let nextConnection = 0;

  const server: Server = createServer((socket) => {
    const connection = nextConnection++;
    sockets.add(socket);
    let buffered: Buffer = Buffer.alloc(0);
    let held: Buffer | null = null;
    const drop = (reason: string): void => {
      log.push(`connection ${connection} closed: ${reason}`);
      held = null;
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      // Requests in flight: every produce request in this read arrived before any of their
      // answers was written (they are written as each is handled, below), and so did a held
      // answer's; the client had sent them all without reading those answers.
      let awaiting = held === null ? 0 : 1;
      while (buffered.length >= 4 && !socket.destroyed) {
        const size = buffered.readInt32BE(0);
        if (size < 0 || size > MAX_FRAME_BYTES) {
          drop(`frame size ${size} is outside 0..${MAX_FRAME_BYTES}`);
          return;
        }
        if (buffered.length < 4 + size) return;
        const payload = buffered.subarray(4, 4 + size);
        buffered = buffered.subarray(4 + size);
        // A held answer goes out when the next request arrives on the connection.
        if (held !== null) {
          socket.write(held);
          held = null;
        }
        // The api key (int16 at the start of the request header): 0 is Produce.
        const isProduce = payload.length >= 2 && payload.readInt16BE(0) === 0;
        if (isProduce) awaiting += 1;
        let action;
        try {
          action = handleFrame(core, connection, payload, options.faultFor, awaiting);
        } catch (error) {
          drop(`internal error: ${(error as Error).message}`);
          return;
        }
        switch (action.kind) {
          case 'respond':
            socket.write(action.frame);
            break;
          case 'hold':
            held = action.frame;
            break;
          case 'close':
            drop(action.reason);
            return;
          case 'none':
            break;
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('error', (error) => log.push(`server error: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    port,
    core,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
