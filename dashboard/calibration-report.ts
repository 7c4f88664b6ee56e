/**
 * The calibration report (calibration.html): one self-contained page built from a calibration
 * profile JSON — provenance, fit table, charts as inline SVG, per-GPU predictions. No script,
 * no external font or stylesheet, no network: it reads the same offline, years later.
 *
 * The profile is read through its schema (models/calibration/schema.ts), leniently: a
 * literature-default profile has only profile, provenance, efficiency and overheadMsScale, and the
 * page then says plainly that no measurements are in it. Parts that fail the schema are skipped
 * and their issues listed on the page (with the same field paths a run reports), not silently
 * dropped.
 */
import type {
	CalibrationProfileJson,
	GpuPredictions,
	KernelMeasurement,
	KernelPoint,
	MeasurementInfo,
} from "../models/calibration/schema.js";
import { checkProfileValue, formatIssue, isUnder, type ProfileIssue } from "../models/calibration/validate.js";
import type { ValidationSummary } from "../models/calibration/validation.js";
import type { PathSegment } from "../models/scenario/paths.js";
import {
	achievedVsPeakChart,
	efficiencyChart,
	type GpuSeries,
	type KernelSeries,
	kernelFitChart,
	type MeasuredPoint,
	predictedLatencyChart,
	type RooflineFit,
	renderSvg,
	type TierEfficiency,
	validationChart,
} from "./charts.js";

/** A GPU class as the report names it (a GpuSpec from the catalog fits). */
export interface ReportGpu {
	readonly id: string;
	readonly name: string;
	readonly tier: string;
}

export interface CalibrationReportOptions {
	/** Page title (default "Calibration report: <profile name>"). */
	readonly title?: string;
	/** Kernel whose per-GPU predictions are charted (default: the first transformer kernel, else the first). */
	readonly predictionKernel?: string;
	/** GPU classes, to label predictions with names and tiers and to order them (default: the profile's order). */
	readonly gpus?: readonly ReportGpu[];
	/** Where the profile was read from, shown in the footer. */
	readonly source?: string;
	/** SHA-256 of the profile file's bytes, shown in the footer. */
	readonly profileHash?: string;
	/** The profile's predictions beside published GPU figures (calibrate --validate), charted and tabled. */
	readonly validation?: ValidationSummary;
}

/** Thrown when the input is not a calibration profile at all (not a JSON object). */
export class CalibrationReportError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "CalibrationReportError";
	}
}

// ——— Reading the profile ———

export interface ReportPoint extends MeasuredPoint {
	/** Number of raw timings kept for this point. */
	readonly sampleCount: number;
}

export interface ReportFit extends Partial<RooflineFit> {
	readonly mfu?: number;
	readonly mbu?: number;
	readonly memoryRoof?: "dram" | "cache";
	readonly flag?: string;
	readonly rSquared?: number;
	readonly maxRelativeError?: number;
}

export interface ReportKernel {
	readonly name: string;
	readonly kind?: string;
	readonly params: readonly (readonly [string, string])[];
	readonly points: readonly ReportPoint[];
	readonly fit?: ReportFit;
}

/** The measurement section, as the profile schema gives it. */
export type ReportMeasurement = MeasurementInfo;

/** The profile as the report sees it: the parts that pass the schema; the issues of the rest in `problems`. */
export interface CalibrationReportData {
	readonly profile: string;
	readonly provenance: Readonly<Record<string, unknown>>;
	readonly efficiency: readonly { readonly tier: string; readonly mfu?: number; readonly mbu?: number }[];
	/** The class a measured profile measured, and its measured shares (which apply to that class only). */
	readonly measuredClass?: string;
	readonly measuredEfficiency?: { readonly mfu: number; readonly mbu: number };
	readonly overheadMsScale?: number;
	readonly measurement?: ReportMeasurement;
	readonly kernels: readonly ReportKernel[];
	/** Per GPU id, per kernel name, predicted latency vs batch, in the profile's order. */
	readonly predictions: readonly {
		readonly gpu: string;
		readonly kernels: readonly { readonly kernel: string; readonly points: readonly GpuPoint[] }[];
	}[];
	/** Every schema issue of the profile, `path: problem`. */
	readonly problems: readonly string[];
}

interface GpuPoint {
	readonly batch: number;
	readonly predictedMs: number;
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
	return typeof x === "object" && x !== null && !Array.isArray(x);
}

function num(x: unknown): number | undefined {
	return typeof x === "number" && Number.isFinite(x) ? x : undefined;
}

function str(x: unknown): string | undefined {
	return typeof x === "string" ? x : undefined;
}

function scalarText(x: unknown): string {
	return typeof x === "string" ? x : (JSON.stringify(x) ?? String(x));
}

/** Whether any issue lies at or under a path. */
type HasIssue = (...path: PathSegment[]) => boolean;

/**
 * Reads a parsed profile through the profile schema (see the file comment): each part with an
 * issue is left out (an efficiency tier, the measurement, a kernel, a point, a GPU's series of
 * one kernel) and every issue is listed in `problems`.
 */
export function readCalibrationReportData(json: unknown): CalibrationReportData {
	if (!isObject(json)) throw new CalibrationReportError("not a calibration profile: the JSON root must be an object");
	const issues = checkProfileValue(json);
	const bad: HasIssue = (...path) => issues.some((issue) => isUnder(issue.path, path));
	const profile = json as unknown as CalibrationProfileJson;
	const efficiency = isObject(json.efficiency)
		? Object.entries(profile.efficiency).flatMap(([tier, e]) => (bad("efficiency", tier) ? [] : [{ tier, ...e }]))
		: [];
	const overheadMsScale = bad("overheadMsScale") ? undefined : profile.overheadMsScale;
	const measurement = bad("measurement") ? undefined : profile.measurement;
	const measuredClass = bad("measuredClass") ? undefined : profile.measuredClass;
	const measuredEfficiency = bad("measuredEfficiency") ? undefined : profile.measuredEfficiency;
	return {
		profile: bad("profile") ? "(unnamed profile)" : profile.profile,
		provenance: bad("provenance") ? {} : profile.provenance,
		efficiency,
		...(measuredClass !== undefined ? { measuredClass } : {}),
		...(measuredEfficiency !== undefined ? { measuredEfficiency } : {}),
		...(overheadMsScale !== undefined ? { overheadMsScale } : {}),
		...(measurement ? { measurement } : {}),
		kernels: Array.isArray(json.kernels) ? readKernels(profile.kernels ?? [], issues) : [],
		predictions: isObject(json.gpuPredictions) ? readPredictions(profile.gpuPredictions ?? {}, bad) : [],
		problems: issues.map(formatIssue),
	};
}

/** The kernels with no issue outside their points, each with its points that have none. */
function readKernels(kernels: readonly KernelMeasurement[], issues: readonly ProfileIssue[]): ReportKernel[] {
	const inPoint = (path: readonly PathSegment[]) => path[2] === "points" && typeof path[3] === "number";
	const has = (...prefix: PathSegment[]) => issues.some((issue) => isUnder(issue.path, prefix));
	return kernels.flatMap((k, i) => {
		if (issues.some((issue) => isUnder(issue.path, ["kernels", i]) && !inPoint(issue.path))) return [];
		const points = k.points.flatMap((p, j) => (has("kernels", i, "points", j) ? [] : [reportPoint(p)]));
		const { overheadMs, effectiveGflops, effectiveGbps, mfu, mbu, rSquared, maxRelativeError, memoryRoof, flag } =
			k.fit;
		return [
			{
				name: k.name,
				kind: k.kind,
				params: Object.entries(k.params).map(([key, v]) => [key, scalarText(v)] as const),
				points: points.sort((a, b) => a.batch - b.batch),
				fit: {
					overheadMs,
					effectiveGflops,
					effectiveGbps,
					mfu,
					mbu,
					rSquared,
					maxRelativeError,
					...(memoryRoof !== undefined ? { memoryRoof } : {}),
					...(flag !== undefined ? { flag } : {}),
				},
			},
		];
	});
}

function reportPoint(p: KernelPoint): ReportPoint {
	return {
		batch: p.batch,
		medianMs: p.medianMs,
		p10Ms: p.p10Ms,
		p90Ms: p.p90Ms,
		flops: p.flops,
		bytes: p.bytes,
		achievedGflops: p.achievedGflops,
		achievedGbps: p.achievedGbps,
		sampleCount: p.samplesMs.length,
	};
}

/** Per GPU, the series of every kernel that has no issue. */
function readPredictions(predictions: GpuPredictions, bad: HasIssue): CalibrationReportData["predictions"] {
	return Object.entries(predictions).flatMap(([gpu, byKernel]) => {
		if (!isObject(byKernel)) return [];
		const kernels = Object.entries(byKernel).flatMap(([kernel, points]) =>
			bad("gpuPredictions", gpu, kernel) ? [] : [{ kernel, points: [...points].sort((a, b) => a.batch - b.batch) }],
		);
		return [{ gpu, kernels }];
	});
}

// ——— Formatting ———

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML content and quoted attributes. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const DASH = "—";

/** A number with `digits` significant digits, thousands grouped; locale-independent so pages are reproducible. */
export function formatNumber(x: number | undefined, digits = 3): string {
	if (x === undefined || !Number.isFinite(x)) return DASH;
	if (x === 0) return "0";
	const magnitude = Math.abs(x);
	if (magnitude >= 1e9 || magnitude < 1e-4) return x.toExponential(digits - 1);
	if (magnitude >= 10 ** digits)
		return Math.round(x)
			.toString()
			.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
	return String(Number(x.toPrecision(digits)));
}

function formatPercent(share: number | undefined): string {
	return share === undefined ? DASH : `${formatNumber(share * 100, 3)}%`;
}

function formatFixed(x: number | undefined, decimals: number): string {
	return x === undefined ? DASH : x.toFixed(decimals);
}

/** Any provenance value as escaped HTML: lists for arrays, nested tables for objects. */
function valueHtml(value: unknown, depth = 0): string {
	if (value === null || value === undefined) return DASH;
	if (Array.isArray(value)) {
		if (value.length === 0) return DASH;
		return `<ul>${value.map((v) => `<li>${valueHtml(v, depth + 1)}</li>`).join("")}</ul>`;
	}
	if (isObject(value)) {
		const entries = Object.entries(value);
		if (entries.length === 0) return DASH;
		if (depth >= 4) return `<code>${escapeHtml(JSON.stringify(value))}</code>`;
		return keyValueTable(entries.map(([k, v]) => [escapeHtml(k), valueHtml(v, depth + 1)]));
	}
	return escapeHtml(scalarText(value));
}

/** Rows of (already escaped) key and value HTML. */
function keyValueTable(rows: readonly (readonly [string, string])[]): string {
	return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`).join("")}</tbody></table>`;
}

/** A table from escaped header and cell HTML; `numeric` right-aligns those columns. */
function dataTable(
	headers: readonly string[],
	rows: readonly (readonly string[])[],
	numeric: readonly number[] = [],
	tableClass?: string,
): string {
	const cls = (i: number) => (numeric.includes(i) ? ' class="num"' : "");
	const head = headers.map((h, i) => `<th scope="col"${cls(i)}>${h}</th>`).join("");
	const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join("")}</tr>`).join("\n");
	const classAttr = tableClass !== undefined ? ` class="${tableClass}"` : "";
	return `<div class="table-wrap"><table${classAttr}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** Inline SVG needs no namespace declarations; dropping them keeps every URL off the page. */
function inlineSvg(svg: string): string {
	return svg.replace(/\s+xmlns(?::\w+)?="[^"]*"/g, "");
}

async function figure(
	kind: string,
	spec: Parameters<typeof renderSvg>[0],
	captionHtml: string,
	index: number,
): Promise<string> {
	const svg = inlineSvg(await renderSvg(spec, `chart${index}-`));
	// The figure takes the chart's width so the caption wraps under it and figures sit side by side.
	const widthPx = Number(/^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg)?.[1] ?? 0);
	const style = widthPx > 0 ? ` style="width: ${widthPx}px"` : "";
	return `<figure class="chart" data-chart="${escapeHtml(kind)}"${style}>${svg}<figcaption>${captionHtml}</figcaption></figure>`;
}

/** Predictions beside published GPU measurements: a chart of the relative errors and the table. */
async function validationSection({ chart }: ReportPage, v: ValidationSummary): Promise<Section> {
	const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
	const rows = v.rows.map((r) => [
		escapeHtml(r.gpu),
		escapeHtml(r.workload),
		String(r.batch),
		escapeHtml(r.metric),
		formatNumber(r.published, 4),
		formatNumber(r.predicted, 4),
		pct(r.relativeError),
		r.excluded === ""
			? escapeHtml(r.efficiencySource)
			: `${escapeHtml(r.efficiencySource)}; excluded: ${escapeHtml(r.excluded)}`,
		`<a href="${escapeHtml(r.sourceUrl)}">${escapeHtml(r.sourceUrl)}</a> (${escapeHtml(r.sourceDate)})`,
	]);
	const median = (v.medianAbsError * 100).toFixed(1);
	const medianAll = (v.medianAbsErrorAll * 100).toFixed(1);
	const excludedCount = v.rows.length - v.includedCount;
	let body = `<p>The latency model's prediction for GPU measurements that others published (scenarios/calibration/validation.csv), each from the GPU's spec-sheet peaks and the efficiency this profile gives its class. <b>Median |error| ${median}%</b> over ${v.includedCount} figures on ${v.gpuClasses.length} GPU classes (${escapeHtml(v.gpuClasses.join(", "))}); <b>${medianAll}%</b> over all ${v.rows.length} figures, the ${excludedCount} excluded (reason in the table) included. Negative: the model predicts a lower rate than measured or, for a latency, a shorter time.</p>`;
	const regimes = v.regimes.map(
		(g) => `${escapeHtml(g.regime)} ${pct(g.medianError)} (${pct(g.minError)} to ${pct(g.maxError)}, ${g.count} rows)`,
	);
	if (regimes.length > 0)
		body += `<p>Signed error by regime, median (range), included rows: ${regimes.join("; ")}.</p>`;
	const families = v.families.map(
		(f) => `${escapeHtml(f.family)} ${(f.medianAbsError * 100).toFixed(1)}% (${f.count} rows)`,
	);
	if (families.length > 0) body += `<p>Median |error| by workload family, included rows: ${families.join("; ")}.</p>`;
	const bars = v.rows.map((r) => ({ label: `${r.gpu} · ${r.workload}`, relativeError: r.relativeError }));
	body += `<div class="charts">${await chart("validation", validationChart({ rows: bars }), `Relative error of each prediction, excluded rows too; the band marks ±25%. Median |error| ${median}% (included rows), ${medianAll}% (all rows).`)}</div>`;
	body += dataTable(
		["GPU class", "workload", "batch", "metric", "published", "predicted", "error", "efficiency", "source"],
		rows,
		[2, 4, 5, 6],
	);
	return { id: "validation", heading: "Checked against published GPU figures", body };
}

// ——— The page ———

const CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --band: #f6f8fa; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 70rem; margin: 0 auto; padding: 2rem 1.5rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 0.4rem; }
h2 { font-size: 1.3rem; margin: 2.4rem 0 0.6rem; padding-bottom: 0.25rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 0.4rem; }
p { max-width: 48rem; margin: 0.5rem 0; }
.subtitle { color: var(--muted); margin: 0 0 1.2rem; }
.intro { font-size: 1.02rem; }
.callout { border-left: 4px solid #bf8700; background: #fff8e1; padding: 0.75rem 1rem; margin: 1rem 0; max-width: 48rem; }
.problems { border-left-color: #cf222e; background: #ffebe9; }
nav ul { list-style: none; padding: 0; margin: 0.8rem 0; display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; }
a { color: var(--accent); }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--band); padding: 0.05em 0.3em; border-radius: 3px; }
.table-wrap { overflow-x: auto; margin: 0.6rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.92rem; }
th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { background: var(--band); font-weight: 600; border-bottom: 2px solid var(--rule); white-space: nowrap; }
table.wrap-head thead th { white-space: normal; }
table.nowrap td { white-space: nowrap; }
thead th.span { text-align: center; border-bottom: 1px solid var(--rule); font-weight: 500; color: var(--muted); }
thead th[rowspan] { vertical-align: bottom; }
th.num { text-align: right; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code { white-space: nowrap; }
table.kv { margin: 0.4rem 0; }
table.kv th { font-weight: 600; white-space: nowrap; color: var(--muted); }
table.kv td { overflow-wrap: anywhere; max-width: 52rem; }
table.kv table.kv { font-size: 0.95em; margin: 0; }
td ul { margin: 0; padding-left: 1.1rem; }
.ok { color: #1a7f37; font-weight: 600; }
.failed { color: #cf222e; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1.2rem; }
figure.chart { margin: 0.6rem 0; max-width: 100%; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 0.88rem; max-width: 40rem; margin-top: 0.3rem; }
details { margin: 0.4rem 0; }
summary { cursor: pointer; color: var(--accent); }
footer { margin-top: 3rem; color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--rule); padding-top: 0.8rem; }
`;

const NO_MEASUREMENTS =
	"No measurements are included in this profile: it holds efficiency figures only (for example the literature defaults), with no kernel timings, no fit and no per-GPU predictions.";

/** Builds the self-contained calibration report page from a parsed calibration profile. */
export async function calibrationReportHtml(
	profileJson: unknown,
	options: CalibrationReportOptions = {},
): Promise<string> {
	const data = readCalibrationReportData(profileJson);
	let chartCount = 0;
	const page: ReportPage = {
		data,
		options,
		measured: data.measurement !== undefined || data.kernels.length > 0,
		gpuById: new Map((options.gpus ?? []).map((g) => [g.id, g])),
		// Charts are numbered in page order: their SVG ids must stay unique on the page.
		chart: (kind, spec, captionHtml) => figure(kind, spec, captionHtml, ++chartCount),
	};
	// In page order, one after the other: the chart numbers follow it.
	const sections: Section[] = [await efficiencySection(page), provenanceSection(page)];
	if (data.kernels.length > 0) {
		sections.push(fitSection(data.kernels), await measuredSection(page));
		const peak = await peakSection(page);
		if (peak !== undefined) sections.push(peak);
	} else sections.push(noKernelsSection(page.measured));
	sections.push(await predictionsSection(page));
	if (options.validation !== undefined) sections.push(await validationSection(page, options.validation));
	return pageHtml(page, sections);
}

/** What every section of the page is built from. */
interface ReportPage {
	readonly data: CalibrationReportData;
	readonly options: CalibrationReportOptions;
	/** Whether the profile holds any measurement (else it is efficiency figures only). */
	readonly measured: boolean;
	readonly gpuById: ReadonlyMap<string, ReportGpu>;
	readonly chart: (kind: string, spec: Parameters<typeof renderSvg>[0], captionHtml: string) => Promise<string>;
}

/** One `<section>` of the page and its entry in the navigation. */
interface Section {
	readonly id: string;
	readonly heading: string;
	readonly body: string;
}

/** Efficiency: the only part every profile has, and the part the network model reads. */
async function efficiencySection({ data, options, chart }: ReportPage): Promise<Section> {
	const tiers: TierEfficiency[] = data.efficiency.flatMap((e) =>
		e.mfu !== undefined && e.mbu !== undefined ? [{ tier: e.tier, mfu: e.mfu, mbu: e.mbu }] : [],
	);
	const gpusOf = (tier: string) =>
		(options.gpus ?? [])
			.filter((g) => g.tier === tier)
			.map((g) => escapeHtml(g.id))
			.join(", ");
	const rows = data.efficiency.map((e) => [
		escapeHtml(e.tier),
		formatNumber(e.mfu),
		formatNumber(e.mbu),
		...(options.gpus ? [gpusOf(e.tier) || DASH] : []),
	]);
	const headers = ["GPU tier", "mfu", "mbu", ...(options.gpus ? ["GPU classes"] : [])];
	let body = `<p>The network model times a batch on a GPU class from its spec-sheet peaks times these shares: <b>mfu</b> is the achieved share of peak dense FP16 tensor FLOP/s in compute-bound work, <b>mbu</b> the achieved share of peak memory bandwidth in memory-bound work. The fixed per-batch overhead of every workload is multiplied by <b>overheadMsScale = ${escapeHtml(formatNumber(data.overheadMsScale))}</b>.</p>`;
	body += dataTable(headers, rows, [1, 2]);
	body += measuredClassHtml(data, options);
	if (tiers.length > 0) {
		body += `<div class="charts">${await chart("efficiency", efficiencyChart({ tiers }), "Bars: share of peak achieved per tier; 100% would be the spec-sheet peak.")}</div>`;
	}
	return { id: "efficiency", heading: "Efficiencies used by the network model", body };
}

/** Which class the measurement applies to, and what every other class uses. */
function measuredClassHtml(data: CalibrationReportData, options: CalibrationReportOptions): string {
	if (data.measuredClass === undefined) {
		return "<p>These are the figures of every GPU class of its tier: no class uses a measurement of its own.</p>";
	}
	const cls = escapeHtml(data.measuredClass);
	const isGpu = (options.gpus ?? []).some((g) => g.id === data.measuredClass);
	const e = data.measuredEfficiency;
	const shares =
		e === undefined
			? "no measured efficiency (every kernel was flagged), so no class uses it"
			: `mfu ${formatNumber(e.mfu)}, mbu ${formatNumber(e.mbu)}`;
	const where = isGpu
		? `It applies to <b>${cls}</b> only; every other GPU class keeps its tier's figures above.`
		: `<b>${cls}</b> is no GPU class of the catalogue, so no GPU class uses it: every GPU class keeps its tier's figures above (a CPU's share of its own peaks says nothing about a GPU's).`;
	return `<p class="callout">This profile measured <b>${cls}</b>: ${shares}. ${where} A scenario may apply it to another class only through an explicit mapping, <code>calibration.apply: {&lt;gpu class&gt;: ${escapeHtml(data.profile)}}</code>, which the run records in summary.json's manifest (<code>calibrationClasses</code>).</p>`;
}

/** Provenance: what was measured, on what, with which software. */
function provenanceSection({ data }: ReportPage): Section {
	const m = data.measurement;
	let body = m ? measurementHtml(m) : `<p>${escapeHtml(NO_MEASUREMENTS)}</p>`;
	body += "<h3>Provenance recorded in the profile</h3>";
	body += Object.keys(data.provenance).length > 0 ? valueHtml(data.provenance) : "<p>None recorded.</p>";
	return { id: "provenance", heading: "Provenance", body };
}

/** The measurement's machine, software and peaks, and the backends tried. */
function measurementHtml(m: ReportMeasurement): string {
	const device = Object.entries(m.device).map(([k, v]) => `${escapeHtml(k)}: ${valueHtml(v)}`);
	const versions = Object.entries(m.versions).map(([k, v]) => `${escapeHtml(k)} ${valueHtml(v)}`);
	const peak = m.machinePeak;
	const rows: [string, string][] = [
		["backend used", m.backend !== undefined ? `<code>${escapeHtml(m.backend)}</code>` : DASH],
		["device", device.length > 0 ? device.join("<br>") : DASH],
		["versions", versions.length > 0 ? versions.join(", ") : DASH],
		["date", m.date !== undefined ? escapeHtml(m.date) : DASH],
		[
			"samples per point",
			`${escapeHtml(formatNumber(m.samplesPerPoint))}${m.quick === true ? " (quick run: fewer batches and samples)" : m.quick === false ? " (full run)" : ""}`,
		],
		[
			"machine peak",
			peak
				? `${escapeHtml(formatNumber(peak.gflops))} GFLOP/s, ${escapeHtml(formatNumber(peak.gbps))} GB/s${peak.how !== undefined ? ` — ${escapeHtml(peak.how)}` : ""}`
				: DASH,
		],
	];
	let html = keyValueTable(rows);
	html += "<h3>Backends tried, best first</h3>";
	html +=
		m.backendsTried.length > 0
			? dataTable(
					["backend", "result", "why"],
					m.backendsTried.map((b) => [
						`<code>${escapeHtml(b.name)}</code>`,
						b.ok === true
							? '<span class="ok">loaded</span>'
							: b.ok === false
								? '<span class="failed">not available</span>'
								: DASH,
						b.reason !== undefined ? escapeHtml(b.reason) : DASH,
					]),
				)
			: "<p>The profile does not list which backends were tried.</p>";
	return html;
}

/** The fit table: one row per kernel. */
function fitSection(kernels: readonly ReportKernel[]): Section {
	const fitRows = kernels.map((k) => [
		`<code>${escapeHtml(k.name)}</code>`,
		k.kind !== undefined ? escapeHtml(k.kind) : DASH,
		formatNumber(k.fit?.overheadMs),
		formatNumber(k.fit?.effectiveGflops),
		formatNumber(k.fit?.effectiveGbps),
		formatNumber(k.fit?.mfu),
		`${formatNumber(k.fit?.mbu)}${k.fit?.memoryRoof === "cache" ? " (cache roof)" : ""}`,
		formatFixed(k.fit?.rSquared, 4),
		formatPercent(k.fit?.maxRelativeError),
		String(k.points.length),
	]);
	let body =
		"<p>Per kernel, latency(batch) = overhead + max(FLOPs ÷ effective FLOP/s, bytes ÷ effective bandwidth), fitted to the median timings. mfu and mbu here are the effective rates over this machine's peaks (mbu over the cache copy bandwidth where marked <i>cache roof</i>: a working set that stays in cache); R² and the largest relative error say how well the curve fits the points. A share above 1 that no roof explains is not capped: the kernel is flagged below and left out of the measured efficiency.</p>";
	body += dataTable(
		[
			"kernel",
			"kind",
			"overhead, ms",
			"effective GFLOP/s",
			"effective GB/s",
			"mfu",
			"mbu",
			"R²",
			"max relative error",
			"points",
		],
		fitRows,
		[2, 3, 4, 5, 6, 7, 8, 9],
		"wrap-head",
	);
	const flagged = kernels.filter((k) => k.fit?.flag !== undefined);
	if (flagged.length > 0) {
		body += `<div class="callout problems"><b>Left out of the measured efficiency:</b><ul>${flagged.map((k) => `<li><code>${escapeHtml(k.name)}</code>: ${escapeHtml(k.fit?.flag ?? "")}</li>`).join("")}</ul></div>`;
	}
	return { id: "fit", heading: "Fit per kernel", body };
}

/** A chart per kernel (points and fitted curve), and each kernel's points as a table. */
async function measuredSection({ data, chart }: ReportPage): Promise<Section> {
	const figures: string[] = [];
	for (const k of data.kernels) {
		if (k.points.length > 0) figures.push(await kernelFigure(k, data.measurement, chart));
	}
	let charts = `<p>Each chart is one kernel: both axes are logarithmic, so a slope of one means time grows in proportion to the batch; a flat start means the fixed overhead or the weight traffic dominates.</p>`;
	charts += `<div class="charts">${figures.join("\n")}</div>`;
	for (const k of data.kernels) {
		charts += `<details><summary>Measured points: <code>${escapeHtml(k.name)}</code></summary>${dataTable(
			["batch", "GFLOP", "MB moved", "samples", "median ms", "p10 ms", "p90 ms", "GFLOP/s", "GB/s"],
			k.points.map((p) => [
				formatNumber(p.batch, 6),
				formatNumber(p.flops !== undefined ? p.flops / 1e9 : undefined),
				formatNumber(p.bytes !== undefined ? p.bytes / 1e6 : undefined),
				String(p.sampleCount),
				formatNumber(p.medianMs, 4),
				formatNumber(p.p10Ms, 4),
				formatNumber(p.p90Ms, 4),
				formatNumber(p.achievedGflops),
				formatNumber(p.achievedGbps),
			]),
			[0, 1, 2, 3, 4, 5, 6, 7, 8],
		)}</details>`;
	}
	return { id: "measured", heading: "Measured points vs fitted curves", body: charts };
}

/** One kernel's measured points against its fitted roofline. */
function kernelFigure(k: ReportKernel, m: ReportMeasurement | undefined, chart: ReportPage["chart"]): Promise<string> {
	const f = k.fit;
	const fit: RooflineFit | undefined =
		f?.overheadMs !== undefined && f.effectiveGflops !== undefined && f.effectiveGbps !== undefined
			? { overheadMs: f.overheadMs, effectiveGflops: f.effectiveGflops, effectiveGbps: f.effectiveGbps }
			: undefined;
	const params = k.params.map(([key, v]) => `${key} ${v}`).join(", ");
	const subtitle = [k.kind, m?.backend !== undefined ? `backend ${m.backend}` : undefined]
		.filter((s) => s !== undefined)
		.join(" · ");
	const caption = `${params ? `Parameters: ${escapeHtml(params)}. ` : ""}${fit ? "" : "No usable fit in the profile: points only. "}Dots: median; bars: p10–p90 of the samples.`;
	return chart(
		"kernel-fit",
		kernelFitChart({ kernel: k.name, subtitle, points: k.points, ...(fit ? { fit } : {}) }),
		caption,
	);
}

/** Achieved GFLOP/s and GB/s of every point against the machine's peaks; none when no point has a rate. */
async function peakSection({ data, chart }: ReportPage): Promise<Section | undefined> {
	const m = data.measurement;
	const series: KernelSeries[] = data.kernels.map((k) => ({ kernel: k.name, points: k.points }));
	const peakLabel = (value: number | undefined, unit: string): { value: number; label: string } | undefined =>
		value !== undefined && value > 0 ? { value, label: `machine peak ${formatNumber(value)} ${unit}` } : undefined;
	const gflopsPeak = peakLabel(m?.machinePeak?.gflops, "GFLOP/s");
	const gbpsPeak = peakLabel(m?.machinePeak?.gbps, "GB/s");
	const rateFigures: string[] = [];
	if (series.some((s) => s.points.some((p) => p.achievedGflops !== undefined))) {
		rateFigures.push(
			await chart(
				"achieved-gflops",
				achievedVsPeakChart({ metric: "gflops", series, ...(gflopsPeak ? { peak: gflopsPeak } : {}) }),
				`Achieved GFLOP/s = FLOPs ÷ median time. ${gflopsPeak ? "The dashed rule is the machine's peak; the gap to it is what mfu measures." : "The profile gives no machine peak."}`,
			),
		);
	}
	if (series.some((s) => s.points.some((p) => p.achievedGbps !== undefined))) {
		rateFigures.push(
			await chart(
				"achieved-gbps",
				achievedVsPeakChart({ metric: "gbps", series, ...(gbpsPeak ? { peak: gbpsPeak } : {}) }),
				`Achieved GB/s = minimum bytes moved ÷ median time. ${gbpsPeak ? "The dashed rule is the machine's peak bandwidth; the gap to it is what mbu measures." : "The profile gives no machine peak."}`,
			),
		);
	}
	if (rateFigures.length === 0) return undefined;
	return {
		id: "peak",
		heading: "Achieved rates vs the machine's peak",
		body: `<div class="charts">${rateFigures.join("\n")}</div>`,
	};
}

function noKernelsSection(measured: boolean): Section {
	return {
		id: "measured",
		heading: "Measured kernels",
		body: `<p>This profile has no kernel timings, so there is no fit to tabulate and no measured points to plot.${measured ? "" : " Run <code>depin-twin calibrate --out FILE</code> to measure this machine's TensorFlow.js kernels and write a measured profile."}</p>`,
	};
}

const PREDICTIONS_HEADING = "Predicted latency per GPU class";

/** Per-GPU predictions: a chart of one kernel, a table per kernel. */
async function predictionsSection(page: ReportPage): Promise<Section> {
	const { data, options, gpuById, chart } = page;
	if (data.predictions.length === 0) {
		return {
			id: "predictions",
			heading: PREDICTIONS_HEADING,
			body: "<p>This profile has no per-GPU predictions. The network model still times every GPU class from its spec-sheet peaks times the efficiency of its tier (above).</p>",
		};
	}
	const order = new Map((options.gpus ?? []).map((g, i) => [g.id, i]));
	const predictions = [...data.predictions].sort(
		(a, b) => (order.get(a.gpu) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.gpu) ?? Number.MAX_SAFE_INTEGER),
	);
	const labelOf = (id: string) => {
		const gpu = gpuById.get(id);
		return gpu ? `${gpu.name} (${gpu.tier})` : id;
	};
	const kernelNames = [...new Set(predictions.flatMap((p) => p.kernels.map((k) => k.kernel)))];
	const transformer = data.kernels.find((k) => k.kind === "transformer" && kernelNames.includes(k.name))?.name;
	const chosen =
		options.predictionKernel !== undefined && kernelNames.includes(options.predictionKernel)
			? options.predictionKernel
			: (transformer ?? kernelNames[0]);
	let body =
		"<p>Service time per batch on each GPU class, scaled from its spec-sheet peaks times the measured efficiency (or from measurements taken on that class). This is what the network model uses for a batch of that size.</p>";
	if (chosen !== undefined) {
		const gpus: GpuSeries[] = predictions.flatMap((p) => {
			const k = p.kernels.find((x) => x.kernel === chosen);
			return k ? [{ label: labelOf(p.gpu), points: k.points }] : [];
		});
		const others = kernelNames.length > 1 ? " The other kernels are in the tables below." : "";
		body += `<div class="charts">${await chart(
			"gpu-predictions",
			predictedLatencyChart({ kernel: chosen, gpus }),
			`One line per GPU class, for kernel <code>${escapeHtml(chosen)}</code>; both axes logarithmic.${others}`,
		)}</div>`;
	}
	for (const kernel of kernelNames) body += predictionTable(kernel, predictions, labelOf);
	return { id: "predictions", heading: PREDICTIONS_HEADING, body };
}

/** Predicted ms per batch of one kernel: a row per GPU class, a column per batch size. */
function predictionTable(
	kernel: string,
	predictions: CalibrationReportData["predictions"],
	labelOf: (gpuId: string) => string,
): string {
	const batches = [
		...new Set(
			predictions.flatMap((p) => p.kernels.find((k) => k.kernel === kernel)?.points.map((x) => x.batch) ?? []),
		),
	].sort((a, b) => a - b);
	const rows = predictions.flatMap((p) => {
		const k = p.kernels.find((x) => x.kernel === kernel);
		if (!k) return [];
		const byBatch = new Map(k.points.map((x) => [x.batch, x.predictedMs]));
		return [[escapeHtml(labelOf(p.gpu)), ...batches.map((b) => formatNumber(byBatch.get(b)))]];
	});
	// Two header rows: "batch size" spans the numeric columns, so each column head is just the number.
	const head = `<tr><th scope="col" rowspan="2">GPU class</th><th scope="colgroup" colspan="${batches.length}" class="span">batch size</th></tr><tr>${batches.map((b) => `<th scope="col" class="num">${formatNumber(b, 6)}</th>`).join("")}</tr>`;
	const bodyRows = rows.map(
		(r) => `<tr>${r.map((c, i) => `<td${i > 0 ? ' class="num"' : ""}>${c}</td>`).join("")}</tr>`,
	);
	return `<h3>Predicted ms per batch: <code>${escapeHtml(kernel)}</code></h3><div class="table-wrap"><table class="nowrap"><thead>${head}</thead><tbody>\n${bodyRows.join("\n")}\n</tbody></table></div>`;
}

/** The intro paragraph: what was measured and how the figures feed the network model. */
function introHtml({ data, measured }: ReportPage): string {
	return measured
		? `<p class="intro">depin-twin timed real TensorFlow.js kernels (matrix multiplies, convolutions, dense MLPs, transformer blocks) at ${batchRange(data.kernels)} on ${deviceSummary(data.measurement)}, and fitted each kernel's latency with a roofline: a fixed overhead plus the larger of compute time (FLOPs ÷ effective FLOP/s) and memory time (bytes ÷ effective bandwidth). In the charts, dots are the median of repeated timings, bars span the 10th to 90th percentile, and the line is the fitted curve. The effective rates over the machine's peaks give the efficiencies <b>mfu</b> (share of peak FLOP/s) and <b>mbu</b> (share of peak memory bandwidth); the network model multiplies every GPU class's spec-sheet peaks by its tier's efficiencies to time each batch of real-time requests, so these figures set the simulated latency and throughput.</p>`
		: `<p class="intro">A calibration profile tells depin-twin's network model how close real software gets to a GPU's spec-sheet peaks: <b>mfu</b> (share of peak FLOP/s) and <b>mbu</b> (share of peak memory bandwidth) per GPU tier, plus a scale on the fixed per-batch overhead. The model multiplies every GPU class's peaks by its tier's efficiencies to time each batch of real-time requests, so these figures set the simulated latency and throughput. A measured profile (from <code>depin-twin calibrate</code>) would also hold the kernel timings, the roofline fit and per-GPU predictions, with charts; this one does not.</p>`;
}

/** The whole document around the sections: head, intro, callouts, navigation, footer. */
function pageHtml(page: ReportPage, sections: readonly Section[]): string {
	const { data, options, measured } = page;
	const title = options.title ?? `Calibration report: ${data.profile}`;
	const m = data.measurement;
	const callouts: string[] = [];
	if (!measured) callouts.push(`<p class="callout"><b>${escapeHtml(NO_MEASUREMENTS)}</b></p>`);
	if (data.problems.length > 0) {
		callouts.push(
			`<div class="callout problems"><b>Parts of this profile could not be read and are left out:</b><ul>${data.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join("")}</ul></div>`,
		);
	}
	const footer = [
		`Profile <code>${escapeHtml(data.profile)}</code>`,
		options.source !== undefined ? `read from <code>${escapeHtml(options.source)}</code>` : undefined,
		options.profileHash !== undefined ? `SHA-256 <code>${escapeHtml(options.profileHash)}</code>` : undefined,
	]
		.filter((s) => s !== undefined)
		.join(", ");
	const nav = sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.heading)}</a></li>`).join("");
	const body = sections.map((s) => `<section id="${s.id}">\n<h2>${escapeHtml(s.heading)}</h2>\n${s.body}\n</section>`);
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="subtitle">depin-twin calibration profile <code>${escapeHtml(data.profile)}</code>${m?.date !== undefined ? `, measured ${escapeHtml(m.date)}` : ""}</p>
${introHtml(page)}
${callouts.join("\n")}
<nav aria-label="Sections"><ul>${nav}</ul></nav>
</header>
${body.join("\n")}
<footer>${footer}. Generated by depin-twin; self-contained: no scripts, no network.</footer>
</main>
</body>
</html>
`;
}

/** "batch sizes 1 to 256" over every measured point. */
function batchRange(kernels: readonly ReportKernel[]): string {
	const batches = kernels.flatMap((k) => k.points.map((p) => p.batch));
	if (batches.length === 0) return "several batch sizes";
	const lo = Math.min(...batches);
	const hi = Math.max(...batches);
	return lo === hi
		? `batch size ${formatNumber(lo, 6)}`
		: `batch sizes ${formatNumber(lo, 6)} to ${formatNumber(hi, 6)}`;
}

/** "Intel … (16 cores, 2400 MHz), using the wasm backend" from whatever the measurement records. */
function deviceSummary(m: ReportMeasurement | undefined): string {
	if (!m) return "the machine that made this profile";
	const cpu = str(m.device.cpu);
	const cores = num(m.device.cores);
	const clockMhz = num(m.device.clockMhz);
	const gpu = str(m.device.gpu);
	const details = [
		cores !== undefined ? `${cores} cores` : undefined,
		clockMhz !== undefined ? `${clockMhz} MHz` : undefined,
	]
		.filter((s) => s !== undefined)
		.join(", ");
	const machine = `${cpu !== undefined ? escapeHtml(cpu) : "this machine"}${details ? ` (${details})` : ""}${gpu !== undefined ? ` with ${escapeHtml(gpu)}` : ""}`;
	return m.backend !== undefined ? `${machine}, using the <code>${escapeHtml(m.backend)}</code> backend` : machine;
}
