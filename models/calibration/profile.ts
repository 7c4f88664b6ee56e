/**
 * Builds a measured calibration profile (the format of ./schema.ts) from tfjs
 * timings or from a CSV of external measurements, and writes it as stable, compact JSON.
 *
 *   timings → per kernel: points (median, p10, p90, achieved rates) → roofline fit → mfu, mbu
 *   → measuredEfficiency (median over unflagged kernels, for the measured class only) → predictions
 *   for every GPU class (each with the efficiency the network model would use for it)
 */
import type { GpuSpec, GpuTier } from "../catalog.js";
import { GPU_TIERS } from "../catalog.js";
import { CsvColumns, CsvError, parseCsv } from "../csv.js";
import {
	type CalibrationProfileJson,
	type Efficiency,
	KERNEL_KINDS,
	type KernelKind,
	type KernelMeasurement,
	type KernelPoint,
	type MeasurementInfo,
} from "../latency.js";
import {
	type FitPoint,
	fitRoofline,
	judgeFit,
	type MachinePeak,
	machinePeak,
	matchGpu,
	pointFromSamples,
	predictGpus,
	profileEfficiency,
} from "./fit.js";
import { findKernel, KERNELS, kernelBytes, kernelFlops } from "./kernels.js";
import { CACHE_COPY_BYTES, type MeasurementResult } from "./measure.js";
import type { TierEfficiency } from "./schema.js";

/** Most samples kept per point in a profile file (medians use them all). */
export const MAX_KEPT_SAMPLES = 30;

/** A measured profile as written to disk: the schema's profile with every measured section present. */
export type MeasuredProfileJson = CalibrationProfileJson &
	Required<Pick<CalibrationProfileJson, "overheadMsScale" | "measurement" | "kernels" | "gpuPredictions">>;

export interface KernelTimings {
	readonly name: string;
	readonly kind: KernelKind;
	readonly params: Readonly<Record<string, number>>;
	readonly points: readonly KernelPoint[];
}

/** Where the measuring machine's software stands (for `measurement.versions`). */
export interface Environment {
	readonly node: string;
	readonly os: string;
}

const EFFICIENCY_NOTE =
	"measuredEfficiency = the measured shares of this machine's peaks, applied to measuredClass only: mfu = median fit.mfu (fit.effectiveGflops / machinePeak.gflops) over unflagged kernels with a point on the compute roof (over all unflagged kernels when none has: then a lower bound); mbu = the best achievedGbps / machinePeak.gbps of any point of an unflagged kernel on the DRAM roof (minimum bytes ÷ median time; fitted memory roofs are not used), and no measured efficiency at all when that best share exceeds 1. A kernel whose share of a peak exceeds 1 is flagged with the reason and left out, unless the cache roof (machinePeak.cacheGbps) explains it (fit.memoryRoof cache). efficiency (per tier) = the literature defaults every other GPU class keeps: a CPU's or another GPU's share of its own peaks says nothing about a different device, so it applies elsewhere only through a scenario's explicit calibration.apply mapping. overheadMsScale stays 1: the kernels' fitted overheads are host dispatch of tfjs ops, not the workloads' per-batch overheads.";

/** Fits one kernel's points and states its efficiencies against the machine's peaks. */
export function fitKernel(timings: KernelTimings, peak: MachinePeak): KernelMeasurement {
	const fit = fitRoofline(timings.points as readonly FitPoint[]);
	const judged = judgeFit(fit, peak, timings.points as readonly FitPoint[]);
	return {
		name: timings.name,
		kind: timings.kind,
		params: timings.params,
		points: timings.points,
		fit: {
			overheadMs: fit.overheadMs,
			effectiveGflops: fit.effectiveGflops,
			effectiveGbps: fit.effectiveGbps,
			mfu: judged.mfu,
			mbu: judged.mbu,
			rSquared: fit.rSquared,
			maxRelativeError: fit.maxRelativeError,
			memoryRoof: judged.memoryRoof,
			...(judged.flag === undefined ? {} : { flag: judged.flag }),
			bindingRoof: fit.bindingRoof,
		},
	};
}

/** What a profile is built with besides the timings: its name, the GPU table, when and where. */
export interface ProfileContext {
	readonly profile: string;
	readonly gpus: readonly GpuSpec[];
	readonly date: string;
	readonly environment: Environment;
	/** The per-tier efficiencies every class but the measured one keeps (the literature defaults). */
	readonly literature: Readonly<Record<GpuTier, TierEfficiency>>;
	/** The GPU class a tensorflow measurement ran on, when its name does not say (--gpu-class). */
	readonly gpuClass?: string;
}

/** The class a tfjs measurement measured: the GPU's class id, else the CPU (by backend). */
export function measuredClassOf(backend: string, gpu: GpuSpec | undefined, gpuName: string | undefined): string {
	if (gpu !== undefined) return gpu.id;
	if (backend === "wasm") return "cpu-wasm";
	return backend === "tensorflow" && gpuName !== undefined ? "gpu-unknown" : "cpu";
}

/** Assembles the profile: fits, the measured class's efficiency, the tiers' defaults, predictions for every GPU class. */
export function buildProfile(input: {
	readonly profile: string;
	readonly provenance: Readonly<Record<string, unknown>>;
	readonly measurement: MeasurementInfo;
	readonly kernels: readonly KernelTimings[];
	readonly gpus: readonly GpuSpec[];
	readonly measuredClass: string;
	readonly literature: Readonly<Record<GpuTier, TierEfficiency>>;
	/** The GPU class the measurements were taken on, if any. */
	readonly measuredGpuId?: string;
}): MeasuredProfileJson {
	const kernels = input.kernels.map((k) => fitKernel(k, input.measurement.machinePeak));
	const measured = profileEfficiency(kernels, input.measurement.machinePeak);
	const efficiency = {} as Record<GpuTier, Efficiency>;
	for (const tier of GPU_TIERS) efficiency[tier] = { mfu: input.literature[tier].mfu, mbu: input.literature[tier].mbu };
	const efficiencyOf = (gpu: GpuSpec): Efficiency =>
		gpu.id === input.measuredClass && measured !== undefined ? measured : efficiency[gpu.tier];
	return {
		profile: input.profile,
		provenance: { ...input.provenance, efficiency: EFFICIENCY_NOTE },
		efficiency,
		measuredClass: input.measuredClass,
		...(measured === undefined ? {} : { measuredEfficiency: { mfu: measured.mfu, mbu: measured.mbu } }),
		overheadMsScale: 1,
		measurement: input.measurement,
		kernels,
		gpuPredictions: predictGpus(kernels, input.gpus, efficiencyOf, input.measuredGpuId),
	};
}

/** A profile from a tfjs measurement (`runMeasurement` / `measureInWorker`). */
export function profileFromMeasurement(result: MeasurementResult, options: ProfileContext): MeasuredProfileJson {
	const named = options.gpuClass ?? result.gpu;
	const gpu = result.backend === "tensorflow" ? matchGpu(named, options.gpus) : undefined;
	const cache =
		gpu === undefined && result.cacheCopyGbps !== undefined
			? { gbps: result.cacheCopyGbps, bytes: CACHE_COPY_BYTES }
			: undefined;
	let peak = machinePeak(result.backend, result.cpu, result.copyGbps, gpu, cache);
	if (result.backend === "tensorflow" && result.gpu !== undefined && gpu === undefined) {
		// Better a loud caveat than a GPU's timings set against made-up peaks.
		peak = {
			...peak,
			how: `GPU ${JSON.stringify(result.gpu)} is not in gpus.csv, so the CPU's peaks stand in and mfu/mbu mean little (add the GPU's row and calibrate again); ${peak.how}`,
		};
	}
	return buildProfile({
		profile: options.profile,
		provenance: {
			kind: "measured",
			measured: true,
			date: options.date,
			note: `TensorFlow.js ${result.tfjsVersion} kernels timed on the ${result.backend} backend of this machine by depin-twin calibrate${result.quick ? " --quick (a smoke test: few batches and samples)" : ""}; ${Math.round(result.wallMs / 1000)} s of measurement.`,
		},
		measurement: {
			backend: result.backend,
			backendsTried: result.backendsTried,
			device: {
				cpu: result.cpu.model,
				cores: result.cpu.cores,
				clockMhz: result.cpu.clockMhz,
				...(result.gpu === undefined ? {} : { gpu: result.gpu }),
			},
			versions: { tfjs: result.tfjsVersion, node: options.environment.node, os: options.environment.os },
			date: options.date,
			quick: result.quick,
			samplesPerPoint: Math.min(result.samplesPerPoint, MAX_KEPT_SAMPLES),
			machinePeak: peak,
		},
		kernels: result.kernels.map((k) => ({
			name: k.spec.name,
			kind: k.spec.kind,
			params: k.spec.params,
			points: k.points.map(keepSamples),
		})),
		gpus: options.gpus,
		measuredClass: measuredClassOf(result.backend, gpu, result.gpu),
		literature: options.literature,
		...(gpu === undefined ? {} : { measuredGpuId: gpu.id }),
	});
}

/**
 * A profile from external measurements: CSV columns `device,kernel,batch,latency_ms` and
 * optionally `flops,bytes` (per run). Rows with the same kernel and batch are repeated samples.
 * Every row names the same device, a GPU class of gpus.csv (by id or name): its spec peaks are
 * the machine peaks. A kernel of depin-twin's catalogue (matmul-256 …) needs no flops/bytes;
 * any other kernel or model needs both. Its kind is the name's prefix when that is a kernel kind
 * (matmul-…, conv2d-…, mlp-…, transformer-…), else "model". Errors (CsvError) name the file,
 * the line and the column.
 */
export function profileFromCsv(text: string, file: string, options: ProfileContext): MeasuredProfileJson {
	const c = new CsvColumns(parseCsv(text, file));
	c.require("device", "kernel", "batch", "latency_ms");
	if (c.rowCount === 0) throw new CsvError(`${file}: no measurements (only a header)`, file, 1);
	const { spec, device, groups } = readCsvTimings(c, options.gpus);
	const peak = machinePeak(
		"import",
		{ model: "", cores: 0, clockMhz: 0, vendor: "", family: Number.NaN, flags: [] },
		0,
		spec,
	);
	const kernels = kernelsFromGroups(groups);
	const maxSamples = Math.max(...[...groups.values()].map((g) => g.samples.length));
	return buildProfile({
		profile: options.profile,
		provenance: {
			kind: "imported",
			measured: true,
			date: options.date,
			note: `External measurements imported from ${file} by depin-twin calibrate --import: ${c.rowCount} timings of ${kernels.length} kernel(s) on ${device} (${spec.id}); machine peaks are that class's gpus.csv figures. versions.node and versions.os describe the machine that imported them.`,
		},
		measurement: {
			backend: "import",
			backendsTried: [],
			device: { cpu: "n/a (imported)", cores: 0, clockMhz: 0, gpu: device },
			versions: { tfjs: "n/a (imported)", node: options.environment.node, os: options.environment.os },
			date: options.date,
			quick: false,
			samplesPerPoint: Math.min(maxSamples, MAX_KEPT_SAMPLES),
			machinePeak: peak,
		},
		kernels,
		gpus: options.gpus,
		measuredClass: spec.id,
		literature: options.literature,
		measuredGpuId: spec.id,
	});
}

/** The repeated timings of one kernel at one batch size (rows of an imported CSV). */
interface TimingGroup {
	readonly kernel: string;
	readonly batch: number;
	readonly flops: number;
	readonly bytes: number;
	readonly samples: number[];
}

/** Every row's timing, grouped by (kernel, batch); the device every row names and its GPU class. */
function readCsvTimings(
	c: CsvColumns,
	gpus: readonly GpuSpec[],
): { spec: GpuSpec; device: string; groups: Map<string, TimingGroup> } {
	const hasFlops = c.table.header.includes("flops");
	const hasBytes = c.table.header.includes("bytes");
	let gpu: GpuSpec | undefined;
	let device = "";
	const groups = new Map<string, TimingGroup>();
	for (let r = 0; r < c.rowCount; r++) {
		const name = c.requiredString(r, "device").trim();
		if (gpu === undefined) {
			gpu = matchGpu(name, gpus);
			if (gpu === undefined) {
				c.fail(
					r,
					"device",
					`${JSON.stringify(name)} is no GPU class of gpus.csv (ids: ${gpus.map((g) => g.id).join(", ")})`,
				);
			}
			device = name;
		} else if (name !== device) {
			c.fail(
				r,
				"device",
				`every row must name the same device: ${JSON.stringify(device)} above, ${JSON.stringify(name)} here`,
			);
		}
		const kernel = c.requiredString(r, "kernel").trim();
		const batch = c.number(r, "batch");
		if (!(Number.isInteger(batch) && batch >= 1)) c.fail(r, "batch", `must be an integer ≥ 1, got ${batch}`);
		const latencyMs = c.number(r, "latency_ms");
		if (!(latencyMs > 0)) c.fail(r, "latency_ms", `must be > 0, got ${latencyMs}`);
		const spec = findKernel(kernel);
		const flops = rowWork(c, r, "flops", hasFlops, kernel, spec && (() => kernelFlops(spec, batch)));
		const bytes = rowWork(c, r, "bytes", hasBytes, kernel, spec && (() => kernelBytes(spec, batch)));
		const key = `${kernel}\u0000${batch}`;
		const group = groups.get(key);
		if (group === undefined) groups.set(key, { kernel, batch, flops, bytes, samples: [latencyMs] });
		else {
			if (group.flops !== flops || group.bytes !== bytes) {
				c.fail(r, hasFlops ? "flops" : "bytes", `differs from an earlier row of ${kernel} at batch ${batch}`);
			}
			group.samples.push(latencyMs);
		}
	}
	return { spec: gpu as GpuSpec, device, groups };
}

/** A row's flops or bytes per run: its column when given, else the catalogue kernel's count. */
function rowWork(
	c: CsvColumns,
	r: number,
	column: "flops" | "bytes",
	present: boolean,
	kernel: string,
	analytic: (() => number) | undefined,
): number {
	const x = present ? c.optionalNumber(r, column) : Number.NaN;
	if (!Number.isNaN(x)) {
		if (x < 0) c.fail(r, column, `must be ≥ 0, got ${x}`);
		return x;
	}
	if (analytic === undefined) {
		c.fail(
			r,
			present ? column : "kernel",
			`${JSON.stringify(kernel)} is not a depin-twin kernel (${KERNELS.map((k) => k.name).join(", ")}): give its ${column} per run in a "${column}" column`,
		);
	}
	return (analytic as () => number)();
}

/** Per kernel (in first-row order), its points by ascending batch. */
function kernelsFromGroups(groups: ReadonlyMap<string, TimingGroup>): KernelTimings[] {
	const byKernel = new Map<string, KernelPoint[]>();
	for (const g of groups.values()) {
		const points = byKernel.get(g.kernel) ?? [];
		points.push(keepSamples(pointFromSamples(g.batch, g.flops, g.bytes, g.samples)));
		byKernel.set(g.kernel, points);
	}
	return [...byKernel.entries()].map(([name, points]) => ({
		name,
		kind: kindOf(name),
		params: findKernel(name)?.params ?? {},
		points: points.sort((a, b) => a.batch - b.batch),
	}));
}

function keepSamples(point: KernelPoint): KernelPoint {
	return { ...point, samplesMs: point.samplesMs.slice(0, MAX_KEPT_SAMPLES) };
}

function kindOf(name: string): KernelKind {
	const known = findKernel(name);
	if (known !== undefined) return known.kind;
	const prefix = name.split(/[-_ ]/)[0]?.toLowerCase();
	return (KERNEL_KINDS as readonly string[]).includes(prefix ?? "") ? (prefix as KernelKind) : "model";
}

/**
 * The profile as text: numbers to 6 significant digits (samples to 4), short arrays and objects
 * on one line, key order as built — the same measurement always gives the same bytes.
 */
export function formatProfile(profile: MeasuredProfileJson): string {
	return `${pretty(round(profile, 6), "")}\n`;
}

function round(value: unknown, digits: number, key = ""): unknown {
	if (typeof value === "number") {
		return Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(digits)) : value;
	}
	if (Array.isArray(value)) return value.map((v) => round(v, key === "samplesMs" ? 4 : digits));
	if (value !== null && typeof value === "object") {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round(v, digits, k)]));
	}
	return value;
}

function pretty(value: unknown, indent: string): string {
	const flat = JSON.stringify(value);
	const scalarArray = Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null);
	if (value === null || typeof value !== "object" || scalarArray || flat.length + indent.length <= 100) return flat;
	const inner = `${indent}  `;
	if (Array.isArray(value)) return `[\n${value.map((v) => inner + pretty(v, inner)).join(",\n")}\n${indent}]`;
	const entries = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, inner)}`);
	return `{\n${entries.join(",\n")}\n${indent}}`;
}
