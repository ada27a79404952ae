/**
 * The `hedge` command line. Subcommands are small modules; this file only dispatches
 * and owns the process edges (stdin, stdout, exit status, the clock for the demo).
 */
import { runJsonLines, type LineHandler } from './json-lines.ts';

// Commands load on demand: `hedge greeks` never pays for the implied-vol solver's code.
async function lineCommand(command: 'greeks' | 'iv'): Promise<{ help: string; handler: LineHandler }> {
  if (command === 'greeks') {
    const { GREEKS_HELP, greeksLine } = await import('./commands/greeks-command.ts');
    return { help: GREEKS_HELP, handler: greeksLine };
  }
  const { IV_HELP, impliedVolLine } = await import('./commands/iv-command.ts');
  return { help: IV_HELP, handler: impliedVolLine };
}

const USAGE = `hedge — serverless, event-driven hedging for derivatives books

Usage: hedge <command> [--help]

Commands:
  greeks   JSON lines of options in, price and Greeks out (hedge greeks --help)
  iv       JSON lines of option prices in, implied volatility out (hedge iv --help)
  start    the whole local stack: DynamoDB Local, a chain, the functions, a dashboard (npm start; hedge start --help)
  demo     the risk of a sample options book, valued now
  backtest what hedging a book costs over simulated or replayed prices (hedge backtest --help)
  cost     what the flow costs on AWS per account-month, at a cadence and hedges a day (hedge cost --help)
  vol      volatility models: fit GARCH(1,1) or EWMA to a price CSV and forecast (hedge vol --help)
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  const wantsHelp = args.includes('--help') || args.includes('-h');
  switch (command) {
    case 'greeks':
    case 'iv': {
      const { help, handler } = await lineCommand(command);
      if (wantsHelp) {
        process.stdout.write(help);
        return 0;
      }
      const unknown = args.filter((a) => a !== '--');
      if (unknown.length > 0) {
        process.stderr.write(`hedge ${command}: unknown argument(s) ${unknown.join(' ')}\n`);
        return 2;
      }
      const { failed } = await runJsonLines(process.stdin, process.stdout, handler);
      return failed > 0 ? 1 : 0;
    }
    case 'demo': {
      const { DEMO_HELP, runDemo } = await import('./commands/demo-command.ts');
      if (wantsHelp) {
        process.stdout.write(DEMO_HELP);
        return 0;
      }
      const unknown = args.filter((a) => a !== '--json' && a !== '--');
      if (unknown.length > 0) {
        process.stderr.write(`hedge demo: unknown argument(s) ${unknown.join(' ')}\n`);
        return 2;
      }
      process.stdout.write(runDemo(args, Date.now()) + '\n');
      return 0;
    }
    case 'start': {
      const { runStart } = await import('../local/cli/run-start.ts');
      return runStart(args);
    }
    case 'backtest': {
      const { BACKTEST_HELP, runBacktestCommand } = await import('./commands/backtest-command.ts');
      if (wantsHelp) {
        process.stdout.write(BACKTEST_HELP);
        return 0;
      }
      return runBacktestCommand(args);
    }
    case 'vol':
      return (await import('./commands/vol-command.ts')).runVolCommand(args);
    case 'cost':
      return (await import('./commands/cost-command.ts')).runCostCommand(args);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`hedge: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
