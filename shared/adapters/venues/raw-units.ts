/**
 * Policy quantities (numbers of units) to a token's raw amount, exactly: through the
 * decimal string of the number, so 18 decimals never pass through a lossy 2^53 product.
 *
 * @example toRawUnits(1.5, 18) // 1500000000000000000n
 */
export function toRawUnits(quantity: number, decimals: number): bigint {
  if (!(quantity > 0 && Number.isFinite(quantity))) throw new RangeError(`quantity must be a positive finite number (got ${quantity})`);
  const [whole, fraction = ''] = quantity.toFixed(Math.min(decimals, 20)).split('.');
  return BigInt(whole!) * 10n ** BigInt(decimals) + BigInt((fraction + '0'.repeat(decimals)).slice(0, decimals) || '0');
}
