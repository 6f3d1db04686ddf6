import { loadConfig, type Config } from '../../config/env.js';

export const ORGANIZER_TOKEN = 'test-organizer-token-0123456789';
export const SIGNING_KEY = 'k1:test-signing-secret-0123456789abcdefghij';

export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ORGANIZER_TOKENS: ORGANIZER_TOKEN,
    LINK_SIGNING_KEYS: SIGNING_KEY,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    PUBLIC_BASE_URL: 'http://links.test',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export function testConfig(extra: Record<string, string> = {}): Config {
  return loadConfig(testEnv(extra));
}
