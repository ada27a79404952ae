/**
 * A provider's bad day for the webhook sender's plan: every delivery also comes again
 * under its own id (a retry after a lost 2xx) and under a new id (the same logs reported
 * twice), and a poll's deliveries arrive newest first. Counted as handed to the sender.
 */
import { newDeliveryId, type WebhookDelivery } from '../webhooks/webhook-sender.ts';

export interface WebhookChaos {
  plan(deliveries: readonly WebhookDelivery[]): readonly WebhookDelivery[];
  readonly counts: { deliveries: number; sameIdAgain: number; newIdAgain: number; outOfOrderPolls: number };
}

export function createWebhookChaos(): WebhookChaos {
  const counts = { deliveries: 0, sameIdAgain: 0, newIdAgain: 0, outOfOrderPolls: 0 };
  return {
    counts,
    plan(deliveries) {
      if (deliveries.length === 0) return deliveries;
      const out: WebhookDelivery[] = [];
      for (const delivery of [...deliveries].reverse()) {
        out.push(delivery, { deliveryId: newDeliveryId(), logs: delivery.logs }, delivery);
        counts.newIdAgain++;
        counts.sameIdAgain++;
      }
      if (deliveries.length > 1) counts.outOfOrderPolls++;
      counts.deliveries += out.length;
      return out;
    },
  };
}
