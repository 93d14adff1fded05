/**
 * @module Every RPC product as declared, without a database: for generated docs and the console's
 * forms (handlers are bound to a store that is never opened).
 */
import type { RpcProduct } from '../protocol/rpc-operation.js';
import type { Db } from '../store/db.js';
import { createServices } from './index.js';

/** The declared products (their handlers must not be called). */
export function allDeclaredProducts(): RpcProduct[] {
  const unusable = new Proxy({} as Db, {
    get() {
      throw new Error('the catalogue has no database');
    },
  });
  return createServices(unusable).products;
}
