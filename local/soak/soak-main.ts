/**
 * `npm run soak`: the chaos soak (run-soak.ts), one JSON object on stdout, exit 1 when an
 * invariant failed (the failures name the hedge). Progress and the stack's log on stderr.
 *
 *   npm run soak -- --ticks 2000 --minutes 25 --seed 7
 */
import { parseArgs } from 'node:util';
import { runSoak } from './run-soak.ts';

const { values } = parseArgs({
  options: {
    ticks: { type: 'string', default: '2000' },
    minutes: { type: 'string', default: '25' },
    seed: { type: 'string', default: '7' },
    verbose: { type: 'boolean', default: false },
  },
});
const number = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const ticks = number('ticks', values.ticks);
const started = Date.now();
// Ctrl-C or SIGTERM: no more ticks; the checks run and everything the soak started is stopped.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
let report;
try {
  report = await runSoak({
    signal: stop.signal,
    ticks,
    minutes: number('minutes', values.minutes),
    seed: number('seed', values.seed),
    ...(values.verbose === true
      ? {
          log: (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`),
          profile: (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`),
        }
      : {}),
    onTick: (tick) => {
      if (tick % (values.verbose === true ? 1 : 10) === 0) process.stderr.write(`soak: tick ${tick}/${ticks}, ${Math.round((Date.now() - started) / 1000)} s\n`);
    },
  });
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`);
  process.stderr.write(`soak: could not finish: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (!report.ok) process.stderr.write(`soak: ${report.failures.length} invariant(s) failed:\n${report.failures.map((f) => `  ${f}`).join('\n')}\n`);
process.exitCode = report.ok ? 0 : 1;
