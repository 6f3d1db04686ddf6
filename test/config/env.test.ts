import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/env.js';
import { testEnv } from '../helpers/test-config.js';

function failureOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

const without = (name: string) => {
  const env: Record<string, string | undefined> = testEnv();
  delete env[name];
  return env;
};

describe('configuration', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig(testEnv({ PUBLIC_BASE_URL: 'http://localhost:3000/' }));
    expect(config.http).toEqual({ port: 3000, host: '0.0.0.0', publicBaseUrl: 'http://localhost:3000' });
    expect(config.role).toBe('all');
    expect(config.bbb).toBeUndefined();
    expect(config.signingKeys).toEqual([{ id: 'k1', secret: expect.any(String) }]);
  });

  it.each([
    ['LINK_SIGNING_KEYS', without('LINK_SIGNING_KEYS'), /is required/],
    ['ORGANIZER_TOKENS', without('ORGANIZER_TOKENS'), /required when ROLE is api/],
  ])('a missing %s is named', (name, env, detail) => {
    const error = failureOf(env);
    expect(error.variable).toBe(name);
    expect(error.message).toMatch(detail);
  });

  it('does not need ORGANIZER_TOKENS for a worker', () => {
    expect(loadConfig({ ...without('ORGANIZER_TOKENS'), ROLE: 'worker' }).role).toBe('worker');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['ROLE', 'both'],
    ['ORGANIZER_TOKENS', 'short'],
    ['LINK_SIGNING_KEYS', 'no-colon-here-but-long-enough-to-pass-length-checks'],
    ['LINK_SIGNING_KEYS', 'k1:too-short'],
    ['BBB_URL', 'ftp://bbb.example.org/bigbluebutton/'],
    ['BBB_CHECKSUM_ALGORITHM', 'md5'],
    ['ZOOM_API_URL', 'api.zoom.us'],
    ['LOG_LEVEL', 'loud'],
    ['SMTP_URL', 'http://mail.example.org'],
    ['MAIL_FROM', 'not an address'],
    ['MAIL_MAX_PER_SECOND', '0'],
    ['MAIL_UPDATE_DELAY_SECONDS', '-1'],
  ])('a malformed %s (%s) is named', (name, value) => {
    const error = failureOf(testEnv({ [name]: value, ...(name === 'BBB_URL' ? { BBB_SECRET: 's3cret' } : {}) }));
    expect(error.variable).toBe(name);
    expect(error.message).not.toContain(value.length > 8 ? value : '\u0000');
  });

  it('requires BBB_SECRET with BBB_URL and all three Zoom credentials together', () => {
    expect(failureOf(testEnv({ BBB_URL: 'https://bbb.example.org/bigbluebutton/' })).variable).toBe('BBB_SECRET');
    expect(failureOf(testEnv({ ZOOM_ACCOUNT_ID: 'acc', ZOOM_CLIENT_ID: 'cid' })).variable).toBe('ZOOM_CLIENT_SECRET');
  });

  it('needs MAIL_FROM with SMTP_URL, never echoing the URL (it may hold a password), and has mail defaults', () => {
    const error = failureOf(testEnv({ SMTP_URL: 'smtp://user:hunter2@mail.example.org:587' }));
    expect(error.variable).toBe('MAIL_FROM');
    expect(error.message).not.toContain('hunter2');
    const config = loadConfig(testEnv({ SMTP_URL: 'smtps://mail.example.org', MAIL_FROM: '"Academy" <academy@example.org>' }));
    expect(config.mail).toEqual({ smtp: { url: 'smtps://mail.example.org', from: '"Academy" <academy@example.org>' }, maxPerSecond: 5, updateDelaySeconds: 300 });
    expect(loadConfig(testEnv()).mail.smtp).toBeUndefined();
  });

  it('rejects duplicate signing key ids', () => {
    const secret = 'x'.repeat(40);
    expect(failureOf(testEnv({ LINK_SIGNING_KEYS: `a:${secret},a:${secret}` })).variable).toBe('LINK_SIGNING_KEYS');
  });
});

describe('the entry point with a bad environment', () => {
  it.each([
    ['LINK_SIGNING_KEYS', without('LINK_SIGNING_KEYS')],
    ['PORT', testEnv({ PORT: 'eighty' })],
  ])('exits non-zero with one line naming %s', (name, env) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).not.toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid configuration: ${name} `));
  });
});
