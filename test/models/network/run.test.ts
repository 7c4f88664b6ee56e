import { describe, expect, it } from "vitest";
import { createNetworkState } from "../../../models/network/run.js";
import type { NetworkResult } from "../../../models/network/types.js";
import { NodeState } from "../../../models/nodes.js";
import { MS_PER_HOUR } from "../../../models/units.js";
import { mmcMeans } from "../../../sim/queueing.js";
import { meanConfidence } from "../../../sim/stats.js";
import { inputsFromFile, inputsFromYaml, run } from "../network-helpers.js";

/**
 * One metro, one job class, no network latency, H100s only (duration = work), exponential
 * work, Poisson arrivals, no bid window, no deploy or transfer time, queues that never time
 * out: the market is an M/M/10 FIFO queue at ρ = 0.8. Ten simulated years give ~700k jobs a
 * seed; measured over seeds 1–6, single runs scatter by 1.8% (sd) around Erlang C, so the
 * pooled mean of 6 has a standard error near 0.75% and 3% is about four of them.
 */
const erlangScenario = (seed: number) => `
name: erlang
seed: ${seed}
horizonDays: 3650
epochHours: 24
geography: { metros: [new-york], zeroNetworkLatency: true }
nodes: { initialCount: 10, mix: [{ gpu: h100-sxm, share: 1 }] }
providers:
  # Nobody leaves: no patience limit, and GPUs that outlive the ten years (no end-of-life decision).
  capex: { serviceLifeYears: 100 }
  exit: { consecutiveEpochs: 65535 }
  entry: { prospectivePool: 0 }
  failures: { mtbfHours: 1.0e12, repairHours: { dist: constant, value: 1 } }
market: { bidWindowSeconds: 0, deployMinutes: 0, reservePriceShareOfCloud: 1000 }
demand:
  classes:
    - id: jobs
      kind: batch
      ordersPerHour: 8
      arrival: { diurnalAmplitude: 0 }
      workH100Hours: { dist: exponential, mean: 1 }
      payloadGbIn: 0
      payloadGbOut: 0
      maxQueueMinutes: 1.0e9
      choice: { bias: 60, priceWeight: 0, reliabilityWeight: 0 }
`;

/** A burn-and-mint token with a 5% fee (the rest of the schema's token defaults). */
const BURN_AND_MINT = ["tokenomics.enabled=true", "tokenomics.burnAndMint={enabled: true, feeShare: 0.05}"];

/** What tenants paid for DePIN leases over the run (booked less refunds), from the per-class comparison, USD. */
function depinSpendUsd(result: NetworkResult): number {
	return result.comparison.byGpu.reduce((sum, g) => sum + g.depinGpuHours * (g.depinUsdPerGpuHour ?? 0), 0);
}

describe("network model", () => {
	it("a degenerate market is an M/M/c queue: mean wait matches Erlang C", () => {
		const theoryMinutes = mmcMeans(10, 8, 1).meanWait * 60;
		const waits: number[] = [];
		for (let seed = 1; seed <= 6; seed++) {
			const result = run(inputsFromYaml(erlangScenario(seed)), { checkInvariants: false });
			expect(result.kpis.jobs.rejected).toBe(0);
			waits.push(result.kpis.timeToServeMinutes?.mean ?? Number.NaN);
		}
		const pooled = meanConfidence(waits);
		expect(
			Math.abs(pooled.mean - theoryMinutes) / theoryMinutes,
			`pooled ${pooled.mean} vs ${theoryMinutes}`,
		).toBeLessThan(0.03);
		expect(Math.abs(pooled.mean - theoryMinutes)).toBeLessThan(4 * (pooled.sd / Math.sqrt(waits.length)));
	});

	it("conserves jobs at every epoch under failures, outages, multi-GPU jobs and every market", () => {
		for (const mechanism of ["auction", "posted", "routing"]) {
			const result = run(
				inputsFromFile("small", [
					`market.mechanism=${mechanism}`,
					"providers.failures.mtbfHours=48",
					"providers.outages=[{scope: metro, target: london, startDay: 0.5, durationHours: 10}, {scope: region, target: as, startDay: 1, durationHours: 5}, {scope: cloud-region, target: aws-us-east-1, startDay: 0.2, durationHours: 14.5}]",
					"failover=none",
					"cloud.jobPlacement=nearest",
					"demand.classes[1].gpusPerJob=2",
					"demand.classes[1].maxQueueMinutes=30",
				]),
				{ checkInvariants: true },
			);
			const { arrived, served, rejected, inFlight } = result.kpis.jobs;
			expect(arrived, mechanism).toBe(served + rejected + inFlight);
			expect(arrived, mechanism).toBeGreaterThan(100);
			expect(result.kpis.interruptions, mechanism).toBeGreaterThan(0);
			const cloud = result.baseline.jobs;
			expect(cloud.arrived).toBe(cloud.served + cloud.rejected + cloud.inFlight);
			// The us-east-1 outage leaves cloud orders from its metros unserved (no failover).
			expect(cloud.rejected).toBeGreaterThan(0);
		}
	});

	it("same scenario and seed give identical results; another seed differs", () => {
		const a = run(inputsFromFile("small"));
		const b = run(inputsFromFile("small"));
		const c = run(inputsFromFile("small", ["seed=8"]));
		expect(JSON.stringify(b.kpis)).toBe(JSON.stringify(a.kpis));
		expect([...b.timeseries.column("utilisation")]).toEqual([...a.timeseries.column("utilisation")]);
		expect(JSON.stringify(c.kpis)).not.toBe(JSON.stringify(a.kpis));
	});

	it("sampled request windows agree with simulating every request", () => {
		// Half a day of small.yaml: every request (~0.3–0.8 M) against 60 s windows each hour.
		for (const seed of [1, 2]) {
			// The tenant's SLA feedback is held off: a 60 s window measures the SLA-miss share
			// more noisily than every request does, which would move the two runs' choices apart.
			const common = ["horizonDays=0.5", `seed=${seed}`, "demand.classes[0].choice.slaWeight=0"];
			const full = run(inputsFromFile("small", [...common, "requests.fidelity=full"]), { checkInvariants: false });
			const sampled = run(
				inputsFromFile("small", [...common, "requests.fidelity=sampled", "requests.sampleWindowSeconds=60"]),
				{ checkInvariants: false },
			);
			expect(full.kpis.requestFidelity.mode).toBe("full");
			expect(sampled.kpis.requestFidelity.mode).toBe("sampled");
			const f = full.kpis.latencyMs;
			const s = sampled.kpis.latencyMs;
			if (f === null || s === null || full.kpis.requests === null || sampled.kpis.requests === null) {
				throw new Error("no latency measured");
			}
			expect(full.kpis.requests.arrived).toBeGreaterThan(40 * sampled.kpis.requests.arrived);
			// Measured on seeds 1–5 (cheapest cloud GPU): means within 2.8%, p95 equal, SLA-miss
			// shares within 4.8% of each other (relative); bounds leave room for other seeds.
			expect(Math.abs(s.mean - f.mean) / f.mean).toBeLessThan(0.04);
			expect(Math.abs(s.p95 - f.p95) / f.p95).toBeLessThan(0.05);
			const missFull = full.kpis.requests.slaMissed / full.kpis.requests.arrived;
			const missSampled = sampled.kpis.requests.slaMissed / sampled.kpis.requests.arrived;
			expect(Math.abs(missFull - missSampled) / missFull).toBeLessThan(0.08);
			// The pooled served fraction counts each sampled request for the run's time it stands for
			// (horizon ÷ time in windows), so sampling does not change the weight of requests against jobs.
			const { jobs, requests, requestFidelity } = sampled.kpis;
			const scale = (0.5 * 86_400) / (requestFidelity.sampledEpochs * requestFidelity.windowSeconds);
			expect(scale).toBeGreaterThan(40);
			expect(sampled.kpis.servedFraction).toBeCloseTo(
				(jobs.served + requests.served * scale) / (jobs.served + jobs.rejected + requests.arrived * scale),
				12,
			);
			const fullJobs = full.kpis.jobs;
			if (full.kpis.requests === null) throw new Error("no requests");
			expect(full.kpis.servedFraction).toBeCloseTo(
				(fullJobs.served + full.kpis.requests.served) /
					(fullJobs.served + fullJobs.rejected + full.kpis.requests.arrived),
				12,
			);
		}
	});

	it("long four-GPU jobs on mixed GPUs under frequent failures: class costs stay what was paid; burns and fees add up to the spend", () => {
		// Every node of a job is held until the slowest finishes, and leases cut by failures are
		// refunded: some epochs refund more than they book, and carry the rest into the next.
		const result = run(
			inputsFromFile("small", [
				"horizonDays=4",
				"demand.classes[1].ordersPerHour=3",
				"demand.classes[1].workH100Hours={dist: lognormal, median: 20, p95: 100}",
				"demand.classes[1].gpusPerJob=4",
				"providers.failures.mtbfHours=12",
				...BURN_AND_MINT,
			]),
		);
		expect(result.kpis.interruptions).toBeGreaterThan(10);
		const batch = result.kpis.classes.find((c) => c.id === "batch-inference");
		if (batch === undefined || batch.kind === "realtime") throw new Error("no batch class");
		expect(batch.costUsd).toBeGreaterThan(0);
		expect(batch.costUsdPerH100Hour).toBeGreaterThan(0);
		const tokens = result.kpis.tokens;
		if (tokens === null) throw new Error("no tokens");
		const spentUsd = depinSpendUsd(result);
		// Net spend = burn (95%) + fee (5%), less refunds still to net at the horizon.
		expect(tokens.refundsCarriedUsd).toBeGreaterThan(0);
		const paidUsd = tokens.burnSpentUsd + result.kpis.protocolFeesUsd - tokens.refundsCarriedUsd;
		expect(paidUsd / spentUsd).toBeCloseTo(1, 4);
	});

	it("rewards paid after a provider left go to the leavers' account: no exited node holds tokens after an epoch's close", () => {
		const inputs = inputsFromFile("small", [
			"horizonDays=2",
			...BURN_AND_MINT,
			"tokenomics.holding={exitSaleMeanDays: 5}",
		]);
		const state = createNetworkState(inputs);
		const { engine, setup, nodes } = state;
		engine.scheduleAt(0, state.kinds.epoch, 0);
		let exitedChecked = 0;
		for (let hour = 1; hour <= setup.horizonMs / MS_PER_HOUR; hour++) {
			// Each epoch's close runs at the start of the next hour's epoch event.
			engine.run(hour * MS_PER_HOUR);
			for (let node = 0; node < nodes.count; node++) {
				if (nodes.state[node] !== NodeState.exited) continue;
				exitedChecked++;
				expect(state.economy?.ledger.nodeBalance(node), `node ${node} at hour ${hour}`).toBe(0);
			}
		}
		expect(state.totals.exits).toBeGreaterThan(20);
		expect(exitedChecked).toBeGreaterThan(0);
	});

	it("burn-and-mint charges its fee once, whatever the market's take rate, on what tenants paid net of refunds", () => {
		const common = ["horizonDays=3", ...BURN_AND_MINT, "providers.failures.mtbfHours=48"];
		const none = run(inputsFromFile("small", [...common, "market.takeRate=0"]));
		const some = run(inputsFromFile("small", [...common, "market.takeRate=0.1"]));
		expect(JSON.stringify(some.kpis)).toBe(JSON.stringify(none.kpis));
		expect(none.kpis.interruptions).toBeGreaterThan(0);
		// Leases booked less refunds of cut ones, over every GPU class.
		const spentUsd = depinSpendUsd(none);
		expect(spentUsd).toBeGreaterThan(0);
		expect(none.kpis.protocolFeesUsd / spentUsd).toBeCloseTo(0.05, 4);
	});

	it("the pooled served fraction weighs each sampled request by the run time it stands for", () => {
		// Replicas down with failover none lose requests; jobs are served nearly all: the weights matter.
		const result = run(
			inputsFromFile("small", [
				"horizonDays=1",
				"requests.sampleWindowSeconds=30",
				"providers.failures.mtbfHours=12",
				"failover=none",
			]),
			{ checkInvariants: false },
		);
		const { jobs, requests, requestFidelity, servedFraction } = result.kpis;
		if (requests === null || servedFraction === null) throw new Error("no requests");
		expect(requests.served).toBeLessThan(requests.arrived);
		const scale = 86_400 / (requestFidelity.sampledEpochs * requestFidelity.windowSeconds);
		expect(scale).toBe(120);
		const weighted = (jobs.served + requests.served * scale) / (jobs.served + jobs.rejected + requests.arrived * scale);
		expect(servedFraction).toBeCloseTo(weighted, 12);
		const unweighted = (jobs.served + requests.served) / (jobs.served + jobs.rejected + requests.arrived);
		expect(Math.abs(servedFraction - unweighted)).toBeGreaterThan(1e-4);
	});

	it("every DePIN figure has its cloud twin, and each GPU class's price its market references", () => {
		const inputs = inputsFromFile("small");
		const result = run(inputs);
		for (const row of result.comparison.byGpu) {
			const spec = inputs.catalog.gpus.find((g) => g.id === row.gpu);
			if (spec === undefined) throw new Error(`no GPU ${row.gpu}`);
			const or = (x: number) => (Number.isFinite(x) ? x : null);
			expect(row.marketUsdPerGpuHour).toEqual({
				onDemand: or(spec.rentalOnDemandUsdPerGpuHour),
				spot: or(spec.rentalSpotUsdPerGpuHour),
				akash: or(spec.akashUsdPerGpuHour),
			});
		}
		const h100 = result.comparison.byGpu.find((row) => row.gpu === "h100-sxm");
		expect(h100?.marketUsdPerGpuHour.onDemand).toBeGreaterThan(0);
		const { kpis, baseline } = result;
		expect(kpis.latencyMs).not.toBeNull();
		expect(baseline.latencyMs).not.toBeNull();
		expect(kpis.gpuHourPriceUsd).toBeGreaterThan(0);
		expect(baseline.gpuHourPriceUsd).toBeGreaterThan(0);
		// Both twins see the same orders: the cloud twin prices every one, DePIN those offered to it.
		expect(baseline.jobs.arrived).toBeGreaterThanOrEqual(kpis.jobs.arrived);
		expect(kpis.nodes.start).toBe(300);
		expect(result.timeseries.length).toBe(48);
	});

	it("excluding a jurisdiction removes its nodes (C13)", () => {
		const open = run(inputsFromFile("small"), { checkInvariants: false });
		const closed = run(inputsFromFile("small", ["geography.excludeJurisdictions=[us]"]), { checkInvariants: false });
		expect(closed.kpis.nodes.start).toBeLessThan(open.kpis.nodes.start);
	});

	it("audits catch some faked work, cost capacity and show up in prices (C11)", () => {
		const honest = run(inputsFromFile("small"), { checkInvariants: false });
		const audited = run(
			inputsFromFile("small", [
				"tokenomics.verification.dishonestShare=0.2",
				"tokenomics.verification.auditRate=0.2",
				"tokenomics.verification.reexecutionMultiplier=2",
			]),
		);
		const unaudited = run(inputsFromFile("small", ["tokenomics.verification.dishonestShare=0.2"]));
		expect(audited.kpis.verification.auditOverheadShare).toBeCloseTo(0.4, 12);
		expect(audited.kpis.verification.fraudDetected).toBeGreaterThan(0);
		expect(unaudited.kpis.verification.fraudDetected).toBe(0);
		expect(unaudited.kpis.verification.fraudUndetected).toBeGreaterThan(0);
		// Re-execution takes 40% more GPU time: the same work costs more and serves slower.
		const revenuePerJob = (r: typeof honest) => r.kpis.providers.revenueUsd / r.kpis.jobs.served;
		expect(revenuePerJob(audited)).toBeGreaterThan(1.2 * revenuePerJob(honest));
		expect(audited.kpis.latencyMs?.mean ?? 0).toBeGreaterThan(honest.kpis.latencyMs?.mean ?? Number.POSITIVE_INFINITY);
		const { arrived, served, rejected, inFlight } = audited.kpis.jobs;
		expect(arrived).toBe(served + rejected + inFlight);
	});
});
