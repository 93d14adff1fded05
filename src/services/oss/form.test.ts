import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formBoundary, readForm } from './form.js';

function form(boundary: string, fields: Array<[string, string]>, file: Buffer, filename = 'a.bin') {
  const parts: Buffer[] = [Buffer.from('preamble\r\n')];
  for (const [n, v] of fields) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`,
    ),
  );
  parts.push(file, Buffer.from(`\r\n--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

async function* chunks(data: Buffer, sizes: () => number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length;) {
    const n = Math.max(1, sizes());
    yield data.subarray(i, i + n);
    i += n;
  }
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(c);
  return Buffer.concat(out);
}

describe('multipart/form-data reader', () => {
  it('finds the boundary', () => {
    expect(formBoundary('multipart/form-data; boundary=----abc')).toBe('----abc');
    expect(formBoundary('multipart/form-data; boundary="q b"')).toBe('q b');
    expect(formBoundary('application/x-www-form-urlencoded')).toBeUndefined();
  });

  it('reads fields and streams the file, however the bytes are chunked', async () => {
    const boundary = '----yunbox' + randomBytes(4).toString('hex');
    // The file contains near-boundaries that must not end it.
    const file = Buffer.concat([
      randomBytes(3000),
      Buffer.from(`\r\n--${boundary.slice(0, -1)}`),
      randomBytes(70_000),
      Buffer.from('\r\n--'),
    ]);
    const body = form(
      boundary,
      [
        ['key', 'dir/${filename}'],
        ['policy', 'eyJ9'],
        ['x-oss-meta-a', 'é'],
      ],
      file,
    );
    for (const size of [1, 7, 64, 4096, 100_000]) {
      let n = 0;
      const f = await readForm(
        chunks(body, () => (size === 7 ? 1 + (n++ % 13) : size)),
        boundary,
        4096,
      );
      expect(f.fields).toEqual([
        ['key', 'dir/${filename}'],
        ['policy', 'eyJ9'],
        ['x-oss-meta-a', 'é'],
      ]);
      expect(f.filename).toBe('a.bin');
      expect(f.contentType).toBe('image/png');
      expect((await collect(f.file)).equals(file)).toBe(true);
    }
  });

  it('refuses oversized fields, a missing file and a truncated file', async () => {
    const b = 'B';
    await expect(
      readForm(
        chunks(form(b, [['key', 'x'.repeat(5000)]], Buffer.alloc(1)), () => 100),
        b,
        4096,
      ),
    ).rejects.toMatchObject({ code: 'MalformedPOSTRequest' });
    const noFile = Buffer.from(
      `--${b}\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--${b}--\r\n`,
    );
    await expect(
      readForm(
        chunks(noFile, () => 10),
        b,
        4096,
      ),
    ).rejects.toMatchObject({ code: 'MalformedPOSTRequest' });
    const full = form(b, [['key', 'k']], randomBytes(1000));
    const f = await readForm(
      chunks(full.subarray(0, full.length - 20), () => 100),
      b,
      4096,
    );
    await expect(collect(f.file)).rejects.toMatchObject({ code: 'MalformedPOSTRequest' });
  });
});
