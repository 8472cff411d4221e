/**
 * What a sitemap document lists (sitemaps.org protocol): the `<loc>` of each `<url>` of a
 * `<urlset>`, or of each `<sitemap>` of a `<sitemapindex>`. An XML-lite reading, not a
 * parser: a sitemap is a flat list, so finding its root and its `<loc>` elements is enough,
 * and pulls in no XML dependency. Comments and CDATA are honoured, entities decoded.
 *
 * The document comes from someone else's server: every scan here is a forward `indexOf`
 * (linear in the document), never a regular expression that could backtrack over 10 MiB.
 */

export interface SitemapDocument {
  kind: 'urlset' | 'sitemapindex';
  /** The `<loc>` values in document order, entities decoded and trimmed, at most `limit`. */
  locs: string[];
  /** More `<loc>` values followed the first `limit`. */
  truncated: boolean;
}

/** A root start tag: optional prefix, local name, then the end of the name. Applied to a bounded slice only. */
const ROOT_TAG = /^(?:([A-Za-z_][\w.-]{0,63}):)?([A-Za-z_][\w.-]{0,63})[\s/>]/;
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The document's kind and locs, or undefined when its root is neither `urlset` nor `sitemapindex`. */
export function parseSitemap(xml: string, limit: number): SitemapDocument | undefined {
  const text = withoutComments(xml);
  const root = rootTag(text);
  if (root === undefined || (root.name !== 'urlset' && root.name !== 'sitemapindex')) return undefined;
  // Only locs in the root's namespace prefix: an image sitemap's `<image:loc>` is a picture, not a page.
  const prefix = root.prefix === undefined ? '' : `${root.prefix}:`;
  const open = `<${prefix}loc`;
  const close = `</${prefix}loc`;
  const locs: string[] = [];
  let at = text.indexOf(open, root.end);
  while (at !== -1) {
    const tagEnd = text.indexOf('>', at + open.length);
    if (tagEnd === -1) break;
    // `<locale>` or `<loc x="1">` is not the element `<loc>`.
    if (text.slice(at + open.length, tagEnd).trim() !== '') {
      at = text.indexOf(open, tagEnd);
      continue;
    }
    const contentEnd = text.indexOf(close, tagEnd);
    if (contentEnd === -1) break;
    const value = textOf(text.slice(tagEnd + 1, contentEnd));
    if (value !== '') {
      if (locs.length >= limit) return { kind: root.name, locs, truncated: true };
      locs.push(value);
    }
    at = text.indexOf(open, contentEnd + close.length);
  }
  return { kind: root.name, locs, truncated: false };
}

function withoutComments(xml: string): string {
  let out = '';
  let last = 0;
  for (let start = xml.indexOf('<!--'); start !== -1; start = xml.indexOf('<!--', last)) {
    out += xml.slice(last, start);
    const end = xml.indexOf('-->', start + 4);
    if (end === -1) return out;
    last = end + 3;
  }
  return out + xml.slice(last);
}

/** The first element's start tag, past the XML declaration, processing instructions and a DOCTYPE. */
function rootTag(text: string): { prefix: string | undefined; name: string; end: number } | undefined {
  for (let at = text.indexOf('<'); at !== -1; at = text.indexOf('<', at + 1)) {
    const next = text[at + 1];
    if (next === '?' || next === '!') continue;
    const match = ROOT_TAG.exec(text.slice(at + 1, at + 1 + 140));
    return match === null ? undefined : { prefix: match[1], name: match[2] as string, end: at + 1 + match[0].length };
  }
  return undefined;
}

/** Element text: CDATA sections verbatim, entities decoded everywhere else. */
function textOf(raw: string): string {
  let out = '';
  let last = 0;
  for (let start = raw.indexOf('<![CDATA['); start !== -1; start = raw.indexOf('<![CDATA[', last)) {
    const end = raw.indexOf(']]>', start + 9);
    if (end === -1) break;
    out += decodeEntities(raw.slice(last, start)) + raw.slice(start + 9, end);
    last = end + 3;
  }
  return (out + decodeEntities(raw.slice(last))).trim();
}

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (entity, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name] as string;
    const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex as string, 16);
    // Not a character (beyond Unicode, or a lone surrogate): left as written rather than guessed.
    return code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : entity;
  });
}
