/**
 * @module OSS views: buckets (create, delete), and a bucket's objects browsed by prefix (`/` as
 * delimiter), with upload (progress bar), download, delete and presigned links (with a copy
 * button), all signed in the page (V4). Empty views say what to do first.
 */
import { ApiError, oss, presignedUrl, uploadObject } from '../api.js';
import { count, h, link, mount, table, uid } from '../dom.js';
import { confirmButton, copyButton, errorBox, facts, loading, thrownBox, when } from '../ui.js';

const enc = encodeURIComponent;

/** Most objects "Delete folder" removes (one request each). */
const MAX_PREFIX_DELETE = 1000;

function texts(doc: Document | undefined, parent: string): Array<Record<string, string>> {
  if (!doc) return [];
  return [...doc.getElementsByTagName(parent)].map((el) => {
    const out: Record<string, string> = {};
    for (const c of el.children) out[c.tagName] = c.textContent ?? '';
    return out;
  });
}

function mustOss(r: Awaited<ReturnType<typeof oss>>) {
  if (r.error) throw new ApiError(r.error.code, r.error.message);
  return r.xml;
}

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Bucket names OSS accepts: 3-63 lower-case letters, digits and `-`, not starting or ending with `-`. */
function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'a bucket name has 3 to 63 characters';
  for (const c of name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '-'))
      return 'a bucket name has lower-case letters, digits and `-` only';
  if (name.startsWith('-') || name.endsWith('-'))
    return 'a bucket name does not start or end with `-`';
  return undefined;
}

/** Buckets of the caller, with a form to create one and a delete button on each. */
export async function bucketsView(root: HTMLElement): Promise<void> {
  mount(root, h('h2', {}, 'Buckets'), loading('buckets'));
  const out = h('div', { role: 'status' });
  const nameId = uid('bucket');
  const name = h('input', {
    id: nameId,
    type: 'text',
    size: 30,
    maxlength: 63,
    placeholder: 'ramroletest',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const create = async () => {
    const bucket = name.value.trim();
    const problem = bucketNameProblem(bucket);
    if (problem) {
      mount(out, errorBox('InvalidBucketName', problem));
      name.focus();
      return;
    }
    const r = await oss({ method: 'PUT', bucket });
    if (r.error) {
      mount(out, errorBox(r.error.code, r.error.message));
      return;
    }
    await bucketsView(root);
    root.querySelector('[role=status]')?.replaceChildren(`Created bucket ${bucket}.`);
  };
  const remove = async (bucket: string) => {
    const r = await oss({ method: 'DELETE', bucket });
    if (r.error) {
      mount(out, errorBox(r.error.code, r.error.message));
      return;
    }
    await bucketsView(root);
    root.querySelector('[role=status]')?.replaceChildren(`Deleted bucket ${bucket}.`);
  };
  try {
    const doc = mustOss(await oss({ method: 'GET' }));
    const buckets = texts(doc, 'Bucket');
    mount(
      root,
      h('h2', {}, 'Buckets'),
      h(
        'form',
        {
          class: 'create-bucket',
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void create();
          },
        },
        h('label', { for: nameId }, 'New bucket'),
        name,
        h('button', { type: 'submit' }, 'Create bucket'),
        h(
          'span',
          { class: 'muted' },
          ' or ',
          link('/explorer?product=Oss&op=PutBucket', 'PutBucket in the explorer'),
          ' (ACL and more)',
        ),
      ),
      out,
      table(
        ['Bucket', 'Region', 'Created', 'Storage class', ''],
        buckets.map((b) => [
          link(`/buckets/${enc(b.Name ?? '')}`, b.Name ?? ''),
          b.Region ?? b.Location ?? '',
          when(b.CreationDate),
          b.StorageClass ?? '',
          confirmButton(
            'Delete',
            `delete bucket ${b.Name ?? ''}`,
            `Delete bucket ${b.Name ?? ''}? (it must be empty)`,
            () => remove(b.Name ?? ''),
          ),
        ]),
        count(buckets.length, 'bucket'),
        [
          'No buckets yet: create one above (the tutorial’s is ',
          h('code', {}, 'ramroletest'),
          '), then upload objects into it.',
        ],
      ),
    );
  } catch (e) {
    root.querySelector('[role=status]')?.remove();
    root.append(thrownBox(e));
  }
}

/** One bucket's objects under `prefix`, with upload, download and presigned links. */
export async function bucketView(root: HTMLElement, bucket: string, prefix: string): Promise<void> {
  const here = (p: string) => `/buckets/${enc(bucket)}${p ? `?prefix=${enc(p)}` : ''}`;
  const crumbs: Array<HTMLElement | string> = [link(here(''), bucket)];
  let acc = '';
  for (const part of prefix.split('/').filter((x) => x !== '')) {
    acc += `${part}/`;
    crumbs.push(' / ', link(here(acc), part));
  }
  const linkOut = h('div', { class: 'presigned', role: 'status' });
  const expiresId = uid('exp');
  const expires = h('input', {
    id: expiresId,
    type: 'text',
    inputmode: 'numeric',
    value: '900',
    size: 7,
  });
  const listingHost = h('div', {}, loading('objects'));

  const presign = async (key: string) => {
    const s = Number(expires.value);
    if (!Number.isInteger(s) || s < 1 || s > 604800) {
      mount(linkOut, errorBox('InvalidInput', 'the link lifetime must be 1 to 604800 seconds'));
      return;
    }
    try {
      const url = await presignedUrl({ bucket, key, expiresSeconds: s });
      const field = h('input', {
        type: 'text',
        readonly: true,
        value: url,
        class: 'url',
        'aria-label': `presigned link of ${key}`,
      });
      mount(
        linkOut,
        h(
          'p',
          {},
          'Presigned GET link for ',
          h('code', {}, key),
          ` (expires in ${s} s on the server clock):`,
        ),
        h('span', { class: 'url-row' }, field, copyButton(url)),
      );
      field.focus();
      field.select();
      await navigator.clipboard?.writeText(url).catch(() => {});
    } catch (e) {
      mount(linkOut, thrownBox(e));
    }
  };

  const download = async (key: string) => {
    try {
      const name = key.slice(key.lastIndexOf('/') + 1) || 'download';
      const url = await presignedUrl({
        bucket,
        key,
        expiresSeconds: 300,
        query: [
          ['response-content-disposition', `attachment; filename="${name.replace(/["\\]/g, '_')}"`],
        ],
      });
      const a = h('a', { href: url, download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      mount(linkOut, thrownBox(e));
    }
  };

  /** The object's metadata as HeadObject answers it (standard headers, then `x-oss-meta-*`). */
  const metadata = async (key: string) => {
    const r = await oss({ method: 'HEAD', bucket, key });
    if (r.error) {
      mount(linkOut, errorBox(r.error.code, r.error.message));
      return;
    }
    const shown = [
      'content-type',
      'content-length',
      'etag',
      'last-modified',
      'x-oss-object-type',
      'x-oss-storage-class',
      'x-oss-hash-crc64ecma',
      'content-md5',
    ];
    const user = Object.keys(r.headers)
      .filter((n) => n.startsWith('x-oss-meta-'))
      .sort();
    mount(
      linkOut,
      h('p', {}, 'Metadata of ', h('code', {}, key), ' (HeadObject):'),
      facts(
        [...shown, ...user]
          .filter((n) => r.headers[n] !== undefined)
          .map((n) => [n, h('code', {}, r.headers[n]!)]),
      ),
    );
  };

  /**
   * Deletes every object under `p` (OSS has no folders: a prefix is its objects), one DeleteObject
   * each, at most {@link MAX_PREFIX_DELETE}; more are refused before anything is deleted.
   */
  const removePrefix = async (p: string) => {
    const keys: string[] = [];
    let marker = '';
    for (;;) {
      const r = await oss({
        method: 'GET',
        bucket,
        query: [
          ['prefix', p],
          ['max-keys', '1000'],
          ...(marker ? ([['marker', marker]] as Array<[string, string]>) : []),
        ],
      });
      if (r.error) {
        mount(linkOut, errorBox(r.error.code, r.error.message));
        return;
      }
      const page = texts(r.xml, 'Contents').map((o) => o.Key ?? '');
      keys.push(...page);
      if (keys.length > MAX_PREFIX_DELETE) {
        mount(
          linkOut,
          errorBox(
            'TooManyObjects',
            `more than ${MAX_PREFIX_DELETE} objects under \`${p}\`: delete them with a tool (nothing was deleted)`,
          ),
        );
        return;
      }
      const truncated = r.xml?.getElementsByTagName('IsTruncated')[0]?.textContent === 'true';
      if (!truncated || page.length === 0) break;
      marker = page[page.length - 1]!;
    }
    for (const [i, key] of keys.entries()) {
      mount(linkOut, `Deleting ${i + 1} of ${keys.length} under ${p}…`);
      const r = await oss({ method: 'DELETE', bucket, key });
      if (r.error) {
        await listing();
        mount(linkOut, errorBox(r.error.code, `${key}: ${r.error.message} (${i} deleted)`));
        return;
      }
    }
    await listing();
    mount(linkOut, `Deleted ${count(keys.length, 'object')} under ${p}.`);
  };

  const removeObject = async (key: string) => {
    const r = await oss({ method: 'DELETE', bucket, key });
    if (r.error) mount(linkOut, errorBox(r.error.code, r.error.message));
    else {
      await listing();
      mount(linkOut, `Deleted ${key}.`);
    }
  };

  const listing = async () => {
    try {
      const doc = mustOss(
        await oss({
          method: 'GET',
          bucket,
          query: [
            ['delimiter', '/'],
            ['max-keys', '1000'],
            ...(prefix ? ([['prefix', prefix]] as Array<[string, string]>) : []),
          ],
        }),
      );
      const folders = texts(doc, 'CommonPrefixes').map((p) => p.Prefix ?? '');
      const objects = texts(doc, 'Contents');
      mount(
        listingHost,
        table(
          ['Key', 'Size', 'Last modified', ''],
          [
            ...folders.map((p) => [
              link(here(p), p.slice(prefix.length), { class: 'folder' }),
              '',
              '',
              confirmButton(
                'Delete folder',
                `delete folder ${p}`,
                `Delete every object under ${p}?`,
                () => removePrefix(p),
              ),
            ]),
            ...objects.map((o) => {
              const key = o.Key ?? '';
              return [
                h('code', {}, key.slice(prefix.length)),
                size(Number(o.Size ?? 0)),
                when(o.LastModified),
                h(
                  'span',
                  { class: 'row-actions' },
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'small',
                      'aria-label': `download ${key}`,
                      onclick: () => void download(key),
                    },
                    'Download',
                  ),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'small',
                      'aria-label': `presigned link of ${key}`,
                      onclick: () => void presign(key),
                    },
                    'Link',
                  ),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'small',
                      'aria-label': `metadata of ${key}`,
                      onclick: () => void metadata(key),
                    },
                    'Metadata',
                  ),
                  confirmButton('Delete', `delete ${key}`, `Delete ${key}?`, () =>
                    removeObject(key),
                  ),
                ),
              ];
            }),
          ],
          [
            folders.length ? count(folders.length, 'folder') : '',
            objects.length || !folders.length ? count(objects.length, 'object') : '',
          ]
            .filter(Boolean)
            .join(' and ') + (prefix ? ` in ${prefix}` : ' at the top of the bucket'),
          prefix
            ? [
                'Nothing under ',
                h('code', {}, prefix),
                ': upload a file above, or go ',
                link(here(''), 'back to the bucket’s top'),
                '.',
              ]
            : 'This bucket is empty: choose a file above and upload it.',
        ),
      );
    } catch (e) {
      mount(listingHost, thrownBox(e));
    }
  };

  const fileId = uid('file');
  const file = h('input', { id: fileId, type: 'file' });
  const keyId = uid('key');
  const keyInput = h('input', {
    id: keyId,
    type: 'text',
    value: prefix,
    size: 40,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const progress = h('progress', { max: 1, value: 0, 'aria-label': 'upload progress' });
  const stats = h('span', { class: 'upload-stats', 'aria-live': 'off' });
  let uploading: AbortController | undefined;
  const cancel = h(
    'button',
    { type: 'button', class: 'small', disabled: true, onclick: () => uploading?.abort() },
    'Cancel',
  );
  const uploadOut = h('div', { class: 'upload-result', role: 'status' });
  const uploadButton = h('button', { type: 'submit' }, 'Upload');
  // Shown from the first upload on: an empty bar and a disabled Cancel before it say nothing.
  const progressHost = h(
    'span',
    { class: 'upload-progress', hidden: true },
    progress,
    stats,
    cancel,
  );
  // The key follows the chosen file's name until the user types one of their own.
  let autoKey: string | undefined;
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (!f) return;
    if (keyInput.value === autoKey) keyInput.value = prefix;
    if (keyInput.value === prefix || keyInput.value.endsWith('/')) {
      keyInput.value = `${keyInput.value}${f.name}`;
      autoKey = keyInput.value;
    }
  });
  const upload = async () => {
    const f = file.files?.[0];
    if (!f) {
      mount(uploadOut, errorBox('InvalidInput', 'choose a file first'));
      return;
    }
    const key = keyInput.value;
    if (!key || key.endsWith('/')) {
      mount(uploadOut, errorBox('InvalidInput', 'give the object a key (not ending with `/`)'));
      return;
    }
    progress.value = 0;
    stats.textContent = `0% of ${size(f.size)}`;
    progressHost.hidden = false;
    uploadButton.disabled = true;
    mount(uploadOut, `Uploading ${key}…`);
    const started = performance.now();
    const show = (x: number, sent: number) => {
      progress.value = x;
      const seconds = (performance.now() - started) / 1000;
      stats.textContent = `${Math.floor(x * 100)}% of ${size(f.size)}${seconds > 0 ? ` · ${size(Math.round(sent / seconds))}/s` : ''}`;
    };
    uploading = new AbortController();
    cancel.disabled = false;
    const r = await uploadObject(bucket, key, f, show, uploading.signal).finally(() => {
      uploading = undefined;
      cancel.disabled = true;
      uploadButton.disabled = false;
    });
    if (r.error) {
      if (r.error.code === 'UploadCancelled') await listing();
      mount(uploadOut, errorBox(r.error.code, r.error.message));
    } else {
      await listing();
      mount(uploadOut, `Uploaded ${key} (${size(f.size)}), RequestId ${r.requestId ?? ''}.`);
    }
  };

  mount(
    root,
    h('h2', {}, `Bucket ${bucket}`),
    h('p', {}, link('/buckets', '← all buckets')),
    h('nav', { class: 'crumbs', 'aria-label': 'prefix' }, crumbs),
    h(
      'form',
      {
        class: 'upload',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void upload();
        },
      },
      h('label', { for: fileId }, 'File'),
      file,
      h('label', { for: keyId }, 'Key'),
      keyInput,
      uploadButton,
      progressHost,
    ),
    uploadOut,
    h('p', {}, h('label', { for: expiresId }, 'Presigned link lifetime (seconds) '), expires),
    linkOut,
    listingHost,
  );
  await listing();
}
