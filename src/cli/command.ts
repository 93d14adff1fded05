/**
 * @module The shape of one CLI sub-command. `src/cli/main.ts` dispatches `yunbox <group> <verb>`
 * (or `yunbox <verb>`) to the command whose `name` matches; each lives in `commands/<group>-<verb>.ts`.
 */

/** Where a command writes; tests pass buffers, `main.ts` passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** One sub-command. */
export interface CliCommand {
  /** Words after `yunbox`, e.g. `policy simulate` or `serve`. */
  name: string;
  /** One-line summary for `yunbox help`, lower-case start, no final period. */
  summary: string;
  /** Full usage text printed by `--help`. */
  usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}
