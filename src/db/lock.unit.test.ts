import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir, processStart } from './lock.js';

describe('the embedded data folder lock', () => {
  let other: ChildProcess;
  const dirs: string[] = [];

  function folder(lock?: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-lock-'));
    dirs.push(dir);
    if (lock !== undefined) fs.writeFileSync(path.join(dir, 'alongside.lock'), lock);
    return dir;
  }

  beforeAll(() => {
    // Another live process, standing for a program that was given a dead Alongside's pid.
    other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  });
  afterAll(() => {
    other.kill();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds our pid and start time while open, and lets go when closed', () => {
    const dir = folder();
    const release = lockDataDir(dir);
    const content = fs.readFileSync(path.join(dir, 'alongside.lock'), 'utf8');
    expect(content.split(':')[0]).toBe(String(process.pid));
    if (processStart(process.pid) !== undefined) expect(content).toBe(`${process.pid}:${processStart(process.pid)}`);
    release();
    expect(fs.existsSync(path.join(dir, 'alongside.lock'))).toBe(false);
  });

  it('refuses a folder another live process holds', () => {
    const start = processStart(other.pid!);
    const dir = folder(start === undefined ? String(other.pid) : `${other.pid}:${start}`);
    expect(() => lockDataDir(dir)).toThrow(/in use by process/);
  });

  it('takes over a lock whose pid now belongs to a process that started at another time', () => {
    if (processStart(other.pid!) === undefined) return;
    const dir = folder(`${other.pid}:1`);
    const release = lockDataDir(dir);
    expect(fs.readFileSync(path.join(dir, 'alongside.lock'), 'utf8').startsWith(`${process.pid}:`)).toBe(true);
    release();
  });

  it('takes over a lock of a process that is gone', () => {
    const dir = folder('2147483646:123');
    lockDataDir(dir)();
  });
});
