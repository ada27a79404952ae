/**
 * A one-line progress indicator for long runs, on stderr and only when stderr is a
 * terminal (a pipe or a file gets nothing, so output stays clean for scripts).
 */
export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

interface TtyLike {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

const SILENT: Progress = { update() {}, finish() {} };

export function createProgress(stream: TtyLike, label: string, minIntervalMs = 100): Progress {
  if (!stream.isTTY) return SILENT;
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - last < minIntervalMs) return;
      last = now;
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      const width = 24;
      const filled = Math.round((width * pct) / 100);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} paths`);
      shown = true;
    },
    finish() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
