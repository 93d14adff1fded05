/**
 * @module The console page: sign-in, then a shell (identity, session expiry, the server's clock
 * with its manual controls, sign-out, navigation) around one view at a time, chosen by the URL
 * fragment (`#/explorer`, `#/roles/<name>`, `#/buckets/<name>?prefix=…`, `#/trail`, …). Errors are
 * shown as the server's code and message, never as a stack trace.
 */
import {
  advanceClock,
  ApiError,
  clearSession,
  loadSession,
  onClock,
  onSessionExpired,
  readClock,
  serverNowSync,
  signIn,
  type ServerClock,
} from './api.js';
import { h, mount, uid } from './dom.js';
import { errorBox, thrownBox } from './ui.js';
import { accountsView } from './views/accounts.js';
import { networkView, instancesView } from './views/compute.js';
import { explorerView } from './views/explorer.js';
import { policiesView, rolesView, usersView } from './views/iam.js';
import { bucketView, bucketsView } from './views/storage.js';
import { trailView } from './views/trail.js';

const app = document.getElementById('app')!;
let notice: string | undefined;

const NAV: Array<[string, string]> = [
  ['/explorer', 'API explorer'],
  ['/roles', 'Roles'],
  ['/policies', 'Policies'],
  ['/users', 'Users and keys'],
  ['/network', 'VPCs and vSwitches'],
  ['/instances', 'Instances'],
  ['/buckets', 'Buckets'],
  ['/trail', 'Audit trail'],
  ['/accounts', 'Accounts'],
];

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseSpan(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const re = /(\d+)(d|h|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let used = 0;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * { d: 86400, h: 3600, m: 60, s: 1 }[m[2] as 'd'];
    used = re.lastIndex;
  }
  return used === t.length && used > 0 ? total : undefined;
}

function signInView(): void {
  const idId = uid('ak');
  const secretId = uid('sk');
  const id = h('input', {
    id: idId,
    name: 'accessKeyId',
    type: 'text',
    autocomplete: 'username',
    spellcheck: 'false',
    required: true,
  });
  const secret = h('input', {
    id: secretId,
    name: 'accessKeySecret',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const out = h('div', { role: 'status' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  mount(
    app,
    h(
      'main',
      { class: 'signin' },
      h('h1', {}, 'yunbox console'),
      h(
        'p',
        {},
        'Sign in with an AccessKey pair of the root account or of a RAM user. The page then works with temporary credentials of that identity (1 hour); the secret is checked once and not kept.',
      ),
      notice ? errorBox('SignedOut', notice) : null,
      h(
        'form',
        {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            submit.disabled = true;
            mount(out, 'Signing in…');
            try {
              await signIn(id.value.trim(), secret.value);
              secret.value = '';
              notice = undefined;
              if (!location.hash || location.hash === '#/') location.hash = '#/explorer';
              shell();
            } catch (err) {
              mount(
                out,
                err instanceof ApiError ? errorBox(err.code, err.message) : thrownBox(err),
              );
              secret.focus();
            } finally {
              submit.disabled = false;
            }
          },
        },
        h('label', { for: idId }, 'AccessKey ID'),
        id,
        h('label', { for: secretId }, 'AccessKey secret'),
        secret,
        submit,
        out,
      ),
    ),
  );
  id.focus();
}

function signOut(why?: string): void {
  clearSession();
  notice = why;
  signInView();
}

let clockTimer: ReturnType<typeof setInterval> | undefined;

function clockBar(): HTMLElement {
  const time = h('time', { id: 'server-clock', 'aria-live': 'off' });
  const mode = h('span', { class: 'clock-mode' });
  const spanId = uid('adv');
  const span = h('input', {
    id: spanId,
    type: 'text',
    size: 4,
    value: '1h',
    title: 'advance by: seconds, or a span such as 30m, 6h, 1h30m',
    'aria-describedby': `${spanId}-hint`,
  });
  const out = h('span', { class: 'clock-out', role: 'status' });
  const advance = async (seconds: number | undefined) => {
    if (seconds === undefined || seconds <= 0) {
      mount(out, errorBox('InvalidInput', 'give a span such as `90`, `30m`, `6h` or `1h30m`'));
      return;
    }
    try {
      await advanceClock(seconds);
      mount(out);
      // Views showing time-dependent state (credential windows, instance states, the trail) are
      // drawn again; the explorer is not: its form is the user's work in progress, and a move made
      // while filling it in must not reset it.
      if (!isExplorerRoute()) window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (e) {
      mount(out, thrownBox(e));
    }
  };
  const manual = h(
    'span',
    { class: 'clock-manual', hidden: true },
    h('button', { type: 'button', class: 'small', onclick: () => void advance(60) }, '+1 min'),
    h('button', { type: 'button', class: 'small', onclick: () => void advance(3600) }, '+1 h'),
    h('button', { type: 'button', class: 'small', onclick: () => void advance(6 * 3600) }, '+6 h'),
    h('label', { for: spanId, class: 'visually-hidden' }, 'Advance by'),
    span,
    h(
      'button',
      {
        type: 'button',
        class: 'small',
        id: 'clock-advance',
        onclick: () => void advance(parseSpan(span.value)),
      },
      'Advance',
    ),
    h(
      'span',
      { id: `${spanId}-hint`, class: 'visually-hidden' },
      'seconds, or a span such as 30m, 6h, 1h30m',
    ),
  );
  const show = (c?: ServerClock) => {
    if (c) {
      mode.textContent = c.mode === 'manual' ? '(manual)' : '(system)';
      mode.title =
        c.mode === 'manual'
          ? 'manual clock: it moves only when advanced'
          : 'system clock: the host’s time';
      manual.hidden = c.mode !== 'manual';
    }
    const now = serverNowSync();
    time.dateTime = iso(now);
    time.textContent = iso(now).replace('T', ' ').replace('Z', ' UTC');
    // Sessions live on real time: moving the server's clock never ends one.
    const s = loadSession();
    if (s && Date.now() >= (s.EndsAt ?? Date.parse(s.Expiration)))
      signOut('your session expired: sign in again');
  };
  onClock(show);
  if (clockTimer) clearInterval(clockTimer);
  clockTimer = setInterval(() => show(), 1000);
  void readClock().catch(() =>
    mount(out, errorBox('NetworkError', 'the server clock could not be read')),
  );
  return h(
    'div',
    { class: 'clock', 'aria-label': 'server clock' },
    'Server time ',
    time,
    ' ',
    mode,
    manual,
    out,
  );
}

function shell(): void {
  const s = loadSession();
  if (!s) return signInView();
  const main = h('main', { id: 'view', tabindex: -1 });
  const nav = h(
    'nav',
    { 'aria-label': 'views' },
    h(
      'ul',
      {},
      NAV.map(([route, label]) =>
        h('li', {}, h('a', { href: `#${route}`, 'data-route': route }, label)),
      ),
    ),
  );
  mount(
    app,
    h(
      'a',
      {
        href: '#view',
        class: 'skip',
        onclick: (e: Event) => {
          // The fragment is the router's: focus the content instead of navigating.
          e.preventDefault();
          main.focus();
        },
      },
      'Skip to content',
    ),
    h(
      'header',
      {},
      h('h1', {}, 'yunbox console'),
      clockBar(),
      h(
        'div',
        { class: 'who' },
        h(
          'span',
          { id: 'identity', title: s.Identity.Arn },
          s.Identity.UserName
            ? `RAM user ${s.Identity.UserName}`
            : `root account ${s.Identity.AccountId}`,
        ),
        // Short, so that the header keeps to one line; the full end is the tooltip.
        h(
          'span',
          {
            class: 'muted session-end',
            title: `session until ${s.Expiration.replace('T', ' ').replace('Z', ' UTC')} (real time)`,
          },
          ` · until ${s.Expiration.slice(11, 16)} UTC`,
        ),
        h(
          'button',
          { type: 'button', class: 'small', id: 'sign-out', onclick: () => signOut() },
          'Sign out',
        ),
      ),
    ),
    h('div', { class: 'body' }, nav, main),
  );
  void route();
}

/** True when the page shows the explorer (its route, or no route at all). */
function isExplorerRoute(): boolean {
  const path = location.hash.replace(/^#/, '').split('?')[0] ?? '';
  return path === '' || path === '/explorer' || path.startsWith('/explorer/');
}

async function route(): Promise<void> {
  const main = document.getElementById('view');
  if (!main || !loadSession()) return;
  const raw = location.hash.replace(/^#/, '') || '/explorer';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  const parts = path
    .split('/')
    .filter((x) => x !== '')
    .map(decodeURIComponent);
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-route]')) {
    if (`/${parts[0] ?? 'explorer'}` === a.dataset.route) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // Each navigation renders into a fresh host: a slower view of an earlier navigation (or its
  // refresh) then fills a detached element instead of overwriting this one.
  const host = h('div', { class: 'view' });
  mount(main, host);
  try {
    switch (parts[0] ?? 'explorer') {
      case 'explorer':
        await explorerView(host, params);
        break;
      case 'roles':
        await rolesView(host, parts[1]);
        break;
      case 'policies':
        await policiesView(host, parts[1], parts[2], params);
        break;
      case 'users':
        await usersView(host, parts[1]);
        break;
      case 'network':
        await networkView(host);
        break;
      case 'instances':
        await instancesView(host);
        break;
      case 'buckets':
        if (parts[1]) await bucketView(host, parts[1], params.get('prefix') ?? '');
        else await bucketsView(host);
        break;
      case 'trail':
        await trailView(host, params);
        break;
      case 'accounts':
        await accountsView(host);
        break;
      default:
        mount(host, errorBox('NotFound', `no such view \`${path}\``));
    }
  } catch (e) {
    mount(host, thrownBox(e));
  }
}

window.addEventListener('hashchange', () => void route());
window.addEventListener('error', (e) => {
  e.preventDefault();
  document
    .getElementById('view')
    ?.prepend(errorBox('PageError', `the page hit a problem: ${e.message}`));
});
window.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  const reason = e.reason instanceof Error ? e.reason.message : String(e.reason);
  document
    .getElementById('view')
    ?.prepend(errorBox('PageError', `the page hit a problem: ${reason}`));
});
onSessionExpired(() =>
  signOut('your session expired, or its AccessKey was disabled or deleted: sign in again'),
);

void readClock()
  .catch(() => undefined)
  .then(() => shell());
