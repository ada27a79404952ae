/**
 * The scheduled trigger of the fan-out (an EventBridge schedule, one invocation per
 * minute): validates the event's `time`, then runs fanOutTick for that tick.
 *
 * - A malformed event (no `time`, or not an ISO date-time) → InvalidScheduledEventError
 *   before anything is read or published.
 * - fanOutTick throws (store or bus failure) → the invocation fails and the platform
 *   retries it; the retry publishes the same event ids, so nothing is evaluated twice.
 */
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { fanOutTick, scheduleMinuteOf, type FanOutDeps, type FanOutResult } from '../../shared/app/schedule-fan-out/fan-out.ts';

export interface IngestScheduleHandlerOptions {
  readonly deps: FanOutDeps;
  readonly onOutcome?: (outcome: IngestScheduleOutcome) => void;
}

export interface IngestScheduleOutcome extends FanOutResult {
  /** The tick the events name: the event's time floored to its minute. */
  readonly tickAt: string;
}

export type IngestScheduleHandler = middy.MiddyfiedHandler<ScheduledEvent, IngestScheduleOutcome>;

export class InvalidScheduledEventError extends Error {
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`not a scheduled event: ${issues.join('; ')}`);
    this.name = 'InvalidScheduledEventError';
    this.issues = issues;
  }
}

// Only `time` is read: EventBridge sets it to the scheduled time ("2026-01-01T12:00:00Z").
const ScheduledEventSchema = z.object({ time: z.iso.datetime({ offset: true }).refine((time) => Number.isFinite(Date.parse(time)), 'not a real date-time') });

/** @example export const handler = createIngestScheduleHandler({ deps: { accounts, publisher } }); */
export function createIngestScheduleHandler(options: IngestScheduleHandlerOptions): IngestScheduleHandler {
  return middy<ScheduledEvent, IngestScheduleOutcome>().handler(async (event) => {
    const parsed = ScheduledEventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidScheduledEventError(parsed.error.issues.map((i) => `${i.path.length === 0 ? '(event)' : i.path.join('.')}: ${i.message}`));
    const tickAtMs = Date.parse(parsed.data.time);
    const result = await fanOutTick(options.deps, tickAtMs);
    const outcome: IngestScheduleOutcome = { ...result, tickAt: new Date(scheduleMinuteOf(tickAtMs)).toISOString() };
    options.onOutcome?.(outcome);
    return outcome;
  });
}
