/**
 * @module The audit trail (ActionTrail `LookupEvents`, 2020-07-06): every API call, allowed or
 * denied, with its time, principal and source address, action, resource, decision and deciding
 * statement, and RequestId; filterable by time range and one attribute (a list of values for those
 * with few: Decision, EventRW, ServiceName); each row opens to the whole event. The console's own
 * reads (this session's, made to draw its views) are hidden unless asked for: they would bury the
 * calls the user came to look at.
 */
import { getCatalogue, loadSession, rpc } from '../api.js';
import { breakable, count, h, mount, uid, withCode } from '../dom.js';
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

/** Attributes whose values are few: chosen from a list, not typed. */
const CHOICES: Record<string, readonly string[]> = {
  Decision: ['allow', 'implicit-deny', 'explicit-deny', 'none'],
  EventRW: ['Read', 'Write'],
};

/** True for a read made by this console session (its own views and lookups). */
function ownRead(e: any, sessionKeyId: string | undefined): boolean {
  return (
    sessionKeyId !== undefined &&
    e.eventRW === 'Read' &&
    e.userIdentity?.accessKeyId === sessionKeyId
  );
}

/** The trail's identity types, as a person says them. */
const TYPES: Record<string, string> = {
  'root-account': 'root account',
  'ram-user': 'RAM user',
  'assumed-role': 'role session',
  'ecs-instance': 'instance',
  anonymous: 'anonymous',
};

/**
 * Who made the call, in two parts: the name (a role's without its session, a user's, `root`)
 * and what kind of identity it is, with the role session unless it is the instance shown below.
 */
function principal(e: any, instance: string | undefined): [string, string] {
  const u = e.userIdentity ?? {};
  const who = String(u.userName ?? u.principalId ?? '');
  const type = TYPES[String(u.type ?? '')] ?? String(u.type ?? '');
  const colon = who.indexOf(':');
  if (u.type === 'assumed-role' && colon > 0) {
    const session = who.slice(colon + 1);
    return [who.slice(0, colon), session === instance ? type : `${type} ${session}`];
  }
  return [who, type];
}

/**
 * A resource ARN without its `acs:service:region:account:` head (the account is the user's own,
 * the service is in the Action column): `ramroletest/denied.txt`, `role/EcsRamRoleTest`.
 */
export function shortResource(arn: string): string {
  const parts = arn.split(':');
  return parts.length >= 5 && parts[0] === 'acs' ? parts.slice(4).join(':') || arn : arn;
}

/** Longest event name kept on one line; longer ones (`DescribeInstanceMetadataCredential`) may wrap. */
const LONG_NAME = 20;

/**
 * An event name as code: on one line, or, when longer than {@link LONG_NAME}, with a break
 * opportunity between its words (`DescribeInstance|Metadata|Credential`), shown with the lines
 * after the first indented so that it still reads as one name.
 */
function eventName(name: string): HTMLElement {
  if (name.length <= LONG_NAME) return h('code', {}, name);
  const words = name.split(/(?=[A-Z][a-z])/);
  return h(
    'code',
    { class: 'long-name' },
    words.map((w, i) => [i ? h('wbr') : null, w]),
  );
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
  const choices: Record<string, readonly string[]> = {
    ...CHOICES,
    ServiceName: [...catalogue.products.map((p) => p.product), 'Yunbox'],
  };
  const valueHost = h('span', { class: 'trail-value' });
  let value: HTMLInputElement | HTMLSelectElement;
  /** The value control fitting the chosen attribute, keeping `initial` when it fits. */
  const valueControl = (initial: string) => {
    const list = choices[key.value];
    value = list
      ? h(
          'select',
          { id: ids.value },
          h('option', { value: '' }, '(choose)'),
          list.map((c) => h('option', { value: c, selected: c === initial }, c)),
        )
      : // Wide enough for an event name or a request id, whole.
        h('input', { id: ids.value, type: 'text', value: initial, autocomplete: 'off', size: 36 });
    mount(valueHost, value);
  };
  valueControl(params.get('value') ?? '');
  key.addEventListener('change', () => valueControl(value.value));
  const ownReads = h('input', { id: uid('t'), type: 'checkbox', class: 'own-reads' });
  ownReads.addEventListener('change', () => void search(false));
  const max = h('input', { id: ids.max, type: 'text', inputmode: 'numeric', value: '50', size: 4 });
  const results = h('div', { class: 'trail-results' });
  const rowsBody = h('tbody', {});
  let next: string | undefined;
  let hidden = 0;

  const row = (e: any) => {
    const d = e.additionalEventData ?? {};
    const details = h(
      'tr',
      { class: 'event-details', hidden: true },
      h('td', { colspan: 7 }, jsonBlock(e, `event ${e.eventId ?? ''}`)),
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
    const resource = String(d.Resource ?? e.resourceName ?? '');
    return [
      h(
        'tr',
        { class: `event ${decision}`, 'data-event': e.eventName, 'data-decision': decision },
        h(
          'td',
          { class: 'nowrap' },
          h('time', { datetime: e.eventTime }, when(e.eventTime).replace(/ UTC$/, '')),
        ),
        h(
          'td',
          {},
          h('span', { class: 'nowrap' }, principal(e, d.Instance)[0]),
          h('br'),
          h(
            'span',
            { class: 'muted' },
            principal(e, d.Instance)[1],
            e.sourceIpAddress ? ` from ${e.sourceIpAddress}` : '',
          ),
          // The instance a call came from, unless it is the caller's name already.
          d.Instance && d.Instance !== principal(e, d.Instance)[0]
            ? [
                h('br'),
                h(
                  'span',
                  { class: 'muted' },
                  'instance ',
                  h('span', { class: 'nowrap' }, d.Instance),
                ),
              ]
            : null,
        ),
        // The event name goes under its service when the column is narrow; it is read whole
        // (`DeleteBucket`, never `Delete` over `Bucket`) unless it is longer than the column is
        // wide, when it wraps between its words with the rest indented (see eventName).
        h(
          'td',
          { class: 'action' },
          h('span', { class: 'muted' }, `${e.serviceName ?? ''}:`),
          h('wbr'),
          eventName(String(e.eventName ?? '')),
        ),
        // A long resource wraps between its parts (`ramroletest/` `denied.txt`), not inside one.
        h(
          'td',
          { class: 'resource' },
          resource ? h('code', { title: resource }, breakable(shortResource(resource))) : '',
        ),
        h(
          'td',
          {},
          h('span', { class: `decision ${decision}` }, decision),
          // `InvalidPassword.` `Malformed`: an error code wraps at its dots only.
          e.errorCode
            ? [h('br'), h('span', { class: 'muted' }, breakable(String(e.errorCode), '.'))]
            : null,
        ),
        h('td', { class: 'decided-by' }, withCode(String(d.DecidedBy ?? ''), breakable)),
        // Its first group is enough to tell rows apart; the whole id is in the tooltip and details,
        // opened by the button under it.
        h(
          'td',
          { class: 'request' },
          e.requestId
            ? h(
                'code',
                { class: 'request-id', title: e.requestId },
                `${String(e.requestId).split('-')[0]}…`,
              )
            : '',
          h('br'),
          toggle,
        ),
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
      hidden = 0;
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
      const keyId = loadSession()?.AccessKeyId;
      for (const e of events) {
        if (!ownReads.checked && ownRead(e, keyId)) hidden += 1;
        else rowsBody.append(...row(e));
      }
      next = r.json?.NextToken || undefined;
      mount(
        results,
        h(
          'table',
          { class: 'trail' },
          h(
            'caption',
            {},
            count(rowsBody.querySelectorAll('tr.event').length, 'event'),
            hidden
              ? [
                  ` · ${hidden} of the console’s own reads hidden · `,
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'small link show-own-reads',
                      onclick: () => {
                        ownReads.checked = true;
                        void search(false);
                      },
                    },
                    'show',
                  ),
                ]
              : '',
          ),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                'Time (UTC)',
                'Principal',
                'Action',
                'Resource',
                'Decision',
                'Decided by',
                'RequestId',
              ].map((x) => h('th', { scope: 'col' }, x)),
            ),
          ),
          rowsBody.childElementCount
            ? rowsBody
            : h(
                'tbody',
                {},
                h(
                  'tr',
                  {},
                  h(
                    'td',
                    { colspan: 7, class: 'empty' },
                    'No events match. Calls appear here as they are made: try one in the ',
                    h('a', { href: '#/explorer' }, 'API explorer'),
                    '.',
                  ),
                ),
              ),
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
      // Each label stays with its control when the line wraps.
      h('span', { class: 'pair' }, h('label', { for: ids.start }, 'From (UTC)'), start),
      h('span', { class: 'pair' }, h('label', { for: ids.end }, 'To (UTC)'), end),
      h('span', { class: 'pair' }, h('label', { for: ids.key }, 'Attribute'), key),
      h('span', { class: 'pair' }, h('label', { for: ids.value }, 'Value'), valueHost),
      h('span', { class: 'pair' }, h('label', { for: ids.max }, 'Per page'), max),
      h('button', { type: 'submit', class: 'primary' }, 'Search'),
      h(
        'span',
        { class: 'check' },
        ownReads,
        h('label', { for: ownReads.id }, 'show this console’s own reads'),
      ),
    ),
    results,
  );
  await search(false);
}
