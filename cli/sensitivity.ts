/**
 * `depin-twin sensitivity SCENARIO --params a,b --runs N`: which parameters move the chosen
 * outputs. One sweep (resumable, common random numbers) runs the base, each parameter at the
 * low and high end of its range with the rest at base (the tornado), and r Morris trajectories
 * (μ*, σ); every output is the mean over the N runs of a point.
 */
import { join } from "node:path";
import { parsePath } from "../models/scenario/paths.js";
import type { DesignPoint } from "../sim/experiment/design.js";
import { type MorrisDesign, morrisDesign, morrisEffects, onRange, tornado } from "../sim/experiment/sensitivity.js";
import { WHOLE } from "../sim/experiment/shard.js";
import { readRunRecord, type SweepManifest, writeAtomic } from "../sim/experiment/store.js";
import { InputError } from "./errors.js";
import type { CommandIo } from "./io.js";
import { checkOutDir } from "./out-dir.js";
import { formatNumber } from "./output.js";
import { prepareRun } from "./prepare-run.js";
import { clearSweepFolder, executeSweep, reportFailures } from "./sweep.js";
import { planSweep, seriesList } from "./sweep-plan.js";

export interface SensitivityCliOptions {
	params: string;
	range: string[];
	runs: number;
	trajectories: number;
	levels: number;
	outputs?: string;
	set: string[];
	seed?: number;
	workers?: number;
	out?: string;
	force?: boolean;
}

/** Outputs by default: served fraction, nodes at the end, token price at the end, p95 latencies (overall and per class), payback. */
export const DEFAULT_OUTPUTS = [
	"kpis.servedFraction",
	"kpis.nodes.end",
	"kpis.tokens.priceUsd.end",
	"kpis.latencyMs.p95",
	"kpis.*.latencyMs.p95",
	"kpis.providers.medianPaybackDays",
];

interface Param {
	readonly path: string;
	readonly base: number;
	readonly lo: number;
	readonly hi: number;
	readonly integer: boolean;
}

function valueAt(root: unknown, path: string): unknown {
	const segments = parsePath(path);
	if (segments === undefined || segments.length === 0) throw new InputError(`--params: malformed path ${path}`);
	let value: unknown = root;
	for (const segment of segments) {
		if (value === null || typeof value !== "object") return undefined;
		value = (value as Record<string | number, unknown>)[segment];
	}
	return value;
}

/** Each parameter's base value (the resolved scenario's) and range (--range, default base ± 20%). */
function paramsOf(scenario: unknown, options: SensitivityCliOptions): Param[] {
	const ranges = new Map<string, [number, number]>();
	for (const text of options.range) {
		const match = /^(.+?)=\s*([-+0-9.eE]+)\s*\.\.\s*([-+0-9.eE]+)\s*$/.exec(text);
		if (match === null || !Number.isFinite(Number(match[2])) || !Number.isFinite(Number(match[3]))) {
			throw new InputError(`--range ${text}: expected path=lo..hi`);
		}
		ranges.set((match[1] as string).trim(), [Number(match[2]), Number(match[3])]);
	}
	const paths = options.params
		.split(",")
		.map((p) => p.trim())
		.filter((p) => p !== "");
	if (paths.length === 0) throw new InputError("--params: name at least one parameter");
	for (const path of ranges.keys())
		if (!paths.includes(path)) throw new InputError(`--range ${path}: not among --params`);
	return paths.map((path) => {
		const base = valueAt(scenario, path);
		if (typeof base !== "number")
			throw new InputError(`--params ${path}: not a number in the scenario (${JSON.stringify(base)})`);
		const range = ranges.get(path);
		if (range === undefined && base === 0)
			throw new InputError(`--params ${path}: its base is 0; give --range ${path}=lo..hi`);
		const [lo, hi] = range ?? [base * 0.8, base * 1.2];
		const integer = Number.isInteger(base) && Number.isInteger(lo) && Number.isInteger(hi);
		return { path, base, lo, hi, integer };
	});
}

const valueText = (param: Param, value: number) =>
	String(param.integer ? Math.round(value) : Number(value.toPrecision(12)));

interface SensitivityDesign {
	readonly points: DesignPoint[];
	readonly lowPoint: number[];
	readonly highPoint: number[];
	readonly morris: MorrisDesign;
	/** Morris point i → design point index. */
	readonly morrisPoint: number[];
}

function designOf(params: readonly Param[], options: SensitivityCliOptions, seed: number): SensitivityDesign {
	const points: DesignPoint[] = [];
	const byKey = new Map<string, number>();
	const add = (values: Record<string, string>) => {
		const key = JSON.stringify(values);
		const known = byKey.get(key);
		if (known !== undefined) return known;
		points.push({ index: points.length, values });
		byKey.set(key, points.length - 1);
		return points.length - 1;
	};
	add({});
	const lowPoint = params.map((p) => add({ [p.path]: valueText(p, p.lo) }));
	const highPoint = params.map((p) => add({ [p.path]: valueText(p, p.hi) }));
	const morris = morrisDesign(params.length, options.trajectories, options.levels, seed);
	const morrisPoint = morris.points.map((unit) =>
		add(Object.fromEntries(params.map((p, i) => [p.path, valueText(p, onRange(unit[i] as number, p.lo, p.hi))]))),
	);
	return { points, lowPoint, highPoint, morris, morrisPoint };
}

/** Per point, the mean over its successful runs of each KPI. */
function pointMeans(dir: string, manifest: SweepManifest): Map<string, number>[] {
	return manifest.points.map((point) => {
		const sums = new Map<string, { sum: number; n: number }>();
		for (const identity of manifest.identities[point.index] ?? []) {
			const record = readRunRecord(dir, identity);
			if (record?.status !== "ok") continue;
			for (const [name, value] of Object.entries(record.kpis)) {
				if (typeof value !== "number") continue;
				const s = sums.get(name) ?? { sum: 0, n: 0 };
				sums.set(name, { sum: s.sum + value, n: s.n + 1 });
			}
		}
		return new Map([...sums].map(([name, s]) => [name, s.sum / s.n]));
	});
}

/** The KPI names the patterns pick (`*` matches any run of characters), in the patterns' order. */
export function selectOutputs(patterns: readonly string[], names: readonly string[]): string[] {
	const picked: string[] = [];
	for (const pattern of patterns) {
		const regex = new RegExp(
			`^${pattern
				.split("*")
				.map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
				.join(".*")}$`,
		);
		for (const name of names) if (regex.test(name) && !picked.includes(name)) picked.push(name);
	}
	return picked;
}

function tablesOf(
	params: readonly Param[],
	design: SensitivityDesign,
	means: Map<string, number>[],
	outputs: readonly string[],
) {
	const tornadoRows: string[] = ["output,param,low,high,base,outputAtLow,outputAtHigh,outputAtBase,swing"];
	const morrisRows: string[] = ["output,param,muStar,mu,sigma,effects"];
	const at = (point: number, output: string) => means[point]?.get(output) ?? Number.NaN;
	const f = (x: number | null) => (x === null || !Number.isFinite(x) ? "" : String(x));
	for (const output of outputs) {
		const bars = tornado(
			design.lowPoint.map((p) => at(p, output)),
			design.highPoint.map((p) => at(p, output)),
		);
		for (const bar of bars) {
			const p = params[bar.param] as Param;
			tornadoRows.push(
				[output, p.path, p.lo, p.hi, p.base, bar.low, bar.high, at(0, output), bar.swing]
					.map((x) => (typeof x === "number" ? f(x) : x))
					.join(","),
			);
		}
		const effects = morrisEffects(
			design.morris,
			design.morrisPoint.map((p) => at(p, output)),
		);
		const ranked = effects
			.map((e, i) => ({ e, i }))
			.sort((a, b) => (Number.isNaN(b.e.muStar) ? -1 : b.e.muStar - a.e.muStar) || a.i - b.i);
		for (const { e, i } of ranked)
			morrisRows.push([output, params[i]?.path, f(e.muStar), f(e.mu), f(e.sigma), e.effects].join(","));
	}
	return { tornadoCsv: `${tornadoRows.join("\n")}\n`, morrisCsv: `${morrisRows.join("\n")}\n` };
}

/** A CSV as aligned columns, numbers to 6 significant digits. */
function aligned(csv: string): string {
	const rows = csv
		.trim()
		.split("\n")
		.map((line) =>
			line.split(",").map((cell) => (cell !== "" && Number.isFinite(Number(cell)) ? formatNumber(Number(cell)) : cell)),
		);
	const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
	return rows
		.map((r) =>
			r
				.map((cell, c) => cell.padEnd(widths[c] ?? 0))
				.join("  ")
				.trimEnd(),
		)
		.join("\n");
}

export async function sensitivityCommand(
	scenario: string,
	options: SensitivityCliOptions,
	io: CommandIo,
): Promise<void> {
	if (options.levels % 2 !== 0) throw new InputError("--levels must be even (Morris: Δ = p / (2(p − 1)))");
	const base = prepareRun(scenario, options.set, options.seed).loaded.scenario;
	const params = paramsOf(base, options);
	const design = designOf(params, options, base.seed);
	const vary = params.map((p) => ({ path: p.path, values: [valueText(p, p.lo), valueText(p, p.hi)] }));
	const { manifest, context } = planSweep({
		scenario,
		set: options.set,
		...(options.seed === undefined ? {} : { seed: options.seed }),
		runs: options.runs,
		vary,
		points: design.points,
		series: seriesList(undefined),
	});
	const outDir = checkOutDir(options.out ?? `out/${base.name}-sensitivity`);
	if (options.force === true) clearSweepFolder(outDir);
	const common = { manifest, context, outDir, shard: WHOLE, label: "sensitivity" };
	const outcome = await executeSweep(
		{ ...common, ...(options.workers === undefined ? {} : { workers: options.workers }) },
		io,
	);
	const means = pointMeans(outDir, manifest);
	const outputs = selectOutputs(options.outputs?.split(",") ?? DEFAULT_OUTPUTS, [...(means[0]?.keys() ?? [])]);
	if (outputs.length === 0) throw new InputError("--outputs: no KPI of the runs matches");
	const { tornadoCsv, morrisCsv } = tablesOf(params, design, means, outputs);
	writeAtomic(join(outDir, "tornado.csv"), tornadoCsv);
	writeAtomic(join(outDir, "morris.csv"), morrisCsv);
	io.stdout.write(
		`Tornado (one at a time around the base; ${options.runs} run(s) per point)\n${aligned(tornadoCsv)}\n\n`,
	);
	io.stdout.write(
		`Morris elementary effects (${options.trajectories} trajectories, ${options.levels} levels; per unit of each range)\n${aligned(morrisCsv)}\n\n`,
	);
	io.stdout.write(
		`${design.points.length} point(s) × ${options.runs} run(s) → ${outDir} (tornado.csv, morris.csv, runs.csv, bands.csv, summary.json)\n`,
	);
	reportFailures(outcome, manifest, io);
}
