/**
 * @module How CLI commands reach a running server: `--endpoint` or `YUNBOX_ENDPOINT` (default the
 * default gateway address), and plain JSON calls to its admin endpoints.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_LISTEN } from '../config/config.js';
import type { CliIo } from './command.js';

/** The `--endpoint` option shared by commands that talk to a server. */
export const endpointOption = { endpoint: { type: 'string' as const } };

/** Parses `--endpoint` and positionals; prints usage and returns undefined on bad input. */
export function serverOptions(
  argv: string[],
  io: CliIo,
  usage: string,
): { positionals: string[]; endpoint: string } | undefined {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...endpointOption, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout(usage);
      return undefined;
    }
    const endpoint = (
      values.endpoint ??
      io.env.YUNBOX_ENDPOINT ??
      `http://${DEFAULT_LISTEN}`
    ).replace(/\/+$/, '');
    return {
      positionals,
      endpoint: /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`,
    };
  } catch (e) {
    io.stderr(`${(e as Error).message}\n${usage}`);
    return undefined;
  }
}

/** Calls an admin endpoint; never throws. */
export async function adminRequest(
  endpoint: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ ok: true; body: unknown } | { ok: false; error: string }> {
  try {
    const res = await fetch(endpoint + path, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const msg =
        typeof parsed === 'object' && parsed && 'error' in parsed
          ? String((parsed as { error: unknown }).error)
          : `HTTP ${res.status}`;
      return { ok: false, error: msg };
    }
    return { ok: true, body: parsed };
  } catch (e) {
    return { ok: false, error: `cannot reach yunbox at \`${endpoint}\`: ${(e as Error).message}` };
  }
}
