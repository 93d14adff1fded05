/**
 * @module The API explorer: pick a product and an operation, fill in the form generated from its
 * declaration, send it signed with the session's temporary credentials, and see the request as
 * signed, the response, the RequestId and, for a denial, which policy decided. "Copy as" gives
 * the same call for the Tea SDK, ali-oss or curl.
 */
import { getCatalogue, oss, presignedUrl, rpc, signRpc, loadSession } from '../api.js';
import type { CatalogueOperation, CatalogueProduct } from '../catalogue-types.js';
import { h, mount, uid, withCode } from '../dom.js';
import { buildForm, type GeneratedForm } from '../form.js';
import { ossParts, rpcParams, validate, type FormValues } from '../params.js';
import { attachPolicyAdvice } from '../policy-advice-field.js';
import { attachPolicyTemplates } from '../policy-templates.js';
import { attachPickers } from '../pickers.js';
import { aliOssSnippet, curlPresigned, curlSigned, teaSnippet, type Origin } from '../snippets.js';
import { matchesSearch, orderedOperations } from '../tutorial.js';
import { errorBox, resultPanel, thrownBox } from '../ui.js';

const MAIN_PRODUCTS = ['Ram', 'Sts', 'Ecs', 'Vpc', 'Oss'];

function origin(): Origin {
  return { host: location.host, protocol: location.protocol === 'https:' ? 'https' : 'http' };
}

/** Renders the explorer; `params` may name `product`, `op` and initial parameter values. */
export async function explorerView(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const catalogue = await getCatalogue();
  const products = [...catalogue.products].sort(
    (a, b) =>
      (MAIN_PRODUCTS.indexOf(a.product) + 1 || 99) - (MAIN_PRODUCTS.indexOf(b.product) + 1 || 99),
  );
  const productSelect = h(
    'select',
    { id: 'explorer-product' },
    products.map((p) =>
      h(
        'option',
        { value: p.product, selected: p.product === (params.get('product') ?? 'Ram') },
        p.version ? `${p.product} (${p.version})` : `${p.product} (REST)`,
      ),
    ),
  );
  const opSelect = h('select', { id: 'explorer-operation' });
  const search = h('input', {
    id: 'explorer-search',
    type: 'search',
    placeholder: 'e.g. role, instance, object',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: 100,
  });
  const searchOut = h('p', { class: 'search-out muted', role: 'status' });
  const opInfo = h('div', { class: 'op-info' });
  const formHost = h('div', {});
  const result = h('div', { class: 'result-host' });
  const snippet = h('div', { class: 'snippet-host' });
  const check = h('input', { type: 'checkbox', id: 'explorer-check', checked: true });
  const copyKind = h('select', { id: 'explorer-copy-kind', 'aria-label': 'snippet kind' });
  let form: GeneratedForm | undefined;

  const product = (): CatalogueProduct =>
    products.find((p) => p.product === productSelect.value) ?? products[0]!;
  const operation = (): CatalogueOperation => {
    const p = product();
    return (
      p.operations.find((o) => o.name === opSelect.value) ??
      orderedOperations(p).tutorial[0] ??
      p.operations[0]!
    );
  };

  /**
   * Fills the operation list of the current product: the tutorial's operations first, then the
   * rest by name, both filtered by the search box. Keeps `selected` when it is still listed, else
   * picks the first one listed. True when the selected operation changed.
   */
  const fillOps = (selected?: string | null): boolean => {
    const p = product();
    const before = opSelect.value;
    const query = search.value.trim();
    const { tutorial, rest } = orderedOperations(p);
    const keep = (o: CatalogueOperation) => matchesSearch(o.name, query);
    const shown = [...tutorial.filter(keep), ...rest.filter(keep)];
    const pick = shown.find((o) => o.name === selected)?.name ?? shown[0]?.name;
    const options = (ops: CatalogueOperation[]) =>
      ops.map((o) => h('option', { value: o.name, selected: o.name === pick }, o.name));
    const t = tutorial.filter(keep);
    const r = rest.filter(keep);
    mount(
      opSelect,
      t.length ? h('optgroup', { label: 'Used in the tutorial' }, options(t)) : null,
      r.length
        ? h('optgroup', { label: t.length ? 'All others' : 'Operations' }, options(r))
        : null,
    );
    opSelect.disabled = shown.length === 0;
    if (query === '' || shown.length > 0) {
      mount(searchOut, query ? `${shown.length} of ${p.operations.length} operations` : '');
    } else {
      // Nothing here: say where the words are found instead.
      const elsewhere = products
        .filter((o) => o !== p)
        .map((o) => ({ p: o, n: o.operations.filter(keep).length }))
        .filter((x) => x.n > 0);
      mount(
        searchOut,
        `no operation of ${p.product} matches \`${query}\``,
        elsewhere.length
          ? [
              '; found in ',
              elsewhere.map((x, i) => [
                i ? ', ' : '',
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'small link',
                    onclick: () => {
                      productSelect.value = x.p.product;
                      fillOps();
                      fillForm();
                    },
                  },
                  `${x.p.product} (${x.n})`,
                ),
              ]),
            ]
          : '',
      );
    }
    mount(
      copyKind,
      p.protocol === 'oss'
        ? [
            h('option', { value: 'ali-oss' }, 'ali-oss'),
            h('option', { value: 'curl' }, 'curl (presigned URL)'),
          ]
        : [
            h(
              'option',
              { value: 'tea' },
              p.sdkPackage ? `Tea SDK (${p.sdkPackage})` : 'Tea SDK (callApi)',
            ),
            h('option', { value: 'curl' }, 'curl (signed)'),
          ],
    );
    return opSelect.value !== before;
  };

  const fillForm = (initial: Record<string, string> = {}) => {
    const p = product();
    const op = operation();
    mount(
      opInfo,
      h('p', { class: 'doc' }, withCode(op.doc)),
      h(
        'p',
        { class: 'authz' },
        op.authz === 'none'
          ? 'No permission needed.'
          : [
              'RAM action: ',
              op.actions.map((a, i) => [i ? ', ' : '', h('code', {}, a)]),
              op.authz === 'handler' ? ' (checked by the handler)' : '',
              op.resources.length
                ? [' on ', op.resources.map((r, i) => [i ? ', ' : '', h('code', {}, r)])]
                : '',
            ],
        op.readOnly
          ? h('span', { class: 'badge' }, 'read-only')
          : h('span', { class: 'badge write' }, 'changes state'),
      ),
      p.protocol === 'oss' && op.oss
        ? h(
            'p',
            { class: 'muted' },
            `${op.oss.method} ${op.oss.level === 'service' ? '/' : op.oss.level === 'bucket' ? '/<Bucket>/' : '/<Bucket>/<Key>'}${op.oss.query.length ? '?' + op.oss.query.map(([n, v]) => (v === null ? n : `${n}=${v}`)).join('&') : ''}`,
          )
        : null,
    );
    // The region is the server's: prefilled, so that a newcomer's first call is not refused for it.
    const start =
      'RegionId' in op.params && initial.RegionId === undefined
        ? { ...initial, RegionId: loadSession()?.Region ?? catalogue.region }
        : initial;
    form = buildForm(op.params, start, op.name);
    attachPolicyAdvice(form.element, op, catalogue);
    attachPolicyTemplates(form.element, op);
    attachPickers(form.element, op, catalogue);
    mount(formHost, form.element);
    mount(result);
    mount(snippet);
  };

  const values = (): FormValues | undefined => {
    const v = form!.read();
    if (check.checked) {
      const errors = validate(operation().params, v);
      form!.showErrors(errors);
      if (Object.keys(errors).length) return undefined;
    } else form!.showErrors({});
    return v;
  };

  const send = async () => {
    const v = values();
    if (!v) {
      mount(
        result,
        errorBox(
          'InvalidInput',
          'fix the fields marked above, or untick “check before sending” to let the server judge',
        ),
      );
      return;
    }
    const p = product();
    const op = operation();
    sendButton.disabled = true;
    mount(result, h('p', { class: 'muted', role: 'status' }, 'Sending…'));
    try {
      const parts = p.protocol === 'oss' ? ossParts(op, v) : undefined;
      const r = parts ? await oss(parts) : await rpc(p.version, op.name, rpcParams(op.params, v));
      mount(result, resultPanel(r, parts?.bucket));
    } catch (e) {
      mount(result, thrownBox(e));
    } finally {
      // The answer is below a long form: bring it into view.
      result.scrollIntoView({ block: 'start' });
      sendButton.disabled = false;
    }
  };

  const copy = async () => {
    const v = form!.read();
    const p = product();
    const op = operation();
    let text: string;
    try {
      if (copyKind.value === 'tea') text = teaSnippet(p, op, v, origin());
      else if (copyKind.value === 'ali-oss')
        text = aliOssSnippet(op, v, origin(), loadSession()?.Region ?? catalogue.region);
      else if (p.protocol === 'oss') {
        const parts = ossParts(op, v);
        if (!parts.bucket || (op.oss?.level === 'object' && !parts.key)) {
          mount(
            snippet,
            errorBox('InvalidInput', 'a presigned URL needs the bucket (and key) filled in'),
          );
          return;
        }
        const url = await presignedUrl({
          method: parts.method,
          bucket: parts.bucket,
          key: parts.key ?? '',
          expiresSeconds: 900,
          query: parts.query,
        });
        text = curlPresigned(parts.method, url, parts.headers, parts.body, 900);
      } else {
        text = curlSigned(await signRpc(p.version, op.name, rpcParams(op.params, v)));
      }
    } catch (e) {
      mount(snippet, thrownBox(e));
      return;
    }
    const out = h(
      'textarea',
      {
        class: 'snippet',
        readonly: true,
        rows: Math.min(24, text.split('\n').length + 1),
        'aria-label': 'snippet',
        spellcheck: 'false',
      },
      text,
    );
    let note = 'Copied to the clipboard.';
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      note = 'Select the text and copy it (the clipboard is not available here).';
    }
    mount(snippet, h('p', { class: 'muted', role: 'status' }, note), out);
    out.focus();
    out.select();
  };

  const sendButton = h('button', { type: 'submit', class: 'primary', id: 'explorer-send' }, 'Send');
  productSelect.addEventListener('change', () => {
    fillOps();
    fillForm();
  });
  opSelect.addEventListener('change', () => fillForm());
  search.addEventListener('input', () => {
    if (fillOps(opSelect.value)) fillForm();
  });

  const initial: Record<string, string> = {};
  for (const [k, val] of params) if (k !== 'product' && k !== 'op') initial[k] = val;
  fillOps(params.get('op'));
  fillForm(initial);

  const pid = uid('x');
  mount(
    root,
    h('h2', {}, 'API explorer'),
    h(
      'form',
      {
        class: 'explorer',
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          void send();
        },
      },
      h(
        'div',
        { class: 'pick' },
        h('label', { for: 'explorer-product' }, 'Product'),
        productSelect,
        h('label', { for: 'explorer-search' }, 'Search'),
        search,
        h('label', { for: 'explorer-operation' }, 'Operation'),
        opSelect,
      ),
      searchOut,
      opInfo,
      formHost,
      h(
        'div',
        { class: 'actions' },
        sendButton,
        h(
          'span',
          { class: 'check' },
          check,
          h('label', { for: 'explorer-check' }, 'check before sending'),
        ),
        h(
          'span',
          { class: 'copy', id: pid },
          h('label', { for: 'explorer-copy-kind' }, 'Copy as'),
          copyKind,
          h('button', { type: 'button', id: 'explorer-copy', onclick: () => void copy() }, 'Copy'),
        ),
      ),
    ),
    snippet,
    result,
  );
}
