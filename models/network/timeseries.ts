/** One timeseries row per epoch, from the closed books, the epoch's counts and the token flows. */

import type { EpochTokenFlows, TokenEconomy } from "../tokenomics/economy.js";
import { MS_PER_DAY, MS_PER_HOUR } from "../units.js";
import type { NetworkState } from "./state.js";

/** Appends the row of the epoch that ends now, `hours` long. */
export function appendEpochRow(state: NetworkState, hours: number, flows: EpochTokenFlows | null): void {
	const { books, epochCounts: counts, totals } = state;
	const { active, live, busyMs } = books;
	const cloudP95 = counts.cloudLatency.count > 0 ? counts.cloudLatency.quantile(0.95) : Number.NaN;
	const p95 = counts.latency.count > 0 ? counts.latency.quantile(0.95) : Number.NaN;
	let replicas = 0;
	for (const c of state.realtimeClasses) replicas += c.replicas.length;
	state.timeseries.append({
		epoch: state.epochIndex,
		dayStart: state.epochStartMs / MS_PER_DAY,
		activeNodes: active,
		servingNodes: books.serving,
		downNodes: books.down,
		joiningNodes: books.joining,
		joins: counts.joins,
		exits: counts.exits,
		ordersArrived: counts.arrived,
		ordersServed: counts.served,
		ordersRejected: counts.rejected,
		ordersWaiting: totals.waiting,
		ordersRunning: totals.running,
		demandShare: demandShare(state),
		utilisation: active > 0 ? busyMs / (active * hours * MS_PER_HOUR) : 0,
		clearingPriceUsdPerGpuHour: counts.priceGpuHours > 0 ? counts.priceUsd / counts.priceGpuHours : Number.NaN,
		cloudPriceUsdPerGpuHour:
			counts.cloudPriceGpuHours > 0 ? counts.cloudPriceUsd / counts.cloudPriceGpuHours : Number.NaN,
		replicas,
		requestsArrived: counts.requestsArrived,
		requestsSlaMissed: counts.requestsSlaMissed,
		p95LatencyMs: p95,
		cloudP95LatencyMs: cloudP95,
		providerRevenueUsd: books.revenueUsd,
		providerMarginUsdPerGpuHour: live > 0 ? books.marginSum / live : Number.NaN,
		smoothedMarginUsdPerGpuHour: live > 0 ? books.ewmaSum / live : Number.NaN,
		...tokenColumns(state.economy, flows, live),
	});
}

/** DePIN's share of demand, weighted by each class's rate (NaN without demand). */
function demandShare(state: NetworkState): number {
	let shareWeighted = 0;
	let shareWeight = 0;
	for (const c of [...state.jobClasses, ...state.realtimeClasses]) {
		const rate = c.demand?.ratePerHour ?? 0;
		shareWeighted += c.share * rate;
		shareWeight += rate;
	}
	return shareWeight > 0 ? shareWeighted / shareWeight : Number.NaN;
}

/** The token columns of a timeseries row (NaN, i.e. empty, when tokenomics is off). */
function tokenColumns(economy: TokenEconomy | null, flows: EpochTokenFlows | null, live: number) {
	if (economy === null || flows === null) {
		return {
			tokensMinted: Number.NaN,
			tokensBurned: Number.NaN,
			tokenSupply: Number.NaN,
			tokenPriceUsd: Number.NaN,
			tokensStaked: Number.NaN,
			treasuryTokens: Number.NaN,
			rewardPerNodeUsd: Number.NaN,
			tokensMintedEmission: Number.NaN,
			tokensMintedWork: Number.NaN,
			workRewardPerNodeUsd: Number.NaN,
			tokensSoldHeld: Number.NaN,
		};
	}
	// Token amounts stay in base units (TOKEN_UNIT_COLUMNS): exact, written as tokens by the CLI.
	return {
		tokensMinted: flows.mintedUnits,
		tokensBurned: flows.burnedUnits,
		tokenSupply: economy.ledger.supply,
		tokenPriceUsd: economy.priceUsd,
		tokensStaked: economy.ledger.stakedTotal,
		treasuryTokens: economy.ledger.balance("treasury"),
		// Emission only (the subsidy); burn-and-mint work payouts in their own column.
		rewardPerNodeUsd: live > 0 ? economy.unitsToUsd(flows.providerRewardUnits - flows.workRewardUnits) / live : 0,
		tokensMintedEmission: flows.emissionMintedUnits,
		tokensMintedWork: flows.workRewardUnits,
		workRewardPerNodeUsd: live > 0 ? flows.workRewardUsd / live : 0,
		tokensSoldHeld: flows.heldSoldUnits,
	};
}
