/** The invalidation service's own errors; each maps to the status the REST client gets. */
import { CairnError } from '@cairn/shared';

/** Nobody to do fleet work: no gateway has heartbeated within GATEWAY_LIVENESS_MS. */
export class NoLiveGatewayError extends CairnError {
  constructor(what: string) {
    super('CAIRN_NO_LIVE_GATEWAY', `no live gateway to ${what}: none has sent a heartbeat in the last few seconds`, { status: 503 });
  }
}

/** GET /cache/warm/:id keeps a bounded number of warms; running ones are never dropped, so a new one waits. */
export class TooManyWarmsError extends CairnError {
  constructor(running: number) {
    super('CAIRN_TOO_MANY_WARMS', `${running} warms are running and hold all the room kept for warms; try again when one is done`, {
      status: 429,
      details: { running },
    });
  }
}

/** A warm whose URLs alone exceed what the service keeps for all warms (MAX_WARM_WEIGHT). */
export class WarmTooLargeError extends CairnError {
  constructor(field: 'urls' | 'sitemap', weight: number, max: number) {
    super('CAIRN_WARM_TOO_LARGE', `${field}: the URLs add up to ${weight} characters; a warm may have at most ${max}`, { status: 400, details: { field } });
  }
}

/**
 * The sitemap could not be read (connection refused, DNS, an error status): 502, what a
 * proxy's client expects when the server behind it fails. It names the `sitemap` field.
 */
export class SitemapUnavailableError extends CairnError {
  constructor(url: string, problem: string, cause?: unknown) {
    super('CAIRN_SITEMAP_UNAVAILABLE', `sitemap: ${shown(url)} could not be read: ${problem}`, { status: 502, cause, details: { field: 'sitemap', url: shown(url) } });
  }
}

/** Reading the sitemap took longer than its bound: 504, as a proxy answers an upstream timeout. */
export class SitemapTimeoutError extends CairnError {
  constructor(url: string, timeoutMs: number) {
    super('CAIRN_SITEMAP_TIMEOUT', `sitemap: ${shown(url)} was not read within ${timeoutMs} ms`, { status: 504, details: { field: 'sitemap', url: shown(url) } });
  }
}

/** The sitemap was read but is not one we can use (not a sitemap, too large, no URLs): 400, the request's fault. */
export class SitemapInvalidError extends CairnError {
  constructor(url: string, problem: string) {
    super('CAIRN_SITEMAP_INVALID', `sitemap: ${shown(url)} ${problem}`, { status: 400, details: { field: 'sitemap', url: shown(url) } });
  }
}

/** URLs in messages are the client's; bounded so an 8 KB one does not fill the answer. */
function shown(url: string): string {
  return url.length > 512 ? `${url.slice(0, 512)}…` : url;
}
