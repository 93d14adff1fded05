/**
 * @module The accounts of this yunbox (Yunbox `ListAccounts`, `CreateAccount`): their ids, names
 * and creation times, and a form to create another one, whose root AccessKey is shown once, here.
 * Only the first account (the one yunbox made at its first start) may; any other is told so by
 * the server's refusal and its explanation.
 */
import { rpc } from '../api.js';
import { h, mount, table, uid } from '../dom.js';
import { denialBox, errorBox, facts, loading, thrownBox, when, copyButton } from '../ui.js';

const YUNBOX = '2026-11-01';

/** The accounts, and the form that creates one. */
export async function accountsView(root: HTMLElement): Promise<void> {
  mount(root, h('h2', {}, 'Accounts'), loading('accounts'));
  const listed = await rpc(YUNBOX, 'ListAccounts');
  if (listed.error) {
    mount(
      root,
      h('h2', {}, 'Accounts'),
      errorBox(listed.error.code, listed.error.message),
      denialBox(listed),
    );
    return;
  }
  const nameId = uid('account-name');
  const name = h('input', {
    id: nameId,
    name: 'AccountName',
    required: true,
    maxlength: 64,
    pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*',
    autocomplete: 'off',
  });
  const out = h('div', { role: 'status' });
  const create = async (e: Event) => {
    e.preventDefault();
    mount(out, loading('the new account'));
    try {
      const r = await rpc(YUNBOX, 'CreateAccount', { AccountName: name.value });
      if (r.error) {
        mount(out, errorBox(r.error.code, r.error.message), denialBox(r));
        return;
      }
      const a = (r.json as any).Account;
      const k = (r.json as any).RootAccessKey;
      mount(
        out,
        h(
          'section',
          { class: 'secret-once', 'aria-label': 'the new root AccessKey' },
          h('h3', {}, `Account ${a.AccountId} (${a.AccountName}) created`),
          h('p', {}, 'Its root AccessKey is shown once, now: keep the secret somewhere safe.'),
          facts([
            ['AccessKeyId', h('code', {}, k.AccessKeyId)],
            [
              'AccessKeySecret',
              [h('code', {}, k.AccessKeySecret), ' ', copyButton(k.AccessKeySecret, 'Copy secret')],
            ],
          ]),
        ),
      );
      name.value = '';
      const again = await rpc(YUNBOX, 'ListAccounts');
      if (!again.error) mount(list, accountsTable(again.json));
    } catch (x) {
      mount(out, thrownBox(x));
    }
  };
  const list = h('div', {}, accountsTable(listed.json));
  mount(
    root,
    h('h2', {}, 'Accounts'),
    h(
      'p',
      {},
      'Each account has its own RAM users, roles, policies, buckets and audit trail; bucket names are global. A role can trust another account (Principal RAM acs:ram::<account>:root).',
    ),
    list,
    h(
      'form',
      { onsubmit: create, 'aria-label': 'create an account' },
      h('h3', {}, 'Create an account'),
      h('label', { for: nameId }, 'Name '),
      name,
      ' ',
      h('button', { type: 'submit' }, 'Create'),
    ),
    out,
  );
}

function accountsTable(json: any): HTMLTableElement {
  return table(
    ['Account ID', 'Name', 'Created', ''],
    (json?.Accounts?.Account ?? []).map((a: any) => [
      h('code', {}, a.AccountId),
      a.AccountName,
      when(a.CreateDate),
      a.First ? 'first (the operator’s)' : '',
    ]),
  );
}
