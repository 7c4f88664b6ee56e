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
 *   metric             tokens_per_s (batch · tokens_per_request per batch time, summed over the batch)
 *                      or latency_ms (time of one batch)
 *   published          the published figure, in the metric's unit
 *   prefill_gflop      compute per request done once (prompt), GFLOP
 *   decode_steps       sequential steps per request (tokens generated), ≥ 0
 *   step_gflop         compute per request per step, GFLOP (2 × parameters for a transformer)
 *   weights_gb         bytes read per step (weights), GB (10⁹ bytes)
 *   tokens_per_request tokens each request yields, for tokens_per_s
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

export const VALIDATION_METRICS = ["tokens_per_s", "latency_ms"] as const;
export type ValidationMetric = (typeof VALIDATION_METRICS)[number];

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
	/** Distinct GPU classes among the rows. */
	readonly gpuClasses: readonly string[];
}

/** Reads a validation table; errors (CsvError) name the file, line and column. */
export function parseValidationCsv(text: string, file: string, gpus: readonly GpuSpec[]): ValidationRow[] {
	const c = new CsvColumns(parseCsv(text, file));
	c.require("gpu", "workload", "batch", "metric", "published", "source_url", "source_date");
	const ids = new Set(gpus.map((g) => g.id));
	const hasExcluded = c.table.header.includes("excluded");
	const hasRegime = c.table.header.includes("regime");
	const rows: ValidationRow[] = [];
	const work = (r: number, column: string) => {
		const x = c.optionalNumber(r, column);
		if (Number.isNaN(x)) return 0;
		if (x < 0) c.fail(r, column, `must be ≥ 0, got ${x}`);
		return x;
	};
	for (let r = 0; r < c.rowCount; r++) {
		const gpu = c.requiredString(r, "gpu").trim();
		if (!ids.has(gpu)) c.fail(r, "gpu", `${JSON.stringify(gpu)} is no GPU class of gpus.csv`);
		const batch = c.number(r, "batch");
		if (!(Number.isInteger(batch) && batch >= 1)) c.fail(r, "batch", `must be an integer ≥ 1, got ${batch}`);
		const metric = c.requiredString(r, "metric").trim();
		if (!(VALIDATION_METRICS as readonly string[]).includes(metric)) {
			c.fail(r, "metric", `must be one of ${VALIDATION_METRICS.join(", ")}, got ${JSON.stringify(metric)}`);
		}
		const published = c.number(r, "published");
		if (!(published > 0)) c.fail(r, "published", `must be > 0, got ${published}`);
		const compute: ComputeCost = {
			prefillGflop: work(r, "prefill_gflop"),
			decodeSteps: work(r, "decode_steps"),
			stepGflop: work(r, "step_gflop"),
			weightsGb: work(r, "weights_gb"),
			overheadMs: 0,
		};
		const tokensPerRequest = work(r, "tokens_per_request");
		if (metric === "tokens_per_s" && !(tokensPerRequest > 0)) c.fail(r, "tokens_per_request", "must be > 0");
		rows.push({
			gpu,
			workload: c.requiredString(r, "workload").trim(),
			batch,
			metric: metric as ValidationMetric,
			published,
			compute,
			tokensPerRequest,
			sourceUrl: c.requiredString(r, "source_url").trim(),
			sourceDate: c.requiredString(r, "source_date").trim(),
			note: c.string(r, "note").trim(),
			excluded: hasExcluded ? c.string(r, "excluded").trim() : "",
			regime: (hasRegime ? c.string(r, "regime").trim() : "") || (compute.decodeSteps === 0 ? "prompt" : "decode"),
		});
	}
	return rows;
}

/** The model's figure for a row: the batch time, or tokens per second over it. */
export function predictRow(row: ValidationRow, gpu: GpuSpec, profile: CalibrationProfile): number {
	const ms = computeTimeMs(row.batch, gpu, row.compute, efficiencyFor(profile, gpu));
	return row.metric === "latency_ms" ? ms : (row.batch * row.tokensPerRequest * 1000) / ms;
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
	const absMedian = (rs: readonly ValidationResult[]) =>
		rs.length === 0 ? Number.NaN : median(rs.map((r) => Math.abs(r.relativeError)));
	return {
		rows: results,
		medianAbsError: absMedian(included),
		medianAbsErrorAll: absMedian(results),
		includedCount: included.length,
		regimes: regimeErrors(included),
		gpuClasses: [...new Set(included.map((r) => r.gpu))],
	};
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
		`${"gpu".padEnd(10)} ${"workload".padEnd(40)} ${"batch".padStart(5)} ${"metric".padEnd(12)} ${"published".padStart(10)} ${"predicted".padStart(10)} ${"error".padStart(8)}  efficiency`,
	];
	for (const r of summary.rows) {
		lines.push(
			`${r.gpu.padEnd(10)} ${r.workload.slice(0, 40).padEnd(40)} ${String(r.batch).padStart(5)} ${r.metric.padEnd(12)} ${r.published.toPrecision(4).padStart(10)} ${r.predicted.toPrecision(4).padStart(10)} ${pct(r.relativeError).padStart(8)}  ${r.efficiencySource}${r.excluded === "" ? "" : `  [excluded: ${r.excluded}]`}`,
		);
	}
	const excludedCount = summary.rows.length - summary.includedCount;
	lines.push(
		"",
		`median |error| ${(summary.medianAbsError * 100).toFixed(1)}% over ${summary.includedCount} published figures on ${summary.gpuClasses.length} GPU classes (${summary.gpuClasses.join(", ")})`,
		`median |error| ${(summary.medianAbsErrorAll * 100).toFixed(1)}% over all ${summary.rows.length} figures, the ${excludedCount} excluded included`,
		"",
		"signed error by regime (included rows; negative: the model is slower than measured):",
	);
	for (const g of summary.regimes) {
		lines.push(
			`  ${g.regime.padEnd(14)} ${String(g.count).padStart(2)} rows  median ${pct(g.medianError).padStart(8)}  range ${pct(g.minError)} to ${pct(g.maxError)}`,
		);
	}
	return lines.join("\n");
}
