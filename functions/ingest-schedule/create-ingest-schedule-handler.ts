/**
 * The scheduled trigger of the fan-out (an EventBridge schedule, one invocation per
 * minute): validates the event's `time`, then runs fanOutTick for that tick.
 *
 * - A malformed event (no `time`, or not an ISO date-time) → InvalidScheduledEventError
 *   before anything is read or published.
 * - fanOutTick throws (store or bus failure) → the invocation fails and the platform
 *   retries it; the retry publishes the same event ids, so nothing is evaluated twice.
 *
 * The tick's correlation id is the scheduled event's id (a retried invocation delivers the
 * same event): every Evaluation Requested carries it, and the flows it starts with it.
 * Each tick is also the system's heartbeat: it reports the active accounts and, when given
 * the kill switch, whether it is engaged (the KillSwitchEngaged metric its alarm watches);
 * a kill switch that cannot be read is logged and never fails the tick.
 */
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { fanOutTick, scheduleMinuteOf, type FanOutDeps, type FanOutResult } from '../../shared/app/schedule-fan-out/fan-out.ts';
import { firstCorrelationId } from '../../shared/runtime/correlation.ts';
import { telemetryOf, withObservability, type HandlerObservability } from '../../shared/runtime/handler-observability.ts';

export interface IngestScheduleHandlerOptions {
  readonly deps: FanOutDeps;
  readonly onOutcome?: (outcome: IngestScheduleOutcome) => void;
  /** The global kill switch, reported each tick (DispatchLimitsRepository satisfies it). */
  readonly killSwitch?: { globalKillSwitch(): Promise<{ readonly engaged: boolean }> };
  /** Powertools at the Lambda entry (logs, metrics, traces); none: nothing is logged. */
  readonly observability?: HandlerObservability;
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

// `time` is read: EventBridge sets it to the scheduled time ("2026-01-01T12:00:00Z"); `id` (the event's) is the correlation id when present.
const ScheduledEventSchema = z.object({
  time: z.iso.datetime({ offset: true }).refine((time) => Number.isFinite(Date.parse(time)), 'not a real date-time'),
  id: z.string().optional(),
});

/** @example export const handler = createIngestScheduleHandler({ deps: { accounts, publisher } }); */
export function createIngestScheduleHandler(options: IngestScheduleHandlerOptions): IngestScheduleHandler {
  const telemetry = telemetryOf(options.observability);
  const reportKillSwitch = async (): Promise<void> => {
    if (options.killSwitch === undefined) return;
    try {
      const { engaged } = await options.killSwitch.globalKillSwitch();
      telemetry.metric('KillSwitchEngaged', engaged ? 1 : 0, {});
      if (engaged) telemetry.warn('the global kill switch is engaged: no hedge is sent');
    } catch (error) {
      telemetry.warn('the kill switch could not be read', { error });
    }
  };
  return withObservability(
    middy<ScheduledEvent, IngestScheduleOutcome>().handler(async (event, context) => {
      const parsed = ScheduledEventSchema.safeParse(event);
      if (!parsed.success) throw new InvalidScheduledEventError(parsed.error.issues.map((i) => `${i.path.length === 0 ? '(event)' : i.path.join('.')}: ${i.message}`));
      const correlationId = firstCorrelationId(parsed.data.id, context.awsRequestId);
      // One tick per invocation: the key holds for the rest of it.
      telemetry.appendKeys({ correlationId });
      const tickAtMs = Date.parse(parsed.data.time);
      const [result] = await Promise.all([fanOutTick(options.deps, tickAtMs, { correlationId }), reportKillSwitch()]);
      const outcome: IngestScheduleOutcome = { ...result, tickAt: new Date(scheduleMinuteOf(tickAtMs)).toISOString() };
      telemetry.metric('ActiveAccounts', outcome.accounts, {});
      telemetry.info('fan-out tick done', { ...outcome });
      options.onOutcome?.(outcome);
      return outcome;
    }),
    options.observability,
  );
}
