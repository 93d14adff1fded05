/**
 * @module Requests framed by both `Content-Length` and `Transfer-Encoding: chunked`: accepted as
 * OSS accepts them, without opening request smuggling.
 *
 * ali-oss sends both for `put(stream, { headers: { 'Content-Length': n } })`. Node's HTTP parser
 * (llhttp) refuses such a request with a bare 400 before any handler runs. RFC 9112 §6.3 lets a
 * server process it by the transfer coding alone, provided it closes the connection after the
 * response: a front proxy that framed the message by `Content-Length` would otherwise disagree
 * with us on where the next request starts.
 *
 * ```
 * connection  allowChunkedWithLength   this connection's parser: llhttp's one lenient flag for
 *                                      exactly this case (chunked wins); every other rule strict
 * request     framingGuard             a request that carried both (the transfer coding frames
 *                                      the body; `Content-Length` stays, a length to check) is
 *                                      answered with `Connection: close`; any request after it
 *                                      on that connection is never handled. A transfer coding that
 *                                      does not end in chunked: 400 and close, as Node's parser
 * ```
 *
 * Why not `insecureHTTPParser`: it turns on every llhttp leniency (bare LF line ends, invalid
 * header characters, chunk-size spaces, data after close…), each a smuggling vector of its own.
 * Node offers no public way to pick one leniency, so the connection's parser is re-initialised
 * with the single flag right after Node set it up (before it reads a byte). Where the parser
 * does not expose that (another Node), nothing changes: such requests keep being refused.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

/** The parts of Node's per-connection HTTP parser used here (undocumented, feature-checked). */
interface NodeParser {
  initialize(
    type: number,
    resource: object,
    maxHeaderSize: number,
    lenient: number,
    connections?: unknown,
  ): void;
  constructor: { REQUEST?: unknown; kLenientChunkedLength?: unknown };
}

function parserOf(socket: Socket): NodeParser | undefined {
  const p = (socket as Socket & { parser?: Partial<NodeParser> }).parser;
  if (!p || typeof p.initialize !== 'function') return undefined;
  const C = p.constructor as NodeParser['constructor'] | undefined;
  if (typeof C?.REQUEST !== 'number' || typeof C.kLenientChunkedLength !== 'number') {
    return undefined;
  }
  return p as NodeParser;
}

/**
 * Makes every connection of `server` (HTTP or HTTPS, before it listens) accept a request with
 * both `Content-Length` and `Transfer-Encoding: chunked`, framed by the transfer coding. Pair
 * it with {@link framingGuard} on the request listener. Where this Node's parser cannot be set
 * that way, connections stay as strict as Node makes them (test/api/oss/framing.test.ts fails).
 * @example
 * allowChunkedWithLength(server);
 * server.on('request', framingGuard(handler));
 */
export function allowChunkedWithLength(server: HttpServer | HttpsServer): void {
  const s = server as (HttpServer | HttpsServer) & { maxHeaderSize?: number };
  // HTTPS servers set their parser up on `secureConnection`, plain ones on `connection`; this
  // listener is added after Node's own, so the parser exists and has read nothing yet.
  const event = server instanceof TlsServer ? 'secureConnection' : 'connection';
  // Node's list of connections (for its header and request timeouts), made when it listens.
  let connections: symbol | undefined;
  const onConnection = (socket: Socket) => {
    const parser = parserOf(socket);
    connections ??= Object.getOwnPropertySymbols(server).find(
      (k) => k.description === 'http.server.connections',
    );
    if (!parser || connections === undefined) return;
    const C = parser.constructor as { REQUEST: number; kLenientChunkedLength: number };
    parser.initialize(
      C.REQUEST,
      { type: 'HTTPINCOMINGMESSAGE', socket },
      s.maxHeaderSize ?? 0,
      C.kLenientChunkedLength,
      (server as unknown as Record<symbol, unknown>)[connections],
    );
  };
  server.on(event, onConnection);
}

// Connections that carried a request framed both ways: nothing more is read from them.
const closing = new WeakSet<Socket>();

/** True when a `Transfer-Encoding` value ends with the chunked coding (RFC 9112 §6.3 rule 4). */
function chunkedLast(te: string): boolean {
  const codings = te.split(',');
  return codings[codings.length - 1]!.trim().toLowerCase() === 'chunked';
}

/**
 * Wraps a request listener: a request framed both ways keeps its `Content-Length` (a signature
 * may cover it, and a body of another length is refused by whoever checks it, as OSS handlers
 * do) while the chunks frame the body, and its response closes the connection; a request whose
 * transfer coding does not end in chunked is answered 400 (as Node's strict parser does; the
 * leniency would read its body to the end of the connection). Any later request on such a
 * connection (pipelined behind it) is never handled: the connection ends after the first answer.
 * @example
 * createServer(options, framingGuard(handler));
 */
export function framingGuard(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // INVARIANT: Node answers pipelined requests in order and ends the socket after a response
    // with `shouldKeepAlive = false`, so a request left unanswered here is never answered.
    if (closing.has(req.socket)) return;
    const te = req.headers['transfer-encoding'];
    if (te === undefined) {
      handler(req, res);
      return;
    }
    if (!chunkedLast(te)) {
      closing.add(req.socket);
      res.shouldKeepAlive = false;
      res.writeHead(400).end();
      return;
    }
    if (req.headers['content-length'] !== undefined) {
      closing.add(req.socket);
      // Node writes `Connection: close` and ends the socket once this response is sent.
      res.shouldKeepAlive = false;
    }
    handler(req, res);
  };
}
