import { describe, expect, it } from "vitest";
import { Exponential, LogNormal, Pareto } from "../../../sim/random/distributions.js";
import { RandomStream } from "../../../sim/random/stream.js";
import { LogHistogram } from "../../../sim/recorder/histogram.js";

/** The sample at rank ⌊q (n − 1)⌋ of the sorted values — what the histogram estimates. */
function exactQuantile(sorted: Float64Array, q: number): number {
	return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

const QUANTILES = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

describe("LogHistogram", () => {
	const laws = {
		"lognormal latencies (median 80 ms)": LogNormal.fromMedianP95(80, 400),
		"exponential (mean 3)": new Exponential(3),
		"pareto tail (alpha 1.2)": new Pareto(5, 1.2),
	};
	for (const [name, law] of Object.entries(laws)) {
		it(`quantiles of ${name} are within 1% of the exact sample quantiles`, () => {
			const rng = RandomStream.create(17, 0, name);
			const histogram = new LogHistogram();
			const samples = new Float64Array(200_000);
			for (let i = 0; i < samples.length; i++) {
				const x = law.sample(rng);
				samples[i] = x;
				histogram.record(x);
			}
			samples.sort();
			for (const q of QUANTILES) {
				const exact = exactQuantile(samples, q);
				expect(Math.abs(histogram.quantile(q) - exact) / exact, `q = ${q}`).toBeLessThanOrEqual(0.01);
			}
			expect(histogram.count).toBe(samples.length);
			expect(histogram.min).toBe(samples[0]);
			expect(histogram.max).toBe(samples[samples.length - 1]);
		});
	}

	it("keeps fixed memory whatever the number of samples", () => {
		const histogram = new LogHistogram();
		const buckets = histogram.bucketCount;
		expect(buckets).toBeLessThan(3_000);
		for (let i = 1; i <= 1_000_000; i++) histogram.record(i % 5000);
		expect(histogram.bucketCount).toBe(buckets);
	});

	it("handles zeros, weights and merges", () => {
		const a = new LogHistogram();
		const b = new LogHistogram();
		a.record(0, 50);
		a.record(10, 50);
		b.record(1000, 100);
		expect(a.quantile(0.25)).toBe(0);
		expect(a.quantile(0.75)).toBeCloseTo(10, 1);
		a.merge(b);
		expect(a.count).toBe(200);
		expect(a.mean).toBeCloseTo((10 * 50 + 1000 * 100) / 200, 9);
		expect(Math.abs(a.quantile(0.9) - 1000) / 1000).toBeLessThan(0.01);
		expect(() => a.merge(new LogHistogram({ relativeAccuracy: 0.01 }))).toThrow(/different settings/);
		a.reset();
		expect(Number.isNaN(a.quantile(0.5))).toBe(true);
	});

	it("rejects negative values", () => {
		expect(() => new LogHistogram().record(-1)).toThrow(/≥ 0/);
	});
});
