/**
 * The command's edges (output streams, working folder, files) as one object, so that a
 * test can run the real command in-process against memory.
 */
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { readonly isTTY?: boolean; write(text: string): boolean };
  readonly cwd: string;
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  /** Appends to a file (large outputs are written in chunks); without it they are joined and written once. */
  appendFile?(path: string, text: string): void;
  isDirectory(path: string): boolean;
  /** Calls `handler` on Ctrl-C (SIGINT) instead of dying; returns the unsubscribe. */
  onInterrupt?(handler: () => void): () => void;
}

/** Writes `chunks` to `path`, one chunk at a time when the io can append. */
export function writeChunks(io: CommandIo, path: string, chunks: Iterable<string>): void {
  if (!io.appendFile) {
    io.writeFile(path, [...chunks].join(''));
    return;
  }
  let first = true;
  for (const chunk of chunks) {
    if (first) io.writeFile(path, chunk);
    else io.appendFile(path, chunk);
    first = false;
  }
  if (first) io.writeFile(path, '');
}

export const processIo = (): CommandIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  readFile: (path) => readFileSync(path, 'utf8'),
  writeFile: (path, text) => writeFileSync(path, text),
  appendFile: (path, text) => appendFileSync(path, text),
  isDirectory: (path) => existsSync(path) && statSync(path).isDirectory(),
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => void process.off('SIGINT', handler);
  },
});
