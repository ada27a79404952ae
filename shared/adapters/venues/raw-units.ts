/**
 * Numbers the policy speaks in (units, USD) to a token's raw amount, exactly: through the
 * number's shortest decimal form (what `String(n)` prints: the fewest digits that read
 * back as the same double), so 0.1 WETH is 100000000000000000 wei, not the
 * 100000000000000005.55… that the double 0.1 holds in binary. Digits beyond `decimals`
 * are cut toward zero.
 *
 * @example toRawUnits(1.5, 18) // 1500000000000000000n
 * @example decimalToRaw(-2.5e-7, 8) // -25n
 */
export function decimalToRaw(value: number, decimals: number): bigint {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) throw new RangeError(`decimals must be an integer in [0, 255], got ${decimals}`);
  const [mantissa = '0', exponent = '0'] = Math.abs(value).toString().split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  const digits = BigInt(whole + fraction);
  const scale = decimals + Number(exponent) - fraction.length;
  const raw = scale >= 0 ? digits * 10n ** BigInt(scale) : digits / 10n ** BigInt(-scale);
  return value < 0 ? -raw : raw;
}

/** A positive quantity as a raw amount (a trade's size); RangeError otherwise. */
export function toRawUnits(quantity: number, decimals: number): bigint {
  if (!(quantity > 0 && Number.isFinite(quantity))) throw new RangeError(`quantity must be a positive finite number (got ${quantity})`);
  return decimalToRaw(quantity, decimals);
}
