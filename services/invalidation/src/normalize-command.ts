/**
 * Command → event (README, Invalidation). Each target gets its own namespace (`scope`, `group`,
 * `tag`, `url`), so a group code that happens to be `page` never names the page cache.
 * A URL becomes the key gateways compare: normalized path, plus sorted query if any.
 * A refresh names the gateway that refetches for the fleet (`refreshBy`); with no live gateway
 * it names none, and each gateway refreshes on demand.
 */
import { urlInvalidationKeyOf, type InvalidationCommand, type InvalidationEvent } from '@cairn/shared';
import type { RefresherChoice } from './gateway-choice.js';

export function normalizeCommand(
  command: InvalidationCommand,
  id: string,
  source: InvalidationEvent['source'],
  now: Date,
  refresher?: RefresherChoice,
): InvalidationEvent {
  const event = targetEvent(command, { id, mode: command.mode ?? 'hard', issuedAt: now.toISOString(), source });
  if (event.mode !== 'refresh') return event;
  const refreshBy = refresher?.(event);
  return refreshBy === undefined ? event : { ...event, refreshBy };
}

function targetEvent(command: InvalidationCommand, base: Pick<InvalidationEvent, 'id' | 'mode' | 'issuedAt' | 'source'>): InvalidationEvent {
  switch (command.type) {
    case 'api':
    case 'page':
    case 'all':
      return command.groupCode === undefined
        ? { ...base, kind: 'scope', cache: command.type }
        : { ...base, kind: 'group', cache: command.type, key: command.groupCode };
    case 'group':
      return { ...base, kind: 'group', cache: 'all', key: command.groupCode as string };
    case 'cacheTag':
      return { ...base, kind: 'tag', cache: 'all', key: command.cacheTag as string };
    case 'url':
      return { ...base, kind: 'url', cache: 'all', key: urlInvalidationKeyOf(command.url as string) };
  }
}
