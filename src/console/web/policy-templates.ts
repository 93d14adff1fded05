/**
 * @module Policy templates beside the explorer's policy fields: "insert ECS trust policy" on a
 * role's trust policy (the role an instance assumes) and "insert OSS read-only policy" on a
 * permission or session policy, the two documents the README's tutorial needs. Inserting replaces
 * the field's text and refreshes its advice as typing does.
 */
import type { CatalogueOperation } from './catalogue-types.js';
import { h } from './dom.js';

/** A role that ECS instances may assume (`ecs.aliyuncs.com` trusted). */
export const ECS_TRUST_POLICY = {
  Version: '1',
  Statement: [
    { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } },
  ],
};

/** Reading every bucket and object: the tutorial's permission policy. */
export const OSS_READ_ONLY_POLICY = {
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: ['oss:Get*', 'oss:List*'], Resource: '*' }],
};

/** The templates offered for parameter `name` of `op` (none for a bucket policy's body). */
export function templatesFor(
  op: CatalogueOperation,
  name: string,
): Array<{ label: string; doc: object }> {
  if (op.oss) return [];
  if (name.endsWith('AssumeRolePolicyDocument'))
    return [{ label: 'Insert ECS trust policy', doc: ECS_TRUST_POLICY }];
  if (name.endsWith('PolicyDocument') || name === 'Policy')
    return [{ label: 'Insert OSS read-only policy', doc: OSS_READ_ONLY_POLICY }];
  return [];
}

/** Puts the template buttons of each policy field of `op` under it in `form`. */
export function attachPolicyTemplates(form: HTMLElement, op: CatalogueOperation): void {
  for (const name of Object.keys(op.params)) {
    const templates = templatesFor(op, name);
    if (templates.length === 0) continue;
    const field = form.querySelector<HTMLElement>(`.field[data-param="${CSS.escape(name)}"]`);
    const input = field?.querySelector<HTMLTextAreaElement | HTMLInputElement>('textarea, input');
    if (!field || !input) continue;
    const label = field.querySelector('label');
    const bar = h(
      'div',
      { class: 'templates' },
      templates.map((t) =>
        h(
          'button',
          {
            type: 'button',
            class: 'small',
            onclick: () => {
              const text = JSON.stringify(t.doc, null, 2);
              input.value = text;
              if (input instanceof HTMLTextAreaElement)
                input.rows = Math.min(20, Math.max(input.rows, text.split('\n').length));
              input.dispatchEvent(new Event('input', { bubbles: true }));
              input.focus();
              input.setSelectionRange(0, 0);
              input.scrollTop = 0;
            },
          },
          t.label,
        ),
      ),
    );
    if (label) label.after(bar);
    else field.prepend(bar);
  }
}
