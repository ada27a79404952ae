/**
 * The command's edges (output streams, working folder, files) as one object, so that a
 * test can run the real command in-process against memory.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { readonly isTTY?: boolean; write(text: string): boolean };
  readonly cwd: string;
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  isDirectory(path: string): boolean;
}

export const processIo = (): CommandIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  readFile: (path) => readFileSync(path, 'utf8'),
  writeFile: (path, text) => writeFileSync(path, text),
  isDirectory: (path) => existsSync(path) && statSync(path).isDirectory(),
});
