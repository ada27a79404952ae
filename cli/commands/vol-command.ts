/**
 * `hedge vol`: volatility models of a price series. One command so far, `fit`: read a
 * replay CSV, fit GARCH(1,1) or EWMA, print the parameters, their standard errors and
 * the forecast over hedge horizons (see VOL_FIT_HELP).
 *
 * Every mistake of the user's — flags, an unreadable or bad CSV, too few prices, a
 * constant series — is one line on stderr and exit status 2, with nothing on stdout.
 */
import { resolve } from 'node:path';
import { InvalidInputError } from '../../shared/domain/errors.ts';
import { CsvError, parsePriceCsv } from '../price-csv.ts';
import { processIo, type CommandIo } from './backtest/command-io.ts';
import { UsageError } from './backtest/usage-error.ts';
import { parseVolFitFlags } from './vol/fit-flags.ts';
import { volFitReport } from './vol/fit-model.ts';
import { formatVolFitTable } from './vol/fit-table.ts';
import { VOL_FIT_HELP, VOL_HELP } from './vol/help.ts';

export { VOL_FIT_HELP, VOL_HELP } from './vol/help.ts';

function runFit(args: readonly string[], io: CommandIo): number {
  const flags = parseVolFitFlags(args);
  if (flags.help) {
    io.stdout.write(VOL_FIT_HELP);
    return 0;
  }
  const file = flags.csv!;
  let text: string;
  try {
    text = io.readFile(resolve(io.cwd, file));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`cannot read --csv ${file}: ${reason}`);
  }
  const series = parsePriceCsv(text, file, flags['csv-column'] === undefined ? {} : { column: flags['csv-column'] });
  const report = volFitReport(series, flags, file);
  io.stdout.write(flags.json ? JSON.stringify(report) + '\n' : formatVolFitTable(report, file));
  return 0;
}

/** Runs `hedge vol` with its arguments (after "vol"); returns the exit status. */
export function runVolCommand(args: readonly string[], io: CommandIo = processIo()): number {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    io.stdout.write(VOL_HELP);
    return subcommand === undefined ? 2 : 0;
  }
  if (subcommand !== 'fit') {
    io.stderr.write(`hedge vol: unknown command ${JSON.stringify(subcommand)} (see hedge vol --help)\n`);
    return 2;
  }
  try {
    return runFit(rest, io);
  } catch (error) {
    // Too few prices and bad flags are UsageErrors; a bad CSV row a CsvError; a constant
    // series (or another input the core refuses) an InvalidInputError.
    if (error instanceof UsageError || error instanceof CsvError || error instanceof InvalidInputError) {
      const message = error instanceof InvalidInputError ? `${flagsFile(rest)}: ${error.message}` : error.message;
      io.stderr.write(`hedge vol fit: ${message.replace(/\s*\n\s*/g, ' ')} (see hedge vol fit --help)\n`);
      return 2;
    }
    throw error;
  }
}

/** The --csv file named in `args`, for messages from the core (which knows no files). */
function flagsFile(args: readonly string[]): string {
  const at = args.findIndex((a) => a === '--csv' || a.startsWith('--csv='));
  if (at < 0) return 'csv';
  return args[at]!.startsWith('--csv=') ? args[at]!.slice(6) : (args[at + 1] ?? 'csv');
}
