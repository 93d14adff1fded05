/**
 * @module Yunbox control API for the one clock (`kernel/clock.ts`): `DescribeClock` reads it,
 * `AdvanceClock` and `SetClock` move a manual clock (`--clock manual`), only ever forward. These
 * replace the unsigned `POST /_yunbox/clock`: moving time expires every token and presigned URL
 * at once, so it is an API call like any other, signed, decided by RAM (`yunbox:<Action>` on
 * `acs:yunbox::<account>:clock`; the root account may by default, a RAM user needs a policy) and
 * recorded in the audit trail. The clock is this process's: with several nodes on one store, each
 * node's manual clock is moved by the calls it serves.
 */
import { ManualClock, isoSeconds } from '../../kernel/clock.js';
import type { AuthzCheck, HandlerContext, RequestInfo } from '../../kernel/context.js';
import { defineError } from '../../kernel/errors.js';
import {
  bind,
  defineOperation,
  type BoundOperation,
  type Handler,
} from '../../protocol/rpc-operation.js';
import { InvalidParameter } from '../../protocol/rpc-errors.js';
import { p } from '../../protocol/rpc-schema.js';

/** AdvanceClock or SetClock on a server whose clock follows the system time. */
export const OperationDeniedClockNotManual = defineError(
  'OperationDenied.ClockNotManual',
  403,
  'The clock of this server follows the system time and cannot be moved. Start yunbox with --clock manual to move it.',
);

/** SetClock to a time before the clock's current time (time only moves forward). */
export const InvalidNowBeforeCurrent = defineError(
  'InvalidNow.BeforeCurrentTime',
  400,
  'The specified Now is earlier than the current time of the clock. The clock only moves forward.',
);

/** SetClock with a `Now` that is not an ISO 8601 time yunbox can keep. */
export const InvalidNowMalformed = defineError(
  'InvalidNow.Malformed',
  400,
  'The specified Now is not a valid ISO 8601 time, e.g. 2026-01-01T00:00:00Z.',
);

/** The latest time the clock may show (Alibaba's timestamps have four-digit years). */
export const CLOCK_MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59);
/** The largest single AdvanceClock step: a hundred years. */
export const MAX_ADVANCE_SECONDS = 100 * 365.25 * 24 * 3600;

// Linear: fixed-width fields, one optional fraction, no nested repetition.
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * The time `text` names (ms), or NaN: ISO 8601 with a zone, every field in its range (Date.parse
 * alone takes `02-30` and `24:00`).
 * @example
 * parseIsoTime('2026-01-01T00:00:00Z') // 1767225600000
 * parseIsoTime('2026-02-30T00:00:00Z') // NaN
 */
export function parseIsoTime(text: string): number {
  const m = ISO_TIME.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s, oh, om] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const day = new Date(Date.UTC(y!, mo! - 1, d!));
  if (day.getUTCMonth() !== mo! - 1 || day.getUTCDate() !== d! || y! < 1) return NaN;
  if (h! > 23 || mi! > 59 || s! > 59 || oh! > 23 || om! > 59) return NaN;
  return Date.parse(text);
}

/** `acs:yunbox::<account>:clock` */
export function clockResource(accountId: string): string {
  return `acs:yunbox::${accountId}:clock`;
}

const onClock =
  (action: string) =>
  (_: unknown, info: RequestInfo): AuthzCheck[] => [
    { action, resource: clockResource(info.accountId) },
  ];

export const DescribeClock = defineOperation({
  name: 'DescribeClock',
  params: {},
  authz: onClock('yunbox:DescribeClock'),
  readOnly: true,
  doc: "Show the server's clock: the time now (ISO 8601) and its mode, `system` or `manual`",
});

export const AdvanceClock = defineOperation({
  name: 'AdvanceClock',
  params: {
    AdvanceSeconds: p.required(
      p.int({
        min: 1,
        max: MAX_ADVANCE_SECONDS,
        doc: 'how far to move the clock forward, in seconds (1 or more)',
      }),
    ),
  },
  authz: onClock('yunbox:AdvanceClock'),
  doc: 'Move a manual clock (`--clock manual`) forward; every time-dependent rule follows it',
});

export const SetClock = defineOperation({
  name: 'SetClock',
  params: {
    Now: p.required(
      p.str({
        min: 20,
        max: 40,
        doc: 'the new time, ISO 8601 (e.g. 2026-01-01T00:00:00Z), not earlier than the clock',
      }),
    ),
  },
  authz: onClock('yunbox:SetClock'),
  doc: 'Set a manual clock (`--clock manual`) to a time not earlier than its current time',
});

function clockState(ctx: HandlerContext) {
  return { Now: isoSeconds(ctx.clock.now()), Mode: ctx.clock.mode };
}

function manualClock(ctx: HandlerContext): ManualClock {
  if (!(ctx.clock instanceof ManualClock)) throw OperationDeniedClockNotManual();
  return ctx.clock;
}

/** DescribeClock. */
export const describeClock: Handler<(typeof DescribeClock)['params']> = async (ctx) =>
  clockState(ctx);

/** AdvanceClock. */
export const advanceClock: Handler<(typeof AdvanceClock)['params']> = async (ctx, input) => {
  const clock = manualClock(ctx);
  const to = clock.now() + input.AdvanceSeconds * 1000;
  if (to > CLOCK_MAX_MS) {
    throw InvalidParameter(
      `The specified parameter "AdvanceSeconds" is not valid. The clock cannot pass ${isoSeconds(CLOCK_MAX_MS)}.`,
    );
  }
  clock.set(to);
  ctx.log.info({ by: input.AdvanceSeconds, now: isoSeconds(to) }, 'clock advanced');
  return clockState(ctx);
};

/** SetClock. */
export const setClock: Handler<(typeof SetClock)['params']> = async (ctx, input) => {
  const clock = manualClock(ctx);
  const to = parseIsoTime(input.Now);
  if (Number.isNaN(to) || to > CLOCK_MAX_MS) {
    throw InvalidNowMalformed(
      `The specified Now is not a valid ISO 8601 time, e.g. 2026-01-01T00:00:00Z: \`${input.Now}\`.`,
    );
  }
  const now = clock.now();
  if (to < now) {
    throw InvalidNowBeforeCurrent(
      `The specified Now (${input.Now}) is earlier than the current time of the clock (${isoSeconds(now)}). The clock only moves forward.`,
    );
  }
  clock.set(to);
  ctx.log.info({ now: isoSeconds(to) }, 'clock set');
  return clockState(ctx);
};

/** The Yunbox operations of the clock, for `createYunboxProduct`. */
export function clockOperations(): BoundOperation[] {
  return [
    bind(DescribeClock, describeClock),
    bind(AdvanceClock, advanceClock),
    bind(SetClock, setClock),
  ];
}
