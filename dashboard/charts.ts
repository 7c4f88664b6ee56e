/**
 * Chart builders for the reports: each returns a vega-lite spec with its data inline, and
 * `renderSvg` turns a spec into a static SVG string (no browser, no script, no network), so a
 * report can carry its charts inline and read offline. Same spec → same bytes.
 */
import { parse, type Spec as VegaSpec, View } from "vega";
import { type Config, compile, type TopLevelSpec } from "vega-lite";

/** One measured point of a kernel: latency statistics over the repeated timings at one batch. */
export interface MeasuredPoint {
	readonly batch: number;
	readonly medianMs: number;
	readonly p10Ms: number;
	readonly p90Ms: number;
	/** Work of one call at this batch, FLOP (not GFLOP). */
	readonly flops?: number;
	/** Minimum bytes moved by one call at this batch. */
	readonly bytes?: number;
	readonly achievedGflops?: number;
	readonly achievedGbps?: number;
}

/** A fitted roofline: latency = overheadMs + max(flops / effective FLOP/s, bytes / effective bandwidth). */
export interface RooflineFit {
	readonly overheadMs: number;
	readonly effectiveGflops: number;
	readonly effectiveGbps: number;
}

/** The points of one kernel, named. */
export interface KernelSeries {
	readonly kernel: string;
	readonly points: readonly MeasuredPoint[];
}

/** Predicted latency vs batch on one GPU class. */
export interface GpuSeries {
	/** Legend label, e.g. "h100-sxm (datacenter)". */
	readonly label: string;
	readonly points: readonly { readonly batch: number; readonly predictedMs: number }[];
}

/** Achieved shares of peak for one GPU tier. */
export interface TierEfficiency {
	readonly tier: string;
	readonly mfu: number;
	readonly mbu: number;
}

/** A machine peak drawn as a horizontal rule. */
export interface Peak {
	readonly value: number;
	readonly label: string;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Shared look: readable sizes, no chart border, white background. */
const CONFIG: Config = {
	font: FONT,
	background: "white",
	padding: 8,
	view: { stroke: "#d0d4da" },
	title: { fontSize: 14, fontWeight: 600, anchor: "start", offset: 10, subtitleFontSize: 12, subtitleColor: "#555" },
	axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, gridColor: "#eceef1", tickColor: "#999" },
	legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, labelLimit: 320 },
	range: { category: ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"] },
};

/** Positive, finite: the only values a log scale can place. */
function positive(x: number | undefined): x is number {
	return x !== undefined && Number.isFinite(x) && x > 0;
}

/** Sorted distinct batches, as tick values when there are few enough to read. */
function batchTicks(batches: readonly number[]): number[] | undefined {
	const distinct = [...new Set(batches.filter(positive))].sort((a, b) => a - b);
	return distinct.length > 0 && distinct.length <= 12 ? distinct : undefined;
}

function batchAxis(batches: readonly number[]) {
	const values = batchTicks(batches);
	return {
		field: "batch",
		type: "quantitative" as const,
		title: "batch size (log scale)",
		scale: { type: "log" as const, nice: false, padding: 8 },
		axis: values ? { values, format: "d", grid: true } : { format: "~s", grid: true },
	};
}

/** Linear interpolation of y at x over points sorted by x (clamped at the ends). */
function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
	const last = xs.length - 1;
	if (x <= (xs[0] as number)) return ys[0] as number;
	if (x >= (xs[last] as number)) return ys[last] as number;
	let i = 1;
	while ((xs[i] as number) < x) i++;
	const x0 = xs[i - 1] as number;
	const x1 = xs[i] as number;
	const y0 = ys[i - 1] as number;
	const y1 = ys[i] as number;
	return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

/** The fitted latency at one call of `flops` FLOP moving `bytes` bytes, ms. */
export function rooflineMs(fit: RooflineFit, flops: number, bytes: number): number {
	// FLOP ÷ (GFLOP/s · 10⁹) s = FLOP ÷ (GFLOP/s · 10⁶) ms; the same for bytes over GB/s.
	const computeMs = fit.effectiveGflops > 0 ? flops / (fit.effectiveGflops * 1e6) : 0;
	const memoryMs = fit.effectiveGbps > 0 ? bytes / (fit.effectiveGbps * 1e6) : 0;
	return fit.overheadMs + Math.max(computeMs, memoryMs);
}

/**
 * The fitted curve on a log-spaced batch grid between the smallest and largest measured batch.
 * FLOPs and bytes are affine in the batch for these kernels, so interpolating them linearly
 * between measured batches is exact and the curve shows the roofline's corner where it falls.
 */
export function rooflineCurve(
	points: readonly MeasuredPoint[],
	fit: RooflineFit,
	samples = 64,
): { batch: number; ms: number }[] {
	const usable = points
		.filter((p) => positive(p.batch) && p.flops !== undefined && p.bytes !== undefined)
		.sort((a, b) => a.batch - b.batch);
	if (usable.length === 0) return [];
	const batches = usable.map((p) => p.batch);
	const flops = usable.map((p) => p.flops as number);
	const bytes = usable.map((p) => p.bytes as number);
	const lo = batches[0] as number;
	const hi = batches[batches.length - 1] as number;
	const grid = new Set<number>(batches);
	if (hi > lo) for (let i = 0; i <= samples; i++) grid.add(lo * (hi / lo) ** (i / samples));
	return [...grid]
		.sort((a, b) => a - b)
		.map((batch) => ({
			batch,
			ms: rooflineMs(fit, interpolate(batches, flops, batch), interpolate(batches, bytes, batch)),
		}))
		.filter((p) => positive(p.ms));
}

/**
 * Measured latency (median, with a p10–p90 bar) vs batch for one kernel, over its fitted
 * roofline curve; both axes logarithmic.
 */
export function kernelFitChart(input: {
	readonly kernel: string;
	readonly subtitle?: string;
	readonly points: readonly MeasuredPoint[];
	readonly fit?: RooflineFit;
	readonly widthPx?: number;
	readonly heightPx?: number;
}): TopLevelSpec {
	const measured = input.points
		.filter((p) => positive(p.batch) && positive(p.medianMs))
		.map((p) => ({
			batch: p.batch,
			ms: p.medianMs,
			p10: positive(p.p10Ms) ? p.p10Ms : p.medianMs,
			p90: positive(p.p90Ms) ? p.p90Ms : p.medianMs,
		}));
	const curve = input.fit ? rooflineCurve(input.points, input.fit) : [];
	const x = batchAxis(measured.map((p) => p.batch));
	const y = {
		field: "ms",
		type: "quantitative" as const,
		title: "ms per call (log scale)",
		scale: { type: "log" as const, nice: false, padding: 8 },
		axis: { format: "~g", grid: true },
	};
	const colour = {
		scale: { domain: ["measured median, p10–p90", "fitted roofline"], range: ["#1f77b4", "#d62728"] },
		legend: { title: null, orient: "bottom" as const, direction: "horizontal" as const },
	};
	const layers: object[] = [];
	if (curve.length > 0) {
		layers.push({
			data: { values: curve },
			mark: { type: "line", strokeWidth: 2, clip: true },
			encoding: { x, y, color: { datum: "fitted roofline", ...colour } },
		});
	}
	layers.push(
		{
			data: { values: measured },
			mark: { type: "rule", strokeWidth: 1.5 },
			encoding: {
				x,
				y: { ...y, field: "p10" },
				y2: { field: "p90" },
				color: { datum: "measured median, p10–p90", ...colour },
			},
		},
		{
			data: { values: measured },
			mark: { type: "point", filled: true, size: 40, opacity: 1 },
			encoding: { x, y, color: { datum: "measured median, p10–p90", ...colour } },
		},
	);
	return {
		$schema: SCHEMA,
		title: { text: input.kernel, ...(input.subtitle ? { subtitle: input.subtitle } : {}) },
		width: input.widthPx ?? 380,
		height: input.heightPx ?? 240,
		config: CONFIG,
		layer: layers,
	} as TopLevelSpec;
}

/**
 * Achieved rate (GFLOP/s or GB/s) vs batch, one line per kernel, under the machine's peak
 * drawn as a labelled rule.
 */
export function achievedVsPeakChart(input: {
	readonly metric: "gflops" | "gbps";
	readonly series: readonly KernelSeries[];
	readonly peak?: Peak;
	readonly title?: string;
	readonly widthPx?: number;
	readonly heightPx?: number;
}): TopLevelSpec {
	const unit = input.metric === "gflops" ? "GFLOP/s" : "GB/s";
	const values = input.series.flatMap((s) =>
		s.points
			.map((p) => ({
				kernel: s.kernel,
				batch: p.batch,
				rate: input.metric === "gflops" ? p.achievedGflops : p.achievedGbps,
			}))
			.filter((p) => positive(p.batch) && positive(p.rate)),
	);
	const x = batchAxis(values.map((p) => p.batch));
	const y = {
		field: "rate",
		type: "quantitative" as const,
		title: `achieved ${unit} (log scale)`,
		scale: { type: "log" as const, nice: false, padding: 8 },
		axis: { format: "~g", grid: true },
	};
	const layers: object[] = [
		{
			data: { values },
			mark: { type: "line", point: { filled: true, size: 30 }, strokeWidth: 1.5 },
			encoding: {
				x,
				y,
				color: {
					field: "kernel",
					type: "nominal",
					title: "kernel",
					sort: input.series.map((s) => s.kernel),
					legend: { orient: "right" },
				},
			},
		},
	];
	if (input.peak && positive(input.peak.value)) {
		const peak = [{ rate: input.peak.value, label: input.peak.label }];
		layers.push(
			{
				data: { values: peak },
				mark: { type: "rule", strokeDash: [6, 4], strokeWidth: 1.5, color: "#333" },
				encoding: { y },
			},
			{
				data: { values: peak },
				mark: { type: "text", align: "left", baseline: "bottom", dx: 4, dy: -3, fontSize: 11, color: "#333", x: 0 },
				encoding: { y, text: { field: "label" } },
			},
		);
	}
	return {
		$schema: SCHEMA,
		title: input.title ?? `Achieved ${unit} vs batch`,
		width: input.widthPx ?? 620,
		height: input.heightPx ?? 280,
		config: CONFIG,
		layer: layers,
	} as TopLevelSpec;
}

/** Predicted latency vs batch for one kernel, one line per GPU class; both axes logarithmic. */
export function predictedLatencyChart(input: {
	readonly kernel: string;
	readonly gpus: readonly GpuSeries[];
	readonly widthPx?: number;
	readonly heightPx?: number;
}): TopLevelSpec {
	const values = input.gpus.flatMap((g) =>
		g.points.filter((p) => positive(p.batch) && positive(p.predictedMs)).map((p) => ({ gpu: g.label, ...p })),
	);
	return {
		$schema: SCHEMA,
		title: { text: `Predicted latency vs batch per GPU class: ${input.kernel}` },
		width: input.widthPx ?? 620,
		height: input.heightPx ?? 300,
		config: CONFIG,
		data: { values },
		mark: { type: "line", point: { filled: true, size: 30 }, strokeWidth: 1.5 },
		encoding: {
			x: batchAxis(values.map((p) => p.batch)),
			y: {
				field: "predictedMs",
				type: "quantitative",
				title: "ms per batch (log scale)",
				scale: { type: "log", nice: false, padding: 8 },
				axis: { format: "~g", grid: true },
			},
			color: {
				field: "gpu",
				type: "nominal",
				title: "GPU class",
				sort: input.gpus.map((g) => g.label),
				legend: { orient: "right" },
			},
		},
	} as TopLevelSpec;
}

/** Grouped bars: mfu and mbu (shares of peak, 0–1) per GPU tier. */
export function efficiencyChart(input: {
	readonly tiers: readonly TierEfficiency[];
	readonly widthPx?: number;
	readonly heightPx?: number;
}): TopLevelSpec {
	const values = input.tiers.flatMap((t) => [
		{ tier: t.tier, metric: "mfu (share of peak FLOP/s)", share: t.mfu },
		{ tier: t.tier, metric: "mbu (share of peak bandwidth)", share: t.mbu },
	]);
	const tiers = input.tiers.map((t) => t.tier);
	const metrics = ["mfu (share of peak FLOP/s)", "mbu (share of peak bandwidth)"];
	return {
		$schema: SCHEMA,
		title: "Efficiency per GPU tier (used by the network model)",
		width: input.widthPx ?? 420,
		height: input.heightPx ?? 220,
		config: CONFIG,
		data: { values },
		layer: [
			{
				mark: { type: "bar", width: { band: 0.9 } },
				encoding: {
					x: { field: "tier", type: "nominal", title: "GPU tier", sort: tiers, axis: { labelAngle: 0 } },
					xOffset: { field: "metric", type: "nominal", sort: metrics },
					y: {
						field: "share",
						type: "quantitative",
						title: "share of peak",
						scale: { domain: [0, 1] },
						axis: { format: ".0%", grid: true },
					},
					color: {
						field: "metric",
						type: "nominal",
						title: null,
						scale: { domain: metrics, range: ["#d62728", "#1f77b4"] },
						legend: { orient: "bottom", direction: "horizontal" },
					},
				},
			},
			{
				mark: { type: "text", baseline: "bottom", dy: -2, fontSize: 11, color: "#222" },
				encoding: {
					x: { field: "tier", type: "nominal", sort: tiers },
					xOffset: { field: "metric", type: "nominal", sort: metrics },
					y: { field: "share", type: "quantitative" },
					text: { field: "share", type: "quantitative", format: ".2f" },
				},
			},
		],
	} as TopLevelSpec;
}

/**
 * Horizontal bars: the signed relative error of each prediction against a published figure, with a ±25% band.
 * The axis stops at ±100% so one wild row does not flatten the rest: a bar past it ends at the edge with its
 * value written beside it.
 */
export function validationChart(input: {
	readonly rows: readonly { readonly label: string; readonly relativeError: number }[];
	readonly widthPx?: number;
}): TopLevelSpec {
	const largest = Math.max(0.5, ...input.rows.map((r) => Math.abs(r.relativeError)));
	const limit = Math.min(1, largest);
	const values = input.rows.map((r, i) => ({
		row: `${i + 1}. ${r.label}`,
		error: r.relativeError,
		shown: Math.max(-limit, Math.min(limit, r.relativeError)),
		clipped: Math.abs(r.relativeError) > limit,
		// Where a clipped bar's value is written: inside the bar, near the edge.
		labelAt: Math.sign(r.relativeError) * limit * 0.75,
	}));
	const order = values.map((v) => v.row);
	const y = { field: "row", type: "nominal", title: null, sort: order, axis: { labelLimit: 260 } } as const;
	const x = {
		field: "shown",
		type: "quantitative",
		title: `(predicted − published) ÷ published${largest > limit ? " (axis clipped at ±100%)" : ""}`,
		scale: { domain: [-limit, limit] },
		axis: { format: "+.0%", grid: true },
	} as const;
	return {
		$schema: SCHEMA,
		title: "Prediction vs published: relative error",
		width: input.widthPx ?? 420,
		height: { step: 18 },
		config: CONFIG,
		data: { values },
		layer: [
			{
				data: { values: [{ lo: -0.25, hi: 0.25 }] },
				mark: { type: "rect", color: "#2ca02c", opacity: 0.12 },
				encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } },
			},
			{
				mark: { type: "bar", height: { band: 0.7 } },
				encoding: {
					y,
					x,
					color: {
						condition: { test: "abs(datum.error) <= 0.25", value: "#1f77b4" },
						value: "#d62728",
					},
				},
			},
			{
				transform: [{ filter: "datum.clipped" }],
				mark: { type: "text", fontSize: 10, align: "center", baseline: "middle", color: "#ffffff", fontWeight: "bold" },
				encoding: {
					y,
					x: { ...x, field: "labelAt" },
					text: { field: "error", type: "quantitative", format: "+.0%" },
				},
			},
		],
	} as TopLevelSpec;
}

/**
 * Renders a vega-lite spec to an SVG string with vega's headless renderer. Deterministic: the
 * layout depends only on the spec (text is measured by the same estimator every time), and the
 * element ids, which vega numbers from a process-wide counter, are renumbered from 1 after
 * `idPrefix` — give each chart of one page its own prefix, as inline SVGs share the page's ids.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix = "chart-"): Promise<string> {
	const compiled = compile(spec);
	const view = new View(parse(compiled.spec as VegaSpec), { renderer: "none" });
	try {
		return renumberIds(await view.toSVG(), idPrefix);
	} finally {
		view.finalize();
	}
}

/** Renames every `id` of an SVG to `<prefix><n>` in document order, with its references. */
function renumberIds(svg: string, prefix: string): string {
	const ids = new Map<string, string>();
	for (const match of svg.matchAll(/\sid="([^"]+)"/g)) {
		const id = match[1] as string;
		if (!ids.has(id)) ids.set(id, `${prefix}${ids.size + 1}`);
	}
	if (ids.size === 0) return svg;
	return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, head: string, id: string) => {
		const renamed = ids.get(id);
		return renamed === undefined ? whole : `${head}${renamed}`;
	});
}
