/**
 * Where the soak's wall time goes, tick by tick: the soak's own phases (the faults between
 * ticks, the reorg under a confirmed hedge) and the stack's (market, follow, schedule,
 * settle and its waits, save: the stack's onTickPhases). One line per tick with --verbose,
 * and a summary (per phase: total, mean, p50, p90, max) in the report.
 */

export interface PhaseSummary {
  readonly totalMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly maxMs: number;
}

export interface TickProfile {
  /** Adds ms to a phase of the tick being run. */
  add(phase: string, ms: number): void;
  /** Adds the stack's phases of the tick being run. */
  addAll(phases: Readonly<Record<string, number>>): void;
  /** Times `fn` as a phase of the tick being run. */
  time<T>(phase: string, fn: () => Promise<T>): Promise<T>;
  /** Ends the tick: its whole wall time; the line describing it (phases over 5 ms, slowest first). */
  endTick(tick: number, totalMs: number): string;
  /** Ticks ended, their wall time, and each phase over them (a tick without the phase counts 0). */
  summary(): { readonly ticks: number; readonly tick: PhaseSummary; readonly phases: Readonly<Record<string, PhaseSummary>> };
}

const round = (ms: number): number => Math.round(ms);

function summarise(values: readonly number[], ticks: number): PhaseSummary {
  const sorted = [...values, ...Array<number>(Math.max(0, ticks - values.length)).fill(0)].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const total = sorted.reduce((sum, ms) => sum + ms, 0);
  return { totalMs: round(total), meanMs: round(sorted.length === 0 ? 0 : total / sorted.length), p50Ms: round(at(0.5)), p90Ms: round(at(0.9)), maxMs: round(sorted.at(-1) ?? 0) };
}

export function createTickProfile(): TickProfile {
  let current: Record<string, number> = {};
  const perPhase = new Map<string, number[]>();
  const totals: number[] = [];
  const add = (phase: string, ms: number): void => {
    current[phase] = (current[phase] ?? 0) + ms;
  };
  return {
    add,
    addAll(phases) {
      for (const [phase, ms] of Object.entries(phases)) add(phase, ms);
    },
    async time(phase, fn) {
      const started = performance.now();
      try {
        return await fn();
      } finally {
        add(phase, performance.now() - started);
      }
    },
    endTick(tick, totalMs) {
      totals.push(totalMs);
      for (const [phase, ms] of Object.entries(current)) {
        const values = perPhase.get(phase) ?? [];
        values.push(ms);
        perPhase.set(phase, values);
      }
      const parts = Object.entries(current)
        .filter(([, ms]) => ms >= 5)
        .sort(([, a], [, b]) => b - a)
        .map(([phase, ms]) => `${phase} ${round(ms)}`);
      current = {};
      return `soak: tick ${tick} took ${round(totalMs)} ms${parts.length === 0 ? '' : `: ${parts.join(', ')}`}`;
    },
    summary() {
      const phases: Record<string, PhaseSummary> = {};
      for (const [phase, values] of [...perPhase].sort(([a], [b]) => a.localeCompare(b))) phases[phase] = summarise(values, totals.length);
      return { ticks: totals.length, tick: summarise(totals, totals.length), phases };
    },
  };
}
