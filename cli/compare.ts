/**
 * `depin-twin compare A B [C…]`: run folders, sweep folders (each design point a design) or
 * scenarios (run here with --runs N) → every KPI per design with its CI95 and its difference
 * to the first design with a CI, paired by seed when the seeds match; `*` flags a difference
 * whose CI excludes zero. A table by default, --json or --csv for programs.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { compareDesigns, type DesignSample, type KpiComparison } from "../sim/experiment/compare.js";
import { gridPoints } from "../sim/experiment/design.js";
import { WHOLE } from "../sim/experiment/shard.js";
import { manifestJson, readManifest, readRunRecord, type SweepManifest } from "../sim/experiment/store.js";
import { flattenNumeric } from "../sim/experiment/task.js";
import { InputError } from "./errors.js";
import type { CommandIo } from "./io.js";
import { formatNumber } from "./output.js";
import { executeSweep } from "./sweep.js";
import { planSweep, seriesList } from "./sweep-plan.js";

export interface CompareCliOptions {
	runs?: number;
	set: string[];
	seed?: number;
	workers?: number;
	json?: boolean;
	csv?: boolean;
}

const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();

/** The designs of a sweep folder: one per design point, each with its runs in run order. */
export function sweepDesigns(dir: string, manifest: SweepManifest, label = dir): DesignSample[] {
	return manifest.points.map((point) => {
		const seeds: number[] = [];
		const kpis = new Map<string, (number | null)[]>();
		(manifest.identities[point.index] ?? []).forEach((identity, run) => {
			const record = readRunRecord(dir, identity);
			if (record === undefined) return;
			const at = seeds.length;
			seeds.push(manifest.seeds[run] as number);
			for (const [name, value] of Object.entries(record.kpis)) {
				if (!kpis.has(name)) kpis.set(name, []);
				(kpis.get(name) as (number | null)[])[at] = value;
			}
		});
		for (const values of kpis.values()) for (let i = 0; i < seeds.length; i++) values[i] ??= null;
		const values = Object.entries(point.values).map(([path, value]) => `${path}=${value}`);
		const name = manifest.points.length === 1 ? label : `${label}#${point.index} ${values.join(" ")}`;
		return { label: name, seeds, kpis };
	});
}

/** A `run` results folder: one run (its summary.json, KPIs as written). */
function runFolderDesign(dir: string): DesignSample {
	const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as {
		manifest: { seed: number };
		kpis: unknown;
		baseline: unknown;
	};
	const flat = flattenNumeric({ kpis: summary.kpis, baseline: summary.baseline });
	return { label: dir, seeds: [summary.manifest.seed], kpis: new Map(Object.entries(flat).map(([k, v]) => [k, [v]])) };
}

/** A scenario to run here: a sweep of --runs runs in out/sweeps/<name>-<hash>/ (resumed if there). */
async function scenarioDesigns(scenario: string, options: CompareCliOptions, io: CommandIo): Promise<DesignSample[]> {
	if (options.runs === undefined) throw new InputError(`compare: ${scenario} is a scenario: give --runs N to run it`);
	const { manifest, context, base } = planSweep({
		scenario,
		set: options.set,
		...(options.seed === undefined ? {} : { seed: options.seed }),
		runs: options.runs,
		vary: [],
		points: gridPoints([]),
		series: seriesList(undefined),
	});
	const hash = createHash("sha256").update(manifestJson(manifest)).digest("hex").slice(0, 12);
	const outDir = join("out", "sweeps", `${base.name}-${hash}`);
	const shared = { manifest, context, outDir, shard: WHOLE, label: `compare ${base.name}` };
	await executeSweep({ ...shared, ...(options.workers === undefined ? {} : { workers: options.workers }) }, io);
	return sweepDesigns(outDir, manifest, scenario);
}

export async function loadDesigns(args: readonly string[], options: CompareCliOptions, io: CommandIo) {
	const designs: DesignSample[] = [];
	for (const arg of args) {
		const manifest = isDir(arg) ? readManifest(arg) : undefined;
		if (manifest !== undefined) designs.push(...sweepDesigns(arg, manifest));
		else if (isDir(arg) && existsSync(join(arg, "summary.json"))) designs.push(runFolderDesign(arg));
		else if (isDir(arg)) throw new InputError(`compare: ${arg} holds neither a sweep nor a run`);
		else designs.push(...(await scenarioDesigns(arg, options, io)));
	}
	if (designs.length < 2) throw new InputError("compare: give two designs or more (folders, or scenarios with --runs)");
	return designs;
}

const ci = (c: readonly [number, number] | null | undefined) =>
	c === null || c === undefined ? "" : `[${formatNumber(c[0])}, ${formatNumber(c[1])}]`;
const num = (x: number | null | undefined) => (x === null || x === undefined ? "" : formatNumber(x));

export function comparisonCsv(designs: readonly DesignSample[], rows: readonly KpiComparison[]): string {
	const lines = ["kpi,design,n,mean,ci95Low,ci95High,diff,diffCi95Low,diffCi95High,paired,significant"];
	const quote = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
	for (const row of rows) {
		row.designs.forEach((d, i) => {
			const diff = row.differences[i];
			const cells = [
				row.kpi,
				quote(designs[i]?.label ?? ""),
				String(d.n),
				num(d.mean),
				num(d.ci95?.[0]),
				num(d.ci95?.[1]),
			];
			cells.push(num(diff?.diff), num(diff?.ci95?.[0]), num(diff?.ci95?.[1]));
			cells.push(diff ? String(diff.paired) : "", diff ? String(diff.significant) : "");
			lines.push(cells.join(","));
		});
	}
	return `${lines.join("\n")}\n`;
}

export function comparisonTable(designs: readonly DesignSample[], rows: readonly KpiComparison[]): string {
	const header = [
		"kpi",
		...designs.flatMap((d, i) =>
			i === 0 ? [`${d.label} mean [CI95]`] : [`${d.label} mean [CI95]`, "Δ vs first [CI95]"],
		),
	];
	const body = rows
		.filter((row) => row.designs.some((d) => d.n > 0))
		.map((row) => [
			row.kpi,
			...row.designs.flatMap((d, i) => {
				const cell = `${num(d.mean)} ${ci(d.ci95)}`.trim();
				const diff = row.differences[i];
				if (i === 0 || diff === null || diff === undefined) return i === 0 ? [cell] : [cell, ""];
				return [cell, `${num(diff.diff)} ${ci(diff.ci95)}${diff.significant ? " *" : ""}`.trim()];
			}),
		]);
	const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => (r[c] ?? "").length)));
	const line = (cells: readonly string[]) =>
		cells
			.map((cell, c) => cell.padEnd(widths[c] ?? 0))
			.join("  ")
			.trimEnd();
	const paired = rows.some((r) => r.differences.some((d) => d?.paired === true));
	const note = `* the difference's CI95 excludes zero${paired ? " (paired by seed where the seeds match)" : ""}`;
	return [line(header), ...body.map(line), "", note].join("\n");
}

export async function compareCommand(
	args: readonly string[],
	options: CompareCliOptions,
	io: CommandIo,
): Promise<void> {
	const designs = await loadDesigns(args, options, io);
	const rows = compareDesigns(designs);
	if (options.json === true) {
		const labels = designs.map((d) => ({ label: d.label, runs: d.seeds.length }));
		io.stdout.write(`${JSON.stringify({ designs: labels, kpis: rows }, null, 2)}\n`);
	} else if (options.csv === true) io.stdout.write(comparisonCsv(designs, rows));
	else io.stdout.write(`${comparisonTable(designs, rows)}\n`);
}
