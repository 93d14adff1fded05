/**
 * @module A streaming `multipart/form-data` reader for PostObject (RFC 7578): the text fields
 * before the file are read into memory (bounded), the `file` field is handed on as a stream that
 * ends at the closing boundary, so an upload of any size passes through in constant memory.
 * OSS requires `file` to be the last field; anything after it is ignored.
 */
import { malformedForm } from './errors.js';

/** The fields of a form and its file. */
export interface FormUpload {
  /** Text fields in order; names as sent. */
  fields: Array<[string, string]>;
  /** `filename` of the file part (may be empty). */
  filename: string;
  /** `Content-Type` of the file part, if given. */
  contentType?: string;
  /** The file's bytes; rejects when the body ends before the closing boundary. */
  file: AsyncIterable<Buffer>;
}

/** The boundary of a `multipart/form-data` Content-Type, or `undefined`. */
export function formBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  if (!/^\s*multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

class Reader {
  readonly #it: AsyncIterator<Uint8Array>;
  buf: Buffer = Buffer.alloc(0);
  ended = false;
  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }
  /** Pulls one more chunk into `buf`; false at the end of the source. */
  async more(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.#it.next();
    if (r.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }
  /** Everything up to `delim` (consumed), reading at most `max` bytes before it. */
  async until(delim: Buffer, max: number): Promise<Buffer> {
    for (;;) {
      const at = this.buf.indexOf(delim);
      if (at !== -1) {
        const out = this.buf.subarray(0, at);
        this.buf = this.buf.subarray(at + delim.length);
        return out;
      }
      if (this.buf.length > max + delim.length) throw malformedForm('a form field is too large');
      if (!(await this.more())) throw malformedForm('the form ended early');
    }
  }
  /** Ensures `n` bytes are buffered (or the source ended). */
  async need(n: number): Promise<void> {
    while (this.buf.length < n && (await this.more()));
  }
}

function parsePartHeaders(raw: string): { name?: string; filename?: string; contentType?: string } {
  const out: { name?: string; filename?: string; contentType?: string } = {};
  for (const line of raw.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') {
      const n = /;\s*name="([^"]*)"/i.exec(value) ?? /;\s*name=([^;\s]*)/i.exec(value);
      if (n) out.name = n[1];
      const f = /;\s*filename="([^"]*)"/i.exec(value) ?? /;\s*filename=([^;\s]*)/i.exec(value);
      if (f) out.filename = f[1];
    } else if (name === 'content-type') out.contentType = value;
  }
  return out;
}

/**
 * Read the fields of a form up to its `file` part, which is returned as a stream.
 * @example
 * const form = await readForm(req, boundary, 64 * 1024);
 * for await (const chunk of form.file) ...
 */
export async function readForm(
  source: AsyncIterable<Uint8Array>,
  boundary: string,
  maxFieldBytes: number,
): Promise<FormUpload> {
  const r = new Reader(source);
  const dash = Buffer.from(`--${boundary}`);
  const delim = Buffer.from(`\r\n--${boundary}`);
  // Preamble, then the first boundary line.
  await r.until(dash, maxFieldBytes);
  const fields: Array<[string, string]> = [];
  let total = 0;
  for (;;) {
    await r.need(2);
    if (r.buf.subarray(0, 2).toString('latin1') === '--')
      throw malformedForm('the form has no file');
    if (r.buf.subarray(0, 2).toString('latin1') !== '\r\n')
      throw malformedForm('bad boundary line');
    r.buf = r.buf.subarray(2);
    const head = parsePartHeaders((await r.until(Buffer.from('\r\n\r\n'), 8192)).toString('utf8'));
    if (head.name === undefined) throw malformedForm('a form part has no name');
    if (head.name.toLowerCase() === 'file') {
      return {
        fields,
        filename: head.filename ?? '',
        ...(head.contentType !== undefined ? { contentType: head.contentType } : {}),
        file: fileStream(r, delim),
      };
    }
    const value = await r.until(delim, maxFieldBytes - total);
    total += value.length + head.name.length;
    if (total > maxFieldBytes) throw malformedForm('the form fields are too large');
    fields.push([head.name, value.toString('utf8')]);
  }
}

async function* fileStream(r: Reader, delim: Buffer): AsyncGenerator<Buffer> {
  for (;;) {
    const at = r.buf.indexOf(delim);
    if (at !== -1) {
      if (at > 0) yield r.buf.subarray(0, at);
      r.buf = Buffer.alloc(0);
      return;
    }
    // Keep a tail that could be the start of the delimiter; hand on the rest.
    const safe = r.buf.length - (delim.length - 1);
    if (safe > 0) {
      const out = r.buf.subarray(0, safe);
      r.buf = r.buf.subarray(safe);
      yield out;
    }
    if (!(await r.more())) throw malformedForm('the file ended before the closing boundary');
  }
}
