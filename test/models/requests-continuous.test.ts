import { describe, expect, it } from "vitest";
import type { GpuSpec } from "../../models/catalog.js";
import { type IterationCost, iterationCost, staticBatchMs } from "../../models/latency.js";
import {
	type Arrivals,
	generateArrivals,
	type RequestSimInput,
	type RequestSimResult,
	simulateRequests,
} from "../../models/requests.js";
import { RandomStream } from "../../sim/random/stream.js";

/**
 * A GPU-like cost with awkward (non-integer) figures, so that rounding would show: a prefill
 * iteration of n requests takes 5 + 37.3 n ms; a decode step of n requests holding C tokens
 * max(2.1 n, 10.2 + 0.0013 C) ms (the weights and the KV cache read once per step).
 */
const COST: IterationCost = {
	overheadMs: 5,
	prefillGflop: 37.3,
	stepGflop: 2.1,
	flopsRateTflops: 1,
	stepWeightsMs: 10.2,
	kvMsPerToken: 0.0013,
	promptTokens: 300,
	decodeSteps: 32,
	kvCacheCapacityTokens: Number.POSITIVE_INFINITY,
};

function tables(cost: IterationCost, maxBatch: number, replicas: number) {
	const table = Float64Array.from({ length: maxBatch }, (_, i) => staticBatchMs(cost, i + 1, cost.decodeSteps));
	return { tables: [table], iterations: [cost], replicaTable: new Int32Array(replicas) };
}

function poisson(seed: number, ratePerSecond: number, durationMs: number): Arrivals {
	return generateArrivals(RandomStream.create(seed, 0, "requests/arrivals"), {
		startMs: 0,
		durationMs,
		ratePerSecond,
		metroWeights: [1],
	});
}

function input(arrivals: Arrivals, mode: "static" | "continuous", maxBatch: number, replicas = 1): RequestSimInput {
	return {
		arrivals,
		replicaMetro: new Int32Array(replicas),
		computeTables: tables(COST, maxBatch, replicas),
		rttMs: Float64Array.of(0),
		metroCount: 1,
		batching: { maxBatch, maxWaitMs: 0, mode },
		slaP95Ms: 1e9,
	};
}

/** Every figure of two runs' latency-like histograms. */
function histogramFigures(r: RequestSimResult) {
	return [r.latencyMs, r.ttftMs, r.tpotMs].map((h) => [
		h.count,
		h.sum,
		h.min,
		h.max,
		h.quantile(0.5),
		h.quantile(0.95),
	]);
}

describe("continuous batching: a batch of one is the static model", () => {
	it("a lone request takes exactly the static batch of one: latency, TTFT and TPOT", () => {
		// One request every 10 s: each finds the replica idle. Static batch of one: 5 + 37.3 +
		// Σ_{k=1…32} max(2.1, 10.2 + 0.0013 (300 + k − 1)) = 42.3 + 326.4 + 0.0013 (32·300 + 496) = 381.8248 ms → 382.
		const arrivals = { timeMs: Float64Array.from({ length: 50 }, (_, i) => 10_000 * i), metro: new Int32Array(50) };
		const continuous = simulateRequests({ ...input(arrivals, "continuous", 16), rttMs: Float64Array.of(24) });
		const staticRun = simulateRequests({ ...input(arrivals, "static", 16), rttMs: Float64Array.of(24) });
		expect(staticBatchMs(COST, 1, 32)).toBeCloseTo(381.8248, 9);
		expect(continuous.latencyMs.min).toBe(24 + 382);
		expect(continuous.latencyMs.max).toBe(24 + 382);
		// First token: prefill 42.3 + first step 10.2 + 0.0013 · 300 = 52.89 ms → 53.
		expect(continuous.ttftMs.max).toBe(24 + 53);
		expect(continuous.tpotMs.max).toBeCloseTo((382 - 53) / 31, 12);
		expect(histogramFigures(continuous)).toEqual(histogramFigures(staticRun));
		expect(continuous.prefillIterations).toBe(50);
		expect(continuous.batches).toBe(50 * 32);
		expect(continuous.meanBatchSize).toBe(1);
	});

	it("maxBatch 1 under queueing (ρ ≈ 0.8, 3 replicas) gives the static model's latencies exactly", () => {
		// 382 ms per request, 3 replicas: ρ = 0.8 at 6.28 requests/s.
		const arrivals = poisson(5, 6.28, 600_000);
		expect(arrivals.timeMs.length).toBeGreaterThan(3000);
		const continuous = simulateRequests(input(arrivals, "continuous", 1, 3));
		const staticRun = simulateRequests(input(arrivals, "static", 1, 3));
		expect(continuous.served).toBe(arrivals.timeMs.length);
		expect(histogramFigures(continuous)).toEqual(histogramFigures(staticRun));
		expect(continuous.requestMsInSystem).toBe(staticRun.requestMsInSystem);
		expect(continuous.latencyMs.max).toBeGreaterThan(2 * 382); // some did queue
	});
});

/**
 * Little's law, L = λW. `requestMsInSystem` is counted as requests reach and leave (a time
 * integral of the number present), the sojourn W from the latencies (RTT 0): over a run that
 * starts and ends empty the two are the same sum, to the ms. Against the nominal rate λ, over
 * the window T: L = requestMsInSystem / T vs λ · mean latency; they differ by the Poisson count
 * (relative sd 1/√(λT) = 0.9%) and by the drain after T. Measured over seeds 1–8 (this code,
 * λT = 12,000 requests, 3.4 running per decode step on average): ratios 0.985–1.007, mean
 * 0.996, seed-to-seed sd 0.86%; the 4% bound is 4.6 sd.
 */
describe("continuous batching: Little's law", () => {
	const RATE = 6;
	const WINDOW_MS = 2_000_000;
	const ratios: number[] = [];
	for (let seed = 1; seed <= 8; seed++) {
		it(`seed ${seed}: L = λW exactly on the sample path, and within 4% of the nominal rate`, () => {
			const result = simulateRequests(input(poisson(seed, RATE, WINDOW_MS), "continuous", 16, 1));
			expect(result.served).toBe(result.arrived);
			expect(result.requestMsInSystem).toBe(result.latencyMs.sum);
			const meanInSystem = result.requestMsInSystem / WINDOW_MS;
			const ratio = meanInSystem / ((RATE / 1000) * result.latencyMs.mean);
			ratios.push(ratio);
			expect(Math.abs(ratio - 1)).toBeLessThan(0.04);
			// The load is real: requests share the running batch.
			expect(result.meanBatchSize).toBeGreaterThan(2);
		});
	}
	it("the seed-to-seed spread is what the bound assumes (sd < 1.5%)", () => {
		const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
		const sd = Math.sqrt(ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / (ratios.length - 1));
		expect(ratios.length).toBe(8);
		expect(sd).toBeLessThan(0.015);
	});
});

describe("continuous batching: throughput and latency against static batching", () => {
	// Output lengths vary (1…64 tokens, uniform): a static batch runs to its longest request,
	// while continuous batching refills a slot as soon as a request leaves.
	const arrivals = poisson(9, 200, 30_000); // far over the capacity of one replica: a backlog
	const rng = RandomStream.create(9, 0, "requests/decode-steps");
	const decodeStepsOfRequest = Int32Array.from(arrivals.timeMs, () => 1 + rng.int(64));
	const run = (mode: "static" | "continuous") =>
		simulateRequests({ ...input(arrivals, mode, 16, 1), decodeStepsOfRequest });

	it("drains the same backlog sooner on the same hardware", () => {
		const continuous = run("continuous");
		const staticRun = run("static");
		expect(continuous.served).toBe(arrivals.timeMs.length);
		expect(staticRun.served).toBe(arrivals.timeMs.length);
		const throughput = (r: RequestSimResult) => r.served / r.endMs;
		expect(throughput(continuous)).toBeGreaterThan(1.2 * throughput(staticRun));
		// Busy the whole time on both sides: the gain is work not wasted on padding.
		expect(continuous.latencyMs.mean).toBeLessThan(staticRun.latencyMs.mean);
	});

	it("at moderate load newcomers join the running batch: a much shorter time to first token", () => {
		const moderate = poisson(4, 4, 600_000);
		const continuous = simulateRequests(input(moderate, "continuous", 16, 1));
		const staticRun = simulateRequests({
			...input(moderate, "static", 16, 1),
			batching: { maxBatch: 16, maxWaitMs: 50 },
		});
		expect(continuous.ttftMs.quantile(0.5)).toBeLessThan(0.5 * staticRun.ttftMs.quantile(0.5));
		expect(continuous.latencyMs.quantile(0.95)).toBeLessThan(staticRun.latencyMs.quantile(0.95));
	});

	it("rejects what it cannot run", () => {
		const a = poisson(1, 10, 1000);
		const base = input(a, "continuous", 4);
		expect(() =>
			simulateRequests({
				...base,
				computeTables: { tables: base.computeTables?.tables ?? [], replicaTable: new Int32Array(1) },
			}),
		).toThrow(/iterations/);
		expect(() =>
			simulateRequests({ ...base, serviceDistribution: "exponential", serviceRng: RandomStream.create(1, 0, "s") }),
		).toThrow(/deterministic/);
		expect(() => simulateRequests({ ...base, decodeStepsOfRequest: new Int32Array(1) })).toThrow(/entries/);
	});
});

describe("continuous batching: KV-cache memory caps the running batch", () => {
	/** A made-up GPU: 1 TFLOP/s, 1000 GB/s, `memoryGb` of memory. */
	const gpu = (memoryGb: number) =>
		({ id: "tiny", tier: "datacenter", fp16TensorTflops: 1, memoryBandwidthGbps: 1000, memoryGb }) as GpuSpec;
	const compute = {
		prefillGflop: 37.3,
		decodeSteps: 32,
		stepGflop: 2.1,
		weightsGb: 16,
		overheadMs: 5,
		kvCacheBytesPerToken: 131_072,
		promptTokens: 300,
	};

	it("capacity = (0.9 · VRAM − weights) / bytes per token", () => {
		// 0.9 · 18.2 − 16 = 0.38 GB = 3.8e8 B ÷ 131072 = 2899.2 → 2899 tokens: 8 requests of 332 tokens.
		expect(iterationCost(gpu(18.2), compute, { mfu: 1, mbu: 1 }).kvCacheCapacityTokens).toBe(2899);
		expect(iterationCost(gpu(10), compute, { mfu: 1, mbu: 1 }).kvCacheCapacityTokens).toBe(0);
		expect(
			iterationCost(gpu(18.2), { ...compute, kvCacheBytesPerToken: 0 }, { mfu: 1, mbu: 1 }).kvCacheCapacityTokens,
		).toBe(Number.POSITIVE_INFINITY);
		// 128 KiB at 1000 GB/s: 131072 B ÷ 10¹² B/s = 1.31072e-7 s = 1.31072e-4 ms per token.
		expect(iterationCost(gpu(18.2), compute, { mfu: 1, mbu: 1 }).kvMsPerToken).toBeCloseTo(1.31072e-4, 15);
	});

	const overload = poisson(3, 200, 20_000);
	const runWith = (capacityTokens: number) =>
		simulateRequests({
			...input(overload, "continuous", 16, 1),
			computeTables: tables({ ...COST, kvCacheCapacityTokens: capacityTokens }, 16, 1),
		});

	it("a GPU that holds 2 requests' KV cache never runs more than 2 (maxBatch 16)", () => {
		const tiny = runWith(2 * 332 + 100);
		expect(tiny.served).toBe(overload.timeMs.length);
		expect(tiny.meanBatchSize).toBeLessThanOrEqual(2);
		expect(tiny.meanBatchSize).toBeGreaterThan(1.9);
		const roomy = runWith(Number.POSITIVE_INFINITY);
		expect(roomy.meanBatchSize).toBeGreaterThan(15);
		expect(roomy.endMs).toBeLessThan(tiny.endMs);
	});

	it("a request too large for the memory is still served, alone", () => {
		const none = runWith(0);
		expect(none.served).toBe(overload.timeMs.length);
		expect(none.meanBatchSize).toBe(1);
	});
});
