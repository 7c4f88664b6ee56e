/** Turns a scenario's distribution spec ({dist: lognormal, median, p95}, …) into a sampler. */
import {
	type ContinuousDistribution,
	Exponential,
	Gamma,
	LogNormal,
	Pareto,
	Weibull,
} from "../sim/random/distributions.js";
import type { RandomStream } from "../sim/random/stream.js";
import type { DistributionSpec } from "./scenario/schema.js";

export interface Sampler {
	readonly mean: number;
	sample(rng: RandomStream): number;
}

export function samplerOf(spec: DistributionSpec): Sampler {
	switch (spec.dist) {
		case "constant":
			return { mean: spec.value, sample: () => spec.value };
		case "exponential":
			return new Exponential(spec.mean);
		case "lognormal":
			return LogNormal.fromMedianP95(spec.median, spec.p95);
		case "gamma":
			return new Gamma(spec.shape, spec.scale);
		case "weibull":
			return new Weibull(spec.scale, spec.shape);
		case "pareto":
			return new Pareto(spec.scale, spec.alpha);
		case "uniform": {
			const { min, max } = spec;
			return { mean: (min + max) / 2, sample: (rng) => min + (max - min) * rng.next() };
		}
	}
}

/** A sampler for a field that takes a number (the same for everyone) or a distribution. */
export function samplerOfValue(value: number | DistributionSpec): Sampler {
	return typeof value === "number" ? { mean: value, sample: () => value } : samplerOf(value);
}

/** The law behind a spec where it has one (for tests and reports). */
export function lawOf(spec: DistributionSpec): ContinuousDistribution | null {
	const sampler = samplerOf(spec);
	return "cdf" in sampler ? (sampler as ContinuousDistribution) : null;
}
