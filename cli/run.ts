/**
 * `depin-twin run [SCENARIO]`: load and check the scenario (prepare-run.ts), run the network
 * model with its cloud twin, and write the results folder (summary.json, timeseries.csv,
 * scenario.resolved.yaml, run-meta.json), each file atomically.
 */
import { join, resolve } from "node:path";
import type { Catalog } from "../models/catalog.js";
import type { CalibrationProfile } from "../models/latency.js";
import {
	type NetworkResult,
	runNetwork,
	TIMESERIES_COLUMNS,
	type TimeseriesColumn,
	TOKEN_UNIT_COLUMNS,
} from "../models/network/index.js";
import { resolvedYaml, scenarioHash } from "../models/scenario/load.js";
import { formatExact, formatUnitsAsTokens, numericCsv, roundForJson, writeResultFiles } from "./output.js";
import { packageVersion } from "./paths.js";
import type { PreparedRun } from "./prepare-run.js";

export { type PreparedRun, prepareRun } from "./prepare-run.js";

export interface RunOptions {
	readonly overrides?: readonly string[];
	readonly seed?: number;
	readonly out?: string;
	/** Check conservation and state invariants every epoch (slower; tests). */
	readonly checkInvariants?: boolean;
	/**
	 * Called at every epoch start (progress); may throw (RunInterrupted) to stop the run there,
	 * in which case no result file is written.
	 */
	readonly onEpoch?: (epoch: number, epochs: number, events: number) => void;
}

export interface RunOutcome {
	readonly outDir: string;
	readonly result: NetworkResult;
	readonly summary: Summary;
	/** summary.json as written. */
	readonly summaryJson: string;
	readonly wallMs: number;
}

export interface Summary {
	readonly manifest: Record<string, unknown>;
	readonly kpis: NetworkResult["kpis"];
	readonly baseline: NetworkResult["baseline"];
	readonly comparison: NetworkResult["comparison"];
}

/**
 * Which GPU class of the run uses which measurement, {calibrationClasses: {gpuId: {profile,
 * measuredClass, hash}}}; empty when every class keeps its tier's figures, so that such runs'
 * manifests stay as they were.
 */
export function calibrationClassesField(calibration: CalibrationProfile, catalog: Catalog): Record<string, unknown> {
	const out: Record<string, { profile: string; measuredClass: string; hash: string }> = {};
	for (const gpu of catalog.gpus) {
		const source = calibration.classSources[gpu.id];
		if (source !== undefined)
			out[gpu.id] = { profile: source.profile, measuredClass: source.measuredClass, hash: source.profileHash };
	}
	return Object.keys(out).length > 0 ? { calibrationClasses: out } : {};
}

/** timeseries.csv: every column exact (shortest round-trip decimals), token amounts exact from base units. */
export function timeseriesCsv(result: NetworkResult): string {
	const series = result.timeseries;
	const decimals = result.tokenDecimals;
	return numericCsv(
		TIMESERIES_COLUMNS,
		(column, row) => series.column(column as TimeseriesColumn)[row] as number,
		series.length,
		(column, value) =>
			decimals !== null && TOKEN_UNIT_COLUMNS.has(column as TimeseriesColumn)
				? formatUnitsAsTokens(value, decimals)
				: formatExact(value),
	);
}

/** The model's result and the summary of a prepared scenario's run, written nowhere (sweeps, run). */
export function computeRun(
	prepared: PreparedRun,
	options: Pick<RunOptions, "checkInvariants" | "onEpoch"> = {},
): { result: NetworkResult; summary: Summary; summaryJson: string; wallMs: number } {
	const { scenario, calibration } = prepared.inputs;
	const started = process.hrtime.bigint();
	const result = runNetwork(prepared.inputs, {
		checkInvariants: options.checkInvariants ?? false,
		...(options.onEpoch === undefined ? {} : { onEpoch: options.onEpoch }),
	});
	const wallMs = Number(process.hrtime.bigint() - started) / 1e6;

	const summary: Summary = {
		manifest: {
			scenario: scenario.name,
			scenarioHash: scenarioHash(scenario),
			seed: scenario.seed,
			runIndex: 0,
			codeVersion: `depin-twin ${packageVersion()}`,
			calibrationProfile: scenario.calibrationProfile,
			calibrationHash: calibration.profileHash,
			...calibrationClassesField(calibration, prepared.inputs.catalog),
			referenceTablesHash: prepared.referenceTablesHash,
			horizonDays: scenario.horizonDays,
			epochs: result.epochs,
			requestFidelity: result.kpis.requestFidelity,
		},
		kpis: result.kpis,
		baseline: result.baseline,
		comparison: result.comparison,
	};
	const summaryJson = `${JSON.stringify(roundForJson(summary), null, 2)}\n`;
	return { result, summary, summaryJson, wallMs };
}

/** Runs a prepared scenario and writes its results folder (the folder is created; files are replaced). */
export function executeRun(prepared: PreparedRun, options: RunOptions = {}): RunOutcome {
	const { scenario } = prepared.inputs;
	const outDir = resolve(options.out ?? join("out", scenario.name));
	const { result, summary, summaryJson, wallMs } = computeRun(prepared, options);
	writeResultFiles(outDir, {
		"summary.json": summaryJson,
		"timeseries.csv": timeseriesCsv(result),
		"scenario.resolved.yaml": resolvedYaml(scenario),
		"run-meta.json": `${JSON.stringify(
			{
				wallMs: Math.round(wallMs),
				events: result.eventsFired,
				eventsPerSec: Math.round(result.eventsFired / (wallMs / 1000)),
				peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
				node: process.version,
			},
			null,
			2,
		)}\n`,
	});
	return { outDir, result, summary, summaryJson, wallMs };
}
