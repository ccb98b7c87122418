import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

/**
 * The master secret: SECRET_KEY, or, on the embedded database, a random key generated once into
 * DATA_DIR/secret.key (readable by the owner only). loadConfig already refuses PostgreSQL without one.
 */
export function resolveSecretKey(config: Config): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, 'secret.key');
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(48).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** Keyed hashes and authenticated encryption, each purpose with its own key derived from the master secret. */
export class Secrets {
  readonly #master: Buffer;
  readonly #keys = new Map<string, Buffer>();

  constructor(master: string) {
    this.#master = Buffer.from(master, 'utf8');
  }

  #key(purpose: string): Buffer {
    let key = this.#keys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.#master, Buffer.alloc(0), `alongside:${purpose}`, 32));
      this.#keys.set(purpose, key);
    }
    return key;
  }

  /** HMAC-SHA-256 of a value, hex: for keys that must not reveal what they were made from (addresses, e-mails). */
  hmac(purpose: string, value: string): string {
    return createHmac('sha256', this.#key(`hmac:${purpose}`)).update(value).digest('hex');
  }

  /** AES-256-GCM under this purpose's key; `aad` (associated data) binds the value to where it belongs. The result is `v1.<iv>.<tag>.<ciphertext>` in base64url. */
  encrypt(purpose: string, plaintext: string, aad?: string): string {
    return sealWithKey(this.#key(`enc:${purpose}`), plaintext, aad);
  }

  /** Decrypts what `encrypt` made with the same purpose and associated data; throws if it was tampered with or moved. */
  decrypt(purpose: string, sealed: string, aad?: string): string {
    return openWithKey(this.#key(`enc:${purpose}`), sealed, aad);
  }
}

/** AES-256-GCM with a key of one's own (a person's data key, say); `aad` binds the value to its place. */
export function sealWithKey(key: Buffer, plaintext: string, aad?: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Opens what `sealWithKey` made with the same key and associated data; throws if anything differs. */
export function openWithKey(key: Buffer, sealed: string, aad?: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unknown sealed value format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
