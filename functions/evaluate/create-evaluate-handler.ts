/**
 * The evaluator's trigger: an EventBridge rule delivers Evaluation Requested (the schedule
 * fan-out, an operator) and Positions Changed (confirm-positions) to this function, one
 * event per invocation. The event is decoded against the contract and handed to
 * evaluateAccount; the triggering event's id is the evaluation's idempotency key, so a
 * redelivered event republishes what the first delivery decided instead of deciding again.
 *
 * - A malformed event (not ours, unknown or unexpected type, unsupported version, invalid
 *   detail) → the contract's error is thrown before anything is read or written. The
 *   invocation is asynchronous: Lambda retries it (twice by default) and then hands it to
 *   the function's on-failure destination / DLQ, where it stays for inspection.
 * - evaluateAccount throws (store, RPC, bus, a chain without RPC) → thrown as well: the
 *   retry is safe, because the evaluation id is the idempotency key.
 *
 * Observability (when given): every line of the invocation carries the account, the event
 * id and the correlation id (the event's, or its id for an event from an older producer),
 * which the evaluation puts on every event it publishes; the outcome is logged, the use
 * case's metrics (decisions, oracle, time outside the band) go through the same telemetry.
 */
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { evaluateAccount, type EvaluateDeps, type EvaluationOutcome } from '../../shared/app/evaluate/evaluate-account.ts';
import { decodeEvent } from '../../shared/contracts/events/decode-event.ts';
import { correlationIdOf } from '../../shared/contracts/events/event-definitions.ts';
import { InvalidEventError } from '../../shared/contracts/events/event-errors.ts';
import { telemetryOf, withObservability, type HandlerObservability } from '../../shared/runtime/handler-observability.ts';

/** The detail-types routed to this function (shared/contracts/routing-table.ts). */
export const EVALUATE_TRIGGERS = ['Evaluation Requested', 'Positions Changed'] as const;

export interface EvaluateHandlerOptions {
  readonly deps: EvaluateDeps;
  readonly onOutcome?: (outcome: EvaluateHandlerOutcome) => void;
  /** Powertools at the Lambda entry (logs, metrics, traces); none: nothing is logged. */
  readonly observability?: HandlerObservability;
}

export interface EvaluateHandlerOutcome {
  readonly accountId: string;
  readonly evaluationId: string;
  readonly trigger: (typeof EVALUATE_TRIGGERS)[number];
  readonly outcome: EvaluationOutcome;
}

export type EvaluateHandler = middy.MiddyfiedHandler<EventBridgeEvent<string, unknown>, EvaluateHandlerOutcome>;

/** @example export const handler = createEvaluateHandler({ deps }); */
export function createEvaluateHandler(options: EvaluateHandlerOptions): EvaluateHandler {
  const telemetry = telemetryOf(options.observability);
  const deps: EvaluateDeps = options.observability === undefined ? options.deps : { ...options.deps, telemetry: options.deps.telemetry ?? telemetry };
  return withObservability(
    middy<EventBridgeEvent<string, unknown>, EvaluateHandlerOutcome>().handler(async (event) => {
      const decoded = decodeEvent(event);
      if (decoded.type !== 'Evaluation Requested' && decoded.type !== 'Positions Changed') {
        // A routing mistake (a rule pointing the wrong type here): refuse rather than guess.
        throw new InvalidEventError('unexpected event type', [`expected one of ${EVALUATE_TRIGGERS.map((t) => `"${t}"`).join(', ')}, got "${decoded.type}"`]);
      }
      const { accountId, eventId } = decoded.detail;
      const correlationId = correlationIdOf(decoded.detail);
      // One event per invocation: the keys hold for the rest of it (the failure line included).
      telemetry.appendKeys({ correlationId, accountId, eventId });
      const outcome = await evaluateAccount(deps, { accountId, evaluationId: eventId, correlationId });
      const result: EvaluateHandlerOutcome = { accountId, evaluationId: eventId, trigger: decoded.type, outcome };
      telemetry.info('evaluated', {
        trigger: decoded.type,
        status: outcome.status,
        ...(outcome.status === 'decided'
          ? { decisionId: outcome.decision.id, action: outcome.decision.action, reason: outcome.decision.reason, dispatched: outcome.dispatched, published: outcome.published }
          : {}),
        ...('code' in outcome ? { code: outcome.code } : {}),
      });
      options.onOutcome?.(result);
      return result;
    }),
    options.observability,
  );
}
