import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyFileTar } from './empty-file-tar.js';

describe('emptyFileTar', () => {
  it('is an archive GNU tar extracts into exactly one empty file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'empty-file-tar-'));
    try {
      writeFileSync(join(directory, 'archive.tar'), emptyFileTar('nodes.conf'));
      const out = join(directory, 'out');
      execFileSync('mkdir', [out]);
      execFileSync('tar', ['-xf', join(directory, 'archive.tar'), '-C', out]);
      expect(readdirSync(out)).toEqual(['nodes.conf']);
      expect(statSync(join(out, 'nodes.conf')).size).toBe(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses a path or an over-long name', () => {
    expect(() => emptyFileTar('data/nodes.conf')).toThrow(/plain name/);
    expect(() => emptyFileTar('x'.repeat(101))).toThrow(/at most 100 bytes/);
  });
});
