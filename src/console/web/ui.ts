/**
 * @module Shared pieces of the views: the result of a call (request as signed, secrets masked; response, RequestId,
 * and for a denial which policy decided), plain error boxes (the server's `Code` and `Message`,
 * never a stack trace), and small helpers for calls made by the resource views.
 */
import { ApiError, type CallResult } from './api.js';
import { h, mount, type Child } from './dom.js';
import { jsonBlock } from './highlight.js';
import { requestText } from './params.js';
import { formatXml } from './xml-format.js';
import { xmlSegments } from './xml-links.js';

/** A plain error box: code and message. */
export function errorBox(code: string, message: string): HTMLElement {
  return h(
    'div',
    { class: 'error-box', role: 'alert' },
    h('strong', { class: 'code' }, code),
    ': ',
    message,
  );
}

/** An error box for anything thrown (only its message is shown). */
export function thrownBox(e: unknown): HTMLElement {
  if (e instanceof ApiError) return errorBox(e.code, e.message);
  const message = e instanceof Error ? e.message : String(e);
  return errorBox('PageError', `the page could not do this: ${message}`);
}

/** The explanation of a denial: decision, action, resource, and the policies that decided. */
export function denialBox(r: CallResult): HTMLElement | null {
  const x = r.error?.explanation;
  if (!x) return null;
  return h(
    'section',
    { class: 'denial', 'aria-label': 'why it was denied' },
    h('h4', {}, 'Why it was denied'),
    h(
      'dl',
      {},
      x.decision ? [h('dt', {}, 'Decision'), h('dd', {}, x.decision)] : null,
      x.action ? [h('dt', {}, 'Action'), h('dd', {}, h('code', {}, x.action))] : null,
      x.resource ? [h('dt', {}, 'Resource'), h('dd', {}, h('code', {}, x.resource))] : null,
    ),
    h('p', { class: 'explanation' }, x.explanation),
    x.matched.length
      ? h(
          'table',
          {},
          h('caption', {}, 'Deciding statements'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Policy', 'Type', 'Version', 'Statement', 'Effect'].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            x.matched.map((m) =>
              h(
                'tr',
                {},
                h('td', {}, String(m.PolicyIdentifier ?? '')),
                h('td', {}, String(m.PolicyType ?? '')),
                h('td', {}, String(m.PolicyVersion ?? '')),
                h(
                  'td',
                  {},
                  `#${String(m.StatementIndex ?? '')}${m.Sid ? ` (${String(m.Sid)})` : ''}`,
                ),
                h('td', {}, String(m.Effect ?? '')),
              ),
            ),
          ),
        )
      : null,
  );
}

/**
 * An XML body formatted one element a line, the buckets, keys, prefixes and ids it names linked to
 * their views (`bucket`: the one the request was about).
 */
export function xmlBlock(text: string, bucket?: string): HTMLPreElement {
  return h(
    'pre',
    { class: 'raw xml', tabindex: 0, 'aria-label': 'response body' },
    xmlSegments(formatXml(text), bucket).map((s) =>
      typeof s === 'string' ? s : h('a', { href: `#${s.route}`, class: 'id-link' }, s.text),
    ),
  );
}

/**
 * The full result panel of a call; `bucket` (an OSS call's) is where keys in an XML answer are
 * found when the answer does not say.
 */
export function resultPanel(r: CallResult, bucket?: string): HTMLElement {
  const body: Child =
    r.json !== undefined
      ? jsonBlock(r.json, 'response body', true)
      : r.text.trimStart().startsWith('<')
        ? xmlBlock(r.text, bucket)
        : h('pre', { class: 'raw', tabindex: 0 }, r.text || '(empty body)');
  return h(
    'section',
    { class: `result ${r.ok ? 'ok' : 'failed'}`, 'aria-label': 'result', 'aria-live': 'polite' },
    h(
      'h3',
      {},
      'Response ',
      h(
        'span',
        { class: `status ${r.ok ? 'ok' : 'err'}`, 'data-status': r.status },
        r.status === 0 ? 'no answer' : String(r.status),
      ),
      r.requestId ? [' RequestId ', h('code', { class: 'request-id' }, r.requestId)] : null,
    ),
    r.error ? errorBox(r.error.code, r.error.message) : null,
    denialBox(r),
    h('details', { open: true }, h('summary', {}, 'Response body'), body),
    h(
      'details',
      // Collapsed: the response is what the user came for; the signature is there when asked.
      { class: 'signed-request' },
      h('summary', {}, 'Request as signed'),
      h('pre', { class: 'raw', tabindex: 0 }, requestText(r.request)),
      r.request.canonicalRequest
        ? h(
            'details',
            {},
            h('summary', {}, 'Canonical request and string to sign'),
            h(
              'pre',
              { class: 'raw', tabindex: 0 },
              `${r.request.canonicalRequest}\n\n${r.request.stringToSign ?? ''}`,
            ),
          )
        : null,
    ),
  );
}

/** A "loading" line. */
export function loading(what: string): HTMLElement {
  return h('p', { class: 'muted', role: 'status' }, `Loading ${what}…`);
}

/** Throws the call's error as an {@link ApiError}; returns its JSON otherwise. */
export function must(r: CallResult): any {
  if (r.error) throw new ApiError(r.error.code, r.error.message);
  return r.json;
}

/** A definition list from pairs (empty values skipped). */
export function facts(pairs: Array<[string, Child]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    pairs
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

/** Local display of an ISO time: `2026-01-01 06:00:00 UTC`. */
export function when(iso: string | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t)
    ? iso
    : new Date(t)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, ' UTC');
}

/**
 * A button that asks before it acts: the first click shows the question with "Yes" and "Cancel"
 * in its place; "Yes" runs `action` (the view redraws itself after).
 */
export function confirmButton(
  label: string,
  ariaLabel: string,
  question: string,
  action: () => Promise<void>,
): HTMLElement {
  const host = h('span', { class: 'confirm' });
  const ask = () => {
    const yes = h(
      'button',
      {
        type: 'button',
        class: 'small danger',
        onclick: () => {
          yes.disabled = true;
          void action().finally(() => host.isConnected && idle());
        },
      },
      'Yes, delete',
    );
    mount(
      host,
      h('span', { class: 'question' }, question, ' '),
      yes,
      h('button', { type: 'button', class: 'small', onclick: idle }, 'Cancel'),
    );
    yes.focus();
  };
  const idle = () =>
    mount(
      host,
      h('button', { type: 'button', class: 'small', 'aria-label': ariaLabel, onclick: ask }, label),
    );
  idle();
  return host;
}

/** A "Copy" button that puts `text` on the clipboard and says whether it could. */
export function copyButton(text: string, label = 'Copy link'): HTMLElement {
  const out = h('span', { class: 'muted', role: 'status' });
  return h(
    'span',
    { class: 'copy-button' },
    h(
      'button',
      {
        type: 'button',
        class: 'small',
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(text);
            mount(out, ' copied');
          } catch {
            mount(out, ' select the text and copy it (no clipboard here)');
          }
        },
      },
      label,
    ),
    out,
  );
}
