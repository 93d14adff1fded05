import { describe, expect, it } from 'vitest';
import { OssError } from '../errors.js';
import {
  DEFAULT_REFERER,
  MAX_REFERER_CHARS,
  parseRefererConfiguration,
  refererAllowed,
} from './referer.js';

const rules = (over: Partial<typeof DEFAULT_REFERER>) => ({ ...DEFAULT_REFERER, ...over });

describe('refererAllowed', () => {
  it('empty Referer follows AllowEmptyReferer', () => {
    expect(refererAllowed(rules({ allowEmpty: true }), undefined)).toBe(true);
    expect(refererAllowed(rules({ allowEmpty: false }), '')).toBe(false);
    expect(refererAllowed(rules({ allowEmpty: false }), '  ')).toBe(false);
  });

  it('an empty whitelist allows any Referer; a whitelist allows only its matches', () => {
    expect(refererAllowed(rules({}), 'https://x.example')).toBe(true);
    const r = rules({ allow: ['https://*.example.com', 'http://a?.org'] });
    expect(refererAllowed(r, 'https://www.example.com')).toBe(true);
    expect(refererAllowed(r, 'http://ab.org')).toBe(true);
    expect(refererAllowed(r, 'http://abc.org')).toBe(false);
    expect(refererAllowed(r, 'https://example.net')).toBe(false);
  });

  it('truncates the query string by default, the path with TruncatePath', () => {
    const r = rules({ allow: ['https://www.example.com'] });
    expect(refererAllowed(r, 'https://www.example.com?q=1')).toBe(true);
    expect(refererAllowed(r, 'https://www.example.com/a')).toBe(false);
    expect(refererAllowed({ ...r, truncatePath: true }, 'https://www.example.com/a/b?c')).toBe(
      true,
    );
    expect(
      refererAllowed({ ...r, allowTruncateQueryString: false }, 'https://www.example.com?q'),
    ).toBe(false);
  });

  it('the blacklist wins over the whitelist; case is ignored', () => {
    const r = rules({ allow: ['https://*'], deny: ['https://bad.*'] });
    expect(refererAllowed(r, 'https://good.com')).toBe(true);
    expect(refererAllowed(r, 'HTTPS://BAD.com')).toBe(false);
  });

  it('an overlong Referer matches no whitelist entry (and no blacklist lets it through)', () => {
    const long = `https://${'a'.repeat(MAX_REFERER_CHARS)}`;
    expect(refererAllowed(rules({ allow: ['*'] }), long)).toBe(false);
    expect(refererAllowed(rules({}), long)).toBe(false);
  });

  it('answers adversarial patterns against a long Referer (no backtracking matcher)', () => {
    const r = rules({ allow: Array.from({ length: 300 }, (_, i) => `*a*a*a*a*a*a*a*a*${i}b`) });
    expect(refererAllowed(r, 'a'.repeat(MAX_REFERER_CHARS - 1))).toBe(false);
  });
});

describe('parseRefererConfiguration', () => {
  it('reads ali-oss and full documents, and the Tea client’s <root>', () => {
    const c = parseRefererConfiguration(
      '<RefererConfiguration><AllowEmptyReferer>false</AllowEmptyReferer><RefererList>' +
        '<Referer>http://a.com</Referer></RefererList><RefererBlacklist><Referer>http://b.com' +
        '</Referer></RefererBlacklist></RefererConfiguration>',
    );
    expect(c).toEqual({
      allowEmpty: false,
      allowTruncateQueryString: true,
      truncatePath: false,
      allow: ['http://a.com'],
      deny: ['http://b.com'],
    });
    const tea = parseRefererConfiguration(
      '<root><AllowEmptyReferer>true</AllowEmptyReferer><RefererList/></root>',
    );
    expect(tea.allowEmpty).toBe(true);
  });

  it('refuses other roots, bad booleans and TruncatePath without query truncation', () => {
    const code = (xml: string) => {
      try {
        parseRefererConfiguration(xml);
      } catch (e) {
        return (e as OssError).code;
      }
      return undefined;
    };
    expect(code('<Other><AllowEmptyReferer>true</AllowEmptyReferer></Other>')).toBe('MalformedXML');
    expect(
      code(
        '<RefererConfiguration><AllowEmptyReferer>true</AllowEmptyReferer>' +
          '<AllowTruncateQueryString>false</AllowTruncateQueryString><TruncatePath>true</TruncatePath>' +
          '</RefererConfiguration>',
      ),
    ).toBe('InvalidArgument');
  });
});
