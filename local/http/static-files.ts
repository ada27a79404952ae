/**
 * The dashboard's files (local/dashboard/, written by its own module): `/` is index.html,
 * `/assets/<path>` the file <path> of that folder (the page asks for /assets/app.js,
 * /assets/chart.js, /assets/style.css, /assets/favicon.svg). Only regular files inside the directory are
 * served — the resolved path must stay under the root (no `..`, no absolute paths, no
 * symlink out), and anything else is a 404, never a listing.
 */
import { realpath, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The file a request path names, or undefined (not a dashboard path, absent, or outside the root). */
export async function readStaticFile(root: string, requestPath: string): Promise<StaticFile | undefined> {
  let relative: string;
  if (requestPath === '/' || requestPath === '/index.html') relative = 'index.html';
  else if (requestPath.startsWith('/assets/')) {
    try {
      relative = decodeURIComponent(requestPath.slice('/assets/'.length));
    } catch {
      return undefined;
    }
  } else return undefined;
  if (relative.includes('\0') || relative.split(/[\\/]/).some((part) => part === '..')) return undefined;
  try {
    const base = await realpath(resolve(root));
    const file = await realpath(join(base, relative));
    if (!file.startsWith(base + sep)) return undefined;
    if (!(await stat(file)).isFile()) return undefined;
    return { body: await readFile(file), contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
}
