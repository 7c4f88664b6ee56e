/** Statistics of Monte Carlo runs: summaries with CI95, and differences between designs. */
import { mean, quantileSorted, sampleStandardDeviation } from "simple-statistics";
import { studentTQuantile } from "../stats.js";

/** t(0.975, df) for df 1…30 (exact to 3 decimals; tables of Student's t). Beyond, Cornish–Fisher. */
const T975 = [
	12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
	2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The two-sided 95% Student-t critical value for `df` degrees of freedom (df may be fractional: Welch). */
export function t975(df: number): number {
	if (!(df >= 1)) throw new RangeError(`degrees of freedom must be ≥ 1, got ${df}`);
	if (Number.isInteger(df) && df <= T975.length) return T975[df - 1] as number;
	return studentTQuantile(0.975, df);
}

/** Summary of one KPI over runs; sd and the CI need two values, the rest one. */
export interface KpiStats {
	readonly n: number;
	readonly mean: number | null;
	readonly sd: number | null;
	readonly ci95: readonly [number, number] | null;
	readonly p10: number | null;
	readonly p50: number | null;
	readonly p90: number | null;
	readonly min: number | null;
	readonly max: number | null;
}

/** Mean, sample standard deviation, t-interval of the mean, quantiles (linear interpolation), range. */
export function kpiStats(values: readonly number[]): KpiStats {
	const n = values.length;
	if (n === 0) return { n, mean: null, sd: null, ci95: null, p10: null, p50: null, p90: null, min: null, max: null };
	const sorted = [...values].sort((a, b) => a - b);
	const m = mean(sorted);
	const sd = n >= 2 ? sampleStandardDeviation(sorted) : null;
	const half = sd === null ? null : (t975(n - 1) * sd) / Math.sqrt(n);
	return {
		n,
		mean: m,
		sd,
		ci95: half === null ? null : [m - half, m + half],
		p10: quantileSorted(sorted, 0.1),
		p50: quantileSorted(sorted, 0.5),
		p90: quantileSorted(sorted, 0.9),
		min: sorted[0] as number,
		max: sorted[n - 1] as number,
	};
}

/** P10, P50, P90 of the values (linear interpolation); null when there are none. */
export function band(values: readonly number[]): readonly [number, number, number] | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	return [quantileSorted(sorted, 0.1), quantileSorted(sorted, 0.5), quantileSorted(sorted, 0.9)];
}

/** The difference of B to A: its estimate, CI95, and whether the CI excludes zero. */
export interface Difference {
	readonly paired: boolean;
	readonly n: number;
	readonly diff: number | null;
	readonly ci95: readonly [number, number] | null;
	readonly significant: boolean;
}

/** B − A paired run by run (same seeds: common random numbers): a t-interval of the differences. */
export function pairedDifference(a: readonly number[], b: readonly number[]): Difference {
	if (a.length !== b.length) throw new RangeError("paired samples must have the same length");
	const diffs = a.map((x, i) => (b[i] as number) - x);
	const n = diffs.length;
	if (n === 0) return { paired: true, n, diff: null, ci95: null, significant: false };
	const d = mean(diffs);
	if (n < 2) return { paired: true, n, diff: d, ci95: null, significant: false };
	const half = (t975(n - 1) * sampleStandardDeviation(diffs)) / Math.sqrt(n);
	return { paired: true, n, diff: d, ci95: [d - half, d + half], significant: d - half > 0 || d + half < 0 };
}

/** B − A for independent samples: Welch's t-interval (Welch–Satterthwaite degrees of freedom). */
export function welchDifference(a: readonly number[], b: readonly number[]): Difference {
	const n = Math.min(a.length, b.length);
	if (a.length === 0 || b.length === 0) return { paired: false, n, diff: null, ci95: null, significant: false };
	const d = mean(b) - mean(a);
	if (a.length < 2 || b.length < 2) return { paired: false, n, diff: d, ci95: null, significant: false };
	const va = sampleStandardDeviation(a) ** 2 / a.length;
	const vb = sampleStandardDeviation(b) ** 2 / b.length;
	const se = Math.sqrt(va + vb);
	if (se === 0) return { paired: false, n, diff: d, ci95: [d, d], significant: d !== 0 };
	const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
	const half = t975(Math.max(1, df)) * se;
	return { paired: false, n, diff: d, ci95: [d - half, d + half], significant: d - half > 0 || d + half < 0 };
}
