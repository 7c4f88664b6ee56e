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
 *
 * A measured profile (written by `depin-twin calibrate`) also carries `measurement` (backend,
 * device, versions, machine peaks), `kernels` (every timing, its fit) and `gpuPredictions`
 * (each kernel's latency vs batch on every GPU class). The network model reads only
 * `efficiency` and `overheadMsScale`; the rest is provenance for researchers and the report.
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

/**
 * Kinds of calibration kernel (models/calibration/kernels.ts); "model" is an imported
 * measurement of some other kernel or whole model (calibrate --import).
 */
export const KERNEL_KINDS = ["matmul", "conv2d", "mlp", "transformer", "model"] as const;
export type KernelKind = (typeof KERNEL_KINDS)[number];

/** A backend the calibration tried: whether it loaded, and why (not). */
export interface BackendAttempt {
	readonly name: string;
	readonly ok: boolean;
	readonly reason: string;
}

/** Where and how a measured profile was taken. */
export interface MeasurementInfo {
	/** tensorflow, wasm or cpu (tfjs backends), or import (a CSV of external measurements). */
	readonly backend: string;
	readonly backendsTried: readonly BackendAttempt[];
	readonly device: {
		readonly cpu: string;
		readonly cores: number;
		readonly clockMhz: number;
		readonly gpu?: string;
	};
	readonly versions: { readonly tfjs: string; readonly node: string; readonly os: string };
	/** ISO 8601 date and time of the measurement. */
	readonly date: string;
	readonly quick: boolean;
	/** Most timed samples kept per (kernel, batch); each point lists its own. */
	readonly samplesPerPoint: number;
	/** The peaks that mfu and mbu are shares of, and how they were obtained. */
	readonly machinePeak: { readonly gflops: number; readonly gbps: number; readonly how: string };
}

/** Timings of one kernel at one batch size. */
export interface KernelPoint {
	readonly batch: number;
	/** Floating-point operations of one run, counted analytically. */
	readonly flops: number;
	/** Minimum bytes moved by one run (inputs and weights read once, output written once). */
	readonly bytes: number;
	readonly samplesMs: readonly number[];
	readonly medianMs: number;
	readonly p10Ms: number;
	readonly p90Ms: number;
	readonly achievedGflops: number;
	readonly achievedGbps: number;
}

/** latency(batch) = overheadMs + max(flops / effectiveGflops, bytes / effectiveGbps), fitted to the medians. */
export interface KernelFit {
	readonly overheadMs: number;
	readonly effectiveGflops: number;
	readonly effectiveGbps: number;
	/** effectiveGflops ÷ machinePeak.gflops. */
	readonly mfu: number;
	/** effectiveGbps ÷ machinePeak.gbps. */
	readonly mbu: number;
	/** R² of log latency. */
	readonly rSquared: number;
	/** Largest |fitted − median| ÷ median over the points. */
	readonly maxRelativeError: number;
	/**
	 * Which roof the fit puts at least one point on: "compute" means no point is memory-bound,
	 * so effectiveGbps is only a lower bound (and "memory" the same for effectiveGflops).
	 */
	readonly bindingRoof?: "compute" | "memory" | "both";
}

export interface KernelMeasurement {
	readonly name: string;
	readonly kind: KernelKind;
	/** Shape parameters (numbers: sizes, channels, heads …). */
	readonly params: Readonly<Record<string, number>>;
	readonly points: readonly KernelPoint[];
	readonly fit: KernelFit;
}

/** Predicted latency vs batch: gpuPredictions[gpuId][kernelName]. */
export type GpuPredictions = Readonly<
	Record<string, Readonly<Record<string, readonly { readonly batch: number; readonly predictedMs: number }[]>>>
>;

export interface CalibrationProfile {
	readonly profile: string;
	/** Where the figures come from (free-form JSON object). */
	readonly provenance: Readonly<Record<string, unknown>>;
	readonly efficiency: Readonly<Record<GpuTier, Efficiency>>;
	readonly overheadMsScale: number;
	/** Measured profiles only. */
	readonly measurement?: MeasurementInfo;
	readonly kernels?: readonly KernelMeasurement[];
	readonly gpuPredictions?: GpuPredictions;
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
	const rootFields = ["profile", "provenance", "efficiency", "overheadMsScale", ...MEASURED_FIELDS];
	for (const key of Object.keys(json)) {
		if (!rootFields.includes(key)) fail(key, `unknown field (expected ${rootFields.join(", ")})`);
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
	const measured = parseMeasuredSections(json, fail);
	return Object.freeze({
		profile: profile as string,
		provenance: Object.freeze({ ...(provenance as Record<string, unknown>) }),
		efficiency: Object.freeze(efficiency),
		overheadMsScale: overheadMsScale as number,
		...measured,
		profileHash,
		source,
	});
}

const MEASURED_FIELDS = ["measurement", "kernels", "gpuPredictions"];

type Fail = (path: string, problem: string) => never;

/** Checks the optional sections of a measured profile (same error style as the rest). */
function parseMeasuredSections(
	json: Record<string, unknown>,
	fail: Fail,
): Pick<CalibrationProfile, "measurement" | "kernels" | "gpuPredictions"> {
	const out: { measurement?: MeasurementInfo; kernels?: KernelMeasurement[]; gpuPredictions?: GpuPredictions } = {};
	if (json.measurement !== undefined) out.measurement = parseMeasurement(json.measurement, fail);
	if (json.kernels !== undefined) out.kernels = parseKernels(json.kernels, fail);
	if (json.gpuPredictions !== undefined) {
		if (out.kernels === undefined) fail("gpuPredictions", "needs kernels (its predictions are per kernel)");
		const names = new Set((out.kernels ?? []).map((k) => k.name));
		out.gpuPredictions = parseGpuPredictions(json.gpuPredictions, names, fail);
	}
	return out;
}

/** Reads an object's fields with checks; every error names the field's path. */
class Fields {
	constructor(
		private readonly object: Record<string, unknown>,
		private readonly path: string,
		private readonly fail: Fail,
		allowed: readonly string[],
	) {
		for (const key of Object.keys(object)) {
			if (!allowed.includes(key)) fail(`${path}.${key}`, `unknown field (expected ${allowed.join(", ")})`);
		}
	}

	static of(x: unknown, path: string, fail: Fail, allowed: readonly string[]): Fields {
		if (!isObject(x)) return fail(path, `must be an object {${allowed.join(", ")}}`);
		return new Fields(x, path, fail, allowed);
	}

	raw(key: string): unknown {
		return this.object[key];
	}

	at(key: string): string {
		return `${this.path}.${key}`;
	}

	string(key: string, optional = false): string | undefined {
		const x = this.object[key];
		if (x === undefined && optional) return undefined;
		if (typeof x !== "string" || x === "") return this.fail(this.at(key), `must be a non-empty string, got ${show(x)}`);
		return x;
	}

	boolean(key: string): boolean {
		const x = this.object[key];
		if (typeof x !== "boolean") return this.fail(this.at(key), `must be true or false, got ${show(x)}`);
		return x;
	}

	/** A finite number within [min, ∞) (or (min, ∞) when `strict`), optionally an integer. */
	number(key: string, min: number, options: { strict?: boolean; integer?: boolean } = {}): number {
		return checkNumber(this.object[key], this.at(key), min, options, this.fail);
	}
}

function checkNumber(
	x: unknown,
	path: string,
	min: number,
	options: { strict?: boolean; integer?: boolean },
	fail: Fail,
): number {
	const ok =
		typeof x === "number" &&
		Number.isFinite(x) &&
		(options.strict ? x > min : x >= min) &&
		(!options.integer || Number.isInteger(x));
	if (!ok) {
		const what = options.integer ? "an integer" : "a number";
		const bound = Number.isFinite(min) ? ` ${options.strict ? ">" : "≥"} ${min}` : "";
		fail(path, `must be ${what}${bound}, got ${show(x)}`);
	}
	return x as number;
}

function parseMeasurement(x: unknown, fail: Fail): MeasurementInfo {
	const m = Fields.of(x, "measurement", fail, [
		"backend",
		"backendsTried",
		"device",
		"versions",
		"date",
		"quick",
		"samplesPerPoint",
		"machinePeak",
	]);
	const triedJson = m.raw("backendsTried");
	if (!Array.isArray(triedJson)) return fail(m.at("backendsTried"), "must be an array of {name, ok, reason}");
	const backendsTried = triedJson.map((t, i) => {
		const f = Fields.of(t, `measurement.backendsTried[${i}]`, fail, ["name", "ok", "reason"]);
		const reason = f.raw("reason");
		if (typeof reason !== "string") fail(f.at("reason"), `must be a string, got ${show(reason)}`);
		return Object.freeze({ name: f.string("name") as string, ok: f.boolean("ok"), reason: reason as string });
	});
	const d = Fields.of(m.raw("device"), "measurement.device", fail, ["cpu", "cores", "clockMhz", "gpu"]);
	const gpu = d.string("gpu", true);
	const device = Object.freeze({
		cpu: d.string("cpu") as string,
		cores: d.number("cores", 0, { integer: true }),
		clockMhz: d.number("clockMhz", 0),
		...(gpu === undefined ? {} : { gpu }),
	});
	const v = Fields.of(m.raw("versions"), "measurement.versions", fail, ["tfjs", "node", "os"]);
	const versions = Object.freeze({
		tfjs: v.string("tfjs") as string,
		node: v.string("node") as string,
		os: v.string("os") as string,
	});
	const date = m.string("date") as string;
	if (Number.isNaN(Date.parse(date))) fail(m.at("date"), `must be an ISO 8601 date, got ${show(date)}`);
	const p = Fields.of(m.raw("machinePeak"), "measurement.machinePeak", fail, ["gflops", "gbps", "how"]);
	const machinePeak = Object.freeze({
		gflops: p.number("gflops", 0, { strict: true }),
		gbps: p.number("gbps", 0, { strict: true }),
		how: p.string("how") as string,
	});
	return Object.freeze({
		backend: m.string("backend") as string,
		backendsTried: Object.freeze(backendsTried),
		device,
		versions,
		date,
		quick: m.boolean("quick"),
		samplesPerPoint: m.number("samplesPerPoint", 1, { integer: true }),
		machinePeak,
	});
}

const POINT_FIELDS = [
	"batch",
	"flops",
	"bytes",
	"samplesMs",
	"medianMs",
	"p10Ms",
	"p90Ms",
	"achievedGflops",
	"achievedGbps",
] as const;
const FIT_FIELDS = [
	"overheadMs",
	"effectiveGflops",
	"effectiveGbps",
	"mfu",
	"mbu",
	"rSquared",
	"maxRelativeError",
	"bindingRoof",
] as const;
const BINDING_ROOFS = ["compute", "memory", "both"] as const;

function parseKernels(x: unknown, fail: Fail): KernelMeasurement[] {
	if (!Array.isArray(x)) return fail("kernels", "must be an array of {name, kind, params, points, fit}");
	const names = new Set<string>();
	return x.map((k, i) => {
		const path = `kernels[${i}]`;
		const f = Fields.of(k, path, fail, ["name", "kind", "params", "points", "fit"]);
		const name = f.string("name") as string;
		if (names.has(name)) fail(f.at("name"), `${show(name)} appears twice`);
		names.add(name);
		const kind = f.raw("kind");
		if (!(KERNEL_KINDS as readonly unknown[]).includes(kind)) {
			fail(f.at("kind"), `must be one of ${KERNEL_KINDS.join(", ")}, got ${show(kind)}`);
		}
		const paramsJson = f.raw("params");
		if (!isObject(paramsJson)) return fail(f.at("params"), "must be an object of numbers");
		const params: Record<string, number> = {};
		for (const [key, value] of Object.entries(paramsJson)) {
			params[key] = checkNumber(value, `${path}.params.${key}`, Number.NEGATIVE_INFINITY, {}, fail);
		}
		const pointsJson = f.raw("points");
		if (!Array.isArray(pointsJson) || pointsJson.length === 0) {
			return fail(f.at("points"), "must be a non-empty array of timed batches");
		}
		const points = pointsJson.map((pj, j) => parsePoint(pj, `${path}.points[${j}]`, fail));
		const fit = Fields.of(f.raw("fit"), `${path}.fit`, fail, FIT_FIELDS);
		const rSquared = fit.raw("rSquared");
		if (typeof rSquared !== "number" || !Number.isFinite(rSquared) || rSquared > 1) {
			fail(fit.at("rSquared"), `must be a number ≤ 1, got ${show(rSquared)}`);
		}
		const bindingRoof = fit.raw("bindingRoof");
		if (bindingRoof !== undefined && !(BINDING_ROOFS as readonly unknown[]).includes(bindingRoof)) {
			fail(fit.at("bindingRoof"), `must be one of ${BINDING_ROOFS.join(", ")}, got ${show(bindingRoof)}`);
		}
		return Object.freeze({
			name,
			kind: kind as KernelKind,
			params: Object.freeze(params),
			points: Object.freeze(points),
			fit: Object.freeze({
				overheadMs: fit.number("overheadMs", 0),
				effectiveGflops: fit.number("effectiveGflops", 0, { strict: true }),
				effectiveGbps: fit.number("effectiveGbps", 0, { strict: true }),
				mfu: fit.number("mfu", 0, { strict: true }),
				mbu: fit.number("mbu", 0, { strict: true }),
				rSquared: rSquared as number,
				maxRelativeError: fit.number("maxRelativeError", 0),
				...(bindingRoof === undefined ? {} : { bindingRoof: bindingRoof as KernelFit["bindingRoof"] }),
			}),
		});
	});
}

function parsePoint(x: unknown, path: string, fail: Fail): KernelPoint {
	const f = Fields.of(x, path, fail, POINT_FIELDS);
	const samplesJson = f.raw("samplesMs");
	if (!Array.isArray(samplesJson) || samplesJson.length === 0) {
		return fail(f.at("samplesMs"), "must be a non-empty array of times in ms");
	}
	const samplesMs = samplesJson.map((s, i) => checkNumber(s, `${path}.samplesMs[${i}]`, 0, { strict: true }, fail));
	const p10Ms = f.number("p10Ms", 0, { strict: true });
	const medianMs = f.number("medianMs", 0, { strict: true });
	const p90Ms = f.number("p90Ms", 0, { strict: true });
	if (!(p10Ms <= medianMs && medianMs <= p90Ms)) fail(path, `needs p10Ms ≤ medianMs ≤ p90Ms`);
	return Object.freeze({
		batch: f.number("batch", 1, { integer: true }),
		flops: f.number("flops", 0),
		bytes: f.number("bytes", 0),
		samplesMs: Object.freeze(samplesMs),
		medianMs,
		p10Ms,
		p90Ms,
		achievedGflops: f.number("achievedGflops", 0),
		achievedGbps: f.number("achievedGbps", 0),
	});
}

function parseGpuPredictions(x: unknown, kernels: ReadonlySet<string>, fail: Fail): GpuPredictions {
	if (!isObject(x)) return fail("gpuPredictions", "must be an object {gpuId: {kernelName: [{batch, predictedMs}]}}");
	const out: Record<string, Record<string, readonly { batch: number; predictedMs: number }[]>> = {};
	for (const [gpuId, perKernel] of Object.entries(x)) {
		const gpuPath = `gpuPredictions.${gpuId}`;
		if (!isObject(perKernel)) return fail(gpuPath, "must be an object {kernelName: [{batch, predictedMs}]}");
		const byKernel: Record<string, readonly { batch: number; predictedMs: number }[]> = {};
		for (const [kernel, series] of Object.entries(perKernel)) {
			const path = `${gpuPath}.${kernel}`;
			if (!kernels.has(kernel)) fail(path, "names no kernel of this profile");
			if (!Array.isArray(series)) return fail(path, "must be an array of {batch, predictedMs}");
			byKernel[kernel] = Object.freeze(
				series.map((point, i) => {
					const f = Fields.of(point, `${path}[${i}]`, fail, ["batch", "predictedMs"]);
					return Object.freeze({
						batch: f.number("batch", 1, { integer: true }),
						predictedMs: f.number("predictedMs", 0, { strict: true }),
					});
				}),
			);
		}
		out[gpuId] = Object.freeze(byKernel);
	}
	return Object.freeze(out);
}

function show(x: unknown): string {
	return x === undefined ? "nothing" : JSON.stringify(x);
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
