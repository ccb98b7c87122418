import net from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/platform/paths.js';

export type EngineName = 'pglite' | 'postgres';

export const TEMPLATE_FILE = path.join(PROJECT_ROOT, '.tmp', 'pglite-template.tar');

/** The PostgreSQL server tests use: TEST_DATABASE_URL, or the local one on 127.0.0.1:5432. */
export function adminUrl(database = 'postgres'): string {
  const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/${database}`;
  return base.toString();
}

/** Whether something answers on PostgreSQL's port. */
export function postgresReachable(): Promise<boolean> {
  const url = new URL(adminUrl());
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 5432) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
