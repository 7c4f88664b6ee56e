/** Small statistics helpers for output analysis (confidence intervals of simulated means). */
import { normalQuantile } from "./random/special.js";

/**
 * Student-t quantile for `df` degrees of freedom: Cornish–Fisher expansion around the normal
 * quantile (Abramowitz & Stegun 26.7.5), within 1e-3 of the exact value for df ≥ 5.
 */
export function studentTQuantile(p: number, df: number): number {
	if (!(df >= 1)) throw new RangeError(`degrees of freedom must be ≥ 1, got ${df}`);
	const z = normalQuantile(p);
	const z2 = z * z;
	const z3 = z2 * z;
	const z5 = z3 * z2;
	const z7 = z5 * z2;
	const z9 = z7 * z2;
	return (
		z +
		(z3 + z) / (4 * df) +
		(5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
		(3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
		(79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4)
	);
}

export interface MeanEstimate {
	readonly mean: number;
	/** Half-width of the 95% confidence interval. */
	readonly halfWidth95: number;
	readonly ci95: readonly [number, number];
	/** Sample standard deviation of the replicate (or batch) means. */
	readonly sd: number;
	readonly n: number;
}

/** 95% t-interval for the mean of independent replicates (or batch means). */
export function meanConfidence(values: ArrayLike<number>): MeanEstimate {
	const n = values.length;
	if (n < 2) throw new RangeError("need at least two values for a confidence interval");
	let sum = 0;
	for (let i = 0; i < n; i++) sum += values[i] as number;
	const mean = sum / n;
	let squares = 0;
	for (let i = 0; i < n; i++) squares += ((values[i] as number) - mean) ** 2;
	const sd = Math.sqrt(squares / (n - 1));
	const halfWidth95 = (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
	return { mean, halfWidth95, ci95: [mean - halfWidth95, mean + halfWidth95], sd, n };
}

/** Median of the values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
	if (values.length === 0) throw new RangeError("median of no values");
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 === 1
		? (sorted[mid] as number)
		: ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
