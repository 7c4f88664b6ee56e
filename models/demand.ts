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
import { HOURS_PER_YEAR, MS_PER_DAY, MS_PER_HOUR } from "./units.js";

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
	const where = demandGeography(shape.diurnalAmplitude, midpointMs, populationWeights, longitudesDeg);
	return epochDemandAt(basePerHour, shape, midpointMs, where);
}

/** Where demand comes from at one moment: the diurnal part, which repeats every day. */
interface DemandGeography {
	readonly metroWeights: Float64Array;
	readonly origin: Categorical;
	/** Σ diurnal-weighted weights over Σ population weights: the diurnal rate multiplier. */
	readonly diurnalMultiplier: number;
}

function demandGeography(
	amplitude: number,
	midpointMs: number,
	populationWeights: Float64Array,
	longitudesDeg: Float64Array,
): DemandGeography {
	const weights = new Float64Array(populationWeights.length);
	let total = 0;
	for (let m = 0; m < weights.length; m++) {
		const w =
			(populationWeights[m] as number) * diurnalFactor(amplitude, localHour(midpointMs, longitudesDeg[m] as number));
		weights[m] = w;
		total += w;
	}
	const weightTotal = populationWeights.reduce((a, b) => a + b, 0);
	return {
		metroWeights: weights,
		origin: new Categorical(total > 0 ? weights : populationWeights),
		diurnalMultiplier: weightTotal > 0 ? total / weightTotal : 0,
	};
}

function epochDemandAt(
	basePerHour: number,
	shape: ArrivalShape,
	midpointMs: number,
	where: DemandGeography,
): EpochDemand {
	return {
		ratePerHour: basePerHour * trendMultiplier(shape, midpointMs) * where.diurnalMultiplier,
		metroWeights: where.metroWeights,
		origin: where.origin,
	};
}

/** Most distinct hours of the UTC day a DemandModel keeps (hourly epochs use 24). */
const MAX_CACHED_HOURS = 1024;

/**
 * `epochDemand` for one class over a run. The geography of demand depends on the time of day
 * only, so it is built once per UTC hour-of-day seen (24 for hourly epochs) and shared: the
 * result is the same, number for number, as building it every epoch. Treat the returned
 * weights and sampler as read-only.
 */
export class DemandModel {
	private readonly byHourOfDay = new Map<number, DemandGeography>();

	constructor(
		private readonly basePerHour: number,
		private readonly shape: ArrivalShape,
		private readonly populationWeights: Float64Array,
		private readonly longitudesDeg: Float64Array,
	) {}

	at(midpointMs: number): EpochDemand {
		const hourOfDay = (midpointMs / MS_PER_HOUR) % 24;
		let where = this.byHourOfDay.get(hourOfDay);
		if (where === undefined) {
			where = demandGeography(this.shape.diurnalAmplitude, midpointMs, this.populationWeights, this.longitudesDeg);
			if (this.byHourOfDay.size < MAX_CACHED_HOURS) this.byHourOfDay.set(hourOfDay, where);
		}
		return epochDemandAt(this.basePerHour, this.shape, midpointMs, where);
	}
}

/**
 * Logistic share of a class choosing DePIN over cloud (docs/design.md §6, the tenant's view):
 * utility = bias + priceWeight × saving + reliabilityWeight × (availability DePIN − cloud)
 * + slaWeight × (SLA-miss share cloud − DePIN).
 */
export function depinShare(
	choice: {
		readonly priceWeight: number;
		readonly reliabilityWeight: number;
		readonly bias: number;
		readonly slaWeight?: number;
	},
	relativeSaving: number,
	servedFractionDepin: number,
	servedFractionCloud: number,
	slaMissShareDepin = 0,
	slaMissShareCloud = 0,
): number {
	const utility =
		choice.bias +
		choice.priceWeight * relativeSaving +
		choice.reliabilityWeight * (servedFractionDepin - servedFractionCloud) +
		(choice.slaWeight ?? 0) * (slaMissShareCloud - slaMissShareDepin);
	return 1 / (1 + Math.exp(-utility));
}
