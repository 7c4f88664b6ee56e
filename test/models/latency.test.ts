import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type GpuSpec, loadCatalog, referencePaths } from "../../models/catalog.js";
import {
	type ComputeCost,
	computeTimeMs,
	DEFAULT_PROFILE_PATH,
	decodeStepMs,
	efficiencyFor,
	iterationCost,
	jobDurationHours,
	jobDurationHoursFp32,
	loadCalibrationProfile,
	parseCalibrationProfile,
	prefillIterationMs,
	staticBatchMs,
	staticFirstTokenMs,
	throughputTokensPerSecond,
	withMappedClass,
	workloadEfficiency,
} from "../../models/latency.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const catalog = loadCatalog(referencePaths(resolve(root, "scenarios")));
const profilePath = resolve(root, DEFAULT_PROFILE_PATH);

function gpu(id: string): GpuSpec {
	const g = catalog.gpuById.get(id);
	if (g === undefined) throw new Error(`no GPU ${id}`);
	return g;
}

/** Llama-3-8B-like decode: 16 GB of FP16 weights, ~16 GFLOP per token per request. */
const decode: ComputeCost = { prefillGflop: 0, decodeSteps: 100, stepGflop: 16, weightsGb: 16, overheadMs: 0 };
const EFF = { mfu: 0.5, mbu: 0.7 };

describe("roofline compute time", () => {
	it("memory-bound decode ≈ steps × weights / achieved bandwidth, flat in small batches", () => {
		const h100 = gpu("h100-sxm");
		const perStepMs = (1000 * 16) / (3350 * 0.7);
		expect(computeTimeMs(1, h100, decode, EFF)).toBeCloseTo(100 * perStepMs, 9);
		// Batch 8 still reads the weights once a step: same time (8·16 GFLOP takes 0.26 ms < 6.8 ms).
		expect(computeTimeMs(8, h100, decode, EFF)).toBeCloseTo(100 * perStepMs, 9);
		// Tokens/s therefore grow with the batch.
		expect(throughputTokensPerSecond(8, h100, decode, 100, EFF)).toBeCloseTo(
			8 * throughputTokensPerSecond(1, h100, decode, 100, EFF),
			6,
		);
	});

	it("compute-bound prefill scales linearly with the batch; units are ms", () => {
		const h100 = gpu("h100-sxm");
		const prefill: ComputeCost = { prefillGflop: 1000, decodeSteps: 1, stepGflop: 0, weightsGb: 0, overheadMs: 2 };
		// 1000 GFLOP at 989.4 TFLOP/s × 0.5 = 2.0214 ms, plus the 2 ms overhead.
		const one = computeTimeMs(1, h100, prefill, EFF);
		expect(one).toBeCloseTo(2 + 1000 / (989.4 * 0.5), 9);
		expect(computeTimeMs(4, h100, prefill, EFF) - 2).toBeCloseTo(4 * (one - 2), 9);
		// The overhead scale multiplies only the fixed part.
		expect(computeTimeMs(1, h100, prefill, { ...EFF, overheadMsScale: 0 })).toBeCloseTo(one - 2, 9);
	});

	it("a large batch crosses from the memory roof to the compute roof", () => {
		const rtx4090 = gpu("rtx4090");
		const step = (b: number) => computeTimeMs(b, rtx4090, { ...decode, decodeSteps: 1 }, EFF);
		const memoryMs = (1000 * 16) / (1008 * 0.7);
		expect(step(1)).toBeCloseTo(memoryMs, 9);
		const ridge = (memoryMs * 330 * 0.5) / 16; // batch where b·16 GFLOP takes as long as the weights
		const big = Math.ceil(ridge * 2);
		expect(step(big)).toBeCloseTo((big * 16) / (330 * 0.5), 9);
	});

	it("rejects a batch that is not a positive integer", () => {
		expect(() => computeTimeMs(0, gpu("l40s"), decode, EFF)).toThrow(/batch/);
		expect(() => computeTimeMs(1.5, gpu("l40s"), decode, EFF)).toThrow(/batch/);
	});

	it("job duration scales by relative FP16 tensor peak against the H100", () => {
		const h100 = gpu("h100-sxm");
		expect(jobDurationHours(10, h100, h100, 1, 1)).toBe(10);
		expect(jobDurationHours(10, gpu("rtx4090"), h100, 1, 1)).toBeCloseTo((10 * 989.4) / 330, 9);
		expect(jobDurationHours(10, gpu("b200"), h100, 1, 1)).toBeLessThan(10);
		// With the calibration's mfu (consumer 0.25, datacenter 0.5) a 4090 does half the work per hour.
		expect(jobDurationHours(10, gpu("rtx4090"), h100, 0.25, 0.5)).toBeCloseTo((10 * 989.4 * 0.5) / (330 * 0.25), 9);
	});

	it("render job duration scales by relative FP32 peak against the H100", () => {
		const h100 = gpu("h100-sxm");
		expect(jobDurationHoursFp32(10, h100, h100)).toBe(10);
		expect(jobDurationHoursFp32(10, gpu("rtx4090"), h100)).toBeCloseTo((10 * 66.91) / 82.6, 9);
		// The A100's FP32 (19.49) is a fraction of its tensor rate: it renders at 0.29 of an H100.
		expect(jobDurationHoursFp32(10, gpu("a100-80gb"), h100)).toBeCloseTo((10 * 66.91) / 19.49, 9);
	});
});

describe("calibration profile", () => {
	const dir = mkdtempSync(join(tmpdir(), "depin-profile-"));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));
	const write = (name: string, text: string) => {
		const path = join(dir, name);
		writeFileSync(path, text);
		return path;
	};

	it("loads the default profile; its hash is the SHA-256 of the bytes and stable", () => {
		const a = loadCalibrationProfile(profilePath);
		const b = loadCalibrationProfile(profilePath);
		expect(a.profile).toBe("default");
		expect(a.profileHash).toMatch(/^[0-9a-f]{64}$/);
		expect(a.profileHash).toBe(b.profileHash);
		expect(parseCalibrationProfile(readFileSync(profilePath)).profileHash).toBe(a.profileHash);
		for (const tier of ["consumer", "datacenter", "edge"] as const) {
			expect(a.efficiency[tier].mfu).toBeGreaterThan(0);
			expect(a.efficiency[tier].mbu).toBeLessThanOrEqual(1);
		}
		expect(a.provenance.sources).toBeInstanceOf(Array);
		expect(efficiencyFor(a, gpu("rtx4090"))).toBe(a.efficiency.consumer);
		expect(efficiencyFor(a, gpu("h100-sxm")).overheadMsScale).toBe(a.overheadMsScale);
	});

	it("a workload's own mfu for a tier replaces the tier default there only, and never a measured class's", () => {
		const profile = loadCalibrationProfile(profilePath);
		const unet: ComputeCost = { ...decode, mfuByTier: { datacenter: 0.27 } };
		const a100 = workloadEfficiency(profile, gpu("a100-80gb"), unet);
		expect(a100).toEqual({ ...profile.efficiency.datacenter, mfu: 0.27 });
		expect(workloadEfficiency(profile, gpu("rtx4090"), unet)).toBe(profile.efficiency.consumer);
		expect(workloadEfficiency(profile, gpu("a100-80gb"), decode)).toBe(profile.efficiency.datacenter);
		// SD 1.5 UNet, batch 16 on the A100 (diffusers, 3.83 it/s published): 16 · 1356 GFLOP at 0.27 · 312 TFLOP/s.
		const step: ComputeCost = { prefillGflop: 0, decodeSteps: 1, stepGflop: 1356, weightsGb: 1.72, overheadMs: 0 };
		const stepMs = computeTimeMs(
			16,
			gpu("a100-80gb"),
			step,
			workloadEfficiency(profile, gpu("a100-80gb"), { ...step, mfuByTier: { datacenter: 0.27 } }),
		);
		expect(stepMs).toBeCloseTo((16 * 1356) / (312 * 0.27), 9);
		expect(1000 / stepMs / 3.83 - 1).toBeLessThan(0.02);
		// One GPU class's own mfu is over its tier's: the T4 at 0.165 (diffusers' 2.03 it/s at batch 4, 6 ms a step
		// of overhead off: 4 · 1356 GFLOP in 486.6 ms = 11.1 TFLOP/s of 65), the A100 still at the tier's 0.27.
		const perGpu: ComputeCost = { ...step, mfuByTier: { datacenter: 0.27 }, mfuByGpu: { t4: 0.165 } };
		expect(workloadEfficiency(profile, gpu("t4"), perGpu).mfu).toBe(0.165);
		expect(workloadEfficiency(profile, gpu("a100-80gb"), perGpu).mfu).toBe(0.27);
		const t4StepMs = computeTimeMs(4, gpu("t4"), perGpu, workloadEfficiency(profile, gpu("t4"), perGpu));
		expect(Math.abs(1000 / (t4StepMs + 6) / 2.03 - 1)).toBeLessThan(0.05);
		// A class measured (or mapped) by calibration keeps its measurement.
		const measuredJson = JSON.parse(readFileSync(profilePath, "utf8"));
		measuredJson.measuredClass = "a100-80gb";
		measuredJson.measuredEfficiency = { mfu: 0.4, mbu: 0.6 };
		const measured = parseCalibrationProfile(JSON.stringify(measuredJson), "measured-a100.json");
		const mapped = withMappedClass(profile, "a100-80gb", measured);
		expect(workloadEfficiency(mapped, gpu("a100-80gb"), unet).mfu).toBe(0.4);
	});

	it("a byte of difference changes the hash", () => {
		const text = readFileSync(profilePath, "utf8");
		expect(parseCalibrationProfile(`${text} `).profileHash).not.toBe(parseCalibrationProfile(text).profileHash);
	});

	it("a malformed profile gives a clear error naming the file and field", () => {
		const base = JSON.parse(readFileSync(profilePath, "utf8"));
		const broken = write(
			"mfu.json",
			JSON.stringify({ ...base, efficiency: { ...base.efficiency, edge: { mfu: 1.5, mbu: 0.5 } } }),
		);
		expect(() => loadCalibrationProfile(broken)).toThrow(
			`profile ${broken}: efficiency.edge.mfu: expected a positive number ≤ 1, got 1.5`,
		);
		const missing = write("tier.json", JSON.stringify({ ...base, efficiency: { consumer: base.efficiency.consumer } }));
		expect(() => loadCalibrationProfile(missing)).toThrow(/efficiency\.datacenter: required field is missing/);
		const extra = write("extra.json", JSON.stringify({ ...base, mfu: 0.5 }));
		expect(() => loadCalibrationProfile(extra)).toThrow(/extra\.json: mfu: unknown field/);
		const misspelt = write("misspelt.json", JSON.stringify({ ...base, overheadMsScal: 1 }));
		expect(() => loadCalibrationProfile(misspelt)).toThrow(
			'overheadMsScal: unknown field (did you mean "overheadMsScale"?)',
		);
		expect(() => loadCalibrationProfile(write("bad.json", "{ not json"))).toThrow(/bad\.json: not valid JSON/);
		expect(() => loadCalibrationProfile(join(dir, "absent.json"))).toThrow(/absent\.json: cannot read/);
		const scale = write("scale.json", JSON.stringify({ ...base, overheadMsScale: -1 }));
		expect(() => loadCalibrationProfile(scale)).toThrow(/overheadMsScale: expected a number ≥ 0, got -1/);
		// Every problem is listed, one line each, not just the first.
		const several = write("several.json", JSON.stringify({ ...base, overheadMsScale: "1", provenance: [] }));
		expect(() => loadCalibrationProfile(several)).toThrow(
			`profile ${several}: provenance: expected an object, got an empty array\nprofile ${several}: overheadMsScale: expected a number ≥ 0, got "1"`,
		);
	});
});

describe("roofline split into iterations (continuous batching) and the KV-cache read", () => {
	const llama: ComputeCost = {
		prefillGflop: 4800,
		decodeSteps: 32,
		stepGflop: 16,
		weightsGb: 16,
		overheadMs: 5,
		kvCacheBytesPerToken: 131_072,
		promptTokens: 300,
	};

	it("without a KV cache the static batch is today's formula to the last bit", () => {
		for (const id of ["rtx4090", "h100-sxm", "l40s"]) {
			const g = gpu(id);
			const c = { ...llama, kvCacheBytesPerToken: 0 };
			const flops = g.fp16TensorTflops * EFF.mfu;
			const weightsMs = (1000 * c.weightsGb) / (g.memoryBandwidthGbps * EFF.mbu);
			for (const b of [1, 3, 16, 64]) {
				const today =
					c.overheadMs + (b * c.prefillGflop) / flops + c.decodeSteps * Math.max((b * c.stepGflop) / flops, weightsMs);
				expect(computeTimeMs(b, g, c, EFF)).toBe(today);
			}
		}
	});

	it("the closed form equals the step-by-step sum of prefill and decode iterations", () => {
		for (const id of ["rtx4090", "h100-sxm", "a100-80gb"]) {
			const cost = iterationCost(gpu(id), llama, EFF);
			for (const b of [1, 2, 8, 16, 48, 256]) {
				for (const steps of [1, 7, 32, 500]) {
					let sum = prefillIterationMs(cost, b);
					for (let k = 1; k <= steps; k++) sum += decodeStepMs(cost, b, b * (cost.promptTokens + k - 1));
					expect(staticBatchMs(cost, b, steps)).toBeCloseTo(sum, 8);
				}
			}
			expect(staticFirstTokenMs(cost, 4)).toBeCloseTo(prefillIterationMs(cost, 4) + decodeStepMs(cost, 4, 1200), 12);
		}
	});

	it("the KV cache of the batch is read every step: 16 × 332 tokens of 128 KiB on an H100", () => {
		const h100 = gpu("h100-sxm");
		const cost = iterationCost(h100, llama, EFF);
		const bytesRate = 3350 * 0.7; // GB/s
		// Memory-bound step at the last token of a 16-wide batch: (16 GB + 16 · 331 · 131072 B) / rate.
		const expected = (1000 * (16 + (16 * 331 * 131_072) / 1e9)) / bytesRate;
		expect(decodeStepMs(cost, 16, 16 * 331)).toBeCloseTo(expected, 9);
		// The KV read makes a long batch slower than the weights alone.
		expect(computeTimeMs(16, h100, llama, EFF)).toBeGreaterThan(
			computeTimeMs(16, h100, { ...llama, kvCacheBytesPerToken: 0 }, EFF),
		);
	});
});
