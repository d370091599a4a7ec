import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, envExample, loadConfig, VARS } from './config.js';

describe('configuration', () => {
  it('has working defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.KNOWLEDGE_DIR).toBe('knowledge');
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.WIDGET_ORIGINS).toEqual([]);
  });

  it('parses values into types', () => {
    const c = loadConfig({ PORT: '8080', WIDGET_ORIGINS: 'https://a.gov.cn, https://b.gov.cn', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(c.PORT).toBe(8080);
    expect(c.WIDGET_ORIGINS).toEqual(['https://a.gov.cn', 'https://b.gov.cn']);
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('stops with a message naming every wrong variable and what is allowed', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/PORT="eighty"/);
    expect(msg).toMatch(/REDIS_URL=\(value hidden\): a redis:\/\/ or rediss:\/\/ URL/);
    expect(msg).toMatch(/LOG_LEVEL="loud".*fatal.*silent/);
  });

  it('never echoes a secret in the error', () => {
    expect(() => loadConfig({ GOVCHAT_SECRET: 'short-secret' })).toThrow(/GOVCHAT_SECRET=\(value hidden\): at least 16/);
    expect(() => loadConfig({ GOVCHAT_SECRET: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('.env.example lists every variable and is up to date', () => {
    const committed = readFileSync('.env.example', 'utf8');
    expect(committed).toBe(envExample());
    for (const name of Object.keys(VARS)) expect(committed).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});
