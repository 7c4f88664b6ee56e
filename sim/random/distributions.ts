/**
 * Probability distributions: each draws from a RandomStream passed in (the caller owns the
 * randomness) and carries its law (CDF, quantile, mean) so that tests and models can check
 * and reason about it. Constructors validate parameters; `sample` allocates nothing.
 */
import { invertCdf, logGamma, normalCdf, normalQuantile, regularizedGammaP } from "./special.js";
import type { RandomStream } from "./stream.js";
import { standardExponential, standardNormal } from "./ziggurat.js";

/** A law over the reals (or part of them). */
export interface ContinuousDistribution {
	readonly mean: number;
	sample(rng: RandomStream): number;
	cdf(x: number): number;
	quantile(p: number): number;
}

/** A law over the integers 0, 1, 2, … */
export interface DiscreteDistribution {
	readonly mean: number;
	sample(rng: RandomStream): number;
	pmf(k: number): number;
}

function positive(name: string, value: number): number {
	if (!(value > 0 && Number.isFinite(value)))
		throw new RangeError(`${name} must be a positive finite number, got ${value}`);
	return value;
}

function probability(p: number): number {
	if (!(p >= 0 && p <= 1)) throw new RangeError(`probability must be in [0, 1], got ${p}`);
	return p;
}

/** Exponential with the given mean (rate = 1 / mean), drawn by the ziggurat (ziggurat.ts). */
export class Exponential implements ContinuousDistribution {
	constructor(readonly mean: number) {
		positive("exponential mean", mean);
	}
	sample(rng: RandomStream): number {
		return this.mean * standardExponential(rng);
	}
	cdf(x: number): number {
		return x <= 0 ? 0 : -Math.expm1(-x / this.mean);
	}
	quantile(p: number): number {
		return -this.mean * Math.log1p(-probability(p));
	}
}

/** Normal(mean, sd), drawn by the ziggurat (ziggurat.ts); the quantile is AS 241. */
export class Normal implements ContinuousDistribution {
	constructor(
		readonly mean: number,
		readonly sd: number,
	) {
		if (!Number.isFinite(mean)) throw new RangeError(`normal mean must be finite, got ${mean}`);
		positive("normal sd", sd);
	}
	sample(rng: RandomStream): number {
		return this.mean + this.sd * standardNormal(rng);
	}
	cdf(x: number): number {
		return normalCdf((x - this.mean) / this.sd);
	}
	quantile(p: number): number {
		return this.mean + this.sd * normalQuantile(probability(p));
	}
}

/** Lognormal: exp of Normal(mu, sigma) (mu and sigma of the log), the normal by the ziggurat. */
export class LogNormal implements ContinuousDistribution {
	readonly mean: number;
	constructor(
		readonly mu: number,
		readonly sigma: number,
	) {
		if (!Number.isFinite(mu)) throw new RangeError(`lognormal mu must be finite, got ${mu}`);
		positive("lognormal sigma", sigma);
		this.mean = Math.exp(mu + (sigma * sigma) / 2);
	}
	/** The lognormal with a given median and 95th percentile (how latencies are usually quoted). */
	static fromMedianP95(median: number, p95: number): LogNormal {
		positive("median", median);
		if (!(p95 > median)) throw new RangeError(`p95 (${p95}) must exceed the median (${median})`);
		return new LogNormal(Math.log(median), Math.log(p95 / median) / normalQuantile(0.95));
	}
	sample(rng: RandomStream): number {
		return Math.exp(this.mu + this.sigma * standardNormal(rng));
	}
	cdf(x: number): number {
		return x <= 0 ? 0 : normalCdf((Math.log(x) - this.mu) / this.sigma);
	}
	quantile(p: number): number {
		return Math.exp(this.mu + this.sigma * normalQuantile(probability(p)));
	}
}

/** Gamma(shape k, scale θ), drawn by Marsaglia & Tsang (2000); shape < 1 by the boost u^(1/k). */
export class Gamma implements ContinuousDistribution {
	readonly mean: number;
	private readonly d: number;
	private readonly c: number;
	constructor(
		readonly shape: number,
		readonly scale: number,
	) {
		positive("gamma shape", shape);
		positive("gamma scale", scale);
		this.mean = shape * scale;
		const k = shape < 1 ? shape + 1 : shape;
		this.d = k - 1 / 3;
		this.c = 1 / Math.sqrt(9 * this.d);
	}
	sample(rng: RandomStream): number {
		const { d, c } = this;
		let value: number;
		for (;;) {
			const x = normalQuantile(rng.next());
			let v = 1 + c * x;
			if (v <= 0) continue;
			v = v * v * v;
			const u = rng.next();
			const x2 = x * x;
			if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
				value = d * v;
				break;
			}
		}
		if (this.shape < 1) value *= rng.next() ** (1 / this.shape);
		return value * this.scale;
	}
	cdf(x: number): number {
		return x <= 0 ? 0 : regularizedGammaP(this.shape, x / this.scale);
	}
	quantile(p: number): number {
		probability(p);
		if (p === 0) return 0;
		if (p === 1) return Number.POSITIVE_INFINITY;
		return invertCdf((x) => this.cdf(x), p, 0, this.mean + 10 * Math.sqrt(this.shape) * this.scale);
	}
}

/** Pareto (type I) with minimum `scale` and tail index `alpha`. */
export class Pareto implements ContinuousDistribution {
	readonly mean: number;
	constructor(
		readonly scale: number,
		readonly alpha: number,
	) {
		positive("pareto scale", scale);
		positive("pareto alpha", alpha);
		this.mean = alpha > 1 ? (alpha * scale) / (alpha - 1) : Number.POSITIVE_INFINITY;
	}
	sample(rng: RandomStream): number {
		return this.scale * rng.next() ** (-1 / this.alpha);
	}
	cdf(x: number): number {
		return x <= this.scale ? 0 : 1 - (this.scale / x) ** this.alpha;
	}
	quantile(p: number): number {
		return this.scale * (1 - probability(p)) ** (-1 / this.alpha);
	}
}

/** Weibull with `scale` λ and `shape` k (failure times: k < 1 infant mortality, k > 1 wear-out). */
export class Weibull implements ContinuousDistribution {
	readonly mean: number;
	constructor(
		readonly scale: number,
		readonly shape: number,
	) {
		positive("weibull scale", scale);
		positive("weibull shape", shape);
		this.mean = scale * Math.exp(logGamma(1 + 1 / shape));
	}
	sample(rng: RandomStream): number {
		return this.scale * (-Math.log(rng.next())) ** (1 / this.shape);
	}
	cdf(x: number): number {
		return x <= 0 ? 0 : -Math.expm1(-((x / this.scale) ** this.shape));
	}
	quantile(p: number): number {
		return this.scale * (-Math.log1p(-probability(p))) ** (1 / this.shape);
	}
}

/**
 * Poisson with the given mean: inversion for means below 10, Hörmann's PTRS transformed
 * rejection (1993, as in numpy) above, so a draw costs O(1) however large the mean.
 */
export class Poisson implements DiscreteDistribution {
	private readonly expMinusMean: number;
	private readonly logMean: number;
	private readonly b: number;
	private readonly a: number;
	private readonly invAlpha: number;
	private readonly vr: number;
	constructor(readonly mean: number) {
		if (!(mean >= 0 && Number.isFinite(mean))) throw new RangeError(`poisson mean must be ≥ 0 and finite, got ${mean}`);
		this.expMinusMean = Math.exp(-mean);
		this.logMean = Math.log(mean);
		this.b = 0.931 + 2.53 * Math.sqrt(mean);
		this.a = -0.059 + 0.02483 * this.b;
		this.invAlpha = 1.1239 + 1.1328 / (this.b - 3.4);
		this.vr = 0.9277 - 3.6224 / (this.b - 2);
	}
	sample(rng: RandomStream): number {
		const lambda = this.mean;
		if (lambda === 0) return 0;
		if (lambda < 10) {
			const u = rng.next();
			let k = 0;
			let p = this.expMinusMean;
			let cumulative = p;
			while (u > cumulative && k < 1000) {
				k++;
				p *= lambda / k;
				cumulative += p;
			}
			return k;
		}
		const { a, b, invAlpha, vr } = this;
		for (;;) {
			const u = rng.next() - 0.5;
			const v = rng.next();
			const us = 0.5 - Math.abs(u);
			const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
			if (us >= 0.07 && v <= vr) return k;
			if (k < 0 || (us < 0.013 && v > us)) continue;
			if (
				Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
				-lambda + k * this.logMean - logGamma(k + 1)
			) {
				return k;
			}
		}
	}
	pmf(k: number): number {
		if (k < 0 || k !== Math.floor(k)) return 0;
		if (this.mean === 0) return k === 0 ? 1 : 0;
		return Math.exp(-this.mean + k * this.logMean - logGamma(k + 1));
	}
}

/** Categorical over indices 0 … n−1 with the given weights: Vose's alias method, O(1) a draw. */
export class Categorical implements DiscreteDistribution {
	readonly mean: number;
	readonly probabilities: Float64Array;
	private readonly threshold: Float64Array;
	private readonly alias: Int32Array;
	constructor(weights: ArrayLike<number>) {
		const n = weights.length;
		if (n === 0) throw new RangeError("categorical needs at least one weight");
		let total = 0;
		for (let i = 0; i < n; i++) {
			const w = weights[i] as number;
			if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`weight ${i} must be ≥ 0 and finite, got ${w}`);
			total += w;
		}
		if (!(total > 0)) throw new RangeError("categorical weights must not all be zero");
		this.probabilities = new Float64Array(n);
		this.threshold = new Float64Array(n);
		this.alias = new Int32Array(n);
		const scaled = new Float64Array(n);
		const small: number[] = [];
		const large: number[] = [];
		let mean = 0;
		for (let i = 0; i < n; i++) {
			const p = (weights[i] as number) / total;
			this.probabilities[i] = p;
			mean += i * p;
			scaled[i] = p * n;
			((scaled[i] as number) < 1 ? small : large).push(i);
		}
		this.mean = mean;
		while (small.length > 0 && large.length > 0) {
			const s = small.pop() as number;
			const l = large[large.length - 1] as number;
			this.threshold[s] = scaled[s] as number;
			this.alias[s] = l;
			scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
			if ((scaled[l] as number) < 1) {
				large.pop();
				small.push(l);
			}
		}
		for (const i of large) {
			this.threshold[i] = 1;
			this.alias[i] = i;
		}
		for (const i of small) {
			this.threshold[i] = 1;
			this.alias[i] = i;
		}
	}
	get size(): number {
		return this.probabilities.length;
	}
	sample(rng: RandomStream): number {
		const x = rng.next() * this.probabilities.length;
		const i = Math.floor(x);
		return x - i < (this.threshold[i] as number) ? i : (this.alias[i] as number);
	}
	pmf(k: number): number {
		return this.probabilities[k] ?? 0;
	}
}

/**
 * The empirical law of observed values: `discrete` resamples the observations themselves;
 * `continuous` draws from the piecewise-linear interpolation of their order statistics
 * (so draws stay within [min, max]).
 */
export class Empirical implements ContinuousDistribution {
	readonly mean: number;
	private readonly sorted: Float64Array;
	constructor(
		values: ArrayLike<number>,
		readonly mode: "continuous" | "discrete" = "continuous",
	) {
		if (values.length === 0) throw new RangeError("empirical distribution needs at least one value");
		this.sorted = Float64Array.from(values as ArrayLike<number>).sort();
		let total = 0;
		for (const v of this.sorted) {
			if (!Number.isFinite(v)) throw new RangeError(`empirical values must be finite, got ${v}`);
			total += v;
		}
		if (mode === "discrete" || this.sorted.length === 1) this.mean = total / this.sorted.length;
		else {
			// Mean of the piecewise-linear law: average of segment midpoints.
			let sum = 0;
			for (let i = 1; i < this.sorted.length; i++)
				sum += ((this.sorted[i - 1] as number) + (this.sorted[i] as number)) / 2;
			this.mean = sum / (this.sorted.length - 1);
		}
	}
	sample(rng: RandomStream): number {
		return this.quantile(rng.next());
	}
	cdf(x: number): number {
		const s = this.sorted;
		const n = s.length;
		if (this.mode === "discrete") return upperBound(s, x) / n;
		if (n === 1) return x < (s[0] as number) ? 0 : 1;
		if (x < (s[0] as number)) return 0;
		if (x >= (s[n - 1] as number)) return 1;
		const i = upperBound(s, x) - 1;
		const lo = s[i] as number;
		const hi = s[i + 1] as number;
		return (i + (hi > lo ? (x - lo) / (hi - lo) : 1)) / (n - 1);
	}
	quantile(p: number): number {
		const s = this.sorted;
		const n = s.length;
		if (this.mode === "discrete") return s[Math.min(n - 1, Math.floor(probability(p) * n))] as number;
		const position = probability(p) * (n - 1);
		const i = Math.min(n - 2, Math.floor(position));
		if (i < 0) return s[0] as number;
		const fraction = position - i;
		return (s[i] as number) + fraction * ((s[i + 1] as number) - (s[i] as number));
	}
}

/** Number of entries of sorted `s` that are ≤ x. */
function upperBound(s: Float64Array, x: number): number {
	let lo = 0;
	let hi = s.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if ((s[mid] as number) <= x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}
