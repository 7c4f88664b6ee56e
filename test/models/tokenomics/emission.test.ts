import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EmissionSchedule } from "../../../models/scenario/tokenomics-schema.js";
import { cumulativeEmissionTokens, EmissionClock } from "../../../models/tokenomics/emission.js";
import { tokensToUnits } from "../../../models/tokenomics/ledger.js";

/** Runs a clock over consecutive epochs; returns the total minted and the supply after each epoch. */
function runEpochs(
	clock: EmissionClock,
	epochEndsDays: ArrayLike<number>,
	initialSupplyUnits = 0,
): { mintedUnits: number; supplies: number[]; mints: number[] } {
	let supply = initialSupplyUnits;
	let from = 0;
	let mintedUnits = 0;
	const supplies: number[] = [];
	const mints: number[] = [];
	for (let i = 0; i < epochEndsDays.length; i++) {
		const to = epochEndsDays[i] as number;
		const units = clock.unitsToMint(from, to, supply);
		expect(Number.isSafeInteger(units) && units >= 0).toBe(true);
		supply += units;
		mintedUnits += units;
		supplies.push(supply);
		mints.push(units);
		from = to;
	}
	return { mintedUnits, supplies, mints };
}

/** Ends of epochs of `lengthDays` up to `totalDays`, each computed from its index (no drift). */
function regularEnds(lengthDays: number, count: number): Float64Array {
	const ends = new Float64Array(count);
	for (let i = 0; i < count; i++) ends[i] = (i + 1) * lengthDays;
	return ends;
}

function cumulativeEnds(lengths: number[]): Float64Array {
	const ends = new Float64Array(lengths.length);
	let t = 0;
	lengths.forEach((length, i) => {
		t += length;
		ends[i] = t;
	});
	return ends;
}

const HOUR = 1 / 24;

const schedules: fc.Arbitrary<EmissionSchedule> = fc.oneof(
	fc.constant({ kind: "none" as const }),
	fc.record({ kind: fc.constant("constant" as const), tokensPerDay: fc.double({ min: 0, max: 1e6, noNaN: true }) }),
	fc.record({
		kind: fc.constant("halving" as const),
		initialTokensPerDay: fc.double({ min: 0, max: 1e6, noNaN: true }),
		periodDays: fc.double({ min: 0.5, max: 2000, noNaN: true }),
	}),
	fc.record({
		kind: fc.constant("decay" as const),
		initialTokensPerDay: fc.double({ min: 0, max: 1e6, noNaN: true }),
		decayPerYear: fc.oneof(fc.constantFrom(0, 0.12, 1), fc.double({ min: 0, max: 1, noNaN: true })),
	}),
	fc
		.array(
			fc.record({
				fromDay: fc.double({ min: 0, max: 1000, noNaN: true }),
				tokensPerDay: fc.double({ min: 0, max: 1e6, noNaN: true }),
			}),
			{ minLength: 1, maxLength: 20 },
		)
		.map((points) => ({ kind: "piecewise" as const, points: points.sort((a, b) => a.fromDay - b.fromDay) })),
);

/** Epoch lengths in days: hours, days, or irregular (down to a second). */
const epochLengths = fc.oneof(
	fc.array(fc.constant(HOUR), { minLength: 1, maxLength: 500 }),
	fc.array(fc.constant(1), { minLength: 1, maxLength: 500 }),
	fc.array(fc.double({ min: 1 / 86_400, max: 40, noNaN: true }), { minLength: 1, maxLength: 300 }),
);

describe("cumulativeEmissionTokens", () => {
	it("constant: r·t", () => {
		const schedule: EmissionSchedule = { kind: "constant", tokensPerDay: 1_234.5 };
		expect(cumulativeEmissionTokens(schedule, 0)).toBe(0);
		expect(cumulativeEmissionTokens(schedule, -5)).toBe(0);
		expect(cumulativeEmissionTokens(schedule, 10)).toBe(12_345);
		expect(cumulativeEmissionTokens({ kind: "none" }, 1e6)).toBe(0);
	});

	it("halving: r0·P·(2 − 2^{1−n}) after n whole periods, and the rate halves each period", () => {
		const r0 = 7_200;
		const P = 1_460;
		const schedule: EmissionSchedule = { kind: "halving", initialTokensPerDay: r0, periodDays: P };
		for (let n = 0; n <= 40; n++)
			expect(cumulativeEmissionTokens(schedule, n * P)).toBeCloseTo(r0 * P * (2 - 2 ** (1 - n)), 6);
		for (let n = 0; n < 10; n++) {
			const rate = cumulativeEmissionTokens(schedule, n * P + 11) - cumulativeEmissionTokens(schedule, n * P + 10);
			expect(rate).toBeCloseTo(r0 / 2 ** n, 6);
		}
		// Halfway into the third period: two whole periods plus half a period at r0/4.
		expect(cumulativeEmissionTokens(schedule, 2.5 * P)).toBeCloseTo(r0 * P * 1.5 + (r0 / 4) * (P / 2), 6);
	});

	it("halving with firstHalvingDay: r0 until that day, then the schedule from its first halving on", () => {
		const r0 = 36;
		const P = 1_460;
		const first = 30;
		const schedule: EmissionSchedule = {
			kind: "halving",
			initialTokensPerDay: r0,
			periodDays: P,
			firstHalvingDay: first,
		};
		expect(cumulativeEmissionTokens(schedule, first)).toBeCloseTo(r0 * first, 9);
		// Day 30 + n·P: 30·r0, then n whole periods at r0/2, r0/4, …: r0·P·(1 − 2^{−n}).
		for (let n = 0; n <= 5; n++)
			expect(cumulativeEmissionTokens(schedule, first + n * P)).toBeCloseTo(r0 * first + r0 * P * (1 - 2 ** -n), 6);
		const rate = (day: number) => cumulativeEmissionTokens(schedule, day + 1) - cumulativeEmissionTokens(schedule, day);
		expect(rate(first - 1)).toBeCloseTo(r0, 9);
		expect(rate(first)).toBeCloseTo(r0 / 2, 9);
		expect(rate(first + P)).toBeCloseTo(r0 / 4, 9);
		// firstHalvingDay = periodDays is the plain schedule.
		const plain: EmissionSchedule = { kind: "halving", initialTokensPerDay: r0, periodDays: P };
		expect(cumulativeEmissionTokens({ ...plain, firstHalvingDay: P }, 2_000)).toBe(
			cumulativeEmissionTokens(plain, 2_000),
		);
		expect(() => cumulativeEmissionTokens({ ...plain, firstHalvingDay: P + 1 }, 1)).toThrow(/firstHalvingDay/);
	});

	it("decay: r0·(1 − e^{−kT})/k with k = −ln(1 − decayPerYear)/365", () => {
		const r0 = 100_000;
		const decayPerYear = 0.12;
		const k = -Math.log(1 - decayPerYear) / 365;
		const schedule: EmissionSchedule = { kind: "decay", initialTokensPerDay: r0, decayPerYear };
		for (const T of [0.5, 1, 30, 365, 1_000, 3_650, 36_500])
			expect(cumulativeEmissionTokens(schedule, T)).toBeCloseTo((r0 * (1 - Math.exp(-k * T))) / k, 4);
		// A year on, the daily amount has fallen by decayPerYear.
		const rateAfterYear =
			(cumulativeEmissionTokens(schedule, 365.001) - cumulativeEmissionTokens(schedule, 365)) / 0.001;
		expect(rateAfterYear / r0).toBeCloseTo(1 - decayPerYear, 5);
		expect(cumulativeEmissionTokens({ ...schedule, decayPerYear: 0 }, 10)).toBe(1_000_000);
		expect(cumulativeEmissionTokens({ ...schedule, decayPerYear: 1 }, 10)).toBe(0);
	});

	it("piecewise: the sum of its segments, nothing before the first", () => {
		const schedule: EmissionSchedule = {
			kind: "piecewise",
			points: [
				{ fromDay: 10, tokensPerDay: 100 },
				{ fromDay: 20, tokensPerDay: 50 },
				{ fromDay: 20, tokensPerDay: 40 },
				{ fromDay: 30, tokensPerDay: 0 },
				{ fromDay: 100, tokensPerDay: 1 },
			],
		};
		expect(cumulativeEmissionTokens(schedule, 5)).toBe(0);
		expect(cumulativeEmissionTokens(schedule, 10)).toBe(0);
		expect(cumulativeEmissionTokens(schedule, 15)).toBe(500);
		expect(cumulativeEmissionTokens(schedule, 25)).toBe(1_000 + 200);
		expect(cumulativeEmissionTokens(schedule, 50)).toBe(1_400);
		expect(cumulativeEmissionTokens(schedule, 150)).toBe(1_450);
		expect(() =>
			cumulativeEmissionTokens(
				{
					kind: "piecewise",
					points: [
						{ fromDay: 5, tokensPerDay: 1 },
						{ fromDay: 2, tokensPerDay: 1 },
					],
				},
				10,
			),
		).toThrow(/ascending fromDay/);
	});

	it("inflation: the compounding closed form S0·((1 + r)^{t/365} − 1)", () => {
		const schedule: EmissionSchedule = { kind: "inflation", annualRate: 0.08 };
		expect(cumulativeEmissionTokens(schedule, 365, 1_000)).toBeCloseTo(80, 9);
		expect(cumulativeEmissionTokens(schedule, 730, 1_000)).toBeCloseTo(166.4, 9);
		expect(() => cumulativeEmissionTokens(schedule, 365)).toThrow(/initial supply/);
	});
});

describe("EmissionClock", () => {
	it("mints floor(C(T)·10^d) in total for any epochs: hourly, daily, irregular", () => {
		fc.assert(
			fc.property(schedules, epochLengths, fc.integer({ min: 0, max: 6 }), (schedule, lengths, decimals) => {
				const ends = cumulativeEnds(lengths);
				const T = ends[ends.length - 1] as number;
				const clock = new EmissionClock(schedule, { decimals });
				const { mintedUnits } = runEpochs(clock, ends);
				expect(mintedUnits).toBe(Math.floor(cumulativeEmissionTokens(schedule, T) * 10 ** decimals));
				expect(clock.emittedUnits).toBe(mintedUnits);
			}),
			{ numRuns: 300 },
		);
	});

	it("a year of hourly epochs telescopes exactly for every closed-form kind", () => {
		const kinds: EmissionSchedule[] = [
			{ kind: "constant", tokensPerDay: 123_456.789 },
			{ kind: "halving", initialTokensPerDay: 164_383.5616, periodDays: 73 },
			{ kind: "decay", initialTokensPerDay: 250_000, decayPerYear: 0.12 },
			{
				kind: "piecewise",
				points: [
					{ fromDay: 0, tokensPerDay: 1_000.1 },
					{ fromDay: 100.5, tokensPerDay: 333.3 },
					{ fromDay: 200, tokensPerDay: 7.77 },
				],
			},
		];
		const hourly = regularEnds(HOUR, 24 * 365);
		for (const schedule of kinds) {
			const { mintedUnits, mints } = runEpochs(new EmissionClock(schedule, { decimals: 6 }), hourly);
			expect(mintedUnits, schedule.kind).toBe(Math.floor(cumulativeEmissionTokens(schedule, 365) * 1e6));
			// Every hour's mint is within a unit of C′·Δt over that hour.
			expect(Math.max(...mints)).toBeGreaterThan(0);
		}
	});

	it("inflation matches S0·(1 + r)^{T/365} within one base unit per epoch", () => {
		fc.assert(
			fc.property(
				fc.double({ min: 0, max: 2, noNaN: true }),
				fc.bigInt({ min: 0n, max: 5n * 10n ** 14n }).map(Number),
				epochLengths,
				(annualRate, initialSupplyUnits, lengths) => {
					const ends = cumulativeEnds(lengths);
					const T = ends[ends.length - 1] as number;
					const clock = new EmissionClock({ kind: "inflation", annualRate }, { decimals: 6 });
					const { supplies } = runEpochs(clock, ends, initialSupplyUnits);
					const closed = initialSupplyUnits * (1 + annualRate) ** (T / 365);
					const final = supplies[supplies.length - 1] as number;
					expect(Math.abs(final - closed)).toBeLessThanOrEqual(lengths.length + 1);
				},
			),
			{ numRuns: 200 },
		);
		// A year of hours at 10% from 500M tokens (6 decimals): 550M within a few units.
		const clock = new EmissionClock({ kind: "inflation", annualRate: 0.1 }, { decimals: 6 });
		const { supplies } = runEpochs(clock, regularEnds(HOUR, 24 * 365), 5e14);
		expect(Math.abs((supplies[supplies.length - 1] as number) - 5.5e14)).toBeLessThanOrEqual(24 * 365);
	});

	it("never mints past the cap and reaches it exactly when emission would pass it", () => {
		fc.assert(
			fc.property(
				fc.oneof(
					schedules,
					fc.double({ min: 0, max: 5, noNaN: true }).map((annualRate) => ({ kind: "inflation" as const, annualRate })),
				),
				epochLengths,
				fc.bigInt({ min: 0n, max: 10n ** 12n }).map(Number),
				fc.bigInt({ min: 0n, max: 10n ** 12n }).map(Number),
				(schedule, lengths, initialSupplyUnits, headroomUnits) => {
					const capUnits = initialSupplyUnits + headroomUnits;
					const decimals = 4;
					const ends = cumulativeEnds(lengths);
					const clock = new EmissionClock(schedule, { decimals, maxSupplyUnits: capUnits });
					const free = new EmissionClock(schedule, { decimals });
					let supply = initialSupplyUnits;
					let freeSupply = initialSupplyUnits;
					let from = 0;
					for (const to of ends) {
						const units = clock.unitsToMint(from, to, supply);
						const uncapped = free.unitsToMint(from, to, freeSupply);
						supply += units;
						freeSupply += uncapped;
						expect(supply).toBeLessThanOrEqual(capUnits);
						// Capped or not, the same until the cap bites; then exactly the cap.
						expect(supply).toBe(Math.min(capUnits, freeSupply));
						from = to;
					}
				},
			),
			{ numRuns: 300 },
		);
		// A supply already past the cap (set by an earlier design) mints nothing.
		const over = new EmissionClock({ kind: "constant", tokensPerDay: 10 }, { decimals: 0, maxSupplyUnits: 100 });
		expect(over.unitsToMint(0, 1, 150)).toBe(0);
	});

	it("Helium-like: 5M tokens a month halving every 730 days reaches the 223M cap in the fourth period", () => {
		const decimals = 6;
		const tokensPerDay = (5_000_000 * 12) / 365;
		const schedule: EmissionSchedule = { kind: "halving", initialTokensPerDay: tokensPerDay, periodDays: 730 };
		// 120M, 180M, 210M after 2, 4, 6 years.
		expect(cumulativeEmissionTokens(schedule, 730)).toBeCloseTo(120e6, 3);
		expect(cumulativeEmissionTokens(schedule, 1_460)).toBeCloseTo(180e6, 3);
		expect(cumulativeEmissionTokens(schedule, 2_190)).toBeCloseTo(210e6, 3);
		const capUnits = tokensToUnits(223_000_000, decimals, "maxSupplyTokens");
		const clock = new EmissionClock(schedule, { decimals, maxSupplyUnits: capUnits });
		const { supplies } = runEpochs(clock, regularEnds(1, 3_000));
		const capDay = 2_190 + 13e6 / (tokensPerDay / 8); // ≈ 2822.7
		expect(supplies[Math.floor(capDay) - 1]).toBeLessThan(capUnits);
		expect(supplies[Math.floor(capDay)]).toBe(capUnits);
		expect(supplies[2_999]).toBe(capUnits);
		expect(supplies[729]).toBe(Math.floor(cumulativeEmissionTokens(schedule, 730) * 1e6));
	});

	it("Bittensor-like: 7,200 tokens a day, 3,600 after the first halving, 21M cap", () => {
		const decimals = 8;
		const schedule: EmissionSchedule = { kind: "halving", initialTokensPerDay: 7_200, periodDays: 1_460 };
		const capUnits = tokensToUnits(21_000_000, decimals);
		const clock = new EmissionClock(schedule, { decimals, maxSupplyUnits: capUnits });
		const hourly = runEpochs(clock, regularEnds(HOUR, 24 * 1_470));
		// First day: 7,200 tokens; first period: 10,512,000; the first day after the halving: 3,600.
		expect(hourly.supplies[23]).toBe(7_200e8);
		expect(hourly.mints[0]).toBe(300e8);
		expect(hourly.supplies[24 * 1_460 - 1]).toBe(10_512_000e8);
		expect((hourly.supplies[24 * 1_461 - 1] as number) - (hourly.supplies[24 * 1_460 - 1] as number)).toBe(3_600e8);
		expect(hourly.mints[24 * 1_460]).toBe(150e8);
		// The asymptote 2·7,200·1,460 = 21.024M passes the cap in period 10: 20,982,937.5 + 14.0625/day.
		const daily = runEpochs(
			new EmissionClock(schedule, { decimals, maxSupplyUnits: capUnits }),
			regularEnds(1, 16_000),
		);
		const capDay = 9 * 1_460 + 17_062.5 / 14.0625; // ≈ 14353.3
		expect(daily.supplies[Math.floor(capDay) - 1]).toBeLessThan(capUnits);
		expect(daily.supplies[Math.floor(capDay)]).toBe(capUnits);
		expect(daily.supplies[15_999]).toBe(capUnits);
		// With Bittensor's real 9 decimals the cap does not fit in 2^53 base units.
		expect(() => tokensToUnits(21_000_000, 9)).toThrow(RangeError);
	});

	it("rejects what it cannot do", () => {
		const clock = new EmissionClock({ kind: "constant", tokensPerDay: 1 }, { decimals: 0 });
		expect(() => clock.unitsToMint(2, 1, 0)).toThrow(RangeError);
		expect(() => clock.unitsToMint(0, Number.POSITIVE_INFINITY, 0)).toThrow(RangeError);
		expect(() => clock.unitsToMint(0, 1, 0.5)).toThrow(RangeError);
		expect(() => new EmissionClock({ kind: "constant", tokensPerDay: -1 }, { decimals: 0 })).toThrow(/tokensPerDay/);
		expect(() => new EmissionClock({ kind: "none" }, { decimals: 1.5 })).toThrow(/decimals/);
		// One epoch worth more than 2^53 base units.
		const huge = new EmissionClock({ kind: "constant", tokensPerDay: 1e12 }, { decimals: 6 });
		expect(() => huge.unitsToMint(0, 100, 0)).toThrow(/2\^53/);
	});
});
