/**
 * Command → event (README, Invalidation). Each target gets its own namespace (`scope`, `group`,
 * `tag`, `url`), so a group code that happens to be `page` never names the page cache.
 * A URL becomes the key gateways compare: normalized path, plus sorted query if any.
 */
import { urlInvalidationKeyOf, type InvalidationCommand, type InvalidationEvent } from '@cairn/shared';

export function normalizeCommand(command: InvalidationCommand, id: string, source: InvalidationEvent['source'], now: Date): InvalidationEvent {
  const base = { id, mode: command.mode ?? 'hard', issuedAt: now.toISOString(), source };
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
