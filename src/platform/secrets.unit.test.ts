import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { resolveSecretKey, Secrets } from './secrets.js';

describe('Secrets', () => {
  const secrets = new Secrets('a-master-secret-of-at-least-32-characters');

  it('round-trips encrypted values and refuses tampered ones', () => {
    const sealed = secrets.encrypt('totp', 'JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(secrets.decrypt('totp', sealed)).toBe('JBSWY3DPEHPK3PXP');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => secrets.decrypt('totp', parts.join('.'))).toThrow();
    expect(() => secrets.decrypt('other-purpose', sealed)).toThrow();
  });

  it('binds a value to its associated data: moved elsewhere it does not open', () => {
    const sealed = secrets.encrypt('journal-key', 'data key', 'user-1');
    expect(secrets.decrypt('journal-key', sealed, 'user-1')).toBe('data key');
    expect(() => secrets.decrypt('journal-key', sealed, 'user-2')).toThrow();
    expect(() => secrets.decrypt('journal-key', sealed)).toThrow();
  });

  it('gives a different key to each purpose and each master secret', () => {
    expect(secrets.hmac('a', 'x')).not.toBe(secrets.hmac('b', 'x'));
    expect(new Secrets('another-master-secret-of-32-characters!').hmac('a', 'x')).not.toBe(secrets.hmac('a', 'x'));
    expect(secrets.hmac('a', 'x')).toBe(secrets.hmac('a', 'x'));
  });

  it('generates a key once into the data folder of the embedded database, readable by the owner only', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-secret-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = resolveSecretKey(config);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(resolveSecretKey(config)).toBe(first);
    expect(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(resolveSecretKey(loadConfig({ DATA_DIR: dataDir, SECRET_KEY: 'x'.repeat(40) }))).toBe('x'.repeat(40));
  });
});
