import { describe, expect, it } from "vitest";
import type { JobClassKpis, RealtimeClassKpis, TwinKpis } from "../../../models/network/types.js";
import { inputsFromFile, run } from "../network-helpers.js";

/** Per-class figures of a side add up to its pooled ones. */
function expectClassesSumToPooled(twin: TwinKpis): void {
	const realtime = twin.classes.filter((c): c is RealtimeClassKpis => c.kind === "realtime");
	const jobs = twin.classes.filter((c): c is JobClassKpis => c.kind !== "realtime");
	const sum = <T>(items: readonly T[], f: (x: T) => number) => items.reduce((a, x) => a + f(x), 0);
	expect(twin.requests).not.toBeNull();
	expect(sum(realtime, (c) => c.requests.arrived)).toBe(twin.requests?.arrived);
	expect(sum(realtime, (c) => c.requests.served)).toBe(twin.requests?.served);
	expect(sum(realtime, (c) => c.requests.slaMissed)).toBe(twin.requests?.slaMissed);
	// Every request that arrived is served or failed for exactly one cause.
	for (const c of realtime) {
		const { noReplica, replicaDown, timeout } = c.requests.failed;
		expect(c.requests.served + noReplica + replicaDown + timeout).toBe(c.requests.arrived);
	}
	expect(sum(jobs, (c) => c.jobs.arrived)).toBe(twin.jobs.arrived);
	expect(sum(jobs, (c) => c.jobs.served)).toBe(twin.jobs.served);
	expect(sum(jobs, (c) => c.jobs.rejected + c.jobs.failed)).toBe(twin.jobs.rejected);
}

describe("USD per H100-hour", () => {
	it("render work is priced per H100 FP32-hour apart from tensor work", () => {
		// render-like has one job class, render, and no real-time class: no tensor work at all.
		const result = run(inputsFromFile("presets/render-like", ["horizonDays=3", "nodes.initialCount=100"]), {
			checkInvariants: false,
		});
		expect(result.comparison.usdPerH100Hour).toEqual({ depin: null, cloud: null });
		const render = result.comparison.usdPerH100Fp32HourRender;
		expect(render.depin).toBeGreaterThan(0);
		expect(render.cloud).toBeGreaterThan(0);
		// The cloud renders on its cheapest card per unit of render work, at its list price.
		const l40s = result.comparison.byGpu.find((g) => g.gpu === "l40s");
		expect(l40s?.cloudUsdPerGpuHour).not.toBeNull();
		expect(render.cloud).toBeCloseTo((l40s?.cloudUsdPerGpuHour as number) * (66.91 / 91.6), 9);
	});
});

describe("per-class KPIs", () => {
	for (const failover of ["nearest-region", "none"]) {
		it(`sum to the pooled figures on both sides (failover ${failover})`, () => {
			const result = run(inputsFromFile("small", [`failover=${failover}`]));
			expect(result.kpis.classes.map((c) => c.id)).toEqual(["vision-edge", "batch-inference"]);
			expectClassesSumToPooled(result.kpis);
			expectClassesSumToPooled(result.baseline);
			// Active nodes by GPU class add up to the fleet at the start and at the end.
			const byGpu = result.kpis.nodes.byGpu;
			expect(byGpu.reduce((a, g) => a + g.start, 0)).toBe(result.kpis.nodes.start);
			expect(byGpu.reduce((a, g) => a + g.end, 0)).toBe(result.kpis.nodes.end);
			const batch = result.kpis.classes[1] as JobClassKpis;
			// DePIN time to serve is a distribution now (links differ), not a handful of values.
			expect(batch.timeToServeMinutes?.p95).toBeGreaterThan(batch.timeToServeMinutes?.p50 as number);
			expect(batch.transferCostShare).toBeGreaterThan(0);
			if (failover === "nearest-region") expect(batch.jobs.failed).toBe(0);
			else {
				expect(batch.jobs.interrupted).toBeGreaterThan(0);
				expect(batch.jobs.failed).toBe(batch.jobs.interrupted);
				expect(batch.availability).toBeLessThan(1);
			}
		});
	}
});

describe("cost per 1k tokens and the replica floor", () => {
	it("cost per 1k total tokens is cost per 1k generated × generated ÷ (prompt + generated), per class and pooled", () => {
		// small's vision class made to generate 32 tokens after a 300-token prompt (cost unchanged: the KPI only).
		const result = run(
			inputsFromFile("small", ["demand.classes[0].tokensPerRequest=32", "demand.classes[0].compute.promptTokens=300"]),
		);
		for (const twin of [result.kpis, result.baseline]) {
			const vision = twin.classes[0] as RealtimeClassKpis;
			expect(vision.costUsdPer1kTokens).toBeGreaterThan(0);
			expect(vision.costUsdPer1kTotalTokens).toBeCloseTo(((vision.costUsdPer1kTokens as number) * 32) / 332, 12);
			// One token class: the pooled figures are the class's.
			expect(twin.costUsdPer1kTotalTokens).toBeCloseTo(vision.costUsdPer1kTotalTokens as number, 12);
		}
	});

	it("replicaFloorShare is 1 when minReplicas exceeds any demand and 0 when it is one replica", () => {
		for (const [minReplicas, share] of [
			[1000, 1],
			[1, 0],
		] as const) {
			const result = run(inputsFromFile("small", [`demand.classes[0].replicas.minReplicas=${minReplicas}`]));
			for (const twin of [result.kpis, result.baseline]) {
				expect((twin.classes[0] as RealtimeClassKpis).replicaFloorShare).toBe(share);
			}
		}
	});
});
