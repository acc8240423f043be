/**
 * The wire brokers' listeners: a broker the model has crashed is a process that is gone, whose
 * port refuses connections until the model restarts it.
 */

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { step } from '../model/system.js';
import { startWireBroker } from './server.js';

/** An ApiVersions v0 request (api key 18), framed: any request makes the server look at the model's brokers. */
function apiVersionsFrame(correlationId: number): Buffer {
  const clientId = Buffer.from('t');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** Connect to `port`, send one request and wait for its answer: 'answered', or the connection error's code. */
function ask(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(apiVersionsFrame(1)));
    socket.once('data', () => {
      socket.destroy();
      resolve('answered');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.once('close', () => resolve('closed'));
  });
}

describe('a crashed broker refuses connections', () => {
  it('its port refuses connections (ECONNREFUSED) once the model has crashed it, and answers again after its restart', async () => {
    const broker = await startWireBroker({ topic: 'idemcheck', partitions: 1, brokers: 3, sendIdOf: () => 0, faultFor: () => null });
    try {
      const [port0, port1] = broker.ports;
      expect(await ask(port0 ?? 0)).toBe('answered');
      broker.core.state = step(broker.core.setup, broker.core.state, { kind: 'BrokerCrash', broker: 0 });
      // The server acts on the model's brokers when it handles a request, here on broker 1.
      expect(await ask(port1 ?? 0)).toBe('answered');
      expect(await ask(port0 ?? 0)).toBe('ECONNREFUSED');
      broker.core.state = step(broker.core.setup, broker.core.state, { kind: 'BrokerRestart', broker: 0 });
      expect(await ask(port1 ?? 0)).toBe('answered');
      // Listening again takes a moment.
      let answer = await ask(port0 ?? 0);
      for (let i = 0; i < 50 && answer !== 'answered'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        answer = await ask(port0 ?? 0);
      }
      expect(answer).toBe('answered');
    } finally {
      await broker.close();
    }
  });
});
