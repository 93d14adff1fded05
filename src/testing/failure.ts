/**
 * @module What a call that should fail failed with, for tests: the error itself
 * ({@link failure}), an SDK call's outcome as one comparable string ({@link outcome}), and a
 * handler's {@link ServiceError} code ({@link serviceCode}).
 */
import { ServiceError } from '../kernel/errors.js';

/**
 * The error `p` rejects with; a `p` that resolves fails the test.
 * @example
 * const e = await failure(ram.getRole(new $Ram.GetRoleRequest({ roleName: 'nope' })));
 * expect([e.statusCode, e.code]).toEqual([404, 'EntityNotExist.Role']);
 */
export async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/**
 * How an official SDK call ended: `'ok'`, or the HTTP status and error code, as
 * `'409 EntityAlreadyExists.Role'`.
 * @example
 * expect(await outcome(ram.createUser(new $Ram.CreateUserRequest({ userName: 'dev' })))).toBe(
 *   '409 EntityAlreadyExists.User',
 * );
 */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e: any) {
    return `${e.statusCode} ${e.code}`;
  }
  return 'ok';
}

/**
 * How a handler called directly ended: `'ok'`, or the code of the {@link ServiceError} it threw
 * (anything else is rethrown).
 * @example
 * expect(await serviceCode(setClock(ctx, { Now: 'earlier' }))).toBe('InvalidNow.BeforeCurrentTime');
 */
export async function serviceCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ServiceError) return e.code;
    throw e;
  }
  return 'ok';
}

/**
 * The {@link ServiceError} code `fn` throws, or `'ok'` when it returns (anything else is
 * rethrown): {@link serviceCode} for synchronous code such as parameter parsing.
 * @example
 * expect(thrownCode(() => readParams(SetClock.params, new Map()))).toBe('MissingNow');
 */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e.code;
    throw e;
  }
  return 'ok';
}
