/**
 * A CommandIo in memory for the CLI's tests: files from a map (paths under /work), what
 * the command writes kept in `out` and `err`.
 */
import type { CommandIo } from '../../cli/commands/backtest/command-io.ts';

export function memoryIo(files: Record<string, string> = {}): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => (err.push(text), true) },
    cwd: '/work',
    readFile: (path: string) => {
      const name = path.replace('/work/', '');
      if (!(name in files)) throw Object.assign(new Error(`ENOENT: no such file ${path}`), { code: 'ENOENT' });
      return files[name]!;
    },
    writeFile: () => undefined,
    isDirectory: () => true,
  };
}
