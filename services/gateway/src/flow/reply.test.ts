import { createServer, request, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reply, type BodyFailure } from './reply.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('Reply', () => {
  let answer: (res: ServerResponse) => void = () => undefined;
  const server = createServer((_req, res) => answer(res));
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const noFailure: BodyFailure = (_reply, err) => {
    throw err;
  };

  function ask(method = 'GET'): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path: '/', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('sends a value as JSON with its type and its length in bytes', async () => {
    answer = (res) => new Reply(res, noFailure).code(504).send({ error: 'E', message: 'é' });
    const got = await ask();
    expect([got.status, got.headers['content-type'], got.headers['content-length'], got.body]).toEqual([504, 'application/json; charset=utf-8', '28', '{"error":"E","message":"é"}']);
  });

  it('sends a Buffer with its own length, typed application/octet-stream when nothing typed it', async () => {
    answer = (res) => new Reply(res, noFailure).header('content-length', '99').send(Buffer.from('abc'));
    const got = await ask();
    expect([got.headers['content-type'], got.headers['content-length'], got.body]).toEqual(['application/octet-stream', '3', 'abc']);
  });

  it('keeps the length a HEAD answer was given, and sends no body', async () => {
    answer = (res) => new Reply(res, noFailure).header('content-type', 'text/plain').header('content-length', '1000').send(Buffer.from('abc'));
    const got = await ask('HEAD');
    expect([got.headers['content-length'], got.body]).toEqual(['1000', '']);
  });

  it('gives an empty 200 a zero length and an empty 304 none', async () => {
    answer = (res) => new Reply(res, noFailure).send();
    expect((await ask()).headers['content-length']).toBe('0');
    answer = (res) => new Reply(res, noFailure).code(304).header('etag', '"v"').send();
    const notModified = await ask();
    expect([notModified.status, notModified.headers['content-length'], notModified.headers.etag]).toEqual([304, undefined, '"v"']);
  });

  it('forgets every field set so far when cleared', async () => {
    answer = (res) => new Reply(res, noFailure).header('x-a', '1').header('set-cookie', ['a=1']).clearHeaders().header('x-b', '2').send();
    const got = await ask();
    expect([got.headers['x-a'], got.headers['set-cookie'], got.headers['x-b']]).toEqual([undefined, undefined, '2']);
  });

  it('writes a flat field list as it is', async () => {
    answer = (res) => new Reply(res, noFailure).sendFields(200, ['content-type', 'text/plain', 'content-length', '2', 'link', ['<a>', '<b>']], Buffer.from('hi'));
    const got = await ask();
    expect([got.headers['content-type'], got.headers.link, got.body]).toEqual(['text/plain', '<a>, <b>', 'hi']);
  });

  it('streams a body with the fields set, the head going out with its first byte', async () => {
    answer = (res) => {
      const body = new PassThrough();
      const reply = new Reply(res, noFailure).code(201).header('x-a', '1').send(body);
      expect(reply.started).toBe(false);
      body.write('one,');
      setTimeout(() => body.end('two'), 10);
    };
    const got = await ask();
    expect([got.status, got.headers['x-a'], got.body]).toEqual([201, '1', 'one,two']);
  });

  it('hands a stream body that fails before its first byte to the failure handler with nothing sent, which may answer it', async () => {
    let startedWhenFailed: boolean | undefined;
    const answerInstead: BodyFailure = (reply, err) => {
      startedWhenFailed = reply.started;
      reply.clearHeaders().code(502).send({ error: err.message, message: 'failed' });
    };
    answer = (res) => {
      const body = new PassThrough();
      new Reply(res, answerInstead).header('x-from-origin', '1').send(body);
      setTimeout(() => body.destroy(new Error('origin broke')), 10);
    };
    const got = await ask();
    expect([startedWhenFailed, got.status, got.headers['x-from-origin'], got.body]).toEqual([false, 502, undefined, '{"error":"origin broke","message":"failed"}']);
  });

  it('tells the failure handler when a stream body fails after its head was sent', async () => {
    let startedWhenFailed: boolean | undefined;
    const cut: BodyFailure = (reply) => {
      startedWhenFailed = reply.started;
      reply.raw.destroy();
    };
    answer = (res) => {
      const body = new PassThrough();
      new Reply(res, cut).send(body);
      body.write('partial');
      setTimeout(() => body.destroy(new Error('origin broke')), 20);
    };
    await expect(ask()).rejects.toThrow();
    expect(startedWhenFailed).toBe(true);
  });

  it('destroys a stream body whose client went away', async () => {
    const body = new PassThrough();
    const closed = new Promise<void>((resolve) => body.on('close', resolve));
    answer = (res) => {
      new Reply(res, () => undefined).send(body);
      body.write('first');
    };
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => res.once('data', () => {
        req.destroy();
        resolve();
      }));
      req.on('error', () => undefined);
      req.end();
    });
    await closed;
    expect(body.destroyed).toBe(true);
  });
});
