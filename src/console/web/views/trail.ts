/**
 * @module The audit trail (ActionTrail `LookupEvents`, 2020-07-06): every API call, allowed or
 * denied, with its time, principal, action, resource, decision and deciding statement, source
 * address and RequestId; filterable by time range and one attribute; each row opens to the whole
 * event.
 */
import { getCatalogue, rpc } from '../api.js';
import { h, mount, uid } from '../dom.js';
import { jsonBlock } from '../highlight.js';
import { errorBox, loading, thrownBox, when } from '../ui.js';

const VERSION = '2020-07-06';
const KEYS = [
  'EventName',
  'UserName',
  'RoleName',
  'EventAccessKeyId',
  'ResourceName',
  'ServiceName',
  'SourceIpAddress',
  'RequestId',
  'ErrorCode',
  'Decision',
  'Instance',
  'EventRW',
];

function principal(e: any): string {
  const u = e.userIdentity ?? {};
  const who = u.userName ?? u.principalId ?? '';
  return `${u.type ?? ''}${who ? `: ${who}` : ''}`;
}

function isoOf(local: string): string | undefined {
  // <input type=datetime-local> gives `YYYY-MM-DDTHH:MM`, read as UTC (the server clock's zone).
  if (!local) return undefined;
  const t = Date.parse(local.length === 16 ? `${local}:00Z` : `${local}Z`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The trail view; `params` may carry `key` and `value` to filter by. */
export async function trailView(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const catalogue = await getCatalogue();
  if (!catalogue.products.some((p) => p.product === 'Actiontrail' && p.version === VERSION)) {
    mount(
      root,
      h('h2', {}, 'Audit trail'),
      errorBox(
        'NotAvailable',
        'this server has no audit trail (ActionTrail LookupEvents 2020-07-06)',
      ),
    );
    return;
  }
  const ids = { start: uid('t'), end: uid('t'), key: uid('t'), value: uid('t'), max: uid('t') };
  const start = h('input', { id: ids.start, type: 'datetime-local', step: 1 });
  const end = h('input', { id: ids.end, type: 'datetime-local', step: 1 });
  const key = h(
    'select',
    { id: ids.key },
    h('option', { value: '' }, '(any)'),
    KEYS.map((k) => h('option', { value: k, selected: k === params.get('key') }, k)),
  );
  const value = h('input', {
    id: ids.value,
    type: 'text',
    value: params.get('value') ?? '',
    autocomplete: 'off',
  });
  const max = h('input', { id: ids.max, type: 'text', inputmode: 'numeric', value: '50', size: 4 });
  const results = h('div', {});
  const rowsBody = h('tbody', {});
  let next: string | undefined;

  const row = (e: any) => {
    const d = e.additionalEventData ?? {};
    const details = h(
      'tr',
      { class: 'event-details', hidden: true },
      h('td', { colspan: 9 }, jsonBlock(e, `event ${e.eventId ?? ''}`)),
    );
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'small',
        'aria-expanded': 'false',
        'aria-label': `details of ${e.eventName} ${e.requestId ?? ''}`,
      },
      'Details',
    );
    toggle.addEventListener('click', () => {
      details.hidden = !details.hidden;
      toggle.setAttribute('aria-expanded', String(!details.hidden));
    });
    const decision = String(d.Decision ?? '');
    return [
      h(
        'tr',
        { class: `event ${decision}`, 'data-event': e.eventName, 'data-decision': decision },
        h('td', {}, h('time', { datetime: e.eventTime }, when(e.eventTime))),
        h(
          'td',
          {},
          principal(e),
          d.Instance ? [h('br'), h('span', { class: 'muted' }, `instance ${d.Instance}`)] : null,
        ),
        h('td', {}, h('code', {}, `${e.serviceName ?? ''}:${e.eventName ?? ''}`)),
        h('td', { class: 'resource' }, h('code', {}, d.Resource ?? e.resourceName ?? '')),
        h(
          'td',
          {},
          h('span', { class: `decision ${decision}` }, decision),
          e.errorCode ? [h('br'), h('span', { class: 'muted' }, e.errorCode)] : null,
        ),
        h('td', { class: 'decided-by' }, d.DecidedBy ?? ''),
        h('td', {}, e.sourceIpAddress ?? ''),
        h('td', {}, h('code', { class: 'request-id' }, e.requestId ?? '')),
        h('td', {}, toggle),
      ),
      details,
    ];
  };

  const search = async (more: boolean) => {
    const q: Array<[string, string]> = [['MaxResults', max.value.trim() || '50']];
    const s = isoOf(start.value);
    const t = isoOf(end.value);
    if (s) q.push(['StartTime', s]);
    if (t) q.push(['EndTime', t]);
    if (key.value && value.value)
      q.push(['LookupAttribute.1.Key', key.value], ['LookupAttribute.1.Value', value.value]);
    if (more && next) q.push(['NextToken', next]);
    if (!more) {
      rowsBody.replaceChildren();
      mount(results, loading('events'));
    }
    try {
      const r = await rpc(VERSION, 'LookupEvents', q);
      if (r.error) {
        mount(results, errorBox(r.error.code, r.error.message));
        return;
      }
      const events: any[] = r.json?.Events ?? [];
      for (const e of events) rowsBody.append(...row(e));
      next = r.json?.NextToken || undefined;
      mount(
        results,
        h(
          'table',
          { class: 'trail' },
          h('caption', {}, `${rowsBody.querySelectorAll('tr.event').length} event(s)`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                'Time',
                'Principal',
                'Action',
                'Resource',
                'Decision',
                'Decided by',
                'Source',
                'RequestId',
                '',
              ].map((x) => h('th', { scope: 'col' }, x)),
            ),
          ),
          rowsBody,
        ),
        next
          ? h('button', { type: 'button', onclick: () => void search(true) }, 'Load more')
          : null,
      );
    } catch (e) {
      mount(results, thrownBox(e));
    }
  };

  mount(
    root,
    h('h2', {}, 'Audit trail'),
    h(
      'form',
      {
        class: 'trail-filter',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void search(false);
        },
      },
      h('label', { for: ids.start }, 'From (UTC)'),
      start,
      h('label', { for: ids.end }, 'To (UTC)'),
      end,
      h('label', { for: ids.key }, 'Attribute'),
      key,
      h('label', { for: ids.value }, 'Value'),
      value,
      h('label', { for: ids.max }, 'Per page'),
      max,
      h('button', { type: 'submit', class: 'primary' }, 'Search'),
    ),
    results,
  );
  await search(false);
}
