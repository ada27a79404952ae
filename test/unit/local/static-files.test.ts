import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStaticFile } from '../../../local/http/static-files.ts';

function dashboardDir(): string {
  const parent = mkdtempSync(join(tmpdir(), 'hedge-static-'));
  const root = join(parent, 'dashboard');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'app.js'), 'export {}');
  writeFileSync(join(root, 'sub', 'style.css'), 'body {}');
  writeFileSync(join(parent, 'secret.txt'), 'no');
  symlinkSync(join(parent, 'secret.txt'), join(root, 'link.txt'));
  return root;
}

describe('the dashboard file server', () => {
  const root = dashboardDir();

  it('serves index.html at / and assets with their content types', async () => {
    expect((await readStaticFile(root, '/'))?.contentType).toBe('text/html; charset=utf-8');
    const js = await readStaticFile(root, '/assets/app.js');
    expect(js?.contentType).toBe('text/javascript; charset=utf-8');
    expect(js?.body.toString()).toBe('export {}');
    expect((await readStaticFile(root, '/assets/sub/style.css'))?.contentType).toBe('text/css; charset=utf-8');
  });

  it('serves nothing outside the directory, no directories and no other paths', async () => {
    for (const path of ['/assets/../secret.txt', '/assets/../../secret.txt', '/assets/sub', '/assets/index.html/..',  '/assets/%2e%2e/%2e%2e/secret.txt', '/assets/..%2F..%2Fsecret.txt', '/assets/link.txt', '/assets/', '/assets', '/secret.txt', '/assets/%00', '/assets/%E0%A4%A']) {
      expect(await readStaticFile(root, path), path).toBeUndefined();
    }
  });
});
