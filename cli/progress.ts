/**
 * A progress indicator for long runs, on stderr: one rewritten line with the time left
 * when stderr is a terminal; nothing on a pipe or a file (output stays clean for
 * scripts) unless asked for (`lines`), then a plain line every 10% or so.
 */
export interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

interface TtyLike {
  readonly isTTY?: boolean;
  write(text: string): boolean;
}

export interface ProgressOptions {
  /** Off a terminal, write a line at every tenth of the run (and the end) instead of nothing. */
  readonly lines?: boolean;
  /** The clock, ms (tests). */
  readonly now?: () => number;
}

const SILENT: Progress = { update() {}, finish() {} };

/** "12 s", "3 min 5 s", "1 h 02 min". */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function createProgress(stream: TtyLike, label: string, minIntervalMs = 100, options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  const eta = (done: number, total: number): string => (done > 0 && done < total ? `, ~${formatEta(((now() - started) / 1000) * ((total - done) / done))} left` : '');
  if (!stream.isTTY) {
    if (!options.lines) return SILENT;
    let nextTenth = 1;
    return {
      update(done, total) {
        const tenth = total > 0 ? Math.floor((10 * done) / total) : 10;
        if (tenth < nextTenth && done < total) return;
        nextTenth = tenth + 1;
        const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
        stream.write(`${label}: ${String(pct).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} paths, ${formatEta((now() - started) / 1000)} elapsed${eta(done, total)}\n`);
      },
      finish() {},
    };
  }
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const t = now();
      if (done < total && t - last < minIntervalMs) return;
      last = t;
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      const width = 24;
      const filled = Math.round((width * pct) / 100);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} paths${eta(done, total)}\x1b[K`);
      shown = true;
    },
    finish() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
