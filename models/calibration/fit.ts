/**
 * Fits the roofline latency model to measured medians, states the machine's peaks, and scales
 * the result to every GPU class.
 *
 *   latency(batch) = overheadMs + max(flops(batch) / effectiveGflops, bytes(batch) / effectiveGbps)
 *
 * The three parameters are fitted in log space (so they stay positive and a ×2 step costs the
 * same everywhere) by Nelder–Mead from a grid of starts, minimising the sum of squared relative
 * errors; then, with each point assigned to the roof it sits on, the same objective is linear in
 * (overheadMs, 1/GFLOP/s, 1/GB/s) and a weighted least-squares step lands on the exact optimum.
 * A roof that no point touches is not identified by the data: it is reported at the lowest value
 * consistent with it (where it would just start to bind) and `bindingRoof` says so.
 */
import { median } from "../../sim/stats.js";
import type { GpuSpec } from "../catalog.js";
import type { Efficiency, GpuPredictions, KernelFit, KernelMeasurement, KernelPoint } from "../latency.js";
import { FULL_BATCHES, findKernel, kernelBytes, kernelFlops } from "./kernels.js";

/** GFLOP/s and GB/s in per-millisecond units: 1 GFLOP/s = 10⁶ FLOP/ms. */
const PER_MS = 1e6;

export interface FitPoint {
	readonly batch: number;
	readonly flops: number;
	readonly bytes: number;
	readonly medianMs: number;
}

export interface RooflineParams {
	readonly overheadMs: number;
	readonly effectiveGflops: number;
	readonly effectiveGbps: number;
}

export type RooflineFit = RooflineParams &
	Pick<KernelFit, "rSquared" | "maxRelativeError"> & { readonly bindingRoof: "compute" | "memory" | "both" };

/** The model's latency for one point, ms. */
export function rooflineMs(work: { flops: number; bytes: number }, p: RooflineParams): number {
	return p.overheadMs + Math.max(work.flops / (p.effectiveGflops * PER_MS), work.bytes / (p.effectiveGbps * PER_MS));
}

/** Linear-interpolation quantile (type 7) of a sorted array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
	if (sorted.length === 0) throw new RangeError("quantile of no values");
	const h = (sorted.length - 1) * q;
	const lo = Math.floor(h);
	const a = sorted[lo] as number;
	const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
	return a + (h - lo) * (b - a);
}

/** A point's summary statistics from its timed samples (the samples kept as given). */
export function pointFromSamples(
	batch: number,
	flops: number,
	bytes: number,
	samplesMs: readonly number[],
): KernelPoint {
	const sorted = [...samplesMs].sort((a, b) => a - b);
	const medianMs = quantileSorted(sorted, 0.5);
	return {
		batch,
		flops,
		bytes,
		samplesMs: [...samplesMs],
		medianMs,
		p10Ms: quantileSorted(sorted, 0.1),
		p90Ms: quantileSorted(sorted, 0.9),
		achievedGflops: flops / medianMs / PER_MS,
		achievedGbps: bytes / medianMs / PER_MS,
	};
}

/** Fits the roofline to points with positive medians (at least one). */
export function fitRoofline(points: readonly FitPoint[]): RooflineFit {
	if (points.length === 0) throw new RangeError("no points to fit");
	for (const p of points) {
		if (!(p.medianMs > 0) || !(p.flops >= 0) || !(p.bytes >= 0)) {
			throw new RangeError(`bad point at batch ${p.batch}: median ${p.medianMs} ms, ${p.flops} FLOP, ${p.bytes} B`);
		}
	}
	const minMs = Math.min(...points.map((p) => p.medianMs));
	// Each rate is at least the best any point achieved (the overhead only adds time).
	const gflops0 = Math.max(...points.map((p) => p.flops / p.medianMs / PER_MS), 1e-9);
	const gbps0 = Math.max(...points.map((p) => p.bytes / p.medianMs / PER_MS), 1e-9);
	const floorMs = minMs * 1e-9;
	const toParams = (x: readonly number[]): RooflineParams => ({
		overheadMs: Math.max(Math.exp(x[0] as number), floorMs),
		effectiveGflops: Math.exp(x[1] as number),
		effectiveGbps: Math.exp(x[2] as number),
	});
	const objective = (x: readonly number[]) => relativeSse(points, toParams(x));

	const starts: number[][] = [];
	for (const o of [0.01, 0.1, 0.3, 0.7]) {
		for (const f of [1, 1.3, 2, 4]) {
			for (const w of [1, 1.3, 2, 4, 16]) {
				starts.push([Math.log(o * minMs), Math.log(f * gflops0), Math.log(w * gbps0)]);
			}
		}
	}
	starts.sort((a, b) => objective(a) - objective(b));
	let best = starts[0] as number[];
	let bestValue = objective(best);
	for (const start of starts.slice(0, 6)) {
		const { x, value } = nelderMeadRestarted(objective, start, { step: 0.5, iterations: 2000, restarts: 20 });
		if (value < bestValue) {
			best = x;
			bestValue = value;
		}
	}
	const params = polish(points, toParams(best));
	return describeFit(points, params);
}

function relativeSse(points: readonly FitPoint[], p: RooflineParams): number {
	let sum = 0;
	for (const point of points) {
		const r = (rooflineMs(point, p) - point.medianMs) / point.medianMs;
		sum += r * r;
	}
	return sum;
}

/**
 * Nelder–Mead restarted from its last optimum until a restart improves the value by less than
 * a relative `tolerance` (the simplex can stall before the minimum).
 */
export function nelderMeadRestarted(
	objective: (x: readonly number[]) => number,
	start: readonly number[],
	options: { step: number; iterations: number; restarts: number; tolerance?: number; floor?: number },
): { x: number[]; value: number } {
	const tolerance = options.tolerance ?? 1e-12;
	const floor = options.floor ?? Number.NEGATIVE_INFINITY;
	let x = [...start];
	let value = objective(x);
	for (let restart = 0; restart < options.restarts; restart++) {
		const next = nelderMead(objective, x, options.step, options.iterations);
		const improved = next.value < value * (1 - tolerance) && next.value > floor;
		x = next.x;
		value = Math.min(value, next.value);
		if (!improved) break;
	}
	return { x, value };
}

/** Nelder–Mead simplex minimiser (standard coefficients) from `x0` with initial step `step`. */
export function nelderMead(
	f: (x: readonly number[]) => number,
	x0: readonly number[],
	step: number,
	maxIterations: number,
): { x: number[]; value: number } {
	const n = x0.length;
	let simplex = [x0.slice()];
	for (let i = 0; i < n; i++) {
		const x = x0.slice();
		x[i] = (x[i] as number) + step;
		simplex.push(x);
	}
	let values = simplex.map(f);
	for (let iteration = 0; iteration < maxIterations; iteration++) {
		const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
		simplex = order.map((i) => simplex[i] as number[]);
		values = order.map((i) => values[i] as number);
		const bestValue = values[0] as number;
		const worstValue = values[n] as number;
		if (Math.abs(worstValue - bestValue) <= 1e-15 * (Math.abs(bestValue) + 1e-300)) break;
		const centroid = new Array<number>(n).fill(0);
		for (let i = 0; i < n; i++)
			for (let j = 0; j < n; j++) centroid[j] = (centroid[j] as number) + (simplex[i]?.[j] as number) / n;
		const worst = simplex[n] as number[];
		const along = (t: number) => centroid.map((c, j) => c + t * (c - (worst[j] as number)));
		const reflected = along(1);
		const reflectedValue = f(reflected);
		if (reflectedValue < bestValue) {
			const expanded = along(2);
			const expandedValue = f(expanded);
			if (expandedValue < reflectedValue) {
				simplex[n] = expanded;
				values[n] = expandedValue;
			} else {
				simplex[n] = reflected;
				values[n] = reflectedValue;
			}
		} else if (reflectedValue < (values[n - 1] as number)) {
			simplex[n] = reflected;
			values[n] = reflectedValue;
		} else {
			const outside = reflectedValue < worstValue;
			const contracted = along(outside ? 0.5 : -0.5);
			const contractedValue = f(contracted);
			if (contractedValue < (outside ? reflectedValue : worstValue)) {
				simplex[n] = contracted;
				values[n] = contractedValue;
			} else {
				const best = simplex[0] as number[];
				for (let i = 1; i <= n; i++) {
					simplex[i] = best.map((b, j) => b + 0.5 * ((simplex[i]?.[j] as number) - b));
					values[i] = f(simplex[i] as number[]);
				}
			}
		}
	}
	let bi = 0;
	for (let i = 1; i <= n; i++) if ((values[i] as number) < (values[bi] as number)) bi = i;
	return { x: simplex[bi] as number[], value: values[bi] as number };
}

/**
 * With each point fixed on its roof, minimises the relative SSE exactly by weighted least
 * squares in (overhead, 1/flops rate, 1/bytes rate); keeps the result when it is feasible,
 * consistent with the assignment and better. Repeats while the assignment changes.
 */
function polish(points: readonly FitPoint[], start: RooflineParams): RooflineParams {
	let params = start;
	let value = relativeSse(points, params);
	for (let round = 0; round < 10; round++) {
		const onCompute = points.map((p) => p.flops / params.effectiveGflops >= p.bytes / params.effectiveGbps);
		// Columns: overhead, flops (compute-bound points), bytes (memory-bound points); weights 1/y².
		const rows = points.map((p, i) => [1, onCompute[i] ? p.flops : 0, onCompute[i] ? 0 : p.bytes]);
		const used = [0, 1, 2].filter((c) => rows.some((r) => (r[c] as number) !== 0));
		const solve = (columns: number[]) =>
			weightedLeastSquares(
				rows.map((r) => columns.map((c) => r[c] as number)),
				points.map((p) => p.medianMs),
			);
		let solution = solve(used);
		let columns = used;
		if (solution !== undefined && used[0] === 0 && (solution[0] as number) < 0) {
			columns = used.slice(1);
			solution = solve(columns);
		}
		if (solution === undefined || solution.some((s, k) => !(s > 0) && columns[k] !== 0)) break;
		const get = (c: number) => {
			const k = columns.indexOf(c);
			return k < 0 ? undefined : (solution[k] as number);
		};
		const overhead = get(0) ?? 0;
		const inverseFlops = get(1);
		const inverseBytes = get(2);
		const candidate: RooflineParams = {
			overheadMs: Math.max(overhead, 0),
			effectiveGflops: inverseFlops === undefined ? params.effectiveGflops : 1 / inverseFlops / PER_MS,
			effectiveGbps: inverseBytes === undefined ? params.effectiveGbps : 1 / inverseBytes / PER_MS,
		};
		const candidateValue = relativeSse(points, candidate);
		if (!(candidateValue < value)) break;
		const changed = points.some(
			(p, i) => p.flops / candidate.effectiveGflops >= p.bytes / candidate.effectiveGbps !== onCompute[i],
		);
		params = candidate;
		value = candidateValue;
		if (!changed) break;
	}
	return params;
}

/** Minimises Σ((a·x − y)/y)²; undefined when singular. */
function weightedLeastSquares(rows: readonly number[][], y: readonly number[]): number[] | undefined {
	const k = rows[0]?.length ?? 0;
	if (k === 0) return undefined;
	// Scale columns to unit size first: FLOP counts and ones differ by 10¹⁰.
	const scale = new Array<number>(k).fill(0).map((_, c) => Math.max(...rows.map((r) => Math.abs(r[c] as number))) || 1);
	const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
	rows.forEach((row, i) => {
		const w = 1 / (y[i] as number) ** 2;
		for (let r = 0; r < k; r++) {
			const xr = (row[r] as number) / (scale[r] as number);
			for (let c = 0; c < k; c++)
				(a[r] as number[])[c] =
					((a[r] as number[])[c] as number) + w * xr * ((row[c] as number) / (scale[c] as number));
			(a[r] as number[])[k] = ((a[r] as number[])[k] as number) + w * xr * (y[i] as number);
		}
	});
	// Gaussian elimination with partial pivoting.
	for (let col = 0; col < k; col++) {
		let pivot = col;
		for (let r = col + 1; r < k; r++)
			if (Math.abs(a[r]?.[col] as number) > Math.abs(a[pivot]?.[col] as number)) pivot = r;
		if (Math.abs(a[pivot]?.[col] as number) < 1e-300) return undefined;
		[a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]];
		const p = a[col] as number[];
		for (let r = 0; r < k; r++) {
			if (r === col) continue;
			const row = a[r] as number[];
			const factor = (row[col] as number) / (p[col] as number);
			for (let c = col; c <= k; c++) row[c] = (row[c] as number) - factor * (p[c] as number);
		}
	}
	const x = a.map((row, r) => (row[k] as number) / (row[r] as number) / (scale[r] as number));
	return x.every(Number.isFinite) ? x : undefined;
}

/** Goodness of fit, and an unidentified roof moved to its lower bound. */
function describeFit(points: readonly FitPoint[], fitted: RooflineParams): RooflineFit {
	let params = fitted;
	const computeMs = (p: FitPoint) => p.flops / (params.effectiveGflops * PER_MS);
	const memoryMs = (p: FitPoint) => p.bytes / (params.effectiveGbps * PER_MS);
	const anyMemory = points.some((p) => memoryMs(p) >= computeMs(p) && p.bytes > 0);
	const anyCompute = points.some((p) => computeMs(p) >= memoryMs(p) && p.flops > 0);
	let bindingRoof: RooflineFit["bindingRoof"] = anyMemory && anyCompute ? "both" : anyMemory ? "memory" : "compute";
	if (!anyMemory) {
		// The lowest bandwidth that leaves every point where it is (it just binds on one).
		const lowest = Math.max(...points.map((p) => (p.flops > 0 ? (p.bytes / p.flops) * params.effectiveGflops : 0)));
		if (lowest > 0) params = { ...params, effectiveGbps: lowest };
	} else if (!anyCompute) {
		const lowest = Math.max(...points.map((p) => (p.bytes > 0 ? (p.flops / p.bytes) * params.effectiveGbps : 0)));
		if (lowest > 0) params = { ...params, effectiveGflops: lowest };
	}
	if (points.every((p) => p.flops === 0)) bindingRoof = "memory";
	const logs = points.map((p) => Math.log(p.medianMs));
	const meanLog = logs.reduce((a, b) => a + b, 0) / logs.length;
	let ssRes = 0;
	let ssTot = 0;
	let maxRelativeError = 0;
	points.forEach((p, i) => {
		const predicted = rooflineMs(p, params);
		ssRes += (Math.log(predicted) - (logs[i] as number)) ** 2;
		ssTot += ((logs[i] as number) - meanLog) ** 2;
		maxRelativeError = Math.max(maxRelativeError, Math.abs(predicted - p.medianMs) / p.medianMs);
	});
	const rSquared = ssTot > 0 ? 1 - ssRes / ssTot : ssRes < 1e-24 ? 1 : 0;
	return { ...params, rSquared, maxRelativeError, bindingRoof };
}

// ---------------------------------------------------------------------------------------------
// Machine peaks

export interface CpuInfo {
	readonly model: string;
	readonly cores: number;
	/** Nominal clock; 0 when unknown. */
	readonly clockMhz: number;
	readonly vendor: string;
	/** x86 CPU family (26 = AMD Zen 5); NaN when unknown. */
	readonly family: number;
	readonly flags: readonly string[];
}

export interface MachinePeak {
	readonly gflops: number;
	readonly gbps: number;
	readonly how: string;
	/** Copy bandwidth of a cache-sized buffer, GB/s (CPU measurements only). */
	readonly cacheGbps?: number;
	/** That buffer's size (source + destination), bytes. */
	readonly cacheBytes?: number;
}

const ASSUMED_CLOCK_MHZ = 2000;

/**
 * Single-precision FLOPs per cycle per core a backend can issue:
 * - wasm: SIMD128 has 4 FP32 lanes and no fused multiply-add (relaxed SIMD is off), so a
 *   multiply-add is two vector ops. AMD Zen (family ≥ 23) issues 2 FP multiplies and 2 FP adds
 *   a cycle (4 pipes) → 16; other x86 cores issue 2 vector FP ops a cycle → 8. One thread: the
 *   tfjs wasm backend runs single-threaded in Node.
 * - tensorflow on a CPU: native SIMD with two FMA units on every core — AVX-512 16 lanes × 2 × 2
 *   = 64, AVX2+FMA 8 × 2 × 2 = 32, else SSE 4 × 2 = 8.
 * - cpu: scalar JavaScript, one thread, a multiply and an add a cycle → 2.
 */
export function cpuFlopsPerCycle(backend: string, cpu: CpuInfo): { perCore: number; threads: number; why: string } {
	const has = (flag: string) => cpu.flags.includes(flag);
	if (backend === "wasm") {
		const zen = cpu.vendor === "AuthenticAMD" && cpu.family >= 23;
		return zen
			? { perCore: 16, threads: 1, why: "wasm SIMD128, 4 lanes × (2 mul + 2 add pipes of AMD Zen), 1 thread" }
			: { perCore: 8, threads: 1, why: "wasm SIMD128, 4 lanes × 2 vector FP ops/cycle, 1 thread" };
	}
	if (backend === "cpu") return { perCore: 2, threads: 1, why: "scalar JavaScript, mul + add per cycle, 1 thread" };
	if (has("avx512f")) {
		return { perCore: 64, threads: cpu.cores, why: "AVX-512, 16 lanes × FMA (2) × 2 units, all cores" };
	}
	if (has("avx2") && has("fma")) {
		return { perCore: 32, threads: cpu.cores, why: "AVX2, 8 lanes × FMA (2) × 2 units, all cores" };
	}
	return { perCore: 8, threads: cpu.cores, why: "SSE, 4 lanes × (mul + add), all cores" };
}

/**
 * The peaks that mfu and mbu are shares of. A GPU from gpus.csv (tensorflow backend on a known
 * GPU, or imported measurements) uses its dense FP16 tensor peak and memory bandwidth — the
 * figures the network model's mfu and mbu refer to. A CPU uses cores × clock × FLOPs/cycle
 * (`cpuFlopsPerCycle`) and the measured single-thread copy bandwidth (`copyGbps`: DRAM peak is
 * not visible from a VM, and one thread is what the wasm backend has).
 */
export function machinePeak(
	backend: string,
	cpu: CpuInfo,
	copyGbps: number,
	gpu?: GpuSpec,
	cache?: { readonly gbps: number; readonly bytes: number },
): MachinePeak {
	if (gpu !== undefined) {
		return {
			gflops: gpu.fp16TensorTflops * 1000,
			gbps: gpu.memoryBandwidthGbps,
			how: `${gpu.name} (${gpu.id}) from gpus.csv: dense FP16 tensor ${gpu.fp16TensorTflops} TFLOP/s and ${gpu.memoryBandwidthGbps} GB/s, the peaks the network model's mfu and mbu refer to`,
		};
	}
	const clockMhz = cpu.clockMhz > 0 ? cpu.clockMhz : ASSUMED_CLOCK_MHZ;
	const { perCore, threads, why } = cpuFlopsPerCycle(backend, cpu);
	const gflops = (threads * clockMhz * perCore) / 1000;
	const clockNote = cpu.clockMhz > 0 ? `${clockMhz} MHz nominal` : `clock unknown, ${clockMhz} MHz assumed`;
	return {
		gflops,
		gbps: copyGbps,
		how: `${cpu.model}: ${threads} thread(s) × ${clockNote} × ${perCore} FP32 FLOPs/cycle (${why}) = ${round(gflops)} GFLOP/s; bandwidth = measured single-thread copy (read + write) of 2 × 64 MiB, best of 5${cache === undefined ? "" : `; cache roof = the same copy of 2 × ${round(cache.bytes / 2 / 1024 / 1024)} MiB, best of many`}`,
		...(cache === undefined ? {} : { cacheGbps: cache.gbps, cacheBytes: cache.bytes }),
	};
}

/**
 * Finds the gpus.csv class a device name refers to: by id, by name (ignoring case, spaces and
 * "NVIDIA"/"GeForce"), else by the model in the id ("h100" in "NVIDIA H100 80GB HBM3"; the
 * longest such match wins). Variants the table lacks (H100 PCIe, A100 40GB) map to its row.
 */
export function matchGpu(device: string | undefined, gpus: readonly GpuSpec[]): GpuSpec | undefined {
	if (device === undefined) return undefined;
	const norm = (s: string) =>
		s
			.toLowerCase()
			.replace(/nvidia|geforce/g, "")
			.replace(/[^a-z0-9]/g, "");
	const key = norm(device);
	if (key === "") return undefined;
	const exact =
		gpus.find((g) => g.id.toLowerCase() === device.trim().toLowerCase()) ??
		gpus.find((g) => norm(g.name) === key || norm(g.id) === key);
	if (exact !== undefined) return exact;
	let best: GpuSpec | undefined;
	let bestLength = 0;
	for (const g of gpus) {
		const model = norm(g.id.split("-")[0] ?? "");
		// A two-letter model (l4, t4) must end the name: "Tesla T4" is a T4, "L40" is no L4.
		const found = model.length < 3 ? key.endsWith(model) : key.includes(model);
		if (model.length > bestLength && found) {
			best = g;
			bestLength = model.length;
		}
	}
	return best;
}

// ---------------------------------------------------------------------------------------------
// From kernels to the profile's efficiency and to every GPU class

/** A kernel's shares of the machine's roofs, the memory roof they refer to, and why it is left out (if it is). */
export interface FitJudgement {
	readonly mfu: number;
	readonly mbu: number;
	readonly memoryRoof: "dram" | "cache";
	readonly flag?: string;
}

/**
 * Judges a kernel's fit against the machine's roofs. mfu is the fitted FLOP rate over the peak;
 * mbu the fitted bandwidth over the DRAM copy bandwidth, or over the cache copy bandwidth when it
 * exceeds DRAM and the cache roof explains it (a working set that stays in cache). A share above 1
 * that no roof explains is never capped: the kernel is flagged, with the reason, and left out of
 * the profile's efficiency. An unbound compute roof (no compute-bound point) is not judged; an
 * unbound memory roof is, as its lowest consistent value above DRAM already says "cache".
 */
export function judgeFit(
	fit: RooflineFit,
	peak: Pick<MachinePeak, "gflops" | "gbps" | "cacheGbps">,
	points: readonly FitPoint[],
): FitJudgement {
	const mfu = fit.effectiveGflops / peak.gflops;
	const dramMbu = fit.effectiveGbps / peak.gbps;
	const explainedByCache = peak.cacheGbps !== undefined && fit.effectiveGbps <= peak.cacheGbps;
	// Judged whatever roof binds: an unbound memory roof is a lower bound, so above 1 it too says "cache".
	const onCache = dramMbu > 1 && explainedByCache;
	const memoryRoof = onCache ? "cache" : "dram";
	const mbu = onCache ? fit.effectiveGbps / (peak.cacheGbps as number) : dramMbu;
	const reasons: string[] = [];
	const smallest = points.reduce((a, b) => (b.batch < a.batch ? b : a), points[0] as FitPoint);
	const overheadShare = fit.overheadMs / smallest.medianMs;
	const overheadNote =
		overheadShare > 0.5
			? `; the fitted overhead is ${Math.round(overheadShare * 100)}% of the smallest batch's median (overhead-dominated points leave the rates poorly identified)`
			: "";
	if (fit.bindingRoof !== "memory" && mfu > 1) {
		reasons.push(
			`mfu ${round(mfu)} > 1: the fitted ${round(fit.effectiveGflops)} GFLOP/s exceeds the machine peak ${round(peak.gflops)} GFLOP/s (a clock above nominal, or a FLOP count above the work done)${overheadNote}`,
		);
	}
	if (dramMbu > 1 && !onCache) {
		const largest = Math.max(...points.map((p) => p.bytes));
		const cache =
			peak.cacheGbps === undefined
				? "no cache roof was measured"
				: `above the cache roof too (${round(peak.cacheGbps)} GB/s)`;
		reasons.push(
			`mbu ${round(dramMbu)} > 1 of the DRAM copy bandwidth ${round(peak.gbps)} GB/s and ${cache}: the working set (up to ${round(largest / 1e6)} MB a run) sits in cache${overheadNote}`,
		);
	}
	return { mfu, mbu, memoryRoof, ...(reasons.length > 0 ? { flag: reasons.join("; ") } : {}) };
}

/**
 * The profile's measured efficiency, from the kernels that are not flagged (`judgeFit`):
 * - mfu: the median fitted mfu over kernels with a point on the compute roof (else over all of
 *   them: then only a lower bound, as no point was compute-bound);
 * - mbu: the best share of DRAM bandwidth any point of a DRAM-roof kernel achieved (minimum
 *   bytes ÷ median time, MBU as serving engineers define it for decode). Not the fitted memory
 *   roofs: on a CPU the ridge is near 1 FLOP/byte and few points are memory-bound, and a fit may
 *   bend a compute-bound kernel onto a made-up memory roof to absorb noise.
 * Undefined when no kernel gives one of them (then the profile applies to no class).
 */
export function profileEfficiency(
	kernels: readonly Pick<KernelMeasurement, "fit" | "points">[],
	peak: { readonly gbps: number },
): Efficiency | undefined {
	const kept = kernels.filter((k) => k.fit.flag === undefined);
	const computeBound = kept.filter((k) => k.fit.bindingRoof !== "memory").map((k) => k.fit.mfu);
	const achieved = kept
		.filter((k) => k.fit.memoryRoof !== "cache")
		.flatMap((k) => k.points.map((p) => p.achievedGbps / peak.gbps));
	if (kept.length === 0 || achieved.length === 0) return undefined;
	const mfu = median(computeBound.length > 0 ? computeBound : kept.map((k) => k.fit.mfu));
	const mbu = Math.max(...achieved);
	return mbu > 0 && mbu <= 1 ? { mfu, mbu } : undefined;
}

/**
 * Latency vs batch of every kernel on every GPU class: the kernel's roofline with the GPU's
 * dense FP16 tensor peak × mfu and memory bandwidth × mbu, taken from `efficiencyOf(gpu)` — the
 * efficiency the network model uses for that class (its tier's, unless the profile measured that
 * very class). The overhead is the kernel's fitted overhead (host-side dispatch: it does not
 * scale with the GPU). On `measuredGpuId` — the class the profile was measured on — the fitted
 * effective rates are used as they are. Batches: 1 … 256 for catalogue kernels, the measured
 * batches for imported ones.
 */
export function predictGpus(
	kernels: readonly KernelMeasurement[],
	gpus: readonly GpuSpec[],
	efficiencyOf: (gpu: GpuSpec) => Efficiency,
	measuredGpuId?: string,
): GpuPredictions {
	const out: Record<string, Record<string, { batch: number; predictedMs: number }[]>> = {};
	for (const gpu of gpus) {
		const byKernel: Record<string, { batch: number; predictedMs: number }[]> = {};
		const { mfu, mbu } = efficiencyOf(gpu);
		for (const kernel of kernels) {
			const { fit } = kernel;
			const params: RooflineParams =
				gpu.id === measuredGpuId
					? fit
					: {
							overheadMs: fit.overheadMs,
							effectiveGflops: gpu.fp16TensorTflops * 1000 * mfu,
							effectiveGbps: gpu.memoryBandwidthGbps * mbu,
						};
			const spec = findKernel(kernel.name);
			const work =
				spec !== undefined && spec.kind === kernel.kind
					? FULL_BATCHES.map((batch) => ({ batch, flops: kernelFlops(spec, batch), bytes: kernelBytes(spec, batch) }))
					: kernel.points.map((p) => ({ batch: p.batch, flops: p.flops, bytes: p.bytes }));
			byKernel[kernel.name] = work.map((w) => ({ batch: w.batch, predictedMs: rooflineMs(w, params) }));
		}
		out[gpu.id] = byKernel;
	}
	return out;
}

function round(x: number): number {
	return Number(x.toPrecision(4));
}
