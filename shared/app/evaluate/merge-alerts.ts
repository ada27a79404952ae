/**
 * One Risk Limit Breached per (decision, code): that is the event's natural key, so two
 * alerts of one code in one decision (an option order and the delta order both clipped)
 * would share an event id and the second would be dropped downstream as a duplicate.
 * Alerts of the same code are merged: the sentences joined, the numbers of the later ones
 * kept under a `#n.` prefix.
 */
import type { PolicyAlert } from '../../domain/policy/policy-types.ts';

export function mergeAlertsByCode(alerts: readonly PolicyAlert[]): PolicyAlert[] {
  const merged = new Map<PolicyAlert['code'], { messages: string[]; numbers: Record<string, number> }>();
  for (const alert of alerts) {
    const seen = merged.get(alert.code);
    if (seen === undefined) {
      merged.set(alert.code, { messages: [alert.message], numbers: { ...alert.numbers } });
      continue;
    }
    const n = seen.messages.length + 1;
    seen.messages.push(alert.message);
    for (const [key, value] of Object.entries(alert.numbers)) seen.numbers[`#${n}.${key}`] = value;
  }
  return [...merged].map(([code, { messages, numbers }]) => ({ code, message: messages.join(' · ').slice(0, 1000), numbers }));
}
