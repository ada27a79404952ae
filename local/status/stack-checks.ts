/**
 * The stack's end-of-run checks over every tenant: reconciliation with the chain
 * (reconcile.ts, with each tenant's own venues as its configuration names them) and the
 * headless summary (HeadlessSummarySchema): what the collector counted on the bus, and
 * what the stored hedge records of those hedges say they traded (instrument, routed legs).
 * The summary is this run's; the reconciliation covers every record the tenant has.
 */
import type { Address, PublicClient } from 'viem';
import type { StoredHedgeRecord } from '../../shared/adapters/dynamodb/hedge-record-repository.ts';
import { createVenue } from '../../shared/adapters/venues/create-venue.ts';
import { hedgePositionId, optionHedgePositionId } from '../../shared/app/evaluate/evaluate-account.ts';
import type { RuntimeConfig } from '../../shared/contracts/account-config.ts';
import type { Position } from '../../shared/domain/exposure/positions.ts';
import { WETH_DECIMALS, type LocalPublicClient } from '../chain/local-chain.ts';
import type { HeadlessSummary } from '../status-schema.ts';
import { reconcileTenant, type TenantReconciliation } from './reconcile.ts';
import type { StatusCollector } from './status-collector.ts';

/** A tenant as the checks know it: its signer and the base balance the stack funded it with. */
export interface CheckedTenant {
  readonly accountId: string;
  readonly signer: Address;
  readonly startBaseBalance: bigint;
}

export interface StackReconciliation {
  readonly reconciled: boolean;
  readonly tenants: readonly TenantReconciliation[];
}

export interface StackChecksDeps {
  readonly client: LocalPublicClient;
  readonly baseToken: Address;
  readonly tenants: () => readonly CheckedTenant[];
  readonly configs: { getConfig(accountId: string): Promise<{ readonly config: RuntimeConfig } | undefined> };
  readonly positions: { listPositions(accountId: string): Promise<readonly { readonly position: Position }[]> };
  readonly hedges: { listHedgeRecords(accountId: string, options?: { limit?: number; cursor?: string }): Promise<{ readonly items: readonly StoredHedgeRecord[]; readonly cursor?: string | undefined }> };
}

export interface StackChecks {
  /** Every hedge record of the account, newest first. */
  records(accountId: string): Promise<StoredHedgeRecord[]>;
  reconcile(): Promise<StackReconciliation>;
  summary(input: { readonly collector: StatusCollector; readonly startedAt: number; readonly reconciliation: StackReconciliation }): Promise<HeadlessSummary>;
}

export function createStackChecks(deps: StackChecksDeps): StackChecks {
  async function records(accountId: string): Promise<StoredHedgeRecord[]> {
    const out: StoredHedgeRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.hedges.listHedgeRecords(accountId, cursor === undefined ? { limit: 100 } : { limit: 100, cursor });
      out.push(...page.items);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return out;
  }

  async function reconcileOne(tenant: CheckedTenant): Promise<TenantReconciliation> {
    const config = (await deps.configs.getConfig(tenant.accountId))?.config;
    const venues = config?.execution?.venues ?? [];
    const underlying = config?.underlying ?? 'ETH';
    const stored = new Map((await deps.positions.listPositions(tenant.accountId)).map((p) => [p.position.id, p.position.quantity]));
    // The client type of the product's adapters: the local client is one with the foundry chain.
    const client = deps.client as PublicClient;
    const perp = venues.find((venue) => venue.kind === 'perp-v2');
    const options = venues.find((venue) => venue.kind === 'lyra-v1');
    return reconcileTenant({
      client: deps.client,
      accountId: tenant.accountId,
      signer: tenant.signer,
      baseToken: deps.baseToken,
      baseDecimals: WETH_DECIMALS,
      startBaseBalance: tenant.startBaseBalance,
      storedQuantity: (id) => stored.get(id) ?? 0,
      spotPositionId: hedgePositionId(underlying),
      ...(perp === undefined ? {} : { perp: { venue: createVenue({ client, venue: perp }), positionId: hedgePositionId(underlying, 'perp') } }),
      ...(options === undefined
        ? {}
        : {
            options: {
              venue: createVenue({ client, venue: options }),
              series: (config?.limits?.hedgeOptions ?? []).map((option) => {
                const series = { optionType: option.optionType, strike: option.strike, expiryMs: option.expiryMs };
                return { id: option.id, series, positionId: optionHedgePositionId(underlying, series) };
              }),
            },
          }),
      records: await records(tenant.accountId),
    });
  }

  return {
    records,
    async reconcile() {
      const tenants = await Promise.all(deps.tenants().map(reconcileOne));
      return { reconciled: tenants.every((tenant) => tenant.reconciled), tenants };
    },
    async summary({ collector, startedAt, reconciliation }) {
      const byInstrument = { spot: 0, perp: 0, option: 0 };
      let routedLegs = 0;
      // This run's hedges only (a restarted stack's records hold the earlier runs' too): the
      // ones the collector saw confirmed, by their transaction.
      const thisRun = new Set(collector.confirmedTxs.map((tx) => tx.txHash));
      for (const tenant of deps.tenants()) {
        for (const record of await records(tenant.accountId)) {
          if (record.stage !== 'confirmed') continue;
          const data = record.steps.find((step) => step.stage === 'confirmed')?.data ?? {};
          if (typeof data.txHash !== 'string' || !thisRun.has(data.txHash)) continue;
          const instrument = data.instrument === 'perp' || data.instrument === 'option' ? data.instrument : 'spot';
          byInstrument[instrument]++;
          // Only a venue that splits reports legs.
          if (typeof data.legs === 'number') routedLegs += data.legs;
        }
      }
      const counts = collector.hedgeCounts;
      const after = collector.afterHedge;
      return {
        ticks: collector.ticks,
        hedgesSubmitted: counts.submitted,
        hedgesConfirmed: counts.confirmed,
        hedgesFailed: counts.failed,
        hedgesConfirmedByInstrument: byInstrument,
        routedLegs,
        crashModeSwitches: collector.crashesEntered,
        maxAbsDeltaAfterHedge: after.maxAbsDelta,
        bandBreachesAfterHedge: after.breaches,
        gammaBreachesAfterHedge: after.gammaBreaches,
        vegaBreachesAfterHedge: after.vegaBreaches,
        reconciled: reconciliation.reconciled,
        runTimeMs: Math.max(0, Math.round(Date.now() - startedAt)),
      };
    },
  };
}
