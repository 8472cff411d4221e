/**
 * Reads the URLs a sitemap lists for `POST /cache/warm`, bounded in every direction: one
 * deadline for the whole read, a size bound per document (after decompression: a gzipped
 * sitemap, by file or by Content-Encoding, cannot inflate past it), at most `maxUrls` URLs,
 * and a sitemap index followed one level deep (its children, fetched a few at a time, may
 * not be indexes themselves, as the protocol says).
 *
 * Any document that cannot be read fails the whole read rather than warming part of the
 * site without saying so: unreachable or an error status → 502, too slow → 504, not a
 * sitemap or too large → 400 (errors.ts).
 */
import { gunzipSync } from 'node:zlib';
import { MAX_WARM_URLS, type Logger } from '@cairn/shared';
import { SitemapInvalidError, SitemapTimeoutError, SitemapUnavailableError } from './errors.js';
import { parseSitemap } from './sitemap-document.js';

export interface SitemapReadOptions {
  /** For the whole read: the index and every child sitemap. */
  timeoutMs: number;
  /** Per document, decompressed. */
  maxBytes: number;
  /** URLs kept; the rest are dropped and the read is marked truncated. */
  maxUrls: number;
  /** Child sitemaps of an index fetched at once. */
  childConcurrency: number;
}

export interface SitemapUrls {
  /** The `<loc>` values of the sitemap (or of its index's children), in document order. */
  urls: string[];
  /** The sitemap listed more than `maxUrls`. */
  truncated: boolean;
}

/** What a warm reads of a sitemap: 10 s in all, 10 MiB a document, as many URLs as a body may list. */
export const DEFAULT_SITEMAP_READ: SitemapReadOptions = { timeoutMs: 10_000, maxBytes: 10 * 1024 * 1024, maxUrls: MAX_WARM_URLS, childConcurrency: 4 };

const GZIP_MAGIC = [0x1f, 0x8b] as const;

export async function readSitemap(url: string, options: SitemapReadOptions, logger: Logger): Promise<SitemapUrls> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const root = await readDocument(url, url, options, signal);
  if (root.kind === 'urlset') return { urls: root.locs, truncated: root.truncated };

  const children = root.locs.map((loc) => childUrl(url, loc));
  const urls: string[] = [];
  let truncated = root.truncated;
  let next = 0;
  // In index order, a few at a time; reading stops once maxUrls are known.
  while (next < children.length && urls.length < options.maxUrls) {
    const batch = children.slice(next, next + options.childConcurrency);
    next += batch.length;
    const documents = await Promise.all(batch.map((child) => readDocument(url, child, options, signal)));
    for (const [j, document] of documents.entries()) {
      if (document.kind === 'sitemapindex') throw new SitemapInvalidError(url, `lists a sitemap index (${batch[j]}): indexes are followed one level deep`);
      const room = options.maxUrls - urls.length;
      urls.push(...document.locs.slice(0, room));
      truncated ||= document.truncated || document.locs.length > room;
    }
  }
  truncated ||= next < children.length;
  logger.debug({ sitemap: url, children: children.length, read: next, urls: urls.length, truncated }, 'sitemap index read');
  return { urls, truncated };
}

/** A child sitemap's URL, resolved against its index (the protocol wants absolute ones; relative ones are forgiven). */
function childUrl(index: string, loc: string): string {
  let resolved: URL;
  try {
    resolved = new URL(loc, index);
  } catch {
    throw new SitemapInvalidError(index, `lists a sitemap that is not a URL: ${JSON.stringify(loc.slice(0, 200))}`);
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') throw new SitemapInvalidError(index, `lists a sitemap that is not an http(s) URL: ${resolved.href.slice(0, 200)}`);
  return resolved.href;
}

async function readDocument(sitemap: string, url: string, options: SitemapReadOptions, signal: AbortSignal) {
  const where = url === sitemap ? '' : ` (its child ${url})`;
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow', headers: { accept: 'application/xml, text/xml;q=0.9, */*;q=0.5' } });
  } catch (err) {
    if (signal.aborted) throw new SitemapTimeoutError(sitemap, options.timeoutMs);
    throw new SitemapUnavailableError(sitemap, `${describeFetchError(err)}${where}`, err);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new SitemapUnavailableError(sitemap, `the server answered ${response.status}${where}`);
  }
  let bytes = await readBounded(sitemap, response, options.maxBytes, signal, where, options.timeoutMs);
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: options.maxBytes });
    } catch (err) {
      const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      throw new SitemapInvalidError(sitemap, tooLarge ? `is larger than ${options.maxBytes} bytes uncompressed${where}` : `is not valid gzip${where}`);
    }
  }
  const document = parseSitemap(new TextDecoder().decode(bytes), options.maxUrls);
  if (document === undefined) throw new SitemapInvalidError(sitemap, `is not a sitemap: its root element is neither <urlset> nor <sitemapindex>${where}`);
  return document;
}

async function readBounded(sitemap: string, response: Response, maxBytes: number, signal: AbortSignal, where: string, timeoutMs: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const tooLarge = () => new SitemapInvalidError(sitemap, `is larger than ${maxBytes} bytes${where}`);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof SitemapInvalidError) throw err;
    if (signal.aborted) throw new SitemapTimeoutError(sitemap, timeoutMs);
    throw new SitemapUnavailableError(sitemap, `the body broke off: ${describeFetchError(err)}${where}`, err);
  }
  return Buffer.concat(chunks);
}

/** undici's "fetch failed" says nothing; the cause (ECONNREFUSED, ENOTFOUND) does. */
function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}
