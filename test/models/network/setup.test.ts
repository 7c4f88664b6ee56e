/** The network's setup: posted prices per GPU-hour, or one price per unit of work (Render's OctaneBench-hour). */
import { describe, expect, it } from "vitest";
import { computeTimeMs, efficiencyFor } from "../../../models/latency.js";
import { createNetworkState } from "../../../models/network/run.js";
import { profileHoursPerWorkByGpu } from "../../../models/network/setup.js";
import { inputsFromFile } from "../network-helpers.js";

describe("posted prices", () => {
	const posted = (basis: string) => {
		const { setup } = createNetworkState(
			inputsFromFile("presets/render-like", [`market.postedPriceBasis=${basis}`, "nodes.initialCount=10"]),
		);
		return { setup, prices: setup.marketContext.postedUsdPerGpuHour };
	};

	it("gpu-hour: each class at 0.8 × its own on-demand rental price", () => {
		const { setup, prices } = posted("gpu-hour");
		setup.gpus.forEach((g, i) => {
			const expected = Number.isFinite(g.rentalOnDemandUsdPerGpuHour) ? 0.8 * g.rentalOnDemandUsdPerGpuHour : 0;
			expect(prices[i]).toBeCloseTo(expected, 12);
		});
	});

	it("work: one price per unit of render work, 0.8 × the median over the node mix's classes of their on-demand price per unit", () => {
		const { setup, prices } = posted("work");
		// render-like's only job class renders: its work is counted by FP32 peak; its mix is 4090, 3090, L40S.
		const hours = setup.renderHoursPerWorkByGpu;
		const perWork = ["rtx4090", "rtx3090", "l40s"]
			.map((id) => setup.gpus.findIndex((g) => g.id === id))
			.map((i) => (setup.gpus[i]?.rentalOnDemandUsdPerGpuHour as number) * (hours[i] as number))
			.sort((a, b) => a - b);
		const median = perWork[1] as number;
		setup.gpus.forEach((_, i) => {
			// Price per GPU-hour × GPU-hours per unit of work: the same for every class.
			expect((prices[i] as number) * (hours[i] as number)).toBeCloseTo(0.8 * median, 12);
		});
	});

	it("the cloud's hours per unit of work leave out DePIN's audits", () => {
		const state = createNetworkState(inputsFromFile("presets/render-like", ["nodes.initialCount=10"]));
		const { setup } = state;
		expect(setup.auditOverhead).toBeGreaterThan(0);
		const render = state.jobClasses[0];
		if (render === undefined) throw new Error("render-like has a job class");
		let offers = 0;
		render.cloudOfferGpu.forEach((gpu, r) => {
			if (gpu < 0) return;
			offers++;
			const withAudits = (render.hoursPerWorkByGpu[gpu] as number) * render.spec.gpusPerJob;
			expect(render.cloudOfferHoursPerWork[r]).toBeCloseTo(withAudits / (1 + setup.auditOverhead), 12);
		});
		expect(offers).toBeGreaterThan(0);
	});

	it("render work converts by FP32 peak, other job work by FP16 tensor rate", () => {
		const { setup } = posted("work");
		const at = (id: string) => setup.gpus.findIndex((g) => g.id === id);
		const audits = 1 + setup.auditOverhead;
		// An RTX 4090 (82.6 FP32 TFLOP/s) renders faster than an H100 (66.91), but does 1/6 of its tensor work.
		expect(setup.renderHoursPerWorkByGpu[at("rtx4090")]).toBeCloseTo((66.91 / 82.6) * audits, 12);
		expect(setup.renderHoursPerWorkByGpu[at("h100-sxm")]).toBeCloseTo(audits, 12);
		expect(setup.hoursPerWorkByGpu[at("rtx4090")]).toBeCloseTo(((989.4 * 0.5) / (330 * 0.25)) * audits, 9);
	});
});

describe("a job class's work profile", () => {
	const setupOf = () => createNetworkState(inputsFromFile("base", ["nodes.initialCount=10"])).setup;
	const profile = (compute: Record<string, number>) => ({
		compute: { prefillGflop: 0, decodeSteps: 1, stepGflop: 0, weightsGb: 0, overheadMs: 0, ...compute },
		batch: 8,
	});

	it("compute-bound work converts by achieved FP16 tensor rate, as a class without a profile", () => {
		const setup = setupOf();
		const hours = profileHoursPerWorkByGpu(setup, profile({ prefillGflop: 1000 }));
		setup.gpus.forEach((g, i) => {
			if (!(g.fp16TensorTflops > 0)) return;
			expect(hours[i] as number).toBeCloseTo(setup.hoursPerWorkByGpu[i] as number, 9);
		});
	});

	it("memory-bound work converts by achieved bandwidth: an H100-hour of it takes H100 GB/s · mbu ÷ (GB/s · mbu) hours", () => {
		const setup = setupOf();
		const hours = profileHoursPerWorkByGpu(setup, profile({ decodeSteps: 100, weightsGb: 16 }));
		const h100 = setup.catalog.gpuById.get("h100-sxm");
		if (h100 === undefined) throw new Error("h100");
		const rate = (g: typeof h100) => g.memoryBandwidthGbps * efficiencyFor(setup.calibration, g).mbu;
		const audits = 1 + setup.auditOverhead;
		for (const id of ["a100-80gb", "rtx4090", "rtx3090", "l40s"]) {
			const g = setup.catalog.gpuById.get(id);
			if (g === undefined) throw new Error(id);
			const i = setup.catalog.gpuIndexById.get(id) as number;
			expect(hours[i] as number).toBeCloseTo((rate(h100) / rate(g)) * audits, 9);
		}
		// An A100 has 0.32 of an H100's FP16 peak but 0.61 of its bandwidth.
		const a100 = setup.catalog.gpuIndexById.get("a100-80gb") as number;
		expect(audits / (hours[a100] as number)).toBeGreaterThan(0.5);
		expect(audits / (setup.hoursPerWorkByGpu[a100] as number)).toBeLessThan(0.33);
	});

	it("each card runs batches as large as its memory holds, up to the profile's batch", () => {
		// An 8B fp16 model (16 GB) with 1,200 tokens of 128 KiB KV cache a request: a 24 GB card holds
		// ⌊(0.9 · 24 − 16) GB ÷ (1,200 · 131,072 B)⌋ = 35 requests, an 80 GB one 366, capped at 64 here.
		const setup = setupOf();
		const compute = {
			prefillGflop: 16000,
			decodeSteps: 200,
			stepGflop: 16,
			weightsGb: 16,
			overheadMs: 5,
			kvCacheBytesPerToken: 131072,
			promptTokens: 1000,
		};
		const hours = profileHoursPerWorkByGpu(setup, { compute, batch: 64 });
		const gpu = (id: string) => {
			const g = setup.catalog.gpuById.get(id);
			if (g === undefined) throw new Error(id);
			return g;
		};
		const perRequestMs = (id: string, batch: number) =>
			computeTimeMs(batch, gpu(id), compute, efficiencyFor(setup.calibration, gpu(id))) / batch;
		expect(Math.floor(((0.9 * 24 - 16) * 1e9) / (1200 * 131072))).toBe(35);
		const audits = 1 + setup.auditOverhead;
		for (const [id, batch] of [
			["rtx4090", 35],
			["rtx3090", 35],
			["a100-80gb", 64],
			["l40s", 64],
		] as const) {
			const i = setup.catalog.gpuIndexById.get(id) as number;
			expect(hours[i] as number).toBeCloseTo((perRequestMs(id, batch) / perRequestMs("h100-sxm", 64)) * audits, 9);
		}
		// A 16 GB T4 cannot hold the weights and one request's KV cache in 90% of its memory: no work there.
		expect(hours[setup.catalog.gpuIndexById.get("t4") as number]).toBe(Number.POSITIVE_INFINITY);
	});

	it("base's batch inference takes its class's conversion: a job's lease hours are its work × the profile's", () => {
		const state = createNetworkState(inputsFromFile("base", ["nodes.initialCount=10"]));
		const batch = state.jobClasses.find((c) => c.spec.id === "batch-inference");
		const spec = batch?.spec;
		if (batch === undefined || spec?.workProfile === undefined) throw new Error("base's batch class has a profile");
		const expected = profileHoursPerWorkByGpu(state.setup, spec.workProfile);
		expect([...batch.hoursPerWorkByGpu]).toEqual([...expected]);
		const fineTune = state.jobClasses.find((c) => c.spec.id === "fine-tune");
		expect(fineTune?.hoursPerWorkByGpu).toBe(state.setup.hoursPerWorkByGpu);
	});
});
