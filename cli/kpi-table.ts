/**
 * The KPI table `depin-twin run` prints after a run: the main KPIs beside the cloud baseline,
 * the token KPIs when tokenomics is on, and a warning when the network collapsed.
 */
import type { Summary } from "./run.js";

/** Below these the run's network counts as collapsed (a warning under the table). */
export const COLLAPSE_NODES_END_SHARE = 0.5;
export const COLLAPSE_SERVED_FRACTION = 0.9;

type Row = [string, string, string];

function show(value: number | null | undefined, digits = 2): string {
	return value === null || value === undefined
		? "–"
		: value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(numerator: number, denominator: number): number | null {
	return denominator > 0 ? numerator / denominator : null;
}

/** Integer base units (a decimal string) as whole tokens, grouped, with at most 2 decimals (truncated). */
export function formatTokenUnits(units: string, decimals: number): string {
	const value = BigInt(units);
	const sign = value < 0n ? "-" : "";
	const magnitude = value < 0n ? -value : value;
	const scale = 10n ** BigInt(decimals);
	const whole = (magnitude / scale).toLocaleString("en-US");
	const hundredths = decimals === 0 ? 0n : ((magnitude % scale) * 100n) / scale;
	return `${sign}${whole}${hundredths === 0n ? "" : `.${hundredths.toString().padStart(2, "0")}`}`;
}

interface TokenKpis {
	readonly symbol: string;
	readonly decimals: number;
	readonly supplyStart: string;
	readonly supplyEnd: string;
	readonly minted: string;
	readonly burned: string;
	readonly priceUsd: { readonly start: number; readonly end: number };
}

function tokenRows(tokens: TokenKpis): Row[] {
	const units = (value: string) => formatTokenUnits(value, tokens.decimals);
	return [
		[`token supply start → end, ${tokens.symbol}`, `${units(tokens.supplyStart)} → ${units(tokens.supplyEnd)}`, ""],
		[`tokens minted, ${tokens.symbol}`, units(tokens.minted), ""],
		[`tokens burned, ${tokens.symbol}`, units(tokens.burned), ""],
		["token price start → end, USD", `${show(tokens.priceUsd.start, 4)} → ${show(tokens.priceUsd.end, 4)}`, ""],
	];
}

/** Jobs served ÷ (served + rejected): in-flight jobs left out, as in `servedFraction`. */
function jobsServedShare(jobs: Summary["kpis"]["jobs"]): number | null {
	return ratio(jobs.served, jobs.served + jobs.rejected);
}

/** Requests served ÷ arrived (null without real-time classes). */
function requestsServedShare(requests: Summary["kpis"]["requests"]): number | null {
	return requests === null ? null : ratio(requests.served, requests.arrived);
}

/**
 * A one-line warning when the network collapsed (nodes end < 50% of start, or jobs or requests
 * served < 0.9, each on its own: pooled, the far more numerous requests would hide the jobs);
 * else undefined.
 */
export function collapseWarning(summary: Summary): string | undefined {
	const { nodes, jobs, requests } = summary.kpis;
	const reasons: string[] = [];
	if (nodes.start > 0 && nodes.end < COLLAPSE_NODES_END_SHARE * nodes.start) {
		reasons.push(`nodes fell from ${nodes.start.toLocaleString("en-US")} to ${nodes.end.toLocaleString("en-US")}`);
	}
	const served: [string, number | null][] = [
		["jobs", jobsServedShare(jobs)],
		["requests", requestsServedShare(requests)],
	];
	for (const [what, share] of served) {
		if (share !== null && share < COLLAPSE_SERVED_FRACTION) {
			reasons.push(`${what} served ${show(share, 4)} < ${COLLAPSE_SERVED_FRACTION}`);
		}
	}
	return reasons.length === 0 ? undefined : `warning: the network collapsed: ${reasons.join(", ")}`;
}

type ClassKpis = Summary["kpis"]["classes"][number];
type RealtimeKpis = Extract<ClassKpis, { kind: "realtime" }>;

/**
 * Latency per real-time class, side by side: a quantile pooled over classes mixes a 100 ms
 * vision SLA with a 2 s LLM one, and can rank the sides the other way round from every class.
 */
function realtimeRows(summary: Summary): Row[] {
	const cloudById = new Map(summary.baseline.classes.map((c) => [c.id, c]));
	const quantiles = (c: RealtimeKpis | undefined) =>
		c?.latencyMs === null || c === undefined ? "–" : `${show(c.latencyMs.p50, 0)} / ${show(c.latencyMs.p95, 0)}`;
	const rows: Row[] = [];
	for (const depin of summary.kpis.classes) {
		if (depin.kind !== "realtime") continue;
		const cloud = cloudById.get(depin.id) as RealtimeKpis | undefined;
		rows.push([`${depin.id}: latency p50 / p95, ms`, quantiles(depin), quantiles(cloud)]);
		rows.push([
			`${depin.id}: share over its ${show(depin.slaMs, 0)} ms SLA`,
			show(depin.slaMissShare, 4),
			show(cloud?.slaMissShare, 4),
		]);
	}
	return rows;
}

/** A short table of the main KPIs beside the cloud baseline (and the collapse warning, if any). */
export function formatKpiTable(summary: Summary): string {
	const { kpis, baseline } = summary;
	const rows: Row[] = [
		["", "DePIN", "cloud"],
		...realtimeRows(summary),
		// Per H100-hour of work first: the GPU-hour price compares different hardware on each side.
		[
			"USD per H100-hour of work",
			show(summary.comparison?.usdPerH100Hour.depin, 3),
			show(summary.comparison?.usdPerH100Hour.cloud, 3),
		],
		["GPU-hour price (mixed GPUs), USD", show(kpis.gpuHourPriceUsd, 3), show(baseline.gpuHourPriceUsd, 3)],
		["cost per 1k generated tokens, USD", show(kpis.costUsdPer1kTokens, 5), show(baseline.costUsdPer1kTokens, 5)],
		[
			"cost per 1k tokens (prompt + generated), USD",
			show(kpis.costUsdPer1kTotalTokens, 6),
			show(baseline.costUsdPer1kTotalTokens, 6),
		],
		[
			"requests served ÷ arrived",
			show(requestsServedShare(kpis.requests), 4),
			show(requestsServedShare(baseline.requests), 4),
		],
		["time to serve p50, min", show(kpis.timeToServeMinutes?.p50, 2), show(baseline.timeToServeMinutes?.p50, 2)],
		// The cloud twin serves every order, DePIN only those that chose it: compare shares, and label the counts.
		["jobs served ÷ (served + rejected)", show(jobsServedShare(kpis.jobs), 4), show(jobsServedShare(baseline.jobs), 4)],
		[
			`jobs served (DePIN: its ${show((kpis.demandShare ?? 0) * 100, 0)}% of orders; cloud: all)`,
			show(kpis.jobs.served, 0),
			show(baseline.jobs.served, 0),
		],
		[
			"nodes start → end",
			`${kpis.nodes.start.toLocaleString("en-US")} → ${kpis.nodes.end.toLocaleString("en-US")}`,
			"",
		],
		...(kpis.tokens === null ? [] : tokenRows(kpis.tokens)),
	];
	const width0 = Math.max(...rows.map((r) => r[0].length));
	const width1 = Math.max(...rows.map((r) => r[1].length));
	const width2 = Math.max(...rows.map((r) => r[2].length));
	const table = rows.map(([a, b, c]) => `${a.padEnd(width0)}  ${b.padStart(width1)}  ${c.padStart(width2)}`.trimEnd());
	const warning = collapseWarning(summary);
	return [...table, ...(warning === undefined ? [] : ["", warning])].join("\n");
}
