import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { booleanSchema, durationMsSchema, natsEnvShape, parseEnv, portSchema } from './env.js';

const schema = z.object({ ...natsEnvShape, PORT: portSchema(8080), DEBUG: booleanSchema(false), WINDOW: durationMsSchema('1m') });

describe('parseEnv', () => {
  it('applies defaults and treats empty variables as unset', () => {
    const env = parseEnv(schema, { PORT: '' });
    expect(env.PORT).toBe(8080);
    expect(env.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(env.INVALIDATION_RETENTION).toBe(30 * 86_400_000);
    expect(env.WINDOW).toBe(60_000);
  });

  it.each([
    [{ PORT: 'eighty' }, 'environment: PORT: expected a port number, got "eighty"'],
    [{ PORT: '70000' }, 'environment: PORT: expected a port number from 0 to 65535, got "70000"'],
    [{ DEBUG: 'yes' }, 'environment: DEBUG: expected true or false, got "yes"'],
    [{ NATS_REPLICAS: '2' }, 'environment: NATS_REPLICAS: expected 1 or 3, got "2"'],
    [{ WINDOW: 'soon' }, 'environment: WINDOW: expected a duration like 30s, 5m, 6h or 30d, got "soon"'],
    [{ INVALIDATION_RETENTION: '1m' }, 'environment: INVALIDATION_RETENTION: expected at least 5m, got "1m"'],
  ])('stops on %j with one line naming the variable', (env, message) => {
    expect(() => parseEnv(schema, env)).toThrow(ConfigError);
    expect(() => parseEnv(schema, env)).toThrow(message);
  });
});
