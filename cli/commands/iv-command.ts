/**
 * `hedge iv`: JSON lines of option prices in, one line with the implied volatility out.
 */
import { impliedVolatilityBsm } from '../../shared/domain/pricing/implied-vol.ts';
import { describeSchemaError, ImpliedVolLineSchema } from '../../shared/contracts/option-lines.ts';
import { LineError, type LineHandler } from '../json-lines.ts';

export const IV_HELP = `hedge iv — implied volatility of European options (generalised Black-Scholes-Merton)

Reads JSON lines on stdin, writes one JSON line per input line, in the same order.

In:   {"type":"call"|"put","spot":S,"strike":K,"maturity":T,"rate":r,"yield":q,"price":P}
        the same fields as \`hedge greeks\` with "price" (present value) instead of "vol";
        rate and yield default to 0.
Out:  {"vol":sigma}   as a decimal (0.2 = 20%), to near machine precision
        (Jaeckel's "Let's Be Rational": at most a few iterations for any strike).
        A price equal to the discounted intrinsic value gives {"vol":0}.
Errors: a price outside the no-arbitrage bounds (below the discounted intrinsic value,
        or at/above the discounted spot for a call or the discounted strike for a put)
        yields {"line":n,"error":"..."} naming the bounds; so does any invalid field.
        The run goes on; the exit status is 1 if any line failed.

Example:
  echo '{"type":"call","spot":100,"strike":100,"maturity":1,"rate":0.05,"yield":0,"price":10.4506}' | hedge iv
`;

export const impliedVolLine: LineHandler = (value) => {
  const parsed = ImpliedVolLineSchema.safeParse(value);
  if (!parsed.success) throw new LineError(describeSchemaError(parsed.error));
  return { vol: impliedVolatilityBsm(parsed.data) };
};
