/**
 * The wire brokers' TCP servers on 127.0.0.1, one listener per broker of the cluster (ephemeral
 * ports): framing, per connection buffers, held answers, and closing connections (all of a
 * broker's when the model crashes it, whose port then refuses connections until it restarts). Everything the broker decides comes
 * from broker-core.ts; nothing here can crash the process or grow without bound.
 */

import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createBrokerCore, handleFrame } from './broker-core.js';
import type { BrokerCore, CoreOptions, Fault } from './broker-core.js';

/** Frames larger than this close the connection (socket.request.max.bytes is 100 MiB in Kafka). */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export interface WireBroker {
  /** The listeners' ports, by broker id. */
  readonly ports: readonly number[];
  readonly core: BrokerCore;
  readonly log: readonly string[];
  /** Close every connection and stop listening. */
  close(): Promise<void>;
}

export interface WireBrokerOptions extends Omit<CoreOptions, 'port' | 'log'> {
  readonly faultFor: (ordinal: number) => Fault | null;
}

export async function startWireBroker(options: WireBrokerOptions): Promise<WireBroker> {
  const log: string[] = [];
  const ports: number[] = Array.from({ length: options.brokers }, () => 0);
  const sockets: Set<Socket>[] = ports.map(() => new Set<Socket>());
  const core = createBrokerCore({ ...options, port: (broker) => ports[broker] ?? 0, log: (line) => log.push(line) });
  let nextConnection = 0;
  const servers: Server[] = [];
  /**
   * A broker the model has stopped is a process that is gone: its connections close and its port
   * refuses new ones (ECONNREFUSED), as a crashed broker's does. A listener that accepted and then
   * closed them made a client that connects to the first reachable bootstrap broker (as
   * @platformatic/kafka does) take the dead broker for a live one and retry it forever. When the
   * model restarts the broker it listens on its port again.
   */
  const syncListeners = (): void => {
    core.state.cluster.alive.forEach((up, b) => {
      const server = servers[b];
      if (server === undefined) return;
      if (!up) {
        for (const socket of sockets[b] ?? []) socket.destroy();
        if (server.listening) server.close();
      } else if (!server.listening && !relistening.has(b)) {
        relistening.add(b);
        server.listen(ports[b], '127.0.0.1', () => relistening.delete(b));
      }
    });
  };
  const relistening = new Set<number>();

  const serve = (broker: number): Server =>
    createServer((socket) => {
      const connection = nextConnection++;
      // Between the model's crash and the listener's close, a connection may still arrive.
      if (core.state.cluster.alive[broker] !== true) {
        log.push(`connection ${connection} to broker ${broker} closed: the broker is down`);
        socket.destroy();
        return;
      }
      sockets[broker]?.add(socket);
      let buffered: Buffer = Buffer.alloc(0);
      let held: Buffer | null = null;
      const drop = (reason: string): void => {
        log.push(`connection ${connection} (broker ${broker}) closed: ${reason}`);
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
            action = handleFrame(core, broker, connection, payload, options.faultFor, awaiting);
          } catch (error) {
            drop(`internal error: ${(error as Error).message}`);
            return;
          }
          syncListeners();
          if (socket.destroyed) return;
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
      socket.on('close', () => sockets[broker]?.delete(socket));
    });

  for (let broker = 0; broker < options.brokers; broker++) {
    const server = serve(broker);
    server.on('error', (error) => {
      relistening.delete(broker);
      log.push(`server error (broker ${broker}): ${error.message}`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    ports[broker] = typeof address === 'object' && address !== null ? address.port : 0;
    servers.push(server);
  }

  return {
    ports,
    core,
    log,
    close: async () => {
      for (const set of sockets) for (const socket of set) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
