/**
 * What an evaluation saw and decided, as stored with the account's hedge state and served
 * by `GET /accounts/{id}/exposure`: the latest one only (history is in the events and the
 * hedge records). One schema for the store and the API.
 */
import * as z from 'zod';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });

export const ExposureSnapshotSchema = z.strictObject({
  /** The Evaluation Requested event this answered. */
  evaluationId: z.string().min(1),
  at: z.iso.datetime(),
  underlying: z.string().min(1),
  /** 'priced': the book was priced and the policy decided; otherwise why not (nothing was decided). */
  status: z.enum(['priced', 'market-unavailable', 'no-market-source']),
  /**
   * Since when the book has been outside its band (the policy wanted to trade and the book
   * has not come back since, hedges in flight included); absent when inside, or when the
   * account does not trade (no execution block, dry-run). Carried from one evaluation to
   * the next: the `OutsideBand` metric and its alarm read it.
   */
  outsideBandSince: z.iso.datetime().exactOptional(),
  /** The reason code and sentence when the status is not 'priced'. */
  problem: z.strictObject({ code: z.string(), message: z.string() }).exactOptional(),
  market: z
    .strictObject({
      spot: z.number().positive(),
      vol: z.number().nonnegative(),
      volSource: z.enum(['fixed', 'realised', 'onchain']),
      oracleUpdatedAt: z.iso.datetime(),
      rate: finite,
      yield: finite,
    })
    .exactOptional(),
  risk: z
    .strictObject({
      /** Net delta the policy saw: the book's plus the hedges in flight. */
      delta: finite,
      /** Units of hedges requested and not ended yet (included in `delta`). */
      inFlightUnits: finite,
      dollarDelta: finite,
      gamma: finite,
      vegaPerVolPoint: finite,
      thetaPerDay: finite,
      optionValueUsd: finite,
      optionNotionalUsd: finite,
      nearestExpiryYears: finite,
      positionCount: z.number().int().nonnegative(),
    })
    .exactOptional(),
  /** What the account's perpetual venues hold for its signer, and their margin (read at this evaluation). */
  venues: z
    .array(
      z.strictObject({
        venueId: z.string(),
        instrument: z.enum(['spot', 'perp', 'option']),
        quantity: finite,
        margin: z
          .strictObject({
            collateralUsd: finite,
            accountValueUsd: finite,
            /** null without a position (the ratio is infinite). */
            marginRatio: finite.nullable(),
            maintenanceMarginRatio: finite,
            /** Funding owed to (+) or by (−) the account and not settled yet, USD. */
            pendingFundingUsd: finite,
            freeCollateralUsd: finite,
          })
          .exactOptional(),
      }),
    )
    .exactOptional(),
  decision: z
    .strictObject({
      id: z.string(),
      action: z.enum(['none', 'hedge', 'alert']),
      reason: z.string(),
      message: z.string(),
      numbers: z.record(z.string(), finite),
      dryRun: z.boolean(),
      /** False when the account has no execution block (advisory) or the decision was dry-run. */
      dispatched: z.boolean(),
    })
    .exactOptional(),
});

export type ExposureSnapshot = z.output<typeof ExposureSnapshotSchema>;
