/**
 * `hedge greeks`: JSON lines of option inputs in, one line of price and raw Greeks out.
 */
import { bsmGreeks } from '../../shared/domain/pricing/black-scholes-merton.ts';
import { describeSchemaError, GreeksLineSchema } from '../../shared/contracts/option-lines.ts';
import { LineError, type LineHandler } from '../json-lines.ts';

export const GREEKS_HELP = `hedge greeks — price and Greeks of European options (generalised Black-Scholes-Merton)

Reads JSON lines on stdin, writes one JSON line per input line, in the same order.

In:   {"type":"call"|"put","spot":S,"strike":K,"maturity":T,"vol":sigma,"rate":r,"yield":q}
        maturity in years; vol, rate and yield as decimals (0.2 = 20%), continuously
        compounded; rate and yield default to 0. Unknown fields are an error.
Out:  {"price":..,"delta":..,"gamma":..,"vega":..,"theta":..,"rho":..,"vanna":..,"volga":..}
        raw derivatives: delta = dV/dS, gamma = d2V/dS2,
        vega  = dV/dsigma per 1.00 of vol (divide by 100 for per vol point),
        theta = dV/dt per year of calendar time passing (usually negative; /365 per day),
        rho   = dV/dr per 1.00 of rate (divide by 10000 per basis point),
        vanna = d2V/dS dsigma, volga = d2V/dsigma2.
        At expiry exactly at the strike, gamma and theta are the limits "Infinity" and
        "-Infinity" (written as strings: JSON has no infinity).
Errors: an invalid line yields {"line":n,"error":"..."} and the run goes on; the exit
        status is 1 if any line failed.

Example:
  echo '{"type":"call","spot":100,"strike":100,"maturity":1,"vol":0.2,"rate":0.05,"yield":0}' | hedge greeks
`;

export const greeksLine: LineHandler = (value) => {
  const parsed = GreeksLineSchema.safeParse(value);
  if (!parsed.success) throw new LineError(describeSchemaError(parsed.error));
  const g = bsmGreeks(parsed.data);
  return {
    price: g.price,
    delta: g.delta,
    gamma: g.gamma,
    vega: g.vegaPerUnitVol,
    theta: g.thetaPerYear,
    rho: g.rhoPerUnitRate,
    vanna: g.vannaPerUnitVol,
    volga: g.volgaPerUnitVol2,
  };
};
