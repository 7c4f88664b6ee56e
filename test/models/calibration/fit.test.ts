import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
	type CpuInfo,
	type FitPoint,
	fitRoofline,
	judgeFit,
	machinePeak,
	matchGpu,
	predictGpus,
	profileEfficiency,
	quantileSorted,
	rooflineMs,
} from "../../../models/calibration/fit.js";
import { findKernel, kernelBytes, kernelFlops } from "../../../models/calibration/kernels.js";
import { fitKernel } from "../../../models/calibration/profile.js";
import { type GpuSpec, loadCatalog, referencePaths } from "../../../models/catalog.js";
import type { KernelMeasurement } from "../../../models/latency.js";
import { median } from "../../../sim/stats.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const gpus = loadCatalog(referencePaths(resolve(root, "scenarios"))).gpus;
const gpu = (id: string) => gpus.find((g) => g.id === id) as GpuSpec;

/** A small seeded generator (mulberry32) and standard normal draws, for reproducible noise. */
function normalDraws(seed: number): () => number {
	let state = seed >>> 0;
	const uniform = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * A decode-like kernel: 20 MB of weights read once per batch plus 0.4 MB per element, 4 MFLOP
 * per element. Memory-bound up to batch ~12, compute-bound above; the overhead shows as the
 * intercept of the compute-bound line.
 */
const truth = { overheadMs: 0.5, effectiveGflops: 40, effectiveGbps: 20 };
const work = (batch: number) => ({ flops: 4e6 * batch, bytes: 20e6 + 0.4e6 * batch });

describe("roofline fit", () => {
	it("recovers the parameters exactly from noiseless data", () => {
		const points = [1, 2, 4, 8, 16, 32, 64, 128, 256].map((batch) => {
			const w = work(batch);
			return { batch, ...w, medianMs: rooflineMs(w, truth) };
		});
		const fit = fitRoofline(points);
		expect(fit.overheadMs).toBeCloseTo(0.5, 6);
		expect(fit.effectiveGflops).toBeCloseTo(40, 4);
		expect(fit.effectiveGbps).toBeCloseTo(20, 4);
		expect(fit.rSquared).toBeCloseTo(1, 9);
		expect(fit.maxRelativeError).toBeLessThan(1e-6);
		expect(fit.bindingRoof).toBe("both");
	});

	it("recovers overhead, FLOP/s and bandwidth within 2% from samples with 2% noise", () => {
		// Every batch 1..256, 21 samples each with 2% Gaussian noise, fitted to the medians (as measured).
		const draw = normalDraws(7);
		const points: FitPoint[] = [];
		for (let batch = 1; batch <= 256; batch++) {
			const w = work(batch);
			const exact = rooflineMs(w, truth);
			const samples = Array.from({ length: 21 }, () => exact * (1 + 0.02 * draw()));
			points.push({ batch, ...w, medianMs: median(samples) });
		}
		const fit = fitRoofline(points);
		expect(Math.abs(fit.overheadMs / truth.overheadMs - 1)).toBeLessThan(0.02);
		expect(Math.abs(fit.effectiveGflops / truth.effectiveGflops - 1)).toBeLessThan(0.02);
		expect(Math.abs(fit.effectiveGbps / truth.effectiveGbps - 1)).toBeLessThan(0.02);
		expect(fit.rSquared).toBeGreaterThan(0.999);
		expect(fit.maxRelativeError).toBeLessThan(0.03);
	});

	it("reports a roof no point touches at its lowest consistent value", () => {
		const spec = findKernel("matmul-512");
		if (spec === undefined) throw new Error("no matmul-512");
		const params = { overheadMs: 0.05, effectiveGflops: 40, effectiveGbps: 1000 };
		const points = [1, 2, 4, 8].map((batch) => {
			const w = { flops: kernelFlops(spec, batch), bytes: kernelBytes(spec, batch) };
			return { batch, ...w, medianMs: rooflineMs(w, params) };
		});
		const fit = fitRoofline(points);
		expect(fit.bindingRoof).toBe("compute");
		expect(fit.effectiveGflops).toBeCloseTo(40, 4);
		// Bandwidth is only bounded below: at that value the most byte-heavy point just binds.
		const lowest = Math.max(...points.map((p) => (p.bytes / p.flops) * fit.effectiveGflops));
		expect(fit.effectiveGbps).toBeCloseTo(lowest, 6);
		for (const p of points) expect(rooflineMs(p, fit)).toBeCloseTo(p.medianMs, 6);
	});

	it("rejects empty and non-positive data", () => {
		expect(() => fitRoofline([])).toThrow(/no points/);
		expect(() => fitRoofline([{ batch: 1, flops: 1, bytes: 1, medianMs: 0 }])).toThrow(/bad point/);
	});

	it("quantiles interpolate linearly", () => {
		expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
		expect(quantileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.1)).toBe(2);
		expect(median([5, 1, 3])).toBe(3);
	});
});

describe("machine peaks", () => {
	const zen: CpuInfo = {
		model: "AMD EPYC",
		cores: 2,
		clockMhz: 2600,
		vendor: "AuthenticAMD",
		family: 26,
		flags: ["avx2", "fma", "avx512f"],
	};
	it("wasm: one thread × clock × SIMD128 FLOPs/cycle (16 on AMD Zen, 8 elsewhere)", () => {
		expect(machinePeak("wasm", zen, 30).gflops).toBeCloseTo(41.6, 9);
		expect(machinePeak("wasm", { ...zen, vendor: "GenuineIntel", family: 6 }, 30).gflops).toBeCloseTo(20.8, 9);
		expect(machinePeak("wasm", zen, 30).gbps).toBe(30);
		expect(machinePeak("wasm", zen, 30).how).toMatch(/2600 MHz/);
	});
	it("tensorflow on a CPU: all cores × native SIMD with two FMA units", () => {
		expect(machinePeak("tensorflow", zen, 30).gflops).toBeCloseTo(2 * 2.6 * 64, 9);
		expect(machinePeak("tensorflow", { ...zen, flags: ["avx2", "fma"] }, 30).gflops).toBeCloseTo(2 * 2.6 * 32, 9);
		expect(machinePeak("cpu", zen, 30).gflops).toBeCloseTo(5.2, 9);
	});
	it("a GPU class uses its gpus.csv peaks; device names match their class", () => {
		const peak = machinePeak("tensorflow", zen, 30, gpu("h100-sxm"));
		expect(peak.gflops).toBe(989.4 * 1000);
		expect(peak.gbps).toBe(3350);
		expect(matchGpu("NVIDIA H100 80GB HBM3", gpus)?.id).toBe("h100-sxm");
		expect(matchGpu("NVIDIA GeForce RTX 4090", gpus)?.id).toBe("rtx4090");
		expect(matchGpu("rtx3090", gpus)?.id).toBe("rtx3090");
		expect(matchGpu("NVIDIA L40S", gpus)?.id).toBe("l40s");
		expect(matchGpu("NVIDIA Jetson AGX Orin", gpus)?.id).toBe("jetson-agx-orin");
		expect(matchGpu("Tesla T4", gpus)?.id).toBe("t4");
		expect(matchGpu("NVIDIA L4", gpus)?.id).toBe("l4");
		expect(matchGpu("NVIDIA L40", gpus)).toBeUndefined();
		expect(matchGpu("Tesla V100", gpus)).toBeUndefined();
	});
});

describe("efficiency and GPU predictions", () => {
	const point = (batch: number, flops: number, bytes: number, medianMs: number) => ({
		batch,
		flops,
		bytes,
		samplesMs: [medianMs],
		medianMs,
		p10Ms: medianMs,
		p90Ms: medianMs,
		achievedGflops: flops / medianMs / 1e6,
		achievedGbps: bytes / medianMs / 1e6,
	});
	const kernel = (name: string, mfu: number, bindingRoof: "compute" | "both", gbps: number): KernelMeasurement => ({
		name,
		kind: "matmul",
		params: { n: 256 },
		points: [point(1, 1e6, gbps * 1e6, 1)],
		fit: {
			overheadMs: 0.1,
			effectiveGflops: mfu * 40,
			effectiveGbps: 10,
			mfu,
			mbu: 0.5,
			rSquared: 0.99,
			maxRelativeError: 0.01,
			bindingRoof,
		},
	});

	it("mfu is the median over unflagged compute-bound kernels; mbu the best achieved share of DRAM bandwidth", () => {
		const kernels = [
			kernel("matmul-256", 0.9, "compute", 5),
			kernel("a", 0.6, "both", 24),
			kernel("b", 0.7, "compute", 3),
		];
		const e = profileEfficiency(kernels, { gbps: 30 });
		expect(e?.mfu).toBe(0.7);
		expect(e?.mbu).toBeCloseTo(0.8, 12);
		// A flagged kernel is left out, however high its shares: nothing is capped at 1.
		const high = kernel("x", 1.2, "compute", 60);
		const flagged = { ...high, fit: { ...high.fit, flag: "why" } };
		expect(profileEfficiency([...kernels, flagged], { gbps: 30 })).toEqual(e);
		expect(profileEfficiency([flagged], { gbps: 30 })).toBeUndefined();
		// A cache-roof kernel's points do not count towards the DRAM share.
		const cached = {
			...kernel("c", 0.8, "compute", 29),
			fit: { ...kernel("c", 0.8, "compute", 29).fit, memoryRoof: "cache" as const },
		};
		expect(profileEfficiency([...kernels, cached], { gbps: 30 })?.mbu).toBeCloseTo(0.8, 12);
	});

	it("scales every kernel to every GPU class by its spec peaks × that class's efficiency", () => {
		const k = kernel("matmul-256", 0.9, "compute", 5);
		const predictions = predictGpus([k], gpus, () => ({ mfu: 0.8, mbu: 0.5 }));
		expect(Object.keys(predictions).sort()).toEqual(gpus.map((g) => g.id).sort());
		const h100 = predictions["h100-sxm"]?.["matmul-256"];
		expect(h100?.map((p) => p.batch)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
		const spec = findKernel("matmul-256");
		if (spec === undefined || h100 === undefined) throw new Error("missing");
		const expected = (batch: number) =>
			0.1 + Math.max(kernelFlops(spec, batch) / (989.4e3 * 0.8 * 1e6), kernelBytes(spec, batch) / (3350 * 0.5 * 1e6));
		for (const p of h100) expect(p.predictedMs).toBeCloseTo(expected(p.batch), 12);
		// A faster GPU is never slower.
		const jetson = predictions["jetson-agx-orin"]?.["matmul-256"] ?? [];
		h100.forEach((p, i) => {
			expect(p.predictedMs).toBeLessThan(jetson[i]?.predictedMs ?? 0);
		});
		// On the class the profile was measured on, the fitted rates are used as they are.
		const measured = predictGpus([k], gpus, () => ({ mfu: 0.8, mbu: 0.5 }), "rtx4090").rtx4090?.["matmul-256"];
		expect(measured?.[0]?.predictedMs).toBeCloseTo(
			rooflineMs({ flops: kernelFlops(spec, 1), bytes: kernelBytes(spec, 1) }, k.fit),
			12,
		);
	});
});

describe("judging a fit against the DRAM and cache roofs", () => {
	// A memory-bound kernel whose working set stays in cache: 1.5× the DRAM copy bandwidth.
	const dramGbps = 20;
	const cacheGbps = 60;
	const truth = { overheadMs: 0.05, effectiveGflops: 100, effectiveGbps: 1.5 * dramGbps };
	const points: FitPoint[] = [1, 2, 4, 8, 16, 32].map((batch) => {
		const work = { flops: batch * 2e5, bytes: 4e6 + batch * 1e4 };
		return { batch, ...work, medianMs: rooflineMs(work, truth) };
	});
	const timings = {
		name: "synthetic-cache",
		kind: "mlp" as const,
		params: {},
		points: points.map((p) => ({
			...p,
			samplesMs: [p.medianMs],
			p10Ms: p.medianMs,
			p90Ms: p.medianMs,
			achievedGflops: p.flops / p.medianMs / 1e6,
			achievedGbps: p.bytes / p.medianMs / 1e6,
		})),
	};
	const peak = { gflops: 200, gbps: dramGbps, how: "synthetic" };

	it("fits a cache-resident kernel to the cache roof, unflagged", () => {
		const k = fitKernel(timings, { ...peak, cacheGbps });
		expect(k.fit.memoryRoof).toBe("cache");
		expect(k.fit.flag).toBeUndefined();
		expect(k.fit.mbu).toBeCloseTo((1.5 * dramGbps) / cacheGbps, 6);
		expect(k.fit.effectiveGbps).toBeCloseTo(1.5 * dramGbps, 6);
	});

	it("flags it, with the reason, when no cache roof explains it (never capped at 1)", () => {
		const k = fitKernel(timings, peak);
		expect(k.fit.memoryRoof).toBe("dram");
		expect(k.fit.mbu).toBeCloseTo(1.5, 6);
		expect(k.fit.flag).toMatch(
			/mbu 1\.5 > 1 of the DRAM copy bandwidth 20 GB\/s and no cache roof was measured: the working set .* sits in cache/,
		);
		const slowCache = fitKernel(timings, { ...peak, cacheGbps: 25 });
		expect(slowCache.fit.flag).toMatch(/above the cache roof too \(25 GB\/s\)/);
		expect(profileEfficiency([k], peak)).toBeUndefined();
	});

	it("flags an mfu above 1 and says when the overhead dominates", () => {
		const fit = {
			...truth,
			effectiveGflops: 500,
			overheadMs: 1,
			rSquared: 1,
			maxRelativeError: 0,
			bindingRoof: "compute" as const,
		};
		const judged = judgeFit(fit, peak, [{ batch: 1, flops: 1e6, bytes: 1, medianMs: 1.2 }]);
		expect(judged.mfu).toBe(2.5);
		expect(judged.flag).toMatch(/^mfu 2\.5 > 1: .*overhead is 83% of the smallest batch's median/);
	});
});
