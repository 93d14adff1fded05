import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock, SystemClock, type Clock } from '../../kernel/clock.js';
import type { HandlerContext } from '../../kernel/context.js';
import { ServiceError } from '../../kernel/errors.js';
import { readParams } from '../../protocol/rpc-schema.js';
import { failure, serviceCode, thrownCode } from '../../testing/failure.js';
import {
  AdvanceClock,
  SetClock,
  advanceClock,
  clockOperations,
  describeClock,
  parseIsoTime,
  setClock,
} from './clock.js';

const START = Date.UTC(2026, 0, 1);
const ctxOf = (clock: Clock) =>
  ({ accountId: 'acct', clock, log: pino({ level: 'silent' }) }) as unknown as HandlerContext;

describe('clock operations', () => {
  it('describe, advance and set a manual clock, forward only', async () => {
    const clock = new ManualClock(START);
    const ctx = ctxOf(clock);
    expect(await describeClock(ctx, {})).toEqual({ Now: '2026-01-01T00:00:00Z', Mode: 'manual' });
    expect(await advanceClock(ctx, { AdvanceSeconds: 3600 })).toEqual({
      Now: '2026-01-01T01:00:00Z',
      Mode: 'manual',
    });
    expect(await setClock(ctx, { Now: '2026-02-01T00:00:00Z' })).toEqual({
      Now: '2026-02-01T00:00:00Z',
      Mode: 'manual',
    });
    // The same time again is no move; earlier is refused and leaves the clock alone.
    expect(await serviceCode(setClock(ctx, { Now: '2026-02-01T00:00:00Z' }))).toBe('ok');
    expect(await serviceCode(setClock(ctx, { Now: '2026-01-31T23:59:59Z' }))).toBe(
      'InvalidNow.BeforeCurrentTime',
    );
    expect(await serviceCode(setClock(ctx, { Now: '2026-02-01T08:00:00+09:00' }))).toBe(
      'InvalidNow.BeforeCurrentTime',
    );
    expect(clock.now()).toBe(Date.UTC(2026, 1, 1));
    expect(await serviceCode(advanceClock(ctx, { AdvanceSeconds: 100 * 365.25 * 24 * 3600 }))).toBe(
      'ok',
    );
    expect(await serviceCode(advanceClock(ctx, { AdvanceSeconds: 9000 * 365 * 24 * 3600 }))).toBe(
      'InvalidParameter',
    );
  });

  it('refuse to move the system clock, naming --clock manual', async () => {
    const ctx = ctxOf(new SystemClock());
    expect((await describeClock(ctx, {})).Mode).toBe('system');
    for (const p of [
      advanceClock(ctx, { AdvanceSeconds: 1 }),
      setClock(ctx, { Now: '2999-01-01T00:00:00Z' }),
    ]) {
      const e = await failure(p);
      expect(e).toBeInstanceOf(ServiceError);
      expect((e as ServiceError).code).toBe('OperationDenied.ClockNotManual');
      expect((e as ServiceError).message).toContain('--clock manual');
    }
  });

  it('refuse times that are not ISO 8601 times', async () => {
    const ctx = ctxOf(new ManualClock(START));
    for (const Now of [
      '2026-02-30T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01 00:00:00Z',
      '2026-01-01T00:00:00',
      'tomorrow at noon, please',
      '0000-01-01T00:00:00Z',
    ]) {
      expect(await serviceCode(setClock(ctx, { Now })), Now).toBe('InvalidNow.Malformed');
    }
    expect(parseIsoTime('2026-01-01T00:00:00.250+08:00')).toBe(
      Date.UTC(2025, 11, 31, 16, 0, 0, 250),
    );
  });

  it('validate parameters and authorise on the clock resource', () => {
    const read = (shape: any, p: Record<string, string>) =>
      thrownCode(() => readParams(shape, new Map(Object.entries(p))));
    expect(read(AdvanceClock.params, { AdvanceSeconds: '0' })).toBe('InvalidParameter');
    expect(read(AdvanceClock.params, { AdvanceSeconds: '-5' })).toBe('InvalidParameter');
    expect(read(AdvanceClock.params, { AdvanceSeconds: '1.5' })).toBe('InvalidParameter');
    expect(read(AdvanceClock.params, {})).toBe('MissingAdvanceSeconds');
    expect(read(SetClock.params, {})).toBe('MissingNow');
    expect(read(SetClock.params, { Now: 'x'.repeat(41) })).toBe('InvalidParameter');
    const ops = clockOperations();
    expect(ops.map((o) => o.decl.name)).toEqual(['DescribeClock', 'AdvanceClock', 'SetClock']);
    for (const o of ops) {
      expect((o.decl.authz as any)({}, { accountId: 'acct' })).toEqual([
        { action: `yunbox:${o.decl.name}`, resource: 'acs:yunbox::acct:clock' },
      ]);
    }
    expect(ops.map((o) => Boolean(o.decl.readOnly))).toEqual([true, false, false]);
  });
});
