/**
 * Checks the latency model against published GPU measurements that someone else made
 * (scenarios/calibration/validation.csv): each row is one workload on one GPU class at one batch
 * size, with the published figure, the workload's roofline cost and the source. The model
 * predicts the same figure from the GPU's spec peaks and the profile's efficiency for that class
 * (`efficiencyFor`), and the relative error says how far off it is.
 *
 * Columns (one row per published figure):
 *   gpu                a GPU class id of gpus.csv
 *   workload           what ran (model, precision, runtime), free text
 *   batch              concurrent requests (sequences) per batch, integer ≥ 1
 *   metric             tokens_per_s (batch · tokens_per_request per batch time, summed over the batch),
 *                      latency_ms (time of one batch) or iterations_per_s (batches per second: 1000 ÷ the
 *                      batch time in ms, e.g. a diffusion pipeline's it/s, one UNet step of the whole batch)
 *                      or samples_per_s (batch · 1000 ÷ the batch time in ms: images, queries)
 *   published          the published figure, in the metric's unit
 *   prefill_gflop      compute per request done once (prompt), GFLOP
 *   decode_steps       sequential steps per request (tokens generated), ≥ 0
 *   step_gflop         compute per request per step, GFLOP (2 × parameters for a transformer)
 *   weights_gb         bytes read per step (weights), GB (10⁹ bytes)
 *   tokens_per_request tokens each request yields, for tokens_per_s
 *   prompt_tokens      optional: tokens of KV cache each request holds from its prompt (empty: 0)
 *   kv_bytes_per_token optional: KV-cache bytes per token of context (empty: 0, no KV term); a decode step
 *                      then reads every request's KV cache besides the weights (models/latency.ts)
 *   precision          optional: fp16 (empty), fp8 or int8, the tensor peak the workload runs at: fp8 and int8
 *                      take the class's fp8_tensor_tflops or int8_tops in place of the FP16 peak (operation
 *                      counts stay 2 per multiply-add)
 *   source_url, source_date, note   where the figure was published, when, and anything needed to read it
 *   regime             optional group for the signed-error summary (e.g. "F16 decode"); empty: "prompt"
 *                      for a row without decode steps, else "decode"
 *   excluded           empty, or why the row is left out of the headline median (it is still predicted,
 *                      shown and counted in the all-rows median)
 */
import { median } from "../../sim/stats.js";
import type { GpuSpec } from "../catalog.js";
import { CsvColumns, parseCsv } from "../csv.js";
import { type CalibrationProfile, type ComputeCost, computeTimeMs, efficiencyFor } from "../latency.js";

export const VALIDATION_METRICS = ["tokens_per_s", "latency_ms", "iterations_per_s", "samples_per_s"] as const;
export type ValidationMetric = (typeof VALIDATION_METRICS)[number];

export const VALIDATION_PRECISIONS = ["fp16", "fp8", "int8"] as const;
export type ValidationPrecision = (typeof VALIDATION_PRECISIONS)[number];

/**
 * The regimes the headline is split into: batch-1 decode, prompt processing (no decode step),
 * batched LLM serving (batch > 1), image generation (regime label starting "image") and vision
 * models (regime label starting "vision", e.g. classification).
 */
export const VALIDATION_FAMILIES = ["decode", "prompt", "batched", "image", "vision"] as const;
export type ValidationFamily = (typeof VALIDATION_FAMILIES)[number];

/** One published figure and the workload it measured. */
export interface ValidationRow {
	readonly gpu: string;
	readonly workload: string;
	readonly batch: number;
	readonly metric: ValidationMetric;
	readonly published: number;
	readonly compute: ComputeCost;
	readonly tokensPerRequest: number;
	readonly sourceUrl: string;
	readonly sourceDate: string;
	readonly note: string;
	/** Empty, or why the row is left out of the headline median. */
	readonly excluded: string;
	/** Group for the signed-error summary. */
	readonly regime: string;
	/** The tensor peak the workload runs at (absent: fp16). */
	readonly precision?: ValidationPrecision;
}

/**
 * One of the four regimes: its included rows' median |error|. No signed median: a family may mix
 * rates and latencies, whose signs mean opposite things (the regime lines keep the sign).
 */
export interface FamilyError {
	readonly family: ValidationFamily;
	readonly count: number;
	readonly medianAbsError: number;
}

/** Signed relative errors of one regime's included rows: where one efficiency per tier over- or under-shoots. */
export interface RegimeError {
	readonly regime: string;
	readonly count: number;
	readonly medianError: number;
	readonly minError: number;
	readonly maxError: number;
}

/** A row with the model's prediction: relativeError = (predicted − published) ÷ published. */
export interface ValidationResult extends ValidationRow {
	readonly predicted: number;
	readonly relativeError: number;
	/** Where the class's efficiency came from: "tier <tier>" or the measured profile. */
	readonly efficiencySource: string;
}

export interface ValidationSummary {
	readonly rows: readonly ValidationResult[];
	/** Median of |relativeError| over the rows not excluded (NaN when every row is). */
	readonly medianAbsError: number;
	/** Median of |relativeError| over every row, excluded ones too. */
	readonly medianAbsErrorAll: number;
	/** Rows not excluded. */
	readonly includedCount: number;
	/** Signed errors by regime over the included rows, in the table's order. */
	readonly regimes: readonly RegimeError[];
	/** Median |error| per family (decode, prompt, batched, image, vision) over the included rows; families without rows left out. */
	readonly families: readonly FamilyError[];
	/** Distinct GPU classes among the rows. */
	readonly gpuClasses: readonly string[];
}

/** Reads a validation table; errors (CsvError) name the file, line and column. */
export function parseValidationCsv(text: string, file: string, gpus: readonly GpuSpec[]): ValidationRow[] {
	const c = new CsvColumns(parseCsv(text, file));
	c.require("gpu", "workload", "batch", "metric", "published", "source_url", "source_date");
	const byId = new Map(gpus.map((g) => [g.id, g]));
	const has = (column: string) => c.table.header.includes(column);
	const rows: ValidationRow[] = [];
	for (let r = 0; r < c.rowCount; r++) {
		const gpu = c.requiredString(r, "gpu").trim();
		const spec = byId.get(gpu) ?? c.fail(r, "gpu", `${JSON.stringify(gpu)} is no GPU class of gpus.csv`);
		const batch = c.number(r, "batch");
		if (!(Number.isInteger(batch) && batch >= 1)) c.fail(r, "batch", `must be an integer ≥ 1, got ${batch}`);
		const metric = oneOf(c, r, "metric", VALIDATION_METRICS, undefined);
		const precision = oneOf(c, r, "precision", VALIDATION_PRECISIONS, "fp16");
		if (!(tensorPeak(spec, precision) > 0)) c.fail(r, "precision", `${gpu} has no ${precision} tensor peak`);
		const published = c.number(r, "published");
		if (!(published > 0)) c.fail(r, "published", `must be > 0, got ${published}`);
		const compute = computeOf(c, r);
		const tokensPerRequest = nonNegative(c, r, "tokens_per_request");
		if (metric === "tokens_per_s" && !(tokensPerRequest > 0)) c.fail(r, "tokens_per_request", "must be > 0");
		rows.push({
			gpu,
			workload: c.requiredString(r, "workload").trim(),
			batch,
			metric,
			published,
			compute,
			tokensPerRequest,
			sourceUrl: c.requiredString(r, "source_url").trim(),
			sourceDate: c.requiredString(r, "source_date").trim(),
			note: c.string(r, "note").trim(),
			excluded: has("excluded") ? c.string(r, "excluded").trim() : "",
			regime: (has("regime") ? c.string(r, "regime").trim() : "") || (compute.decodeSteps === 0 ? "prompt" : "decode"),
			precision,
		});
	}
	return rows;
}

/** An optional number column: 0 when absent or empty, else ≥ 0. */
function nonNegative(c: CsvColumns, r: number, column: string): number {
	if (!c.table.header.includes(column)) return 0;
	const x = c.optionalNumber(r, column);
	if (Number.isNaN(x)) return 0;
	if (x < 0) c.fail(r, column, `must be ≥ 0, got ${x}`);
	return x;
}

/** A column whose value is one of `allowed`; empty or absent gives `fallback` (undefined: required). */
function oneOf<T extends string>(
	c: CsvColumns,
	r: number,
	column: string,
	allowed: readonly T[],
	fallback: T | undefined,
): T {
	const value = c.table.header.includes(column) ? c.string(r, column).trim() : "";
	if (value === "" && fallback !== undefined) return fallback;
	if (!(allowed as readonly string[]).includes(value)) {
		c.fail(r, column, `must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
	}
	return value as T;
}

/** A row's roofline cost; the KV fields only when the table gives a KV size. */
function computeOf(c: CsvColumns, r: number): ComputeCost {
	const kvCacheBytesPerToken = nonNegative(c, r, "kv_bytes_per_token");
	const base = {
		prefillGflop: nonNegative(c, r, "prefill_gflop"),
		decodeSteps: nonNegative(c, r, "decode_steps"),
		stepGflop: nonNegative(c, r, "step_gflop"),
		weightsGb: nonNegative(c, r, "weights_gb"),
		overheadMs: 0,
	};
	if (kvCacheBytesPerToken === 0) return base;
	return { ...base, kvCacheBytesPerToken, promptTokens: nonNegative(c, r, "prompt_tokens") };
}

/**
 * The model's figure for a row, from the simulator's own batch time (`computeTimeMs`: one prefill
 * of the whole batch, then decode steps that read the weights once for the batch, each request's
 * KV cache, and do batch × step compute, the roofline maximum of the two): the batch time, tokens
 * per second over it, or batches per second. An fp8 row runs on the class's FP8 tensor peak.
 */
export function predictRow(row: ValidationRow, gpu: GpuSpec, profile: CalibrationProfile): number {
	const precision = row.precision ?? "fp16";
	const spec = precision === "fp16" ? gpu : { ...gpu, fp16TensorTflops: tensorPeak(gpu, precision) };
	const ms = computeTimeMs(row.batch, spec, row.compute, efficiencyFor(profile, gpu));
	if (row.metric === "latency_ms") return ms;
	if (row.metric === "iterations_per_s") return 1000 / ms;
	if (row.metric === "samples_per_s") return (row.batch * 1000) / ms;
	return (row.batch * row.tokensPerRequest * 1000) / ms;
}

/** The class's dense tensor peak at a precision, TFLOP/s (TOP/s for int8); NaN where it has none. */
function tensorPeak(gpu: GpuSpec, precision: ValidationPrecision): number {
	if (precision === "fp8") return gpu.fp8TensorTflops;
	return precision === "int8" ? gpu.int8Tops : gpu.fp16TensorTflops;
}

/** A row's family: image or vision by its regime label, else prompt without decode steps, batched above batch 1, else decode. */
export function familyOf(row: ValidationRow): ValidationFamily {
	if (/^image/i.test(row.regime)) return "image";
	if (/^vision/i.test(row.regime)) return "vision";
	if (row.compute.decodeSteps === 0) return "prompt";
	return row.batch > 1 ? "batched" : "decode";
}

/** Every row predicted with `profile`, and the median absolute relative error. */
export function validateProfile(
	rows: readonly ValidationRow[],
	gpus: readonly GpuSpec[],
	profile: CalibrationProfile,
): ValidationSummary {
	if (rows.length === 0) throw new RangeError("no validation rows");
	const byId = new Map(gpus.map((g) => [g.id, g]));
	const results = rows.map((row): ValidationResult => {
		const gpu = byId.get(row.gpu);
		if (gpu === undefined) throw new RangeError(`no GPU class ${row.gpu}`);
		const predicted = predictRow(row, gpu, profile);
		const source = profile.classSources[gpu.id];
		return {
			...row,
			predicted,
			relativeError: (predicted - row.published) / row.published,
			efficiencySource: source === undefined ? `tier ${gpu.tier}` : `measured (${source.profile})`,
		};
	});
	const included = results.filter((r) => r.excluded === "");
	return {
		rows: results,
		medianAbsError: absMedian(included),
		medianAbsErrorAll: absMedian(results),
		includedCount: included.length,
		regimes: regimeErrors(included),
		families: familyErrors(included),
		gpuClasses: [...new Set(included.map((r) => r.gpu))],
	};
}

function absMedian(rows: readonly ValidationResult[]): number {
	return rows.length === 0 ? Number.NaN : median(rows.map((r) => Math.abs(r.relativeError)));
}

/** Median |error| per family, in VALIDATION_FAMILIES order; empty families left out. */
export function familyErrors(rows: readonly ValidationResult[]): FamilyError[] {
	return VALIDATION_FAMILIES.flatMap((family) => {
		const members = rows.filter((r) => familyOf(r) === family);
		if (members.length === 0) return [];
		return [{ family, count: members.length, medianAbsError: absMedian(members) }];
	});
}

/** Signed-error spread per regime, in first-appearance order. */
export function regimeErrors(rows: readonly ValidationResult[]): RegimeError[] {
	const groups = new Map<string, number[]>();
	for (const r of rows) {
		const errors = groups.get(r.regime) ?? [];
		errors.push(r.relativeError);
		groups.set(r.regime, errors);
	}
	return [...groups].map(([regime, errors]) => ({
		regime,
		count: errors.length,
		medianError: median(errors),
		minError: Math.min(...errors),
		maxError: Math.max(...errors),
	}));
}

/** A fixed-width table of the rows and the median, for the terminal. */
export function formatValidation(summary: ValidationSummary): string {
	const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
	const lines = [
		`${"gpu".padEnd(15)} ${"workload".padEnd(40)} ${"batch".padStart(5)} ${"metric".padEnd(12)} ${"published".padStart(10)} ${"predicted".padStart(10)} ${"error".padStart(8)}  efficiency`,
	];
	for (const r of summary.rows) {
		lines.push(
			`${r.gpu.padEnd(15)} ${r.workload.slice(0, 40).padEnd(40)} ${String(r.batch).padStart(5)} ${r.metric.padEnd(12)} ${r.published.toPrecision(4).padStart(10)} ${r.predicted.toPrecision(4).padStart(10)} ${pct(r.relativeError).padStart(8)}  ${r.efficiencySource}${r.excluded === "" ? "" : `  [excluded: ${r.excluded}]`}`,
		);
	}
	const excludedCount = summary.rows.length - summary.includedCount;
	lines.push(
		"",
		`median |error| ${(summary.medianAbsError * 100).toFixed(1)}% over ${summary.includedCount} published figures on ${summary.gpuClasses.length} GPU classes (${summary.gpuClasses.join(", ")})`,
		`median |error| ${(summary.medianAbsErrorAll * 100).toFixed(1)}% over all ${summary.rows.length} figures, the ${excludedCount} excluded included`,
		"",
		"median |error| by family (included rows):",
	);
	for (const f of summary.families) {
		lines.push(
			`  ${f.family.padEnd(14)} ${String(f.count).padStart(2)} rows  median |error| ${(f.medianAbsError * 100).toFixed(1).padStart(5)}%`,
		);
	}
	lines.push(
		"",
		"signed error by regime (included rows; negative: the model predicts a lower rate than measured, or for latency_ms a shorter time):",
	);
	for (const g of summary.regimes) {
		lines.push(
			`  ${g.regime.padEnd(14)} ${String(g.count).padStart(2)} rows  median ${pct(g.medianError).padStart(8)}  range ${pct(g.minError)} to ${pct(g.maxError)}`,
		);
	}
	return lines.join("\n");
}
