import { describe, expect, it } from "vitest";
import { runMmcOnEngine } from "../../sim/bench/workloads.js";
import { erlangB, erlangC, mmcMeans } from "../../sim/queueing.js";
import { meanConfidence, studentTQuantile } from "../../sim/stats.js";

describe("Erlang formulas", () => {
	it("match closed forms", () => {
		// M/M/1: P(wait) = ρ, Wq = ρ / (μ − λ).
		expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 14);
		expect(mmcMeans(1, 0.9, 1).meanWait).toBeCloseTo(9, 12);
		// c = 2, a = 1: B = 1/5, C = 1/3 (Kleinrock, Table 3.1 style hand calculation).
		expect(erlangB(2, 1)).toBeCloseTo(0.2, 14);
		expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 14);
		// The benchmark's point: c = 1000, ρ = 0.98 → Wq ≈ 0.0206 service times.
		expect(mmcMeans(1000, 980, 1).meanWait).toBeCloseTo(0.0206, 4);
		expect(() => erlangC(4, 4)).toThrow(/unstable/);
	});

	it("t quantiles match tables", () => {
		expect(studentTQuantile(0.975, 19)).toBeCloseTo(2.093, 3);
		expect(studentTQuantile(0.975, 99)).toBeCloseTo(1.984, 3);
	});
});

/**
 * The engine against queueing theory: M/M/c FIFO with c ∈ {1, 4, 10}, ρ ∈ {0.7, 0.9}, 20
 * seeds of 10^6 jobs after 10^5 warm-up jobs each. A single run at ρ = 0.9 scatters by ~3%
 * around the truth, so the pooled mean of 20 has a standard error near 0.7%: the 2% bound is
 * about three standard errors, and the test also checks that the measured spread agrees.
 */
describe("M/M/c on the engine vs Erlang C (20 seeds × 10^6 jobs)", () => {
	const SEEDS = 20;
	for (const servers of [1, 4, 10]) {
		for (const load of [0.7, 0.9]) {
			it(`c = ${servers}, ρ = ${load}`, () => {
				const theory = mmcMeans(servers, load * servers, 1);
				const waits: number[] = [];
				for (let run = 0; run < SEEDS; run++) {
					const result = runMmcOnEngine({
						servers,
						load,
						jobs: 1_000_000,
						warmupJobs: 100_000,
						batches: 20,
						seed: 20261130,
						runIndex: run,
					});
					waits.push(result.meanWait);
					// Little's law over the measurement window: L = λ W.
					const littleError =
						Math.abs(result.meanInSystem - result.arrivalRate * result.meanSojourn) / result.meanInSystem;
					expect(littleError, `Little's law, run ${run}`).toBeLessThan(0.01);
					expect(Math.abs(result.probabilityOfWait - theory.probabilityOfWait)).toBeLessThan(0.02);
				}
				const pooled = meanConfidence(waits);
				const relativeError = Math.abs(pooled.mean - theory.meanWait) / theory.meanWait;
				const standardError = pooled.sd / Math.sqrt(SEEDS);
				expect(relativeError, `pooled ${pooled.mean} vs Erlang C ${theory.meanWait}`).toBeLessThan(0.02);
				// The measured spread must make 2% a meaningful bound (≥ 2 standard errors) …
				expect(standardError / theory.meanWait).toBeLessThan(0.01);
				// … and the error must be consistent with it (within 4 standard errors).
				expect(Math.abs(pooled.mean - theory.meanWait)).toBeLessThan(4 * standardError);
			});
		}
	}
});
