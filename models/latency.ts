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
