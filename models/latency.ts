/**
 * Compute time on a GPU: a roofline model scaled by a calibration profile.
 *
 * A batch of b requests of a real-time class costs (every term in ms):
 *
 *   overheadMs · overheadMsScale                                      fixed per batch
 * + b · prefillGflop / (fp16TensorTflops · mfu)                        compute-bound, once
 * + decodeSteps · max( b · stepGflop / (fp16TensorTflops · mfu),        compute roof
 *                      1000 · weightsGb / (memoryBandwidthGbps · mbu) ) memory roof
 *
 * Units: GFLOP ÷ TFLOP/s = 10⁹ / 10¹² s = 1 ms, so a GFLOP count over a TFLOP/s rate is
 * already in ms; GB ÷ GB/s is in s, hence the factor 1000. Each decode step reads the
 * weights once for the whole batch (that is what batching buys) and does b requests' worth
 * of arithmetic, so small batches sit on the memory roof and large ones on the compute roof.
 *
 * The calibration profile (scenarios/calibration/*.json) gives, per GPU tier, the achieved
 * share of peak FP16 tensor FLOP/s (mfu) and of peak memory bandwidth (mbu), plus a scale on
 * the per-batch overhead. Its hash (SHA-256 of the file's bytes) goes in every run manifest.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { GPU_TIERS, type GpuSpec, type GpuTier } from "./catalog.js";
import type { RealtimeClass } from "./scenario/schema.js";

/** The roofline cost of one request (the `compute` block of a real-time class). */
export interface ComputeCost {
	/** Compute per request done once (prompt / input), GFLOP. */
	readonly prefillGflop: number;
	/** Sequential batch steps per request (output tokens; denoising steps). */
	readonly decodeSteps: number;
	/** Compute per request per step, GFLOP. */
	readonly stepGflop: number;
	/** Weights read per batch step, GB. */
	readonly weightsGb: number;
	/** Fixed per-batch overhead, ms. */
	readonly overheadMs: number;
}

// The scenario's compute block is a ComputeCost (compile-time check).
const _computeBlockIsComputeCost = (c: RealtimeClass["compute"]): ComputeCost => c;
void _computeBlockIsComputeCost;

/** Achieved shares of the hardware's peaks. */
export interface Efficiency {
	/** Share of peak dense FP16 tensor FLOP/s achieved in compute-bound work, (0, 1]. */
	readonly mfu: number;
	/** Share of peak memory bandwidth achieved in memory-bound work, (0, 1]. */
	readonly mbu: number;
	/** Multiplies the workload's per-batch overheadMs (default 1). */
	readonly overheadMsScale?: number;
}

export interface CalibrationProfile {
	readonly profile: string;
	/** Where the figures come from (free-form JSON object). */
	readonly provenance: Readonly<Record<string, unknown>>;
	readonly efficiency: Readonly<Record<GpuTier, Efficiency>>;
	readonly overheadMsScale: number;
	/** SHA-256 (hex) of the profile file's bytes. */
	readonly profileHash: string;
	/** Path or name the profile was read from. */
	readonly source: string;
}

/** The default profile, relative to the repository root. */
export const DEFAULT_PROFILE_PATH = "scenarios/calibration/default.json";

/** Thrown when a profile file is not valid; the message names the file and the field. */
export class CalibrationProfileError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "CalibrationProfileError";
	}
}

/** Reads and validates a profile file. */
export function loadCalibrationProfile(path: string): CalibrationProfile {
	let bytes: Buffer;
	try {
		bytes = readFileSync(path);
	} catch (error) {
		throw new CalibrationProfileError(`${path}: cannot read the calibration profile (${(error as Error).message})`);
	}
	return parseCalibrationProfile(bytes, path);
}

/** Validates a profile from its bytes (or text); `source` names it in error messages. */
export function parseCalibrationProfile(bytes: Uint8Array | string, source = "<profile>"): CalibrationProfile {
	const buffer = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
	const profileHash = createHash("sha256").update(buffer).digest("hex");
	let json: unknown;
	try {
		json = JSON.parse(Buffer.from(buffer).toString("utf8"));
	} catch (error) {
		throw new CalibrationProfileError(`${source}: not valid JSON (${(error as Error).message})`);
	}
	const fail = (path: string, problem: string): never => {
		throw new CalibrationProfileError(`${source}: ${path}: ${problem}`);
	};
	if (!isObject(json)) return fail("(root)", "must be a JSON object");
	for (const key of Object.keys(json)) {
		if (!["profile", "provenance", "efficiency", "overheadMsScale"].includes(key)) {
			fail(key, "unknown field (expected profile, provenance, efficiency, overheadMsScale)");
		}
	}
	const profile = json.profile;
	if (typeof profile !== "string" || profile === "") fail("profile", "must be a non-empty string");
	const provenance = json.provenance;
	if (!isObject(provenance)) fail("provenance", "must be an object saying where the figures come from");
	const overheadMsScale = json.overheadMsScale ?? 1;
	if (typeof overheadMsScale !== "number" || !(overheadMsScale >= 0 && Number.isFinite(overheadMsScale))) {
		fail("overheadMsScale", `must be a number ≥ 0, got ${JSON.stringify(overheadMsScale)}`);
	}
	const efficiencyJson = json.efficiency;
	if (!isObject(efficiencyJson)) return fail("efficiency", "must be an object with consumer, datacenter and edge");
	const efficiency = {} as Record<GpuTier, Efficiency>;
	for (const key of Object.keys(efficiencyJson)) {
		if (!(GPU_TIERS as readonly string[]).includes(key)) {
			fail(`efficiency.${key}`, `unknown tier (expected ${GPU_TIERS.join(", ")})`);
		}
	}
	for (const tier of GPU_TIERS) {
		const entry = efficiencyJson[tier];
		if (!isObject(entry)) return fail(`efficiency.${tier}`, "missing: must be an object {mfu, mbu}");
		const shares: Record<string, number> = {};
		for (const field of ["mfu", "mbu"] as const) {
			const x = entry[field];
			if (typeof x !== "number" || !(x > 0 && x <= 1)) {
				fail(`efficiency.${tier}.${field}`, `must be a number in (0, 1], got ${JSON.stringify(x)}`);
			}
			shares[field] = x as number;
		}
		for (const key of Object.keys(entry)) {
			if (key !== "mfu" && key !== "mbu") fail(`efficiency.${tier}.${key}`, "unknown field (expected mfu, mbu)");
		}
		efficiency[tier] = Object.freeze({
			mfu: shares.mfu as number,
			mbu: shares.mbu as number,
			overheadMsScale: overheadMsScale as number,
		});
	}
	return Object.freeze({
		profile: profile as string,
		provenance: Object.freeze({ ...(provenance as Record<string, unknown>) }),
		efficiency: Object.freeze(efficiency),
		overheadMsScale: overheadMsScale as number,
		profileHash,
		source,
	});
}

/** The profile's efficiency for a GPU (by its tier), with the profile's overhead scale. */
export function efficiencyFor(profile: CalibrationProfile, gpu: GpuSpec): Efficiency {
	return profile.efficiency[gpu.tier];
}

/**
 * Time for one batch of `batch` requests on `gpu`, ms (see the formula at the top of this
 * file). `batch` is an integer ≥ 1.
 */
export function computeTimeMs(batch: number, gpu: GpuSpec, compute: ComputeCost, efficiency: Efficiency): number {
	if (!(Number.isInteger(batch) && batch >= 1)) throw new RangeError(`batch must be an integer ≥ 1, got ${batch}`);
	const flopsRate = gpu.fp16TensorTflops * efficiency.mfu; // TFLOP/s achieved
	const bytesRate = gpu.memoryBandwidthGbps * efficiency.mbu; // GB/s achieved
	const overheadMs = compute.overheadMs * (efficiency.overheadMsScale ?? 1);
	const prefillMs = (batch * compute.prefillGflop) / flopsRate;
	const stepComputeMs = (batch * compute.stepGflop) / flopsRate;
	const stepMemoryMs = compute.weightsGb > 0 ? (1000 * compute.weightsGb) / bytesRate : 0;
	return overheadMs + prefillMs + compute.decodeSteps * Math.max(stepComputeMs, stepMemoryMs);
}

/**
 * Generated tokens per second of one GPU running back-to-back batches of `batch` requests,
 * each producing `tokensPerRequest` tokens: batch · tokensPerRequest / computeTime.
 */
export function throughputTokensPerSecond(
	batch: number,
	gpu: GpuSpec,
	compute: ComputeCost,
	tokensPerRequest: number,
	efficiency: Efficiency,
): number {
	return (batch * tokensPerRequest * 1000) / computeTimeMs(batch, gpu, compute, efficiency);
}

/**
 * Wall-clock hours of a job on `gpu` whose size is given in H100-hours: the job's work is
 * measured on an H100 and a GPU with a fraction f of the H100's peak dense FP16 tensor rate
 * takes 1/f as long — work × (h100.fp16TensorTflops / gpu.fp16TensorTflops). Relative peak
 * throughput only: it assumes the same achieved share of peak on both (training and batch
 * work are compute-bound), and ignores memory capacity and interconnect (the market checks
 * those as hardware requirements).
 */
export function jobDurationHours(workH100Hours: number, gpu: GpuSpec, h100: GpuSpec): number {
	return workH100Hours * (h100.fp16TensorTflops / gpu.fp16TensorTflops);
}

function isObject(x: unknown): x is Record<string, unknown> {
	return typeof x === "object" && x !== null && !Array.isArray(x);
}
