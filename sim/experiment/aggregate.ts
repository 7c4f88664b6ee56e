/**
 * The sweep's tables, built from the run files in run order (point by point, run by run), so
 * they are the same bytes whatever the worker count, the shard split or the order runs
 * finished in: runs.csv (one row per run), bands.csv (P10/P50/P90 of each main series per
 * point and epoch) and summary.json (statistics of every KPI per point; the manifest).
 */
import { join } from "node:path";
import { table } from "arquero";
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

/** CSV through arquero: numbers as their shortest round-trip decimals, null empty. */
function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
	const data: Record<string, unknown[]> = {};
	for (const column of columns) data[column] = rows.map((row) => row[column] ?? null);
	return `${table(data).toCSV()}\n`;
}

/** The records of one point, in run order; throws when one is missing (an unfinished sweep or shard). */
function pointRecords(dir: string, manifest: SweepManifest, point: number): RunRecord[] {
	const ids = manifest.identities[point] as readonly string[];
	const records: RunRecord[] = [];
	for (const identity of ids) {
		const record = readRunRecord(dir, identity);
		if (record === undefined) {
			throw new SweepFolderError(`${dir}: run ${identity.slice(0, 12)}… (point ${point}) has no result yet`);
		}
		records.push(record);
	}
	return records;
}

/** Per-epoch P10/P50/P90 rows of each main series over the point's successful runs. */
function bandRows(manifest: SweepManifest, records: readonly RunRecord[], base: Record<string, unknown>) {
	const rows: Record<string, unknown>[] = [];
	const ok = records.filter((r) => r.status === "ok");
	const epochs = Math.max(0, ...ok.flatMap((r) => Object.values(r.series).map((s) => s.length)));
	for (let epoch = 0; epoch < epochs; epoch++) {
		for (const series of manifest.series) {
			const values: number[] = [];
			for (const record of ok) {
				const v = record.series[series]?.[epoch];
				if (typeof v === "number") values.push(v);
			}
			const q = band(values);
			rows.push({ ...base, epoch, series, n: values.length, p10: q?.[0], p50: q?.[1], p90: q?.[2] });
		}
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

/** Reads every run file of a complete sweep and writes its three tables (atomically). Returns the failures. */
export function writeSweepTables(dir: string, manifest: SweepManifest): Failure[] {
	const varied = manifest.vary.map((v) => v.path);
	const runRows: Record<string, unknown>[] = [];
	const kpiColumns = new Set<string>();
	const bands: Record<string, unknown>[] = [];
	const points: unknown[] = [];
	const failures: Failure[] = [];
	for (const point of manifest.points) {
		const records = pointRecords(dir, manifest, point.index);
		const base = { point: point.index, ...point.values };
		const byKpi = new Map<string, number[]>();
		for (const record of records) {
			for (const [name, value] of Object.entries(record.kpis)) {
				kpiColumns.add(name);
				if (!byKpi.has(name)) byKpi.set(name, []);
				if (typeof value === "number") byKpi.get(name)?.push(value);
			}
			runRows.push({ ...base, run: record.run, seed: record.seed, status: record.status, ...record.kpis });
			if (record.status === "failed") {
				failures.push({
					point: point.index,
					run: record.run,
					seed: record.seed,
					values: record.values,
					error: firstLine(record.error),
				});
				runRows[runRows.length - 1] = { ...runRows[runRows.length - 1], error: firstLine(record.error) };
			}
		}
		bands.push(...bandRows(manifest, records, base));
		const kpis: Record<string, KpiStats> = {};
		for (const [name, values] of byKpi) kpis[name] = kpiStats(values);
		const ok = records.filter((r) => r.status === "ok").length;
		points.push({
			point: point.index,
			values: point.values,
			runs: records.length,
			ok,
			failed: records.length - ok,
			kpis,
		});
	}
	const runColumns = ["point", ...varied, "run", "seed", "status", ...kpiColumns, "error"];
	const bandColumns = ["point", ...varied, "epoch", "series", "n", "p10", "p50", "p90"];
	const { identities: _ids, ...described } = manifest;
	const summary = { manifest: described, points, failures };
	writeAtomic(join(dir, "runs.csv"), toCsv(runRows, runColumns));
	writeAtomic(join(dir, "bands.csv"), toCsv(bands, bandColumns));
	writeAtomic(join(dir, "summary.json"), `${JSON.stringify(round6(summary), null, 2)}\n`);
	return failures;
}
