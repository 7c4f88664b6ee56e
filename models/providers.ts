/**
 * The provider's view (docs/design.md §6): costs, asks, the smoothed operating margin that drives
 * exit (with hysteresis: a bad week does not empty the network, a bad quarter does), and the
 * expected return that drives entry. Pure functions; the network model applies them.
 *
 * Capex is amortised for the entry decision and sunk for the exit decision: an operating
 * provider compares revenue with running costs only (power, upkeep, bandwidth).
 */
import { HOURS_PER_YEAR } from "./units.js";

export interface ProviderCostInputs {
	readonly tdpWatts: number;
	readonly electricityUsdPerKwh: number;
	readonly idlePowerShare: number;
	readonly upkeepUsdPerHour: number;
}

/** Running cost of a node per hour at utilisation u ∈ [0, 1], USD (power + upkeep). */
export function operatingCostUsdPerHour(inputs: ProviderCostInputs, utilisation: number): number {
	const powerKw = (inputs.tdpWatts / 1000) * (inputs.idlePowerShare + (1 - inputs.idlePowerShare) * utilisation);
	return powerKw * inputs.electricityUsdPerKwh + inputs.upkeepUsdPerHour;
}

/** Capex spread evenly over the hardware's life, USD per hour. */
export function amortisedCapexUsdPerHour(capexUsd: number, lifetimeYears: number): number {
	return capexUsd / (lifetimeYears * HOURS_PER_YEAR);
}

/**
 * A provider's ask: full cost at full utilisation (running cost + amortised capex) times
 * (1 + markup), times its own factor (lognormal spread between providers).
 */
export function askUsdPerGpuHour(
	inputs: ProviderCostInputs,
	capexUsdPerHour: number,
	markup: number,
	individualFactor: number,
): number {
	return (operatingCostUsdPerHour(inputs, 1) + capexUsdPerHour) * (1 + markup) * individualFactor;
}

/** Weight of the newest value in an EWMA with the given half-life (in updates). */
export function ewmaWeight(halfLife: number): number {
	return 1 - 2 ** (-1 / halfLife);
}

/**
 * Annual return on capex a prospect expects from the smoothed operating margin of nodes like
 * the one it would buy: margin × hours per year / capex.
 */
export function expectedAnnualReturn(marginUsdPerHour: number, capexUsd: number): number {
	return capexUsd > 0 ? (marginUsdPerHour * HOURS_PER_YEAR) / capexUsd : 0;
}

/**
 * Share of the prospective pool that decides to join in one epoch: 0 at or below the hurdle,
 * rising linearly to `maxShare` when the expected return exceeds the hurdle by 100 points.
 */
export function joinShare(expectedReturn: number, hurdle: number, maxShare: number): number {
	const excess = expectedReturn - hurdle;
	if (!(excess > 0)) return 0;
	return maxShare * Math.min(1, excess);
}
