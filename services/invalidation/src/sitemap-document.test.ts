import { describe, expect, it } from 'vitest';
import { parseSitemap } from './sitemap-document.js';

const urlset = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${body}</urlset>`;

describe('parseSitemap', () => {
  it('lists the locs of a urlset in document order, trimmed', () => {
    expect(parseSitemap(urlset('<url><loc> https://a.example/1 </loc></url><url><loc>https://a.example/2</loc><lastmod>2024-01-01</lastmod></url>'), 10)).toEqual({
      kind: 'urlset',
      locs: ['https://a.example/1', 'https://a.example/2'],
      truncated: false,
    });
  });

  it('lists the child sitemaps of a sitemap index', () => {
    const index = '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>';
    expect(parseSitemap(index, 10)).toEqual({ kind: 'sitemapindex', locs: ['https://a.example/s1.xml'], truncated: false });
  });

  it('decodes the five named entities and numeric character references', () => {
    const doc = urlset('<url><loc>https://a.example/?a=1&amp;b=&lt;&gt;&quot;&apos;&#38;&#x41;</loc></url>');
    expect(parseSitemap(doc, 10)?.locs).toEqual(['https://a.example/?a=1&b=<>"\'&A']);
  });

  it('leaves unknown entities and references to no character as written', () => {
    expect(parseSitemap(urlset('<url><loc>https://a.example/?x=&nbsp;&#xD800;</loc></url>'), 10)?.locs).toEqual(['https://a.example/?x=&nbsp;&#xD800;']);
  });

  it('takes CDATA verbatim', () => {
    expect(parseSitemap(urlset('<url><loc><![CDATA[https://a.example/?a=1&b=2]]></loc></url>'), 10)?.locs).toEqual(['https://a.example/?a=1&b=2']);
  });

  it('ignores locs in comments', () => {
    expect(parseSitemap(urlset('<!-- <url><loc>https://a.example/old</loc></url> --><url><loc>https://a.example/new</loc></url>'), 10)?.locs).toEqual(['https://a.example/new']);
  });

  it("ignores an image sitemap's image:loc", () => {
    const doc = urlset('<url><loc>https://a.example/page</loc><image:image><image:loc>https://a.example/p.jpg</image:loc></image:image></url>');
    expect(parseSitemap(doc, 10)?.locs).toEqual(['https://a.example/page']);
  });

  it('reads a urlset written with a namespace prefix by that prefix', () => {
    const doc = '<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"><sm:url><sm:loc>https://a.example/p</sm:loc></sm:url></sm:urlset>';
    expect(parseSitemap(doc, 10)).toMatchObject({ kind: 'urlset', locs: ['https://a.example/p'] });
  });

  it('does not take other elements whose names start with loc', () => {
    expect(parseSitemap(urlset('<url><locale>en</locale><loc>https://a.example/p</loc></url>'), 10)?.locs).toEqual(['https://a.example/p']);
  });

  it('stops at the limit and says more followed', () => {
    const doc = urlset(Array.from({ length: 5 }, (_, i) => `<url><loc>https://a.example/${i}</loc></url>`).join(''));
    expect(parseSitemap(doc, 3)).toEqual({ kind: 'urlset', locs: ['https://a.example/0', 'https://a.example/1', 'https://a.example/2'], truncated: true });
  });

  it('answers undefined for a document whose root is neither urlset nor sitemapindex', () => {
    expect(parseSitemap('<!DOCTYPE html><html><body><loc>https://a.example/</loc></body></html>', 10)).toBeUndefined();
    expect(parseSitemap('not xml at all', 10)).toBeUndefined();
    expect(parseSitemap('', 10)).toBeUndefined();
  });

  it('reads 10 MB documents of unclosed tags in linear time', () => {
    const hostile = [
      urlset('<loc>'.repeat(2_000_000)),
      urlset(`<url><loc>${'<![CDATA[&amp'.repeat(700_000)}</loc></url>`),
      urlset('<!--<loc>'.repeat(1_000_000)),
      `<${'a'.repeat(10_000_000)}`,
    ];
    for (const doc of hostile) {
      const started = performance.now();
      parseSitemap(doc, 10);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
