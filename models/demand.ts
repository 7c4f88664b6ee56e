/**
 * Demand intensity: how fast each workload class asks for work at a given time, and where
 * from. Pure functions; the network model draws the arrivals.
 *
 * rate(t) = base × (1 + growth)^(t / year) × burst(t) × Σ_m w_m · diurnal_m(t), where w_m is
 * metro m's population weight and diurnal_m(t) = 1 + a·sin(2π (localHour − 6) / 24) peaks at
 * noon local time (local hour from the metro's longitude). The same weights, normalised, say
 * where an arrival at time t comes from.
 */
import { Categorical } from "../sim/random/distributions.js";

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 24 * MS_PER_HOUR;
export const HOURS_PER_YEAR = 8760;

export interface ArrivalShape {
	readonly diurnalAmplitude: number;
	readonly growthPerYear: number;
	readonly bursts: readonly {
		readonly startDay: number;
		readonly durationHours: number;
		readonly multiplier: number;
	}[];
}

/** Multiplier of the base rate from growth and bursts at time `tMs` (no diurnal part). */
export function trendMultiplier(shape: ArrivalShape, tMs: number): number {
	let multiplier = (1 + shape.growthPerYear) ** (tMs / (HOURS_PER_YEAR * MS_PER_HOUR));
	for (const burst of shape.bursts) {
		const start = burst.startDay * MS_PER_DAY;
		if (tMs >= start && tMs < start + burst.durationHours * MS_PER_HOUR) multiplier *= burst.multiplier;
	}
	return multiplier;
}

/** Local solar hour in [0, 24) at longitude `lonDeg` when it is `tMs` after midnight UTC. */
export function localHour(tMs: number, lonDeg: number): number {
	const utcHour = (tMs / MS_PER_HOUR) % 24;
	return (((utcHour + lonDeg / 15) % 24) + 24) % 24;
}

/** Diurnal factor of a metro at its local hour: 1 + a·sin(2π (h − 6) / 24), peak at noon. */
export function diurnalFactor(amplitude: number, hour: number): number {
	return 1 + amplitude * Math.sin((2 * Math.PI * (hour - 6)) / 24);
}

/**
 * Demand of one class during one epoch: the mean rate (per hour) and where arrivals come
 * from (a categorical over metros), evaluated at the epoch's midpoint.
 */
export interface EpochDemand {
	readonly ratePerHour: number;
	readonly metroWeights: Float64Array;
	readonly origin: Categorical;
}

export function epochDemand(
	basePerHour: number,
	shape: ArrivalShape,
	midpointMs: number,
	populationWeights: Float64Array,
	longitudesDeg: Float64Array,
): EpochDemand {
	const weights = new Float64Array(populationWeights.length);
	let total = 0;
	for (let m = 0; m < weights.length; m++) {
		const w =
			(populationWeights[m] as number) *
			diurnalFactor(shape.diurnalAmplitude, localHour(midpointMs, longitudesDeg[m] as number));
		weights[m] = w;
		total += w;
	}
	const weightTotal = populationWeights.reduce((a, b) => a + b, 0);
	const ratePerHour = basePerHour * trendMultiplier(shape, midpointMs) * (weightTotal > 0 ? total / weightTotal : 0);
	return { ratePerHour, metroWeights: weights, origin: new Categorical(total > 0 ? weights : populationWeights) };
}

/** Logistic share of a class choosing DePIN over cloud (DESIGN.md §4a, tenant's view). */
export function depinShare(
	choice: { readonly priceWeight: number; readonly reliabilityWeight: number; readonly bias: number },
	relativeSaving: number,
	servedFractionDepin: number,
	servedFractionCloud: number,
): number {
	const utility =
		choice.bias +
		choice.priceWeight * relativeSaving +
		choice.reliabilityWeight * (servedFractionDepin - servedFractionCloud);
	return 1 / (1 + Math.exp(-utility));
}
