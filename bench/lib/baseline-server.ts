/**
 * @module The bare node:http baseline, run as its own process like yunbox
 * (`node --import tsx bench/lib/baseline-server.ts [--dir DIR]`; prints `listening PORT`).
 *
 * - `GET <path>`: a fixture from memory (set with `POST /_fixture?path=<path>&type=<type>`, the
 *   body being the fixture), so the baseline answers the same bytes yunbox does.
 * - `PUT /file/<name>`, `GET /file/<name>`: a raw stream copy to and from a file in DIR.
 * - any other `PUT`/`POST`: the body is read and dropped, `200` with an empty body.
 *
 * Nothing else: no routing library, no parsing, no logging. This is what STYLE §2 means by
 * "a bare node:http server".
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { dir: { type: 'string' }, port: { type: 'string' } },
});
const dir = values.dir ?? tmpdir();
const fixtures = new Map<string, { body: Buffer; type: string }>();

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path.startsWith('/file/')) {
    const file = join(dir, path.slice(6).replace(/[^\w.-]/g, '_'));
    if (req.method === 'PUT') {
      pipeline(req, createWriteStream(file)).then(
        () => {
          res.writeHead(200, { 'content-length': 0 });
          res.end();
        },
        () => res.destroy(),
      );
      return;
    }
    stat(file).then(
      (s) => {
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': s.size,
        });
        pipeline(createReadStream(file), res).catch(() => res.destroy());
      },
      () => {
        res.writeHead(404, { 'content-length': 0 });
        res.end();
      },
    );
    return;
  }
  if (req.method === 'POST' && path === '/_fixture') {
    const params = new URLSearchParams(url.slice(q + 1));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fixtures.set(params.get('path') ?? '/', {
        body: Buffer.concat(chunks),
        type: params.get('type') ?? 'application/octet-stream',
      });
      res.writeHead(204);
      res.end();
    });
    return;
  }
  if (req.method === 'PUT' || req.method === 'POST') {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    });
    return;
  }
  const f = fixtures.get(path);
  if (!f) {
    res.writeHead(404, { 'content-length': 0 });
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': f.type, 'content-length': f.body.length });
  res.end(f.body);
});

server.listen(Number(values.port ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
