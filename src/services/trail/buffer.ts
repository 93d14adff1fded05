/**
 * @module The trail's bounded buffer: events as requests are answered, waiting for the writer,
 * each serialised (one JSON text) or, for OSS requests, in compact form (compact.ts: an array of
 * the strings the event is made of, its first element its size). It knows nothing of the events'
 * fields, only their count and size, so a field added to the model needs no change here.
 *
 * Two bounds, by count and by bytes (UTF-16 length, an upper bound of neither-here-nor-there
 * precision but free to read):
 * - the *high water mark* (half of each bound): past it the buffer is {@link EventBuffer.full},
 *   and the gateway makes new requests wait ({@link EventBuffer.room}) until the writer has taken
 *   events below it again: back-pressure, so an answered request's event is never dropped
 *   because the writer fell behind;
 * - the *hard bound*: reached only when the writer has failed for long (the store unavailable)
 *   while waits timed out; past it the oldest events are dropped, counted, and the recorder warns.
 *
 * Events leave in the order they came ({@link EventBuffer.take}); a batch that failed to be
 * written goes back to the front ({@link EventBuffer.putBack}).
 */

import { boundEvent } from './bound.js';
import { compactSize, readCompact, type CompactOss } from './compact.js';
import type { TrailEvent } from './model.js';

/** One event waiting: its JSON text, or an OSS event in compact form (compact.ts). */
export type BufferedEvent = string | CompactOss;

/** UTF-16 code units of `t` (a compact event's estimate). */
function sizeOf(t: BufferedEvent): number {
  return typeof t === 'string' ? t.length : compactSize(t);
}

/** Bounds of an {@link EventBuffer}. */
export interface EventBufferBounds {
  /** Most events held (default 20,000); new requests wait past half of it. */
  maxEvents: number;
  /** Most UTF-16 code units of serialised events held (default 32 Mi: 32–96 MiB of UTF-8). */
  maxChars: number;
}

/** Default bounds: a few seconds of the fastest load this machine serves, a few MB at most. */
export const DEFAULT_BUFFER_BOUNDS: Readonly<EventBufferBounds> = Object.freeze({
  maxEvents: 20_000,
  maxChars: 32 * 1024 * 1024,
});

/** A FIFO of serialised events, bounded by count and size (see the module comment). */
export class EventBuffer {
  readonly #maxEvents: number;
  readonly #maxChars: number;
  #items: BufferedEvent[] = [];
  #head = 0;
  #chars = 0;
  #waiters: Array<() => void> = [];

  constructor(bounds: Partial<EventBufferBounds> = {}) {
    this.#maxEvents = Math.max(2, bounds.maxEvents ?? DEFAULT_BUFFER_BOUNDS.maxEvents);
    this.#maxChars = Math.max(2, bounds.maxChars ?? DEFAULT_BUFFER_BOUNDS.maxChars);
  }

  /** Events held. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** UTF-16 code units of the events held. */
  get chars(): number {
    return this.#chars;
  }

  /** True past the high water mark: new requests should wait for {@link room}. */
  get full(): boolean {
    return this.length * 2 >= this.#maxEvents || this.#chars * 2 >= this.#maxChars;
  }

  /**
   * Appends one serialised event; returns how many of the oldest were dropped to stay within the
   * hard bound (0 but when the writer has been failing for long).
   */
  push(text: BufferedEvent): number {
    this.#items.push(text);
    this.#chars += sizeOf(text);
    let dropped = 0;
    while (this.length > 1 && (this.length > this.#maxEvents || this.#chars > this.#maxChars)) {
      this.#chars -= sizeOf(this.#items[this.#head]!);
      this.#items[this.#head++] = '';
      dropped++;
    }
    if (dropped > 0) this.#compact();
    return dropped;
  }

  /** Takes up to `n` of the oldest events (and at most `maxChars` of them, but always one). */
  take(n: number, maxChars = Infinity): BufferedEvent[] {
    const out: BufferedEvent[] = [];
    let chars = 0;
    while (out.length < n && this.length > 0) {
      const t = this.#items[this.#head]!;
      const size = sizeOf(t);
      if (out.length > 0 && chars + size > maxChars) break;
      chars += size;
      out.push(t);
      this.#items[this.#head++] = '';
    }
    this.#chars -= chars;
    this.#compact();
    if (!this.full) this.#wake();
    return out;
  }

  /**
   * Puts a batch that could not be written back at the front, oldest first; returns how many of
   * the oldest were then dropped to stay within the hard bound.
   */
  putBack(batch: readonly BufferedEvent[]): number {
    if (batch.length === 0) return 0;
    this.#items = [...batch, ...this.#items.slice(this.#head)];
    this.#head = 0;
    for (const t of batch) this.#chars += sizeOf(t);
    let dropped = 0;
    while (this.length > 1 && (this.length > this.#maxEvents || this.#chars > this.#maxChars)) {
      this.#chars -= sizeOf(this.#items[this.#head]!);
      this.#items[this.#head++] = '';
      dropped++;
    }
    this.#compact();
    return dropped;
  }

  /**
   * Resolves once the buffer is below its high water mark (at once when it is), or after
   * `timeoutMs` (then with `false`), so a stalled writer slows requests down without hanging them.
   */
  room(timeoutMs: number): Promise<boolean> {
    if (!this.full) return Promise.resolve(true);
    return new Promise((resolve) => {
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      // Not unref'd: a request waits here, and the writer's timers (which are) must get to run.
      const wake = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(wake);
    });
  }

  /** Releases every waiter (closing). */
  release(): void {
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * The events of {@link TrailStore.appendSerialised}'s lines, each bounded as the trail keeps it
 * (bound.ts `boundEvent`: here, in the writer, rather than on the serving thread). A line that is
 * not an event's JSON (it cannot be: the recorder wrote it) is skipped rather than failing the
 * batch's other events.
 */
export function parseSerialised(lines: string): TrailEvent[] {
  const out: TrailEvent[] = [];
  let start = 0;
  while (start < lines.length) {
    let end = lines.indexOf('\n', start);
    if (end < 0) end = lines.length;
    if (end > start) {
      try {
        out.push(boundEvent(JSON.parse(lines.slice(start, end)) as TrailEvent));
      } catch {
        /* INVARIANT: the recorder writes JSON.stringify output; never reached */
      }
    }
    start = end + 1;
  }
  return out;
}

/**
 * The events of a batch taken from the buffer ({@link TrailStore.appendBatch}), each bounded as
 * the trail keeps it (bound.ts `boundEvent`), in order: JSON texts parsed, compact OSS events
 * built (compact.ts `readCompact`, the writer's share of recording them). One that cannot be
 * read (it cannot happen: the recorder made it) is skipped rather than failing the others.
 */
export function parseBatch(batch: readonly BufferedEvent[]): TrailEvent[] {
  const out: TrailEvent[] = [];
  for (const t of batch) {
    try {
      out.push(boundEvent(typeof t === 'string' ? (JSON.parse(t) as TrailEvent) : readCompact(t)));
    } catch {
      /* INVARIANT: JSON.stringify output, or compact facts ossEvent takes; never reached */
    }
  }
  return out;
}
