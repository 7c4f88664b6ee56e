/**
 * The calibration profile's format, declared once: the TypeBox schema gives the TypeScript types
 * (`Static`), the checks (`checkProfileValue`) and the documentation of every field. The
 * literature defaults (scenarios/calibration/default.json) have only profile, provenance,
 * efficiency and overheadMsScale; a measured profile (`depin-twin calibrate`) adds measurement,
 * kernels and gpuPredictions. The network model reads only efficiency and overheadMsScale.
 */
import Type from "typebox";
import type { GpuTier } from "../catalog.js";

const text = (description: string) => Type.String({ minLength: 1, description });
const positive = (description: string) => Type.Number({ exclusiveMinimum: 0, description });
const nonNegative = (description: string) => Type.Number({ minimum: 0, description });
const closed = { additionalProperties: false } as const;

/** Achieved shares of one GPU tier's spec-sheet peaks. */
export const TierEfficiencySchema = Type.Object(
	{
		mfu: Type.Number({
			exclusiveMinimum: 0,
			maximum: 1,
			description: "share of peak dense FP16 tensor FLOP/s achieved in compute-bound work (prefill, large batches)",
		}),
		mbu: Type.Number({
			exclusiveMinimum: 0,
			maximum: 1,
			description: "share of peak memory bandwidth achieved in memory-bound work (decode steps)",
		}),
	},
	{ ...closed, description: "achieved shares of a tier's peaks {mfu, mbu}" },
);

const tierEfficiency = (tier: string) =>
	Type.Object(TierEfficiencySchema.properties, { ...closed, description: `the ${tier} tier's shares {mfu, mbu}` });

export const EfficiencySchema = Type.Object(
	{
		consumer: tierEfficiency("consumer"),
		datacenter: tierEfficiency("datacenter"),
		edge: tierEfficiency("edge"),
	},
	{ ...closed, description: "per GPU tier, the achieved shares of its peaks {consumer, datacenter, edge}" },
);

/**
 * Kinds of calibration kernel (models/calibration/kernels.ts); "model" is an imported
 * measurement of some other kernel or whole model (calibrate --import).
 */
export const KERNEL_KINDS = ["matmul", "conv2d", "mlp", "transformer", "model"] as const;

export const BackendAttemptSchema = Type.Object(
	{
		name: text("the tfjs backend tried: tensorflow, wasm or cpu"),
		ok: Type.Boolean({ description: "whether it loaded" }),
		reason: Type.String({ description: "why it did (not) load" }),
	},
	{ ...closed, description: "a backend the calibration tried {name, ok, reason}" },
);

export const MeasurementSchema = Type.Object(
	{
		backend: text("tensorflow, wasm or cpu (tfjs backends), or import (a CSV of external measurements)"),
		backendsTried: Type.Array(BackendAttemptSchema, { description: "backends tried, best first" }),
		device: Type.Object(
			{
				cpu: text("CPU model"),
				cores: Type.Integer({ minimum: 0, description: "logical CPU cores" }),
				clockMhz: nonNegative("CPU clock, MHz"),
				gpu: Type.Optional(text("GPU the kernels ran on, if any")),
			},
			{ ...closed, description: "the measuring machine {cpu, cores, clockMhz, gpu?}" },
		),
		versions: Type.Object(
			{
				tfjs: text("TensorFlow.js version"),
				node: text("Node.js version"),
				os: text("operating system, release and architecture"),
			},
			{ ...closed, description: "software versions {tfjs, node, os}" },
		),
		date: text("ISO 8601 date and time of the measurement"),
		quick: Type.Boolean({ description: "a --quick smoke test (few batches and samples)" }),
		samplesPerPoint: Type.Integer({
			minimum: 1,
			description: "most timed samples kept per (kernel, batch); each point lists its own",
		}),
		machinePeak: Type.Object(
			{
				gflops: positive("peak FLOP/s of the measuring machine, GFLOP/s (what fit.mfu is a share of)"),
				gbps: positive("peak memory bandwidth of the measuring machine, GB/s (what fit.mbu is a share of)"),
				how: text("how the peaks were obtained"),
				cacheGbps: Type.Optional(
					positive(
						"copy bandwidth of a cache-sized buffer (the same copy kernel), GB/s: the roof of kernels whose working set stays in cache",
					),
				),
				cacheBytes: Type.Optional(
					positive(
						"buffer size of the cache copy (source + destination), bytes: working sets up to it count as cache-resident",
					),
				),
			},
			{
				...closed,
				description: "the peaks that mfu and mbu are shares of {gflops, gbps, how, cacheGbps?, cacheBytes?}",
			},
		),
	},
	{ ...closed, description: "where and how the profile was measured" },
);

export const KernelPointSchema = Type.Object(
	{
		batch: Type.Integer({ minimum: 1, description: "batch size" }),
		flops: nonNegative("floating-point operations of one run, counted analytically"),
		bytes: nonNegative("minimum bytes moved by one run (inputs and weights read once, output written once)"),
		samplesMs: Type.Array(positive("one timed run, ms"), { minItems: 1, description: "timed runs, ms" }),
		medianMs: positive("median of all timed runs, ms"),
		p10Ms: positive("10th percentile of the timed runs, ms (≤ medianMs)"),
		p90Ms: positive("90th percentile of the timed runs, ms (≥ medianMs)"),
		achievedGflops: nonNegative("flops ÷ medianMs, GFLOP/s"),
		achievedGbps: nonNegative("bytes ÷ medianMs, GB/s"),
	},
	{ ...closed, description: "timings of one kernel at one batch size" },
);

export const KernelFitSchema = Type.Object(
	{
		overheadMs: nonNegative("fixed time per run, ms"),
		effectiveGflops: positive("fitted compute rate, GFLOP/s"),
		effectiveGbps: positive("fitted memory bandwidth, GB/s"),
		mfu: positive("effectiveGflops ÷ measurement.machinePeak.gflops"),
		mbu: positive("effectiveGbps ÷ measurement.machinePeak.gbps"),
		rSquared: Type.Number({ maximum: 1, description: "R² of log latency" }),
		maxRelativeError: nonNegative("largest |fitted − median| ÷ median over the points"),
		memoryRoof: Type.Optional(
			Type.Union([Type.Literal("dram"), Type.Literal("cache")], {
				description:
					'the memory roof mbu is a share of: "dram" (machinePeak.gbps) or "cache" (machinePeak.cacheGbps, when the fitted bandwidth exceeds DRAM copy bandwidth and the cache roof explains it)',
			}),
		),
		flag: Type.Optional(
			text(
				"why this kernel is left out of the profile's efficiency (a share of peak above 1 that no roof explains: cache-resident working set, overhead-dominated points, peak underestimated)",
			),
		),
		bindingRoof: Type.Optional(
			Type.Union([Type.Literal("compute"), Type.Literal("memory"), Type.Literal("both")], {
				description:
					'which roof the fit puts at least one point on: "compute" means no point is memory-bound, so effectiveGbps is only a lower bound (and "memory" the same for effectiveGflops)',
			}),
		),
	},
	{
		...closed,
		description:
			"latency(batch) = overheadMs + max(flops ÷ effectiveGflops, bytes ÷ effectiveGbps), fitted to the medians",
	},
);

export const KernelMeasurementSchema = Type.Object(
	{
		name: text("kernel name (matmul-256 …, or an imported kernel's or model's name); unique in the profile"),
		kind: Type.Union(
			[
				Type.Literal("matmul"),
				Type.Literal("conv2d"),
				Type.Literal("mlp"),
				Type.Literal("transformer"),
				Type.Literal("model"),
			],
			{ description: "kind of kernel" },
		),
		params: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()]), {
			description: 'shape parameters: sizes, channels, heads … (a string such as "batch" names a dimension)',
		}),
		points: Type.Array(KernelPointSchema, { minItems: 1, description: "timed batch sizes" }),
		fit: KernelFitSchema,
	},
	{ ...closed, description: "one kernel's timings and roofline fit {name, kind, params, points, fit}" },
);

export const PredictedPointSchema = Type.Object(
	{
		batch: Type.Integer({ minimum: 1, description: "batch size" }),
		predictedMs: positive("predicted latency of one batch, ms"),
	},
	{ ...closed, description: "a predicted latency {batch, predictedMs}" },
);

export const GpuPredictionsSchema = Type.Record(
	Type.String(),
	Type.Record(Type.String(), Type.Array(PredictedPointSchema), {
		description: "per kernel name (of this profile's kernels), predicted latency vs batch",
	}),
	{ description: "per GPU class id, per kernel name, predicted latency vs batch" },
);

export const CalibrationProfileSchema = Type.Object(
	{
		profile: text("the profile's name (a written profile takes its file name)"),
		provenance: Type.Record(Type.String(), Type.Unknown(), {
			description: "where the figures come from: a free-form object (kind, measured, date, note, sources …)",
		}),
		efficiency: EfficiencySchema,
		measuredClass: Type.Optional(
			text(
				'the device class a measured profile measured: "cpu-wasm" (wasm backend), "cpu" (tensorflow or cpu backend on a CPU) or a GPU class id of gpus.csv; its measuredEfficiency applies to that class only',
			),
		),
		measuredEfficiency: Type.Optional(
			Type.Object(TierEfficiencySchema.properties, {
				...closed,
				description:
					"the measured shares {mfu, mbu} of measuredClass's peaks; absent when every kernel was flagged. Other classes keep efficiency (their tier's)",
			}),
		),
		overheadMsScale: Type.Optional(
			Type.Number({ minimum: 0, description: "multiplies every workload's fixed per-batch overheadMs (default 1)" }),
		),
		measurement: Type.Optional(MeasurementSchema),
		kernels: Type.Optional(Type.Array(KernelMeasurementSchema, { description: "every kernel's timings and fit" })),
		gpuPredictions: Type.Optional(GpuPredictionsSchema),
	},
	{ ...closed, description: "a calibration profile of the latency model" },
);

/**
 * A scenario's calibrationProfile names a file, not an id, when it has a slash or ends in .json:
 * `./my-gpu.json`, `/data/profiles/a100.json`, `my-gpu.json`.
 */
export const PROFILE_PATH_PATTERN = "[/\\\\]|\\.json$";

/** Whether a calibrationProfile value is a path (else an id of scenarios/calibration/<id>.json). */
export function isProfilePath(value: string): boolean {
	return new RegExp(PROFILE_PATH_PATTERN).test(value);
}

/** Deeply read-only: a parsed profile is frozen. */
export type Immutable<T> = T extends readonly (infer U)[]
	? readonly Immutable<U>[]
	: T extends object
		? { readonly [K in keyof T]: Immutable<T[K]> }
		: T;

export type KernelKind = (typeof KERNEL_KINDS)[number];
// The kind literals of the schema are the kinds listed above (compile-time check).
const _kindsMatch: KernelKind = "" as Type.Static<typeof KernelMeasurementSchema>["kind"];
const _kindsComplete: Type.Static<typeof KernelMeasurementSchema>["kind"] = "" as KernelKind;
void _kindsMatch;
void _kindsComplete;
export type TierEfficiency = Immutable<Type.Static<typeof TierEfficiencySchema>>;
export type BackendAttempt = Immutable<Type.Static<typeof BackendAttemptSchema>>;
export type MeasurementInfo = Immutable<Type.Static<typeof MeasurementSchema>>;
export type KernelPoint = Immutable<Type.Static<typeof KernelPointSchema>>;
export type KernelFit = Immutable<Type.Static<typeof KernelFitSchema>>;
export type KernelMeasurement = Immutable<Type.Static<typeof KernelMeasurementSchema>>;
/** Predicted latency vs batch: gpuPredictions[gpuId][kernelName]. */
export type GpuPredictions = Immutable<Type.Static<typeof GpuPredictionsSchema>>;
/** A profile as its JSON file holds it. */
export type CalibrationProfileJson = Immutable<Type.Static<typeof CalibrationProfileSchema>>;

// The efficiency block names exactly the catalogue's GPU tiers (compile-time check).
const _tiersMatch: Record<GpuTier, unknown> = {} as Record<keyof CalibrationProfileJson["efficiency"], unknown>;
const _tiersComplete: Record<keyof CalibrationProfileJson["efficiency"], unknown> = {} as Record<GpuTier, unknown>;
void _tiersMatch;
void _tiersComplete;
