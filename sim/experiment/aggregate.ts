/**
 * The sweep's tables, built from the run files in run order (point by point, run by run), so
 * they are the same bytes whatever the worker count, the shard split or the order runs
 * finished in: runs.csv (one row per run), bands.csv (P10/P50/P90 of each main series per
 * point and epoch) and summary.json (statistics of every KPI per point; the manifest).
 */
import { join } from "node:path";
import { table } from "arquero";
import type { DesignPoint } from "./design.js";
import { band, type KpiStats, kpiStats } from "./stats.js";
import { type RunRecord, readRunRecord, SweepFolderError, type SweepManifest, writeAtomic } from "./store.js";

export const TABLE_FILES = ["runs.csv", "bands.csv", "summary.json"] as const;

/** Rounds every non-integer number to 6 significant digits (readable, stable files). */
export function round6(value: unknown): unknown {
	if (typeof value === "number")
		return Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value;
	if (Array.isArray(value)) return value.map(round6);
	if (value !== null && typeof value === "object") {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round6(v)]));
	}
	return value;
}

/**
 * runs.csv's columns, filled one run at a time: a run's file is read, its row taken, and the
 * record dropped, so the tables of a long sweep never hold every run at once. A column first
 * seen at row i (a KPI only later runs have) starts with i nulls; a row without it gets null.
 */
class RunColumns {
	private readonly data = new Map<string, unknown[]>();
	private rows = 0;

	add(row: Readonly<Record<string, unknown>>): void {
		for (const [name, value] of Object.entries(row)) {
			let column = this.data.get(name);
			if (column === undefined) {
				column = new Array<unknown>(this.rows).fill(null);
				this.data.set(name, column);
			}
			column.push(value ?? null);
		}
		this.rows++;
		for (const column of this.data.values()) if (column.length < this.rows) column.push(null);
	}

	/** CSV of the given columns (columnsCsv). */
	csv(columns: readonly string[]): string {
		const data: Record<string, unknown[]> = {};
		for (const name of columns) data[name] = this.data.get(name) ?? new Array<unknown>(this.rows).fill(null);
		return columnsCsv(data);
	}
}

/**
 * CSV of named columns through arquero: numbers as their shortest round-trip decimals, null empty,
 * one newline at the end (arquero's CSV already ends with one; another would be an empty record).
 */
function columnsCsv(data: Record<string, unknown[]>): string {
	const text = table(data).toCSV();
	return text.endsWith("\n") ? text : `${text}\n`;
}

/** CSV of rows, in the given columns (columnsCsv). */
function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
	const data: Record<string, unknown[]> = {};
	for (const column of columns) data[column] = rows.map((row) => row[column] ?? null);
	return columnsCsv(data);
}

/** A run's record, or the error that the sweep (or shard) is unfinished. */
function pointRecord(dir: string, identity: string, point: number): RunRecord {
	const record = readRunRecord(dir, identity);
	if (record === undefined) {
		throw new SweepFolderError(`${dir}: run ${identity.slice(0, 12)}… (point ${point}) has no result yet`);
	}
	return record;
}

/** The main series of a successful run, compact: one array per manifest series (null → NaN), or undefined. */
type RunSeries = (Float64Array | undefined)[];

function compactSeries(manifest: SweepManifest, record: RunRecord): RunSeries {
	return manifest.series.map((name) => {
		const values = record.series[name];
		return values === undefined
			? undefined
			: Float64Array.from(values, (v) => (typeof v === "number" ? v : Number.NaN));
	});
}

/** Per-epoch P10/P50/P90 rows of each main series over the point's successful runs. */
function bandRows(manifest: SweepManifest, runs: readonly RunSeries[], epochs: number, base: Record<string, unknown>) {
	const rows: Record<string, unknown>[] = [];
	for (let epoch = 0; epoch < epochs; epoch++) {
		manifest.series.forEach((series, index) => {
			const values: number[] = [];
			for (const run of runs) {
				const v = run[index]?.[epoch];
				if (v !== undefined && !Number.isNaN(v)) values.push(v);
			}
			const q = band(values);
			rows.push({ ...base, epoch, series, n: values.length, p10: q?.[0], p50: q?.[1], p90: q?.[2] });
		});
	}
	return rows;
}

interface Failure {
	readonly point: number;
	readonly run: number;
	readonly seed: number;
	readonly values: Readonly<Record<string, string>>;
	readonly error: string;
}

const firstLine = (text: string | undefined) => (text ?? "").split("\n")[0] as string;

/** What the tables take of one point's runs, read one file at a time, in run order. */
function readPoint(dir: string, manifest: SweepManifest, point: DesignPoint, runRows: RunColumns, failures: Failure[]) {
	const base = { point: point.index, ...point.values };
	const byKpi = new Map<string, number[]>();
	const series: RunSeries[] = [];
	let epochs = 0;
	let ok = 0;
	const ids = manifest.identities[point.index] as readonly string[];
	for (const identity of ids) {
		const record = pointRecord(dir, identity, point.index);
		for (const [name, value] of Object.entries(record.kpis)) {
			if (!byKpi.has(name)) byKpi.set(name, []);
			if (typeof value === "number") byKpi.get(name)?.push(value);
		}
		const row = { ...base, run: record.run, seed: record.seed, status: record.status, ...record.kpis };
		if (record.status === "failed") {
			const error = firstLine(record.error);
			failures.push({ point: point.index, run: record.run, seed: record.seed, values: record.values, error });
			runRows.add({ ...row, error });
		} else {
			runRows.add(row);
		}
		if (record.status !== "ok") continue;
		ok++;
		series.push(compactSeries(manifest, record));
		for (const values of Object.values(record.series)) epochs = Math.max(epochs, values.length);
	}
	const kpis: Record<string, KpiStats> = {};
	for (const [name, values] of byKpi) kpis[name] = kpiStats(values);
	const summary = { point: point.index, values: point.values, runs: ids.length, ok, failed: ids.length - ok, kpis };
	return { summary, bands: bandRows(manifest, series, epochs, base), kpiNames: byKpi.keys() };
}

/**
 * Reads every run file of a complete sweep and writes its three tables (atomically). Returns the
 * failures. Memory: one run's record at a time, plus its KPIs and compact series per point.
 */
export function writeSweepTables(dir: string, manifest: SweepManifest): Failure[] {
	const varied = manifest.vary.map((v) => v.path);
	const runRows = new RunColumns();
	const kpiColumns = new Set<string>();
	const bands: Record<string, unknown>[] = [];
	const points: unknown[] = [];
	const failures: Failure[] = [];
	for (const point of manifest.points) {
		const read = readPoint(dir, manifest, point, runRows, failures);
		for (const name of read.kpiNames) kpiColumns.add(name);
		for (const row of read.bands) bands.push(row);
		points.push(read.summary);
	}
	const runColumns = ["point", ...varied, "run", "seed", "status", ...kpiColumns, "error"];
	const bandColumns = ["point", ...varied, "epoch", "series", "n", "p10", "p50", "p90"];
	const { identities: _ids, ...described } = manifest;
	const summary = { manifest: described, points, failures };
	writeAtomic(join(dir, "runs.csv"), runRows.csv(runColumns));
	writeAtomic(join(dir, "bands.csv"), toCsv(bands, bandColumns));
	writeAtomic(join(dir, "summary.json"), `${JSON.stringify(round6(summary), null, 2)}\n`);
	return failures;
}
