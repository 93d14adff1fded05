/**
 * @module The explorer's advice lists under policy-document fields (`policy-advice.ts` decides
 * what they say), refreshed as the user types.
 */
import type { Catalogue, CatalogueOperation } from './catalogue-types.js';
import { h, mount } from './dom.js';
import { actionCatalogueOf, policyAdvice, policyFields } from './policy-advice.js';

/**
 * Puts an advice list under each policy-document field of `op` in `form` (the generated form's
 * element), refreshed as the user types.
 */
export function attachPolicyAdvice(
  form: HTMLElement,
  op: CatalogueOperation,
  catalogue: Catalogue,
): void {
  for (const name of policyFields(op)) {
    const field = form.querySelector<HTMLElement>(`.field[data-param="${CSS.escape(name)}"]`);
    const input = field?.querySelector<HTMLTextAreaElement | HTMLInputElement>('textarea, input');
    if (!field || !input) continue;
    const list = h('ul', { class: 'field-advice', role: 'status', 'aria-live': 'polite' });
    field.append(list);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      const lines = policyAdvice(input.value, actionCatalogueOf(catalogue));
      list.hidden = lines.length === 0;
      mount(
        list,
        lines.map((l) => h('li', {}, `${name}: ${l}`)),
      );
    };
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    refresh();
  }
}
