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

	it("merges, resets and reads quantiles over the buckets in use only, with the same results", () => {
		const rng = RandomStream.create(4, 0, "test/histogram-range");
		const whole = new LogHistogram();
		const merged = new LogHistogram();
		const part = new LogHistogram();
		for (let round = 0; round < 20; round++) {
			// Each part spans a different range of buckets; some are empty.
			const centre = 10 ** (rng.next() * 6 - 2);
			const n = rng.int(50);
			for (let i = 0; i < n; i++) {
				const value = centre * (0.5 + rng.next());
				whole.record(value);
				part.record(value);
			}
			merged.merge(part);
			part.reset();
			expect(part.count).toBe(0);
			expect(Number.isNaN(part.quantile(0.5))).toBe(true);
		}
		expect(merged.count).toBe(whole.count);
		for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.99, 1]) expect(merged.quantile(q)).toBe(whole.quantile(q));
		// A reset histogram reads like a new one after the same values.
		const fresh = new LogHistogram();
		merged.reset();
		for (const value of [3, 0.2, 7e5, 3]) {
			merged.record(value);
			fresh.record(value);
		}
		for (const q of [0, 0.5, 1]) expect(merged.quantile(q)).toBe(fresh.quantile(q));
	});

	it("rejects negative values", () => {
		expect(() => new LogHistogram().record(-1)).toThrow(/≥ 0/);
	});
});

describe("LogHistogram, values recorded in a stream or one histogram each", () => {
	/** Each value recorded into a fresh histogram and merged: the direct buckets. */
	function viaMerges(values: readonly number[], weights: readonly number[]): LogHistogram {
		const total = new LogHistogram({ minValue: 0.01, maxValue: 1e4 });
		values.forEach((value, i) => {
			const single = new LogHistogram({ minValue: 0.01, maxValue: 1e4 });
			single.record(value, weights[i]);
			total.merge(single);
		});
		return total;
	}

	function expectSame(actual: LogHistogram, expected: LogHistogram): void {
		expect(actual.count).toBe(expected.count);
		expect(actual.sum).toBe(expected.sum);
		expect(actual.min).toBe(expected.min);
		expect(actual.max).toBe(expected.max);
		for (let i = 0; i <= 100; i++) expect(actual.quantile(i / 100), `q = ${i / 100}`).toBe(expected.quantile(i / 100));
	}

	it("gives the same buckets as computing each one, for a few values repeated and interleaved", () => {
		// Ten distinct values: zero, below minValue, above maxValue, two in one bucket, and
		// neighbours in adjacent buckets.
		const distinct = [0, 0.004, 2e4, 5e5, 1.5, 1.5000001, 42, 42.5, 1000, 7];
		const rng = RandomStream.create(3, 0, "test/histogram/memo");
		const values: number[] = [];
		const weights: number[] = [];
		while (values.length < 5000) {
			// Runs of one value, from a working set that drifts over the distinct values.
			const value = distinct[((values.length >> 7) + rng.int(6)) % distinct.length] as number;
			const run = 1 + rng.int(4);
			for (let r = 0; r < run; r++) {
				values.push(value);
				weights.push(rng.int(5) === 0 ? 1 + rng.int(3) : 1);
			}
		}
		const streamed = new LogHistogram({ minValue: 0.01, maxValue: 1e4 });
		values.forEach((value, i) => {
			streamed.record(value, weights[i]);
		});
		const direct = viaMerges(values, weights);
		expectSame(streamed, direct);
		// And by hand: bucket ⌈log_γ v⌉ − offset, counted.
		const gamma = (1 + 0.005) / (1 - 0.005);
		const offset = Math.ceil(Math.log(0.01) / Math.log(gamma));
		const top = Math.ceil(Math.log(1e4) / Math.log(gamma)) - offset;
		const byBucket = new Map<number, number>();
		let zeros = 0;
		values.forEach((value, i) => {
			const weight = weights[i] as number;
			if (value < 0.01) zeros += weight;
			else {
				const bucket = Math.min(top, Math.ceil(Math.log(value) / Math.log(gamma)) - offset);
				byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + weight);
			}
		});
		const buckets = [...byBucket.keys()].sort((a, b) => a - b);
		let below = zeros;
		for (const bucket of buckets) {
			// At the rank of the bucket's last value, the quantile is the bucket's representative.
			const rank = below + (byBucket.get(bucket) as number) - 1;
			const estimate = (2 * gamma ** (bucket + offset)) / (gamma + 1);
			const q = rank / (streamed.count - 1);
			expect(streamed.quantile(q)).toBeCloseTo(Math.min(streamed.max, Math.max(streamed.min, estimate)), 9);
			below += byBucket.get(bucket) as number;
		}
		expect(buckets.length).toBe(6); // 1.5 and 1.5000001 share one; 2e4 and 5e5 the top one
	});

	it("after reset, min and max reflect only the values recorded since", () => {
		const histogram = new LogHistogram();
		for (let i = 0; i < 10; i++) {
			histogram.record(5);
			histogram.record(100);
			histogram.record(0.5);
		}
		histogram.reset();
		histogram.record(100);
		expect(histogram.min).toBe(100);
		expect(histogram.max).toBe(100);
		expect(histogram.count).toBe(1);
		histogram.record(5);
		histogram.record(5);
		expect(histogram.min).toBe(5);
		expect(histogram.max).toBe(100);
		expect(histogram.quantile(0)).toBeCloseTo(5, 1);
		expect(histogram.quantile(1)).toBeCloseTo(100, 0);
		histogram.reset();
		histogram.record(0.5, 3);
		expect([histogram.min, histogram.max, histogram.count, histogram.sum]).toEqual([0.5, 0.5, 3, 1.5]);
		expect(histogram.quantile(0.5)).toBeCloseTo(0.5, 2);
	});
});

/** The bucket by its definition: ⌈log v / log γ⌉ − offset, capped at the top bucket. */
function bucketByLogarithm(histogram: LogHistogram, value: number): number {
	const logGamma = Math.log((1 + histogram.relativeAccuracy) / (1 - histogram.relativeAccuracy));
	const offset = Math.ceil(Math.log(histogram.minValue) / logGamma);
	return Math.min(Math.ceil(Math.log(value) / logGamma) - offset, histogram.bucketCount - 1);
}

/** The double `steps` representable values above (below, when negative) positive `value`. */
function stepDoubles(value: number, steps: number): number {
	const bits = new BigInt64Array(new Float64Array([value]).buffer);
	bits[0] = (bits[0] as bigint) + BigInt(steps);
	return new Float64Array(bits.buffer)[0] as number;
}

describe("LogHistogram buckets without a logarithm", () => {
	const settings = {
		default: {},
		"finer (α 0.1%: several boundaries per table slice)": { relativeAccuracy: 0.001, minValue: 0.01, maxValue: 1e4 },
		"coarse (α 5%)": { relativeAccuracy: 0.05, minValue: 1e-6, maxValue: 1e12 },
	};
	for (const [name, options] of Object.entries(settings)) {
		it(`${name}: every boundary falls where the logarithm puts it, to the double`, () => {
			const histogram = new LogHistogram(options);
			const logGamma = Math.log((1 + histogram.relativeAccuracy) / (1 - histogram.relativeAccuracy));
			const offset = Math.ceil(Math.log(histogram.minValue) / logGamma);
			const window = 96;
			let mismatches = 0;
			for (let i = 1; i < histogram.bucketCount; i++) {
				const near = Math.exp((i + offset - 1) * logGamma);
				const from = stepDoubles(near, -window);
				const to = stepDoubles(near, window);
				// The window holds the boundary: below it bucket i − 1, above it i.
				expect(bucketByLogarithm(histogram, from)).toBe(i - 1);
				expect(bucketByLogarithm(histogram, to)).toBe(i);
				for (let value = from; value <= to; value = stepDoubles(value, 1)) {
					if (value >= histogram.minValue && histogram.bucketOf(value) !== bucketByLogarithm(histogram, value))
						mismatches++;
				}
			}
			expect(mismatches).toBe(0);
		});
	}

	it("values spread over and beyond the range land in the logarithm's buckets", () => {
		const histogram = new LogHistogram();
		const rng = RandomStream.create(5, 0, "histogram buckets");
		const values = [histogram.minValue, histogram.maxValue, 1e12, Number.POSITIVE_INFINITY, 1, 60_000];
		for (let k = 0; k < 200_000; k++) values.push(histogram.minValue * 10 ** (14 * rng.next()));
		const wrong = values.filter((value) => histogram.bucketOf(value) !== bucketByLogarithm(histogram, value));
		expect(wrong).toEqual([]);
	});
});
