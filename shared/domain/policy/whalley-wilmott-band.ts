/**
 * The Whalley-Wilmott no-trade band: the asymptotically optimal hedging strategy of a
 * utility-maximising hedger (exponential utility, Hodges-Neuberger framework) who pays a
 * proportional cost on every trade, in the limit of small costs. The hedge ratio is kept
 * within Δ_BS ± H and, when it leaves the band, is brought back to the nearest edge:
 *
 *   H = ( 3/2 · e^{−r·τ} · k · S · Γ² / λ )^{1/3}
 *
 * Units (each checked: the result is in units of the underlying):
 * - Γ: the book's net gamma, units of the underlying per 1 USD move (units²/USD per unit
 *   of price: ∂Δ/∂S with Δ in units and S in USD per unit). For a book of N identical
 *   options it is N·Γ_option, as in the paper's portfolio form.
 * - S: spot, USD per unit.
 * - k: proportional cost as a fraction of the notional traded (trading ν units costs
 *   k·S·|ν| USD), here costBps / 10 000.
 * - λ: the coefficient of absolute risk aversion of U(W) = −e^{−λW} on terminal wealth,
 *   in 1/USD. Then k·S·Γ²/λ has units (USD/unit)·(unit²/USD)²·USD = unit³ and H is in units.
 *   λ = 1e-4 reads as "risk tolerance of 10 000 USD".
 * - τ: years to the book's expiry; e^{−rτ} converts the terminal-wealth risk aversion to
 *   today's money (λ·e^{rτ} is the effective risk aversion at t).
 *
 * σ does not appear. Heuristically: the hedge error y = Δ − Δ_BS diffuses with variance
 * rate σ²S²Γ²; keeping |y| ≤ H costs risk at a rate ∝ λ·σ²S²·H² and trading at a rate
 * ∝ k·S·σ²S²Γ²/H (the local time of a reflected diffusion); both carry σ²S², so the
 * optimum H³ ∝ k·S·Γ²/λ is independent of σ. `vol` is accepted by
 * {@link whalleyWilmottHalfWidth} only for callers that pass the whole market; unused.
 *
 * Scaling laws (tested): H ∝ Γ^{2/3}, ∝ k^{1/3}, ∝ λ^{−1/3}, ∝ S^{1/3}.
 *
 * @see A. E. Whalley, P. Wilmott, "An asymptotic analysis of an optimal hedging model for
 *      option pricing with transaction costs", Mathematical Finance 7(3), 307–324 (1997).
 * @see V. I. Zakamouline, "Optimal hedging of option portfolios with transaction costs"
 *      (2006), which restates the band for a portfolio of options on one underlying.
 */

export interface WhalleyWilmottInput {
  /** Net gamma of the book, units of the underlying per 1 USD move. Its sign is irrelevant. */
  readonly gamma: number;
  /** USD per unit of the underlying, > 0. */
  readonly spot: number;
  /** Not used at leading order (see the module comment). */
  readonly vol?: number;
  /** Continuously compounded rate, decimal. */
  readonly rate: number;
  /** Years to the book's expiry (≥ 0). */
  readonly yearsToExpiry: number;
  /** Proportional cost, basis points of the notional traded. */
  readonly costBps: number;
  /** Absolute risk aversion λ, 1/USD. */
  readonly riskAversion: number;
}

/** Half-width H of the Whalley-Wilmott band, units of the underlying (0 when Γ = 0). */
export function whalleyWilmottHalfWidth(input: WhalleyWilmottInput): number {
  const { gamma, spot, rate, yearsToExpiry, costBps, riskAversion } = input;
  const k = costBps / 10_000;
  return Math.cbrt((1.5 * Math.exp(-rate * yearsToExpiry) * k * spot * gamma * gamma) / riskAversion);
}
