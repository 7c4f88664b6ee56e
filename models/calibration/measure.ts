/**
 * Times the calibration kernels on a tfjs backend. Measurement code, not simulation code: it
 * reads the wall clock (each read is marked `clock-ok`) and nothing in the simulation path
 * imports it.
 *
 * First every kernel runs at batch 1 for a while: V8 compiles wasm in tiers (a quick baseline,
 * then optimised code once a function is hot), and before tier-up the same kernel runs up to 2×
 * slower. Then, for each kernel, batch sizes in increasing order: build the inputs, warm up (the first run
 * compiles and allocates), then time `samples` runs, each reading its result back (`dataSync`)
 * so the work is really done and freeing every tensor it made (`tidy`). Samples per point
 * adapt to the run time (a target time per point, within [min, max]); a batch whose run would
 * exceed `maxSampleMs` (extrapolated from the last one by FLOPs) ends the kernel, once
 * `minPoints` batches are in — so a slow backend stays bounded in time. A full calibration
 * makes a second pass over every kernel and keeps, per point, the pass with the lower median:
 * shared machines slow down for seconds at a time (2× for ~10 s seen here), which hits one
 * pass, rarely both, as the two passes over a point are a whole pass apart.
 *
 * `measureInWorker` runs all of this in a worker thread (this same module) and reports
 * progress to the main thread, which stays free to draw.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { BackendAttempt, KernelPoint } from "../latency.js";
import {
	type BackendName,
	type BackendRequest,
	BackendUnavailableError,
	selectBackend,
	tfjsLoaders,
} from "./backends.js";
import { type CpuInfo, pointFromSamples } from "./fit.js";
import {
	FULL_BATCHES,
	findKernel,
	instantiateKernel,
	KERNELS,
	type KernelSpec,
	kernelBytes,
	kernelFlops,
	QUICK_BATCHES,
	QUICK_KERNEL_NAMES,
	type TfModule,
} from "./kernels.js";

export interface MeasurePlan {
	readonly kernels: readonly KernelSpec[];
	readonly batches: readonly number[];
	/** Each kernel runs at batch 1 for this long before any timing (wasm tier-up). */
	readonly kernelWarmupMs: number;
	/** Warm-up runs go on until this much time has passed (at least one, at most 4). */
	readonly warmupMs: number;
	readonly minSamples: number;
	/** Also the most samples kept per point in the profile. */
	readonly maxSamples: number;
	/** Aim of the timed runs' total per point. */
	readonly targetPointMs: number;
	/** A batch predicted to take longer than this per run is not measured (after minPoints). */
	readonly maxSampleMs: number;
	readonly minPoints: number;
	/** Passes over every kernel; each point keeps the pass with the lowest median. */
	readonly passes: number;
}

export function measurePlan(quick: boolean, kernelNames?: readonly string[]): MeasurePlan {
	const names = kernelNames ?? (quick ? QUICK_KERNEL_NAMES : KERNELS.map((k) => k.name));
	const kernels = names.map((name) => {
		const spec = findKernel(name);
		if (spec === undefined) throw new Error(`unknown kernel ${name} (known: ${KERNELS.map((k) => k.name).join(", ")})`);
		return spec;
	});
	return quick
		? {
				kernels,
				batches: QUICK_BATCHES,
				kernelWarmupMs: 100,
				warmupMs: 20,
				minSamples: 3,
				maxSamples: 7,
				targetPointMs: 80,
				maxSampleMs: 40,
				minPoints: 3,
				passes: 1,
			}
		: {
				kernels,
				batches: FULL_BATCHES,
				kernelWarmupMs: 400,
				warmupMs: 200,
				minSamples: 5,
				maxSamples: 30,
				targetPointMs: 2500,
				maxSampleMs: 1000,
				minPoints: 3,
				passes: 2,
			};
}

export interface MeasureOptions {
	readonly backend: BackendRequest;
	readonly quick: boolean;
	/** Kernel names (default: the plan's). */
	readonly kernels?: readonly string[];
}

export interface MeasuredKernel {
	readonly spec: KernelSpec;
	readonly points: readonly KernelPoint[];
}

export interface MeasurementResult {
	readonly backend: BackendName;
	readonly backendsTried: readonly BackendAttempt[];
	readonly gpu?: string;
	readonly tfjsVersion: string;
	readonly cpu: CpuInfo;
	/** Single-thread copy bandwidth (read + write), GB/s. */
	readonly copyGbps: number;
	/** The same copy of a cache-sized buffer (`CACHE_COPY_BYTES`), GB/s: the cache roof. */
	readonly cacheCopyGbps?: number;
	readonly quick: boolean;
	readonly samplesPerPoint: number;
	readonly kernels: readonly MeasuredKernel[];
	readonly wallMs: number;
}

export interface MeasureProgress {
	readonly done: number;
	readonly total: number;
	readonly label: string;
}

/** The CPU as the OS describes it (os.cpus, then /proc/cpuinfo for what it lacks). */
export function describeCpu(): CpuInfo {
	let text = "";
	try {
		text = readFileSync("/proc/cpuinfo", "utf8");
	} catch {
		// Not Linux: os.cpus() alone.
	}
	const field = (name: string) => text.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "m"))?.[1]?.trim();
	const list = cpus();
	const first = list[0];
	const procMhz = Number(field("cpu MHz"));
	return {
		model: first?.model.trim() || field("model name") || "unknown CPU",
		cores: Math.max(list.length, 1),
		clockMhz: Math.round(first !== undefined && first.speed > 0 ? first.speed : Number.isFinite(procMhz) ? procMhz : 0),
		vendor: field("vendor_id") ?? "",
		family: Number(field("cpu family") ?? Number.NaN),
		flags: (field("flags") ?? "").split(/\s+/).filter((f) => f !== ""),
	};
}

const nowNs = (): bigint => process.hrtime.bigint(); // clock-ok
const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6; // clock-ok

/** Source + destination of the cache-roof copy: 2 × 2 MiB, inside the last-level cache of current CPUs. */
export const CACHE_COPY_BYTES = 4 * 1024 * 1024;

/**
 * Best-of-`repeats` single-thread memcpy bandwidth (read + write), GB/s: over buffers larger than
 * the caches by default (the DRAM roof); over a cache-sized buffer (`CACHE_COPY_BYTES / 2` each,
 * many repeats) it is the cache roof.
 */
export function measureCopyGbps(bytes = 64 * 1024 * 1024, repeats = 5): number {
	const src = new Float64Array(bytes / 8).fill(1);
	const dst = new Float64Array(bytes / 8);
	let bestMs = Number.POSITIVE_INFINITY;
	for (let i = 0; i < repeats; i++) {
		const start = nowNs();
		dst.set(src);
		bestMs = Math.min(bestMs, elapsedMs(start));
	}
	return (2 * bytes) / (bestMs * 1e6);
}

/** Runs the whole measurement in this thread. */
export async function runMeasurement(
	options: MeasureOptions,
	onProgress: (p: MeasureProgress) => void = () => {},
): Promise<MeasurementResult> {
	const started = nowNs();
	const plan = measurePlan(options.quick, options.kernels);
	const tf = (await import("@tensorflow/tfjs-core")) as TfModule;
	tf.enableProdMode();
	const selection = await selectBackend(options.backend, tfjsLoaders(tf));
	const copyGbps = measureCopyGbps();
	const cacheCopyGbps = measureCopyGbps(CACHE_COPY_BYTES / 2, 200);
	const total = plan.kernels.length * plan.batches.length * plan.passes;
	let done = 0;
	for (const spec of plan.kernels) {
		onProgress({ done, total, label: `warm-up ${spec.name}` });
		const instance = instantiateKernel(tf, spec);
		const run = instance.atBatch(1);
		const start = nowNs();
		for (let i = 0; i < 1000 && (i < 2 || elapsedMs(start) < plan.kernelWarmupMs); i++) run.run();
		run.dispose();
		instance.dispose();
	}
	const kernels: { spec: KernelSpec; points: KernelPoint[] }[] = plan.kernels.map((spec) => ({ spec, points: [] }));
	for (let pass = 1; pass <= plan.passes; pass++) {
		const passLabel = plan.passes > 1 ? ` (pass ${pass}/${plan.passes})` : "";
		for (const kernel of kernels) {
			const { spec, points } = kernel;
			const instance = instantiateKernel(tf, spec);
			try {
				if (pass > 1) {
					// The same batches and sample counts as the first pass; the lower median stays.
					for (let i = 0; i < points.length; i++) {
						const first = points[i] as KernelPoint;
						onProgress({ done, total, label: `${spec.name} b=${first.batch}${passLabel}` });
						const again = measurePoint(spec, first.batch, instance.atBatch(first.batch), plan, first.samplesMs.length);
						if (again.medianMs < first.medianMs) points[i] = again;
						done += 1;
					}
					done += plan.batches.length - points.length;
					continue;
				}
				for (const batch of plan.batches) {
					const last = points[points.length - 1];
					const predictedMs = last === undefined ? 0 : (last.medianMs * kernelFlops(spec, batch)) / last.flops;
					if (points.length >= plan.minPoints && predictedMs > plan.maxSampleMs) {
						done += 1;
						onProgress({
							done,
							total,
							label: `${spec.name} b=${batch} skipped (~${Math.round(predictedMs)} ms a run)`,
						});
						continue;
					}
					onProgress({ done, total, label: `${spec.name} b=${batch}${passLabel}` });
					points.push(measurePoint(spec, batch, instance.atBatch(batch), plan));
					done += 1;
				}
			} finally {
				instance.dispose();
			}
		}
	}
	onProgress({ done: total, total, label: "done" });
	return {
		backend: selection.backend,
		backendsTried: selection.tried,
		...(selection.gpu === undefined ? {} : { gpu: selection.gpu }),
		tfjsVersion: tf.version_core,
		cpu: describeCpu(),
		copyGbps,
		cacheCopyGbps,
		quick: options.quick,
		samplesPerPoint: plan.maxSamples,
		kernels,
		wallMs: elapsedMs(started),
	};
}

function measurePoint(
	spec: KernelSpec,
	batch: number,
	run: { run(): void; dispose(): void },
	plan: MeasurePlan,
	fixedCount?: number,
): KernelPoint {
	try {
		let warmedMs = 0;
		let lastMs = 0;
		for (let i = 0; i < 4 && (i === 0 || warmedMs < plan.warmupMs); i++) {
			const start = nowNs();
			run.run();
			lastMs = elapsedMs(start);
			warmedMs += lastMs;
		}
		const count =
			fixedCount ?? Math.min(plan.maxSamples, Math.max(plan.minSamples, Math.ceil(plan.targetPointMs / lastMs)));
		const samplesMs: number[] = [];
		for (let i = 0; i < count; i++) {
			const start = nowNs();
			run.run();
			samplesMs.push(elapsedMs(start));
		}
		return pointFromSamples(batch, kernelFlops(spec, batch), kernelBytes(spec, batch), samplesMs);
	} finally {
		run.dispose();
	}
}

// ---------------------------------------------------------------------------------------------
// Worker thread

const JOB = "depin-twin-calibration";

type WorkerMessage =
	| { type: "progress"; progress: MeasureProgress }
	| { type: "result"; result: MeasurementResult }
	| { type: "error"; message: string; tried?: readonly BackendAttempt[] };

/**
 * Runs `runMeasurement` in a worker thread. Run from TypeScript sources (tests), the worker
 * registers tsx first, as Node cannot load .ts by itself.
 */
export function measureInWorker(
	options: MeasureOptions,
	onProgress: (p: MeasureProgress) => void = () => {},
): Promise<MeasurementResult> {
	const self = import.meta.url;
	const data = { job: JOB, options };
	const worker = self.endsWith(".ts")
		? new Worker(
				`import(${JSON.stringify(tsxApiUrl())}).then((api) => { api.register(); return import(${JSON.stringify(self)}); });`,
				{ eval: true, workerData: data },
			)
		: // By name, not `self`: in the bundled CLI this code may sit in a chunk beside a measure.js entry.
			new Worker(new URL("./measure.js", self), { workerData: data });
	return new Promise((resolve, reject) => {
		let settled = false;
		worker.on("message", (message: WorkerMessage) => {
			if (message.type === "progress") onProgress(message.progress);
			else if (message.type === "result") {
				settled = true;
				resolve(message.result);
				void worker.terminate();
			} else {
				settled = true;
				void worker.terminate();
				reject(
					message.tried === undefined
						? new Error(message.message)
						: new BackendUnavailableError(message.message, message.tried),
				);
			}
		});
		worker.on("error", (error) => {
			settled = true;
			reject(error);
		});
		worker.on("exit", (code) => {
			if (!settled) reject(new Error(`the calibration worker exited (code ${code}) without a result`));
		});
	});
}

function tsxApiUrl(): string {
	// The ESM entry of tsx/esm/api (require.resolve gives the CommonJS one beside it).
	const cjs = createRequire(import.meta.url).resolve("tsx/esm/api");
	return pathToFileURL(cjs.replace(/\.cjs$/, ".mjs")).href;
}

function isJob(data: unknown): data is { job: string; options: MeasureOptions } {
	return typeof data === "object" && data !== null && (data as { job?: unknown }).job === JOB;
}

if (!isMainThread && isJob(workerData) && parentPort !== null) {
	const port = parentPort;
	runMeasurement(workerData.options, (progress) => port.postMessage({ type: "progress", progress })).then(
		(result) => port.postMessage({ type: "result", result } satisfies WorkerMessage),
		(error: unknown) =>
			port.postMessage({
				type: "error",
				message: error instanceof Error ? error.message : String(error),
				...(error instanceof BackendUnavailableError ? { tried: error.tried } : {}),
			} satisfies WorkerMessage),
	);
}
