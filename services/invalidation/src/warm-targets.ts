/**
 * What a warm command asks to warm: its `urls`, or the URLs its sitemap lists, each as the
 * client wrote it (`url`) and as the gateways are asked for it (`path`: path and query; the
 * gateways route a request by its path, so an absolute URL's scheme and host are dropped).
 * One target per path: acknowledgements name the path, so two targets with the same one
 * could not be told apart, and the gateways would fetch the same thing twice anyway.
 */
import { warmCommandSchema, type Logger, type WarmCommand } from '@cairn/shared';
import { SitemapInvalidError } from './errors.js';
import { readSitemap, type SitemapReadOptions } from './sitemap-reader.js';

export interface WarmTarget {
  /** As the command or the sitemap gave it. */
  url: string;
  /** What the gateways fetch: path and query, no fragment. */
  path: string;
}

export interface WarmTargets {
  targets: WarmTarget[];
  /** Where they came from, when from a sitemap. */
  sitemap?: SitemapSource;
}

export interface SitemapSource {
  url: string;
  /** `<loc>` values read (at most MAX_WARM_URLS). */
  listed: number;
  /** Of those, not warmed: not a path or http(s) URL, or a repeat. */
  skipped: number;
  /** The sitemap listed more than MAX_WARM_URLS URLs; the first ones are warmed. */
  truncated: boolean;
}

/** The shared rule for one URL of a warm, applied to a sitemap's `<loc>` values as to the body's `urls`. */
const warmUrlSchema = warmCommandSchema.shape.urls.unwrap().element;

export async function warmTargetsOf(command: WarmCommand, sitemapRead: SitemapReadOptions, logger: Logger): Promise<WarmTargets> {
  if (command.urls !== undefined) return { targets: distinct(command.urls) };
  const url = command.sitemap as string;
  const read = await readSitemap(url, sitemapRead, logger);
  const valid = read.urls.flatMap((loc) => {
    const parsed = warmUrlSchema.safeParse(loc);
    return parsed.success ? [parsed.data] : [];
  });
  const targets = distinct(valid);
  if (targets.length === 0) throw new SitemapInvalidError(url, read.urls.length === 0 ? 'lists no URLs' : 'lists no path or http(s) URL to warm');
  const sitemap = { url, listed: read.urls.length, skipped: read.urls.length - targets.length, truncated: read.truncated };
  if (sitemap.skipped > 0 || sitemap.truncated) logger.info({ sitemap: url, listed: sitemap.listed, skipped: sitemap.skipped, truncated: sitemap.truncated }, 'sitemap URLs skipped');
  return { targets, sitemap };
}

/** An absolute URL's path and query, or a path without its fragment (no request target has one). */
export function warmPathOf(url: string): string {
  if (url.startsWith('/')) {
    const hash = url.indexOf('#');
    return hash === -1 ? url : url.slice(0, hash);
  }
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

function distinct(urls: readonly string[]): WarmTarget[] {
  const seen = new Set<string>();
  const targets: WarmTarget[] = [];
  for (const url of urls) {
    const path = warmPathOf(url);
    if (seen.has(path)) continue;
    seen.add(path);
    targets.push({ url, path });
  }
  return targets;
}
