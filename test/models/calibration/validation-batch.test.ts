import { describe, expect, it } from "vitest";
import {
	familyErrors,
	familyOf,
	parseValidationCsv,
	predictRow,
	type ValidationRow,
	validateProfile,
} from "../../../models/calibration/validation.js";
import type { GpuSpec } from "../../../models/catalog.js";
import { CsvError } from "../../../models/csv.js";
import { parseCalibrationProfile } from "../../../models/latency.js";

// Round numbers so every figure below is done by hand: 100 TFLOP/s FP16, 200 FP8, 1000 GB/s;
// the profile's datacenter mfu and mbu are 0.5, so 50 TFLOP/s (100 FP8) and 500 GB/s achieved.
const gpu: GpuSpec = {
	id: "test-gpu",
	name: "Test GPU",
	tier: "datacenter",
	fp32Tflops: 10,
	fp16TensorTflops: 100,
	fp8TensorTflops: 200,
	int8Tops: 200,
	memoryGb: 80,
	memoryBandwidthGbps: 1000,
	tdpWatts: 500,
	capexUsd: 10000,
	rentalSpotUsdPerGpuHour: Number.NaN,
	rentalOnDemandUsdPerGpuHour: Number.NaN,
	akashUsdPerGpuHour: Number.NaN,
	nvlink: false,
	source: "test",
	date: "2026",
};
const noFp8: GpuSpec = { ...gpu, id: "no-fp8", fp8TensorTflops: Number.NaN };
const half = { mfu: 0.5, mbu: 0.5 };
const profile = parseCalibrationProfile(
	JSON.stringify({ profile: "t", provenance: {}, efficiency: { consumer: half, datacenter: half, edge: half } }),
	"<test>",
);

const HEADER =
	"gpu,workload,batch,metric,published,prefill_gflop,decode_steps,step_gflop,weights_gb,tokens_per_request,source_url,source_date,note,regime,excluded,prompt_tokens,kv_bytes_per_token,precision";
const parse = (...lines: string[]) => parseValidationCsv([HEADER, ...lines].join("\n"), "t.csv", [gpu, noFp8]);
const only = (line: string): ValidationRow => parse(line)[0] as ValidationRow;

describe("validation prediction of a batch (the simulator's batch time)", () => {
	it("memory-bound decode: weights once per step for the batch, each request's KV cache of its prompt and the tokens before", () => {
		// b = 4, prompt 100 tokens, 1 MB of KV per token (0.002 ms at 500 GB/s), weights 2 GB (4 ms).
		// prefill 4 × 10 GFLOP ÷ 50 = 0.8 ms; step compute 4 × 5 ÷ 50 = 0.4 ms < memory, so step k takes
		// 4 + 4 · (100 + k − 1) · 0.002 ms: 4.8, 4.808, 4.816 → 14.424 ms; total 15.224 ms.
		const row = only("test-gpu,w,4,latency_ms,1,10,3,5,2,3,u,d,,,,100,1000000,");
		expect(predictRow(row, gpu, profile)).toBeCloseTo(15.224, 9);
		const rate = only("test-gpu,w,4,tokens_per_s,1,10,3,5,2,3,u,d,,,,100,1000000,");
		// 4 requests × 3 tokens in 15.224 ms.
		expect(predictRow(rate, gpu, profile)).toBeCloseTo(12000 / 15.224, 9);
	});

	it("compute-bound decode at a large batch: batch × step compute, not the weights", () => {
		// b = 64, no KV: step compute 64 × 5 ÷ 50 = 6.4 ms > weights 4 ms; prefill 64 × 10 ÷ 50 = 12.8 ms;
		// 12.8 + 3 × 6.4 = 32 ms → 64 × 3 tokens ÷ 32 ms = 6000 tokens/s. At b = 1: 0.2 + 3 × 4 = 12.2 ms.
		expect(predictRow(only("test-gpu,w,64,tokens_per_s,1,10,3,5,2,3,u,d,,,,,,"), gpu, profile)).toBeCloseTo(6000, 9);
		expect(predictRow(only("test-gpu,w,1,latency_ms,1,10,3,5,2,3,u,d,,,,,,"), gpu, profile)).toBeCloseTo(12.2, 9);
	});

	it("the roofline switches from compute to memory as the KV cache grows", () => {
		// b = 16, weights 0.5 GB (1 ms), prompt 10, KV 0.002 ms per token: step k's memory time is
		// 1 + 16 · (10 + k − 1) · 0.002 = 1.32 + 0.032 (k − 1); compute 16 × 5 ÷ 50 = 1.6 ms. Steps 1–9
		// (memory ≤ 1.576) take 1.6 ms: 14.4; steps 10–20 take 11 × 1.32 + 0.032 × (9 + … + 19) =
		// 14.52 + 4.928 = 19.448; prefill 16 × 10 ÷ 50 = 3.2 ms; total 37.048 ms.
		expect(predictRow(only("test-gpu,w,16,latency_ms,1,10,20,5,0.5,20,u,d,,,,10,1000000,"), gpu, profile)).toBeCloseTo(
			37.048,
			9,
		);
	});

	it("fp8 runs on the FP8 tensor peak; a class without one is bad input", () => {
		// The first case at 100 TFLOP/s: prefill 0.4 ms (decode is memory-bound, unchanged): 14.824 ms.
		expect(predictRow(only("test-gpu,w,4,latency_ms,1,10,3,5,2,3,u,d,,,,100,1000000,fp8"), gpu, profile)).toBeCloseTo(
			14.824,
			9,
		);
		expect(() => parse("no-fp8,w,4,latency_ms,1,10,3,5,2,3,u,d,,,,100,1000000,fp8")).toThrow(CsvError);
		expect(() => parse("no-fp8,w,4,latency_ms,1,10,3,5,2,3,u,d,,,,100,1000000,int4")).toThrow(
			/precision.*fp16, fp8, int8/,
		);
	});

	it("int8 runs on the INT8 peak; samples_per_s is batch × 1000 ÷ the batch time", () => {
		// 200 TOP/s × 0.5 = 100 TOP/s; 8 images × 5 GOP ÷ 100 = 0.4 ms (no decode step) → 8 ÷ 0.4 ms = 20,000 images/s.
		const row = only("test-gpu,w,8,samples_per_s,1,5,0,0,0.1,,u,d,,vision,,,,int8");
		expect(predictRow(row, gpu, profile)).toBeCloseTo(20000, 9);
		expect(familyOf(row)).toBe("vision");
	});

	it("iterations_per_s: batches per second (a diffusion pipeline's it/s)", () => {
		// b = 2, 25 GFLOP per image per step: compute 2 × 25 ÷ 50 = 1 ms < weights 1 GB ÷ 500 GB/s = 2 ms → 500 it/s.
		expect(predictRow(only("test-gpu,w,2,iterations_per_s,1,0,1,25,1,,u,d,,image,,,,"), gpu, profile)).toBeCloseTo(
			500,
			9,
		);
	});
});

describe("validation families", () => {
	const rows = parse(
		// decode, batch 1: 1 × 5 ÷ 50 = 0.1 < 4 ms → 250 tokens/s; published 200: +25%.
		"test-gpu,d1,1,tokens_per_s,200,0,1,5,2,1,u,d,,,,,,",
		// decode, batch 1, published 500: −50%.
		"test-gpu,d2,1,tokens_per_s,500,0,1,5,2,1,u,d,,,,,,",
		// prompt: 10 GFLOP ÷ 50 = 0.2 ms; published 0.25: −20%.
		"test-gpu,p,1,latency_ms,0.25,10,0,0,0,,u,d,,,,,,",
		// batched: 64 × 3 ÷ 32 ms = 6000 tokens/s (above); published 5000: +20%.
		"test-gpu,b,64,tokens_per_s,5000,10,3,5,2,3,u,d,,,,,,",
		// batched but excluded: out of every family.
		"test-gpu,bx,64,tokens_per_s,1,10,3,5,2,3,u,d,,,suspect,,,",
		// image (by its regime label, though batch > 1): 500 it/s (above); published 400: +25%.
		"test-gpu,i,2,iterations_per_s,400,0,1,25,1,,u,d,,image (SD),,,,",
	);

	it("sorts rows into decode, prompt, batched and image", () => {
		expect(rows.map(familyOf)).toEqual(["decode", "decode", "prompt", "batched", "batched", "image"]);
	});

	it("gives each family's median |error| over the included rows, in a fixed order", () => {
		const summary = validateProfile(rows, [gpu], profile);
		expect(summary.families).toEqual(familyErrors(summary.rows.filter((r) => r.excluded === "")));
		const byFamily = Object.fromEntries((summary.families ?? []).map((f) => [f.family, f]));
		expect(summary.families?.map((f) => f.family)).toEqual(["decode", "prompt", "batched", "image"]);
		expect(byFamily.decode?.count).toBe(2);
		expect(byFamily.decode?.medianAbsError).toBeCloseTo(0.375, 12); // |+25%|, |−50%|
		expect(byFamily.prompt?.medianAbsError).toBeCloseTo(0.2, 12);
		expect(byFamily.batched?.count).toBe(1);
		expect(byFamily.batched?.medianAbsError).toBeCloseTo(0.2, 12);
		expect(byFamily.image?.medianAbsError).toBeCloseTo(0.25, 12);
		// Headline: |errors| 0.25, 0.5, 0.2, 0.2, 0.25 → 0.25.
		expect(summary.medianAbsError).toBeCloseTo(0.25, 12);
	});
});
