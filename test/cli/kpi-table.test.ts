import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { collapseWarning, formatKpiTable, formatTokenUnits } from "../../cli/kpi-table.js";
import type { Summary } from "../../cli/run.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const golden = JSON.parse(readFileSync(join(root, "test", "golden", "small.summary.json"), "utf8")) as Summary;

function withKpis(changes: Record<string, unknown>): Summary {
	return { ...golden, kpis: { ...golden.kpis, ...changes } as Summary["kpis"] };
}

const TOKENS = {
	symbol: "RNDR",
	decimals: 6,
	supplyStart: "500000000000000",
	minted: "1234567890",
	burned: "5000000",
	supplyEnd: "500001229567890",
	treasury: "0",
	staked: "0",
	slashed: "0",
	priceUsd: { start: 1, end: 0.25, min: 0.2, max: 1.1 },
	burnSpentUsd: 0,
	refundsCarriedUsd: 0,
};

describe("KPI table", () => {
	it("token amounts are whole tokens from base units, grouped, truncated to hundredths", () => {
		expect(formatTokenUnits("500000000000000", 6)).toBe("500,000,000");
		expect(formatTokenUnits("1234567890", 6)).toBe("1,234.56");
		expect(formatTokenUnits("5000", 6)).toBe("0");
		expect(formatTokenUnits("-2500000", 6)).toBe("-2.50");
		expect(formatTokenUnits("42", 0)).toBe("42");
	});

	it("shows the main KPIs beside the cloud, and no token rows without tokenomics", () => {
		const healthy = withKpis({ nodes: { start: 300, end: 290, min: 280, max: 300 } });
		const table = formatKpiTable(healthy);
		expect(table).toMatch(/^ +DePIN +cloud$/m);
		expect(table).toMatch(/^nodes start → end +300 → 290$/m);
		const share = (x: number | null) => (x ?? 0).toFixed(4).replace(".", "\\.");
		const requests = (s: Summary["kpis"] | Summary["baseline"]) =>
			s.requests === null ? null : s.requests.served / s.requests.arrived;
		expect(table).toMatch(
			new RegExp(
				`^requests served ÷ arrived +${share(requests(golden.kpis))} +${share(requests(golden.baseline))}$`,
				"m",
			),
		);
		// Jobs: the cloud twin serves every order, DePIN its share; the counts are labelled, the shares compared.
		const pct = ((golden.kpis.demandShare ?? 0) * 100).toFixed(0);
		expect(table).toMatch(
			new RegExp(`^jobs served \\(DePIN: its ${pct}% of orders; cloud: all\\) +[\\d,]+ +[\\d,]+$`, "m"),
		);
		const jobs = (s: Summary["kpis"] | Summary["baseline"]) => s.jobs.served / (s.jobs.served + s.jobs.rejected);
		expect(table).toMatch(
			new RegExp(
				`^jobs served ÷ \\(served \\+ rejected\\) +${share(jobs(golden.kpis))} +${share(jobs(golden.baseline))}$`,
				"m",
			),
		);
		// Latency per real-time class, never pooled over classes with different SLAs.
		expect(table).not.toMatch(/^real-time p\d+ latency/m);
		for (const depin of golden.kpis.classes) {
			if (depin.kind !== "realtime" || depin.latencyMs === null) continue;
			const cloud = golden.baseline.classes.find((c) => c.id === depin.id);
			if (cloud?.kind !== "realtime" || cloud.latencyMs === null) throw new Error(`no cloud class ${depin.id}`);
			const q = (l: { p50: number; p95: number }) =>
				`${Math.round(l.p50).toLocaleString("en-US")} / ${Math.round(l.p95).toLocaleString("en-US")}`;
			expect(table).toContain(`${depin.id}: latency p50 / p95, ms`);
			expect(table).toMatch(
				new RegExp(`^${depin.id}: latency p50 / p95, ms +${q(depin.latencyMs)} +${q(cloud.latencyMs)}$`, "m"),
			);
			expect(table).toMatch(
				new RegExp(
					`^${depin.id}: share over its [\\d,]+ ms SLA +${share(depin.slaMissShare)} +${share(cloud.slaMissShare)}$`,
					"m",
				),
			);
		}
		expect(golden.kpis.classes.some((c) => c.kind === "realtime" && c.latencyMs !== null)).toBe(true);
		expect(table).not.toMatch(/^tokens? /m);
		expect(table).not.toMatch(/warning/);
	});

	it("adds supply, minted, burned and price when tokenomics is on", () => {
		const table = formatKpiTable(withKpis({ tokens: TOKENS }));
		expect(table).toMatch(/^token supply start → end, RNDR +500,000,000 → 500,001,229\.56$/m);
		expect(table).toMatch(/^tokens minted, RNDR +1,234\.56$/m);
		expect(table).toMatch(/^tokens burned, RNDR +5$/m);
		expect(table).toMatch(/^token price start → end, USD +1\.0000 → 0\.2500$/m);
	});

	it("warns when nodes end below half the start, or jobs or requests served fall below 0.9", () => {
		// The golden small run (two days of short-patience providers) loses more than half its nodes.
		expect(golden.kpis.nodes.end).toBeLessThan(150);
		expect(collapseWarning(golden)).toBe(
			`warning: the network collapsed: nodes fell from 300 to ${golden.kpis.nodes.end}`,
		);
		expect(formatKpiTable(golden).split("\n").at(-1)).toBe(collapseWarning(golden));
		expect(collapseWarning(withKpis({ nodes: { start: 300, end: 150, min: 150, max: 300 } }))).toBeUndefined();
		// Jobs and requests each on their own: pooled, the far more numerous requests would hide failing jobs.
		const steady = { nodes: { start: 300, end: 300, min: 300, max: 300 } };
		const jobs = { arrived: 100, served: 85, rejected: 15, inFlight: 0 };
		expect(collapseWarning(withKpis({ ...steady, jobs, servedFraction: 0.99 }))).toBe(
			"warning: the network collapsed: jobs served 0.8500 < 0.9",
		);
		const requests = { arrived: 1000, served: 899, slaMissed: 0 };
		expect(collapseWarning(withKpis({ ...steady, requests }))).toBe(
			"warning: the network collapsed: requests served 0.8990 < 0.9",
		);
		const fine = { arrived: 100, served: 90, rejected: 10, inFlight: 5 };
		expect(
			collapseWarning(withKpis({ ...steady, jobs: fine, requests: { ...requests, served: 900 } })),
		).toBeUndefined();
	});
});
