/**
 * Compute time on a GPU: a roofline model scaled by a calibration profile.
 *
 * A batch of b requests of a real-time class costs (every term in ms):
 *
 *   overheadMs · overheadMsScale                                      fixed per batch
 * + b · prefillGflop / (fp16TensorTflops · mfu)                        compute-bound, once
 * + Σ_{k=1…decodeSteps} max( b · stepGflop / (fp16TensorTflops · mfu),   compute roof
 *        (1000 · weightsGb + b · (promptTokens + k − 1) · kvBytes / 10⁶)
 *        / (memoryBandwidthGbps · mbu) )                                  memory roof
 *
 * Units: GFLOP ÷ TFLOP/s = 10⁹ / 10¹² s = 1 ms, so a GFLOP count over a TFLOP/s rate is
 * already in ms; GB ÷ GB/s is in s, hence the factor 1000. Each decode step reads the
 * weights once for the whole batch (that is what batching buys) and does b requests' worth
 * of arithmetic, so small batches sit on the memory roof and large ones on the compute roof;
 * with a KV cache (kvCacheBytesPerToken > 0) each step also reads every request's KV cache of
 * the prompt and the tokens generated so far (kvBytes = kvCacheBytesPerToken). The same cost,
 * split into prefill and decode iterations (IterationCost), drives continuous batching.
 *
 * The calibration profile (scenarios/calibration/<id>.json, or any file a scenario names by
 * path; its format is models/calibration/schema.ts) gives, per GPU tier, the achieved share of
 * peak FP16 tensor FLOP/s (mfu) and of peak memory bandwidth (mbu), plus a scale on the
 * per-batch overhead. Its hash (SHA-256 of the file's bytes) goes in every run manifest.
 * A measured profile's own efficiency (measuredEfficiency) replaces the tier's only for the
 * class it measured (measuredClass); a scenario's calibration.apply maps further classes to
 * measured profiles explicitly (`classEfficiency`). Every other class keeps its tier's figures.
 *
 * A measured profile (written by `depin-twin calibrate`) also carries `measurement` (backend,
 * device, versions, machine peaks), `kernels` (every timing, its fit) and `gpuPredictions`
 * (each kernel's latency vs batch on every GPU class). The network model reads only
 * `efficiency` and `overheadMsScale`; the rest is provenance for researchers and the report.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { CalibrationProfileJson } from "./calibration/schema.js";
import { checkProfileValue, formatIssue, type ProfileIssue } from "./calibration/validate.js";
import { GPU_TIERS, type GpuSpec, type GpuTier } from "./catalog.js";
import type { RealtimeClass } from "./scenario/schema.js";

export {
	type BackendAttempt,
	type CalibrationProfileJson,
	type GpuPredictions,
	KERNEL_KINDS,
	type KernelFit,
	type KernelKind,
	type KernelMeasurement,
	type KernelPoint,
	type MeasurementInfo,
} from "./calibration/schema.js";

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
	/**
	 * KV-cache bytes per token of context (0 or absent: none). A decode step reads the KV cache of
	 * every request in the batch besides the weights; continuous batching admits a request only
	 * while the GPU's KV-cache memory holds it (kvCacheCapacityTokens).
	 */
	readonly kvCacheBytesPerToken?: number;
	/** Prompt tokens whose KV cache a request holds from its prefill (absent: 0). */
	readonly promptTokens?: number;
	/**
	 * This workload's own mfu on GPUs of a tier, where the profile's tier default does not hold for
	 * it (absent: the profile's). Classes measured or mapped by calibration keep their own.
	 */
	readonly mfuByTier?: Readonly<Partial<Record<GpuTier, number>>>;
	/** This workload's own mfu on one GPU class (by id), measured for it: over mfuByTier, under calibration. */
	readonly mfuByGpu?: Readonly<Record<string, number>>;
}

// The scenario's compute block is a ComputeCost (compile-time check).
const _computeBlockIsComputeCost = (c: RealtimeClass["compute"]): ComputeCost => c;
void _computeBlockIsComputeCost;

/** Achieved shares of the hardware's peaks, as the latency formula takes them. */
export interface Efficiency {
	/** Share of peak dense FP16 tensor FLOP/s achieved in compute-bound work, (0, 1]. */
	readonly mfu: number;
	/** Share of peak memory bandwidth achieved in memory-bound work, (0, 1]. */
	readonly mbu: number;
	/** Multiplies the workload's per-batch overheadMs (default 1). */
	readonly overheadMsScale?: number;
}

/** A profile as read for a run: the file's fields, with the overhead scale in every tier's efficiency. */
export interface CalibrationProfile extends Omit<CalibrationProfileJson, "efficiency" | "overheadMsScale"> {
	readonly efficiency: Readonly<Record<GpuTier, Efficiency>>;
	/**
	 * Per GPU class id, the efficiency that replaces its tier's: the profile's measuredClass (a
	 * GPU class id there; "cpu-wasm" and "cpu" name no GPU class) and the scenario's mappings.
	 */
	readonly classEfficiency: Readonly<Record<string, Efficiency>>;
	/** Per class id of classEfficiency, the measurement it comes from (for the run manifest). */
	readonly classSources: Readonly<Record<string, ClassSource>>;
	/** The file's overheadMsScale, 1 when it has none. */
	readonly overheadMsScale: number;
	/** SHA-256 (hex) of the profile file's bytes. */
	readonly profileHash: string;
	/** Path or name the profile was read from. */
	readonly source: string;
}

/** The measured profile a class's efficiency comes from. */
export interface ClassSource {
	/** The profile as the scenario names it (scenarios/calibration/<id>.json or the path). */
	readonly profile: string;
	/** The class that profile measured. */
	readonly measuredClass: string;
	/** SHA-256 (hex) of that profile file's bytes. */
	readonly profileHash: string;
}

/** The default profile, relative to the repository root. */
export const DEFAULT_PROFILE_PATH = "scenarios/calibration/default.json";

/** At most this many issues are spelt out in one error. */
const MAX_LISTED_ISSUES = 20;

/**
 * Thrown when a profile file cannot be read or is not valid; every line of the message reads
 * `profile <file>: <field path>: <problem>`.
 */
export class CalibrationProfileError extends Error {
	constructor(
		message: string,
		readonly issues: readonly ProfileIssue[] = [],
	) {
		super(message);
		this.name = "CalibrationProfileError";
	}
}

/** Reads and validates a profile file; `source` names it in messages (default: the path). */
export function loadCalibrationProfile(path: string, source = path): CalibrationProfile {
	let bytes: Buffer;
	try {
		bytes = readFileSync(path);
	} catch (error) {
		throw new CalibrationProfileError(`profile ${source}: cannot read the file (${(error as Error).message})`);
	}
	return parseCalibrationProfile(bytes, source);
}

/** Validates a profile from its bytes (or text) against the schema; `source` names it in error messages. */
export function parseCalibrationProfile(bytes: Uint8Array | string, source = "<profile>"): CalibrationProfile {
	const buffer = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
	const profileHash = createHash("sha256").update(buffer).digest("hex");
	let json: unknown;
	try {
		json = JSON.parse(Buffer.from(buffer).toString("utf8"));
	} catch (error) {
		throw new CalibrationProfileError(`profile ${source}: not valid JSON (${(error as Error).message})`);
	}
	const issues = checkProfileValue(json);
	if (issues.length > 0) {
		const lines = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `profile ${source}: ${formatIssue(issue)}`);
		if (issues.length > MAX_LISTED_ISSUES)
			lines.push(`profile ${source}: … and ${issues.length - MAX_LISTED_ISSUES} more`);
		throw new CalibrationProfileError(lines.join("\n"), issues);
	}
	const profile = deepFreeze(json as CalibrationProfileJson);
	const overheadMsScale = profile.overheadMsScale ?? 1;
	const efficiency = {} as Record<GpuTier, Efficiency>;
	for (const tier of GPU_TIERS) {
		const { mfu, mbu } = profile.efficiency[tier];
		efficiency[tier] = Object.freeze({ mfu, mbu, overheadMsScale });
	}
	const classEfficiency: Record<string, Efficiency> = {};
	const classSources: Record<string, ClassSource> = {};
	const { measuredClass, measuredEfficiency: measured } = profile;
	if (measuredClass !== undefined && measured !== undefined) {
		classEfficiency[measuredClass] = Object.freeze({ mfu: measured.mfu, mbu: measured.mbu, overheadMsScale });
		classSources[measuredClass] = Object.freeze({ profile: source, measuredClass, profileHash });
	}
	return Object.freeze({
		...profile,
		efficiency: Object.freeze(efficiency),
		classEfficiency: Object.freeze(classEfficiency),
		classSources: Object.freeze(classSources),
		overheadMsScale,
		profileHash,
		source,
	});
}

/**
 * The profile with `gpuId` timed from `measured`'s measured efficiency (a scenario's
 * calibration.apply mapping). Throws a CalibrationProfileError when `measured` has none.
 */
export function withMappedClass(
	profile: CalibrationProfile,
	gpuId: string,
	measured: CalibrationProfile,
): CalibrationProfile {
	const e = measured.measuredEfficiency;
	if (measured.measuredClass === undefined || e === undefined) {
		throw new CalibrationProfileError(
			`profile ${measured.source}: has no measured efficiency to apply to ${gpuId} (it must be written by depin-twin calibrate and have measuredClass and measuredEfficiency)`,
		);
	}
	const mapped = Object.freeze({ mfu: e.mfu, mbu: e.mbu, overheadMsScale: measured.overheadMsScale });
	const source: ClassSource = {
		profile: measured.source,
		measuredClass: measured.measuredClass,
		profileHash: measured.profileHash,
	};
	return Object.freeze({
		...profile,
		classEfficiency: Object.freeze({ ...profile.classEfficiency, [gpuId]: mapped }),
		classSources: Object.freeze({ ...profile.classSources, [gpuId]: Object.freeze(source) }),
	});
}

function deepFreeze<T>(value: T): T {
	if (typeof value === "object" && value !== null) {
		for (const child of Object.values(value)) deepFreeze(child);
		Object.freeze(value);
	}
	return value;
}

/** The profile's efficiency for a GPU: its class's when measured or mapped, else its tier's; with the overhead scale. */
export function efficiencyFor(profile: CalibrationProfile, gpu: GpuSpec): Efficiency {
	return Object.hasOwn(profile.classEfficiency, gpu.id)
		? (profile.classEfficiency[gpu.id] as Efficiency)
		: profile.efficiency[gpu.tier];
}

/**
 * The efficiency a workload reaches on `gpu`: efficiencyFor, with the workload's own mfu for the
 * GPU class (compute.mfuByGpu) or else for its tier (compute.mfuByTier) in place of the tier
 * default. A measured or mapped class keeps its measurement: the override corrects a literature
 * default, not a measurement.
 */
export function workloadEfficiency(profile: CalibrationProfile, gpu: GpuSpec, compute: ComputeCost): Efficiency {
	const efficiency = efficiencyFor(profile, gpu);
	const byGpu = compute.mfuByGpu;
	const mfu = byGpu !== undefined && Object.hasOwn(byGpu, gpu.id) ? byGpu[gpu.id] : compute.mfuByTier?.[gpu.tier];
	if (mfu === undefined || Object.hasOwn(profile.classEfficiency, gpu.id)) return efficiency;
	return { ...efficiency, mfu };
}

/**
 * Time for one batch of `batch` requests on `gpu`, ms (see the formula at the top of this
 * file). `batch` is an integer ≥ 1.
 */
export function computeTimeMs(batch: number, gpu: GpuSpec, compute: ComputeCost, efficiency: Efficiency): number {
	if (!(Number.isInteger(batch) && batch >= 1)) throw new RangeError(`batch must be an integer ≥ 1, got ${batch}`);
	return staticBatchMs(iterationCost(gpu, compute, efficiency), batch, compute.decodeSteps);
}

/**
 * Share of a GPU's memory a serving stack may use for weights and KV cache: vLLM's default
 * `gpu_memory_utilization` = 0.9 (vLLM engine arguments, docs.vllm.ai); the rest is left to
 * activations and the CUDA context.
 */
export const KV_MEMORY_SHARE = 0.9;

/**
 * The roofline of one class on one GPU, split into iterations (continuous batching): a prefill
 * iteration admitting n requests takes overheadMs + n · prefillGflop / flopsRate; a decode
 * iteration with n running requests holding C tokens of context in all takes
 * max(n · stepGflop / flopsRate, stepWeightsMs + kvMsPerToken · C) (decodeStepMs). A static
 * batch is one prefill iteration and decodeSteps decode iterations of the same requests
 * (staticBatchMs), so both schedulers share one cost model.
 */
export interface IterationCost {
	/** Fixed cost of a prefill iteration (a batch's launch), ms. */
	readonly overheadMs: number;
	readonly prefillGflop: number;
	readonly stepGflop: number;
	/** Achieved FLOP rate, TFLOP/s (GFLOP ÷ TFLOP/s = ms). */
	readonly flopsRateTflops: number;
	/** Reading the weights once, ms. */
	readonly stepWeightsMs: number;
	/** Reading one token's KV cache, ms. */
	readonly kvMsPerToken: number;
	readonly promptTokens: number;
	readonly decodeSteps: number;
	/**
	 * Tokens of KV cache the GPU holds: (KV_MEMORY_SHARE · memoryGb − weightsGb) / bytes per
	 * token, floored (≥ 0); +∞ when the class has no KV cache.
	 */
	readonly kvCacheCapacityTokens: number;
}

export function iterationCost(gpu: GpuSpec, compute: ComputeCost, efficiency: Efficiency): IterationCost {
	const flopsRate = gpu.fp16TensorTflops * efficiency.mfu; // TFLOP/s achieved
	const bytesRate = gpu.memoryBandwidthGbps * efficiency.mbu; // GB/s achieved
	const kvBytesPerToken = compute.kvCacheBytesPerToken ?? 0;
	const freeBytes = (KV_MEMORY_SHARE * gpu.memoryGb - compute.weightsGb) * 1e9;
	return {
		overheadMs: compute.overheadMs * (efficiency.overheadMsScale ?? 1),
		prefillGflop: compute.prefillGflop,
		stepGflop: compute.stepGflop,
		flopsRateTflops: flopsRate,
		stepWeightsMs: compute.weightsGb > 0 ? (1000 * compute.weightsGb) / bytesRate : 0,
		// bytes ÷ (GB/s · 10⁹) = s, × 1000 = ms.
		kvMsPerToken: kvBytesPerToken > 0 ? kvBytesPerToken / (bytesRate * 1e6) : 0,
		promptTokens: compute.promptTokens ?? 0,
		decodeSteps: compute.decodeSteps,
		kvCacheCapacityTokens:
			kvBytesPerToken > 0 ? Math.max(0, Math.floor(freeBytes / kvBytesPerToken)) : Number.POSITIVE_INFINITY,
	};
}

/** Requests whose whole KV cache (prompt and every decode step) the GPU holds at once (+∞ without a KV cache). */
export function requestsKvCacheHolds(cost: IterationCost): number {
	return Math.floor(cost.kvCacheCapacityTokens / (cost.promptTokens + cost.decodeSteps));
}

/** A prefill iteration admitting `admitted` requests, ms. */
export function prefillIterationMs(cost: IterationCost, admitted: number): number {
	return cost.overheadMs + (admitted * cost.prefillGflop) / cost.flopsRateTflops;
}

/** A decode step of `running` requests holding `contextTokens` tokens of KV cache in all, ms. */
export function decodeStepMs(cost: IterationCost, running: number, contextTokens: number): number {
	return Math.max(
		(running * cost.stepGflop) / cost.flopsRateTflops,
		cost.stepWeightsMs + cost.kvMsPerToken * contextTokens,
	);
}

/**
 * A static batch of `batch` requests run for `steps` decode steps (padded to the longest), ms:
 * overhead + b · prefill + Σ_{k=1…steps} max(A, w + β·(k − 1)), where A = b · step compute,
 * w = weights + KV of the b prompts and β = b · kvMsPerToken (step k reads the KV cache of the
 * prompt and of the k − 1 tokens before it). The sum is in closed form: the compute roof holds
 * for the first j steps (those with w + β(k − 1) ≤ A), the memory roof after. Without a KV cache
 * this is today's overhead + b · prefill + steps · max(compute, weights), to the last bit.
 */
export function staticBatchMs(cost: IterationCost, batch: number, steps: number): number {
	const prefillMs = (batch * cost.prefillGflop) / cost.flopsRateTflops;
	const computeMs = (batch * cost.stepGflop) / cost.flopsRateTflops;
	const beta = batch * cost.kvMsPerToken;
	if (beta === 0) return cost.overheadMs + prefillMs + steps * Math.max(computeMs, cost.stepWeightsMs);
	const w = cost.stepWeightsMs + beta * cost.promptTokens;
	const j = Math.min(steps, Math.max(0, Math.floor((computeMs - w) / beta) + 1));
	const memoryMs = (steps - j) * w + beta * (((steps - 1) * steps) / 2 - ((j - 1) * j) / 2);
	return cost.overheadMs + prefillMs + (j * computeMs + memoryMs);
}

/** From a static batch's start to the end of its first decode step (the first token), ms. */
export function staticFirstTokenMs(cost: IterationCost, batch: number): number {
	return prefillIterationMs(cost, batch) + decodeStepMs(cost, batch, batch * cost.promptTokens);
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
 * measured on an H100, and a GPU achieving a fraction f of the H100's achieved FP16 tensor rate
 * takes 1/f as long — work × (h100 peak × h100 mfu) ÷ (gpu peak × gpu mfu), the same
 * efficiencies the latency model uses (training and batch work are compute-bound). The mfu
 * matters: GeForce peaks in gpus.csv are FP16-accumulate rates, and the calibration's
 * consumer mfu is half the datacenter one for that reason, so counting peaks alone would
 * credit a consumer card with twice the work it does. Memory capacity and interconnect are
 * the market's hardware requirements, not part of the time.
 */
export function jobDurationHours(
	workH100Hours: number,
	gpu: GpuSpec,
	h100: GpuSpec,
	gpuMfu: number,
	h100Mfu: number,
): number {
	return workH100Hours * ((h100.fp16TensorTflops * h100Mfu) / (gpu.fp16TensorTflops * gpuMfu));
}

/**
 * Wall-clock hours of a render job on `gpu` whose size is given in H100 FP32-hours: path tracing
 * (OctaneRender, Cycles) runs on FP32 shader cores, not tensor cores, so the work converts by
 * FP32 peak — work × h100 FP32 ÷ gpu FP32, an equal achieved share of it assumed. A proxy: RT
 * cores (on RTX cards and the L40S, not the A100 or H100), power limits and memory bandwidth are
 * left out (docs/tokenomics.md sets it beside V-Ray and OctaneBench figures).
 */
export function jobDurationHoursFp32(workH100Hours: number, gpu: GpuSpec, h100: GpuSpec): number {
	return workH100Hours * (h100.fp32Tflops / gpu.fp32Tflops);
}
