import { describe, expect, it } from "vitest";
import { band, kpiStats, pairedDifference, t975, welchDifference } from "../../../sim/experiment/stats.js";

describe("experiment statistics", () => {
	it("summarises values: mean, sample sd, t-interval, interpolated quantiles", () => {
		const s = kpiStats([4, 1, 3, 2]);
		expect(s).toMatchObject({ n: 4, mean: 2.5, min: 1, max: 4, p50: 2.5 });
		expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
		// t(0.975, 3) = 3.182; half-width = 3.182·sd/2.
		expect(s.ci95?.[1]).toBeCloseTo(2.5 + (3.182 * Math.sqrt(5 / 3)) / 2, 12);
		expect(s.p10).toBeCloseTo(1.3, 12);
		expect(kpiStats([5])).toMatchObject({ n: 1, mean: 5, sd: null, ci95: null, p90: 5 });
		expect(kpiStats([]).mean).toBeNull();
		expect(band([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1.9, 5.5, 9.1]);
	});

	it("t(0.975) from the table and the expansion agree with published values", () => {
		expect(t975(1)).toBe(12.706);
		expect(t975(30)).toBe(2.042);
		expect(t975(60)).toBeCloseTo(2.0003, 3);
		expect(t975(120)).toBeCloseTo(1.9799, 3);
	});

	it("paired differences: none between equal designs, a known shift found", () => {
		const a = [3, 7, 1, 9, 4, 6];
		expect(pairedDifference(a, a)).toMatchObject({ diff: 0, ci95: [0, 0], significant: false });
		const shifted = pairedDifference(
			a,
			a.map((x, i) => x + 2 + (i % 2 === 0 ? 0.1 : -0.1)),
		);
		expect(shifted.diff).toBeCloseTo(2, 12);
		expect(shifted.significant).toBe(true);
		// Unpaired, the same shift is lost in the spread between runs.
		expect(
			welchDifference(
				a,
				a.map((x) => x + 2),
			).significant,
		).toBe(false);
		expect(welchDifference([1, 2, 3], [11, 12, 13])).toMatchObject({ diff: 10, significant: true });
	});
});
