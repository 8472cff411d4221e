/**
 * Response headers the gateway computes itself (docs/request-flow.md): every `x-cairn-*` header,
 * RFC 9211 `Cache-Status` and X-Request-Id (the request's, http/request-id.ts). An origin's
 * values for them are never stored nor passed on, so what a client reads there is the
 * gateway's word. Their values are set by flow/deliver.ts.
 */
import { CAIRN_HEADER_PREFIX, headers as cairnHeaders } from '@cairn/shared';
import { REQUEST_ID_HEADER } from './request-id.js';

export const CACHE_STATUS_HEADER = 'cache-status';

/**
 * `syntheticOrigin`: the answer came from LOAD_TEST_MODE's in-process origin, whose
 * `x-cairn-synthetic` marker is the gateway's own and is kept; a real origin's is not.
 */
export function isGatewayOwned(name: string, syntheticOrigin: boolean): boolean {
  if (name === CACHE_STATUS_HEADER || name === REQUEST_ID_HEADER) return true;
  if (!name.startsWith(CAIRN_HEADER_PREFIX)) return false;
  return !(syntheticOrigin && name === cairnHeaders.synthetic);
}
