/**
 * Emission schedules: how many base units to mint in each epoch. Closed-form schedules mint the
 * difference of floor(C(t)·10^d) between the epoch's ends, C being the cumulative emission in
 * tokens since day 0, so the epochs' mints telescope to floor(C(T)·10^d) exactly whatever the
 * epoch length. Inflation depends on supply and compounds per epoch with the fraction carried.
 * A supply cap truncates a mint at the cap; emission past the cap is lost, not deferred.
 */
import type { EmissionSchedule } from "../scenario/tokenomics-schema.js";

/** C(day): tokens emitted from day 0 to `day` (0 before day 0). */
type Cumulative = (day: number) => number;

function checkRate(value: number, what: string): number {
	if (!(value >= 0 && value < Number.POSITIVE_INFINITY))
		throw new RangeError(`emission: ${what} is ${value}, not a finite number ≥ 0`);
	return value;
}

/** The closed form of a supply-independent schedule (everything but `inflation`). */
function closedForm(schedule: Exclude<EmissionSchedule, { kind: "inflation" }>): Cumulative {
	switch (schedule.kind) {
		case "none":
			return () => 0;
		case "constant": {
			const tokensPerDay = checkRate(schedule.tokensPerDay, "tokensPerDay");
			return (day) => (day > 0 ? tokensPerDay * day : 0);
		}
		case "halving": {
			const tokensPerDay = checkRate(schedule.initialTokensPerDay, "initialTokensPerDay");
			const periodDays = checkRate(schedule.periodDays, "periodDays");
			if (periodDays === 0) throw new RangeError("emission: halving periodDays must be > 0");
			// Whole periods m: r0·P·(2 − 2^{1−m}); then the partial period at r0·2^{−m}.
			const fromStart = (day: number) => {
				if (!(day > 0)) return 0;
				const periods = Math.floor(day / periodDays);
				const rateShare = 2 ** -periods;
				return tokensPerDay * (periodDays * (2 - 2 * rateShare) + rateShare * (day - periods * periodDays));
			};
			// A run that starts inside a period: r0 until the first halving, then the schedule from there at r0/2,
			// which is fromStart shifted by one period less the days already run: C(d) = F(d + P − f) − F(P − f).
			const first = schedule.firstHalvingDay ?? periodDays;
			if (!(first >= 0 && first <= periodDays))
				throw new RangeError(`emission: firstHalvingDay ${first} is not in [0, periodDays]`);
			const offset = periodDays - first;
			if (offset === 0) return fromStart;
			return (day) => (day > 0 ? fromStart(day + offset) - fromStart(offset) : 0);
		}
		case "decay": {
			const tokensPerDay = checkRate(schedule.initialTokensPerDay, "initialTokensPerDay");
			const decayPerYear = schedule.decayPerYear;
			if (!(decayPerYear >= 0 && decayPerYear <= 1))
				throw new RangeError(`emission: decayPerYear ${decayPerYear} is not in [0, 1]`);
			if (decayPerYear === 0) return (day) => (day > 0 ? tokensPerDay * day : 0);
			// A full decay leaves nothing to integrate: the rate is 0 after day 0.
			if (decayPerYear === 1) return () => 0;
			const perDay = -Math.log1p(-decayPerYear) / 365;
			// A decay so slow that k underflows is a constant.
			if (perDay === 0) return (day) => (day > 0 ? tokensPerDay * day : 0);
			// ∫₀ᵗ r0·e^{−k s} ds = r0·(1 − e^{−k t})/k, with expm1 for small k·t.
			return (day) => (day > 0 ? (tokensPerDay * -Math.expm1(-perDay * day)) / perDay : 0);
		}
		case "piecewise": {
			const count = schedule.points.length;
			if (count === 0) return () => 0;
			const fromDays = new Float64Array(count);
			const rates = new Float64Array(count);
			const cumulative = new Float64Array(count);
			for (let i = 0; i < count; i++) {
				const point = schedule.points[i] as { fromDay: number; tokensPerDay: number };
				fromDays[i] = checkRate(point.fromDay, `points[${i}].fromDay`);
				rates[i] = checkRate(point.tokensPerDay, `points[${i}].tokensPerDay`);
				if (i > 0) {
					const previous = fromDays[i - 1] as number;
					if (point.fromDay < previous)
						throw new RangeError(
							`emission: piecewise points must be by ascending fromDay (points[${i}].fromDay ${point.fromDay} < ${previous})`,
						);
					cumulative[i] = (cumulative[i - 1] as number) + (rates[i - 1] as number) * (point.fromDay - previous);
				}
			}
			const firstDay = fromDays[0] as number;
			return (day) => {
				if (!(day > firstDay)) return 0;
				// The last segment starting at or before `day`.
				let lo = 0;
				let hi = count - 1;
				while (lo < hi) {
					const mid = (lo + hi + 1) >> 1;
					if ((fromDays[mid] as number) <= day) lo = mid;
					else hi = mid - 1;
				}
				return (cumulative[lo] as number) + (rates[lo] as number) * (day - (fromDays[lo] as number));
			};
		}
	}
}

/**
 * Tokens emitted from day 0 to `day` before any cap. For `inflation` it is the compounding
 * closed form S0·((1 + r)^{day/365} − 1) from `initialSupplyTokens`, assuming no burns.
 */
export function cumulativeEmissionTokens(
	schedule: EmissionSchedule,
	day: number,
	initialSupplyTokens?: number,
): number {
	if (schedule.kind === "inflation") {
		if (initialSupplyTokens === undefined)
			throw new RangeError("cumulativeEmissionTokens: inflation needs the initial supply");
		if (!(day > 0)) return 0;
		return initialSupplyTokens * Math.expm1((Math.log1p(schedule.annualRate) * day) / 365);
	}
	return closedForm(schedule)(day);
}

export interface EmissionClockOptions {
	/** Base units per token = 10^decimals. */
	decimals: number;
	/** Hard cap on supply, base units (none: no cap). */
	maxSupplyUnits?: number;
}

/** Mints a schedule epoch by epoch: call unitsToMint once per epoch, in order. */
export class EmissionClock {
	readonly schedule: EmissionSchedule;
	private readonly unitsPerToken: number;
	private readonly capUnits: number;
	private readonly cumulative: Cumulative | null;
	private readonly growthPerDayLog: number;
	private lastDay = Number.NaN;
	private lastCumulativeUnits = 0;
	private carryUnits = 0;
	private emitted = 0;

	constructor(schedule: EmissionSchedule, options: EmissionClockOptions) {
		if (!Number.isInteger(options.decimals) || options.decimals < 0 || options.decimals > 15)
			throw new RangeError(`EmissionClock: decimals ${options.decimals} is not an integer in [0, 15]`);
		this.schedule = schedule;
		this.unitsPerToken = 10 ** options.decimals;
		this.capUnits = options.maxSupplyUnits ?? Number.POSITIVE_INFINITY;
		if (options.maxSupplyUnits !== undefined && !(Number.isSafeInteger(this.capUnits) && this.capUnits >= 0))
			throw new RangeError(`EmissionClock: maxSupplyUnits ${this.capUnits} is not an integer in [0, 2^53 − 1]`);
		if (schedule.kind === "inflation") {
			const rate = schedule.annualRate;
			if (!(rate >= 0 && rate < Number.POSITIVE_INFINITY))
				throw new RangeError(`emission: annualRate is ${rate}, not a finite number ≥ 0`);
			this.cumulative = null;
			this.growthPerDayLog = Math.log1p(rate) / 365;
		} else {
			this.cumulative = closedForm(schedule);
			this.growthPerDayLog = 0;
		}
	}

	/** Base units minted so far (after the cap). */
	get emittedUnits(): number {
		return this.emitted;
	}

	/**
	 * Base units to mint for the epoch [fromDay, toDay), given the supply now (for the cap and
	 * for inflation). Consecutive epochs (each fromDay the previous toDay) telescope exactly.
	 */
	unitsToMint(fromDay: number, toDay: number, currentSupplyUnits: number): number {
		if (!(fromDay <= toDay) || !Number.isFinite(fromDay) || !Number.isFinite(toDay))
			throw new RangeError(`EmissionClock: epoch [${fromDay}, ${toDay}) is not a finite interval`);
		if (!Number.isSafeInteger(currentSupplyUnits) || currentSupplyUnits < 0)
			throw new RangeError(`EmissionClock: supply ${currentSupplyUnits} is not an integer number of base units`);
		const roomUnits = Math.max(0, this.capUnits - currentSupplyUnits);
		let units: number;
		if (this.cumulative === null) {
			const span = Math.max(0, toDay - Math.max(0, fromDay));
			const exact = currentSupplyUnits * Math.expm1(this.growthPerDayLog * span) + this.carryUnits;
			units = Math.floor(exact);
			this.carryUnits = exact - units;
			if (units > roomUnits) {
				units = roomUnits;
				this.carryUnits = 0;
			}
		} else {
			const fromUnits = fromDay === this.lastDay ? this.lastCumulativeUnits : this.floorCumulative(fromDay);
			const toUnits = this.floorCumulative(toDay);
			// max(): float rounding at a segment edge must never mint twice or mint negative.
			units = Math.max(0, toUnits - fromUnits);
			this.lastDay = toDay;
			this.lastCumulativeUnits = Math.max(fromUnits, toUnits);
			if (units > roomUnits) units = roomUnits;
		}
		if (!Number.isSafeInteger(units))
			throw new RangeError(`EmissionClock: ${units} base units in one epoch exceed 2^53 − 1 (lower decimals)`);
		this.emitted += units;
		return units;
	}

	private floorCumulative(day: number): number {
		return Math.floor((this.cumulative as Cumulative)(day) * this.unitsPerToken);
	}
}
