/** Instant unstake: the contract's exact quote, its fee, and the least a holder accepts. */

/** The least NEAR to accept for a quote with `slippageBps` (1/100 of a percent) of slack. */
export function minExpected(quote: bigint, slippageBps: number): bigint {
  if (!Number.isInteger(slippageBps) || slippageBps < 0 || slippageBps > 10_000) {
    throw new RangeError("slippage must be 0 to 10000 basis points");
  }
  return (quote * BigInt(10_000 - slippageBps)) / 10_000n;
}

/**
 * The fee a quote implies, against the tokens' value at the price (yocto per token, scaled by
 * 10^24): value - quote, and that as basis points of the value (rounded up, so it is never
 * shown smaller than it is).
 */
export function feeOf(tokens: bigint, price: bigint, quote: bigint): { fee: bigint; bps: number } {
  const value = (tokens * price) / 10n ** 24n;
  const fee = value > quote ? value - quote : 0n;
  const bps = value === 0n ? 0 : Number((fee * 10_000n + value - 1n) / value);
  return { fee, bps };
}
