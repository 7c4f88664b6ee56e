/**
 * The provider's view (docs/design.md §6): costs, asks, the smoothed operating margin that drives
 * exit (with hysteresis: a bad week does not empty the network, a bad quarter does), and the
 * expected return that drives entry. Pure functions; the network model applies them.
 *
 * Capex is amortised for the entry decision and sunk for the exit decision: an operating
 * provider compares revenue with running costs only (power, upkeep, bandwidth). Providers differ:
 * each draws its markup, power price, capex price, exit threshold, patience and ask
 * policy (network/node-life.ts), and each prospect its hurdle.
 */
import { HOURS_PER_YEAR } from "./units.js";

export interface ProviderCostInputs {
	readonly tdpWatts: number;
	/** The tariff the site pays, USD per kWh (a home pays the household tariff). */
	readonly electricityUsdPerKwh: number;
	readonly idlePowerShare: number;
	/** Fixed cost per hour: a home's upkeep, or a data centre's colocation fee, USD. */
	readonly upkeepUsdPerHour: number;
	/** Host power (CPU, memory, fans, PSU losses) as a share of GPU board power (absent: 0). */
	readonly hostPowerShare?: number;
	/** Facility power over IT power (cooling, distribution); absent: 1 (a home). */
	readonly pue?: number;
}

/**
 * Running cost of a node per hour at utilisation u ∈ [0, 1], USD: GPU and host power (idle share
 * plus the busy rest), times the PUE, at the site's tariff, plus upkeep or colocation.
 */
export function operatingCostUsdPerHour(inputs: ProviderCostInputs, utilisation: number): number {
	const itKw = (inputs.tdpWatts / 1000) * (1 + (inputs.hostPowerShare ?? 0));
	const powerKw = itKw * (inputs.idlePowerShare + (1 - inputs.idlePowerShare) * utilisation) * (inputs.pue ?? 1);
	return powerKw * inputs.electricityUsdPerKwh + inputs.upkeepUsdPerHour;
}

/** What a site costs to run, by hosting (providers.site and its neighbours in the scenario). */
export interface SiteCostSpec {
	readonly idlePowerShare: number;
	/** A home's upkeep, USD per hour. */
	readonly upkeepUsdPerHour: number;
	readonly residentialTariffFactor: number;
	readonly hostPowerShareResidential: number;
	readonly hostPowerShareDatacenter: number;
	readonly datacenterPue: number;
	readonly colocationUsdPerKwMonth: number;
}

/**
 * The running-cost inputs of a GPU of `tdpWatts` at a provider whose drawn power price is
 * `powerUsdPerKwh` (its metro's industrial price × its own factor): a home pays the household
 * tariff (× residentialTariffFactor) on GPU and host power, plus upkeep; a data centre pays the
 * metro's price on GPU and host power × PUE, plus colocation per kW of IT load at full power.
 */
export function siteCostInputs(
	spec: SiteCostSpec,
	tdpWatts: number,
	datacenter: boolean,
	powerUsdPerKwh: number,
): ProviderCostInputs {
	const { idlePowerShare } = spec;
	if (datacenter) {
		const hostPowerShare = spec.hostPowerShareDatacenter;
		const itKw = (tdpWatts / 1000) * (1 + hostPowerShare);
		const upkeepUsdPerHour = (itKw * spec.colocationUsdPerKwMonth * 12) / HOURS_PER_YEAR;
		return {
			tdpWatts,
			electricityUsdPerKwh: powerUsdPerKwh,
			idlePowerShare,
			upkeepUsdPerHour,
			hostPowerShare,
			pue: spec.datacenterPue,
		};
	}
	return {
		tdpWatts,
		electricityUsdPerKwh: powerUsdPerKwh * spec.residentialTariffFactor,
		idlePowerShare,
		upkeepUsdPerHour: spec.upkeepUsdPerHour,
		hostPowerShare: spec.hostPowerShareResidential,
		pue: 1,
	};
}

/** Capex spread evenly over the hardware's life, USD per hour. */
export function amortisedCapexUsdPerHour(capexUsd: number, lifetimeYears: number): number {
	return capexUsd / (lifetimeYears * HOURS_PER_YEAR);
}

/**
 * A cost-plus provider's ask: its full cost per busy hour at the utilisation it prices at
 * (running cost at u and the capex it still amortises, both ÷ u), times (1 + markup), times its
 * own factor (lognormal spread between providers). At u = 1 this is the full cost at full load.
 */
export function askUsdPerGpuHour(
	inputs: ProviderCostInputs,
	capexUsdPerHour: number,
	markup: number,
	individualFactor: number,
	pricedUtilisation = 1,
): number {
	const perBusyHour = (operatingCostUsdPerHour(inputs, pricedUtilisation) + capexUsdPerHour) / pricedUtilisation;
	return perBusyHour * (1 + markup) * individualFactor;
}

/**
 * A market-policy ask: the going rate of its class (the mean ask listed last epoch), under it by
 * `undercut` when the provider was not busy (it wants work), over it by as much when it was (it
 * can charge more), never under its floor (running cost at full load: below it, serving loses
 * money). Following the pay-as-bid clearing price itself would ratchet every ask to the floor:
 * the lowest asks set it, and each epoch's followers would undercut the last epoch's winners.
 */
export function marketAskUsdPerGpuHour(
	goingRateUsdPerGpuHour: number,
	undercut: number,
	busy: boolean,
	floorUsdPerGpuHour: number,
): number {
	return Math.max(floorUsdPerGpuHour, goingRateUsdPerGpuHour * (busy ? 1 + undercut : 1 - undercut));
}

/** Weight of the newest value in an EWMA with the given half-life (in updates). */
export function ewmaWeight(halfLife: number): number {
	return 1 - 2 ** (-1 / halfLife);
}

/** What a prospect knows when it weighs joining: today's market for the GPU class it would buy. */
export interface NewcomerOutlook {
	/** Recent clearing price of the class, USD per GPU-hour (what the tenant pays). */
	readonly clearingUsdPerGpuHour: number;
	/** Share of the lease price that reaches the provider in fiat (after the take rate). */
	readonly fiatShareToProvider: number;
	/** Recent utilisation of live nodes of the class. */
	readonly utilisationOfSimilar: number;
	/** Live nodes of the class, and nodes ordered but not yet serving (the pre-order backlog). */
	readonly liveOfClass: number;
	readonly backlogOfClass: number;
	/** Token rewards per node-hour at today's token price, USD (0 without a token). */
	readonly tokenRewardUsdPerHour: number;
	/**
	 * Live nodes of the whole fleet and nodes joining it: an emission is a fixed pie, so the
	 * newcomer's share of it is today's per-node reward × live ÷ (live + joining + 1). Left out:
	 * no dilution (a reward that grows with the fleet).
	 */
	readonly liveAll?: number;
	readonly backlogAll?: number;
	/** Capex of buying the GPU now, USD, and its amortisation period, years. */
	readonly capexUsd: number;
	readonly lifetimeYears: number;
}

/**
 * A newcomer's expected annual return on the capex of buying now, net of straight-line
 * depreciation: (revenue − running cost) × hours per year / capex − 1 / lifetime. Revenue is the
 * class's clearing price at the utilisation its nodes would have once the backlog and the
 * newcomer serve too (today's busy hours spread over live + backlog + 1 nodes, and shared with the
 * other classes' backlog in proportion to the fleet), plus its share
 * of the token rewards at today's price once the fleet's backlog and itself share them too.
 */
export function newcomerAnnualReturn(outlook: NewcomerOutlook, costInputs: ProviderCostInputs): number {
	const { liveOfClass, backlogOfClass, utilisationOfSimilar } = outlook;
	const liveAll = outlook.liveAll ?? 0;
	// Other classes' backlog competes for the same orders (a job takes the cheapest GPU that fits).
	const otherBacklog = Math.max(0, (outlook.backlogAll ?? 0) - backlogOfClass);
	const otherShare = liveAll > 0 ? liveAll / (liveAll + otherBacklog) : 1;
	const utilisation = Math.min(
		1,
		((utilisationOfSimilar * Math.max(1, liveOfClass)) / (liveOfClass + backlogOfClass + 1)) * otherShare,
	);
	const tokenShare = liveAll > 0 ? liveAll / (liveAll + (outlook.backlogAll ?? 0) + 1) : 1;
	const revenue =
		outlook.clearingUsdPerGpuHour * utilisation * outlook.fiatShareToProvider +
		outlook.tokenRewardUsdPerHour * tokenShare;
	const margin = revenue - operatingCostUsdPerHour(costInputs, utilisation);
	if (!(outlook.capexUsd > 0)) return 0;
	return (margin * HOURS_PER_YEAR) / outlook.capexUsd - 1 / outlook.lifetimeYears;
}
