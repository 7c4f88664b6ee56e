import { describe, expect, it } from "vitest";
import { CLOUD_GPU_IDS, cloudPriceUsdPerGpuHour } from "../../../models/catalog.js";
import type { EpochDemand } from "../../../models/demand.js";
import { efficiencyFor } from "../../../models/latency.js";
import { cloudRegionTimeUp, cloudTwin } from "../../../models/network/cloud-twin.js";
import { onEpoch } from "../../../models/network/epoch.js";
import { replicaCapacityRps, rttAllowanceMs, sizingDemand } from "../../../models/network/setup.js";
import type { JobClassState, NetworkState, RealtimeClassState } from "../../../models/network/state.js";
import { generateArrivals } from "../../../models/requests.js";
import { SECONDS_PER_HOUR } from "../../../models/units.js";
import { RandomStream } from "../../../sim/random/stream.js";
import { inputsFromYaml, run, tinyState } from "../network-helpers.js";

function jobClass(state: NetworkState, index: number): JobClassState {
	const classState = state.jobClassByIndex[index];
	if (classState === undefined) throw new Error(`no job class ${index}`);
	return classState;
}

/** The RTT allowance the class's capacity is computed with (rttAllowanceMs). */
function allowanceOf(state: NetworkState, classState: RealtimeClassState): number {
	return rttAllowanceMs(state.setup, classState.spec, sizingDemand(state.setup, classState.index));
}

function realtimeClass(state: NetworkState, index: number): RealtimeClassState {
	const classState = state.realtimeByIndex[index];
	if (classState === undefined) throw new Error(`no real-time class ${index}`);
	return classState;
}

/** Two metros an ocean apart, one cloud region near each, one real-time class with a tight SLA. */
function realtimeYaml(slaP95Ms: number, requestsPerSecond: number, extra = ""): string {
	return `
name: cloud-realtime
seed: 3
horizonDays: 1
epochHours: 1
geography: { metros: [new-york, london] }
nodes: { initialCount: 8, mix: [{ gpu: h100-sxm, share: 1 }] }
providers:
  entry: { prospectivePool: 0 }
  failures: { mtbfHours: 1.0e12, repairHours: { dist: constant, value: 2 } }
market: { bidWindowSeconds: 0, deployMinutes: 0 }
cloud: { regions: [aws-us-east-1, aws-eu-west-2], realtimeGpu: h100-sxm, outages: { enabled: false } }
requests: { fidelity: sampled, sampleWindowSeconds: 20 }
demand:
  classes:
    - id: vision
      kind: realtime
      requestsPerSecond: ${requestsPerSecond}
      slaP95Ms: ${slaP95Ms}
      arrival: { diurnalAmplitude: 0 }
      compute: { prefillGflop: 35, decodeSteps: 1, stepGflop: 0, weightsGb: 0.2, overheadMs: 2 }
      batching: { maxBatch: 16, maxWaitMs: 5 }
      replicas: { minReplicas: 1, leaseHours: 24 }
${extra}`;
}

/** Requests of the first window from each metro, regenerated from the same named stream. */
function firstWindowArrivalsByMetro(state: NetworkState, classState: RealtimeClassState): number[] {
	const demand = classState.demand as EpochDemand;
	const arrivals = generateArrivals(
		RandomStream.create(state.setup.scenario.seed, 0, `requests/${classState.spec.id}/arrivals`),
		{
			startMs: 0,
			durationMs: state.setup.windowMs,
			ratePerSecond: demand.ratePerHour / SECONDS_PER_HOUR,
			metroWeights: demand.metroWeights,
		},
	);
	const counts = new Array(state.setup.metroCount).fill(0);
	for (const metro of arrivals.metro) counts[metro]++;
	return counts;
}

describe("cloud twin: real-time replicas", () => {
	it("at a known demand the run's cloud replicas equal the autoscaler's closed form", () => {
		const state = tinyState([], realtimeYaml(2000, 4000));
		onEpoch(state, 0);
		const classState = realtimeClass(state, 0);
		const rate = (classState.demand as EpochDemand).ratePerHour / SECONDS_PER_HOUR;
		const spec = classState.spec;
		const closedForm = Math.max(
			spec.replicas.minReplicas,
			Math.ceil(rate / (classState.cloudCapacityRps * spec.replicas.targetUtilisation)),
		);
		expect(closedForm).toBeGreaterThan(spec.replicas.minReplicas);
		expect(state.cloudTally.replicasSum).toBe(closedForm);
		expect(state.cloud.requests.served).toBe(state.cloud.requests.arrived);
		// The tenant's price per request is a quote: the replicas' cost over the requests they
		// are sized to serve in the window at the target utilisation.
		const windowSeconds = state.setup.windowMs / 1000;
		const quoted = closedForm * classState.cloudCapacityRps * windowSeconds * spec.replicas.targetUtilisation;
		expect(classState.epochCloudWork).toBeCloseTo(quoted, 6);
		const depinQuoted = classState.replicas.reduce(
			(sum, node) =>
				sum +
				(classState.capacityRpsByGpu[state.nodes.gpu[node] as number] as number) *
					windowSeconds *
					spec.replicas.targetUtilisation,
			0,
		);
		expect(classState.epochDepinWork).toBeCloseTo(depinQuoted, 6);
	});

	it("capacity spills replicas to the next nearest region with room, and drops those that find none", () => {
		const free = tinyState([], realtimeYaml(2000, 4000));
		onEpoch(free, 0);
		const wanted = free.cloudTally.replicasSum;
		const regionsUsed = free.cloudTally.regionsSum;
		expect([wanted > 1, regionsUsed]).toEqual([true, 1]);
		const capped = (gpus: readonly [number, number]) => {
			const state = tinyState(
				[],
				realtimeYaml(2000, 4000, "").replace(
					"outages: { enabled: false } }",
					`outages: { enabled: false }, capacity: [{region: aws-us-east-1, gpu: h100-sxm, gpus: ${gpus[0]}}, {region: aws-eu-west-2, gpu: h100-sxm, gpus: ${gpus[1]}}] }`,
				),
			);
			onEpoch(state, 0);
			return state.cloudTally;
		};
		const spill = capped([1, 1000]);
		expect([spill.replicasSum, spill.regionsSum]).toEqual([wanted, 2]);
		const scarce = capped([1, 1]);
		expect([scarce.replicasSum, scarce.regionsSum]).toEqual([2, 2]);
	});

	it("a region outage with failover none loses exactly the demand it serves; nearest-region loses none", () => {
		const yaml = (failover: string) =>
			realtimeYaml(60, 50, `failover: ${failover}\n`).replace(
				"providers:\n  entry: { prospectivePool: 0 }",
				"providers:\n  outages: [{ scope: cloud-region, target: aws-us-east-1, startDay: 0, durationHours: 24 }]\n  entry: { prospectivePool: 0 }",
			);
		const none = tinyState([], yaml("none"));
		onEpoch(none, 0);
		const byMetro = firstWindowArrivalsByMetro(none, realtimeClass(none, 0));
		const newYork = none.setup.metros.findIndex((m) => m.id === "new-york");
		const lost = byMetro[newYork] as number;
		expect(lost).toBeGreaterThan(0);
		expect(none.cloudTally.requestsLostToOutage).toBe(lost);
		expect(none.cloud.requests.arrived).toBe(byMetro.reduce((a, b) => a + b, 0));
		expect(none.cloud.requests.served).toBe(none.cloud.requests.arrived - lost);

		const moved = tinyState([], yaml("nearest-region"));
		onEpoch(moved, 0);
		expect(moved.cloudTally.requestsLostToOutage).toBe(0);
		expect(moved.cloud.requests.arrived).toBe(none.cloud.requests.arrived);
		expect(moved.cloud.requests.served).toBe(moved.cloud.requests.arrived);
	});
});

describe("cloud twin: jobs", () => {
	it("cheapest placement runs a job in the region of lowest cost, paying the input's inter-region move", () => {
		const state = tinyState(["demand.classes[0].payloadGbIn=3", "cloud.outages.enabled=false"]);
		const classState = jobClass(state, 0);
		const { regions, geography } = state.setup;
		const nearest = geography.nearestRegion[0] as number;
		const near = regions[nearest];
		if (near === undefined) throw new Error("no region");
		const mean = classState.work.mean;
		// Hand-computed: cost of a mean-size job in each region, plus the move from the nearest.
		let best = nearest;
		let bestUsd = (classState.cloudOfferCostPerWork[nearest] as number) * mean;
		regions.forEach((_, r) => {
			const usd = (classState.cloudOfferCostPerWork[r] as number) * mean + 3 * near.interregionUsdPerGb;
			if (usd < bestUsd) [best, bestUsd] = [r, usd];
		});
		expect(classState.cloudHomeRegion[nearest]).toBe(best);
		const cost = cloudTwin(state, classState, 0, 1);
		const served = regions[best];
		if (served === undefined) throw new Error("no region");
		const moved = best === nearest ? 0 : 3 * near.interregionUsdPerGb;
		expect(state.cloudTally.interregionUsd).toBe(moved);
		expect(cost).toBeCloseTo(
			(classState.cloudOfferCostPerWork[best] as number) + classState.spec.payloadGbOut * served.egressUsdPerGb + moved,
			12,
		);
	});

	it("charges the serving region's internet egress on a job's output, exactly", () => {
		const state = tinyState([
			"demand.classes[0].payloadGbOut=2.5",
			"cloud.outages.enabled=false",
			"cloud.jobPlacement=nearest",
		]);
		const classState = jobClass(state, 0);
		const home = state.setup.geography.nearestRegion[0] as number;
		const region = state.setup.regions[home];
		if (region === undefined) throw new Error("no region");
		const cost = cloudTwin(state, classState, 0, 1);
		expect(state.cloudTally.egressUsd).toBe(2.5 * region.egressUsdPerGb);
		expect(cost).toBe((classState.cloudOfferCostPerWork[home] as number) + 2.5 * region.egressUsdPerGb);
		expect(state.cloudTally.interregionUsd).toBe(0);
	});

	it("a job whose region is down fails without failover and moves, paying inter-region transfer, with it", () => {
		const home = (state: NetworkState) => state.setup.geography.nearestRegion[0] as number;
		const probe = tinyState(["cloud.outages.enabled=false", "cloud.jobPlacement=nearest"]);
		const homeId = probe.setup.regions[home(probe)]?.id as string;
		const overrides = (failover: string) => [
			"cloud.outages.enabled=false",
			"cloud.jobPlacement=nearest",
			`failover=${failover}`,
			"demand.classes[0].payloadGbIn=3",
			`providers.outages=[{scope: cloud-region, target: ${homeId}, startDay: 0, durationHours: 10}]`,
		];
		const none = tinyState(overrides("none"));
		expect(cloudTwin(none, jobClass(none, 0), 0, 1)).toBe(Number.POSITIVE_INFINITY);
		expect([none.cloudJobs.rejected, none.cloudTally.jobsFailedOver]).toEqual([1, 0]);

		const moved = tinyState(overrides("nearest-region"));
		const cost = cloudTwin(moved, jobClass(moved, 0), 0, 1);
		expect(Number.isFinite(cost)).toBe(true);
		expect([moved.cloudJobs.rejected, moved.cloudTally.jobsFailedOver]).toEqual([0, 1]);
		expect(moved.cloudTally.interregionUsd).toBe(3 * (moved.setup.regions[home(moved)]?.interregionUsdPerGb ?? 0));
	});

	it("capacity sends orders beyond it to the next nearest region, and refuses them when none has room", () => {
		const probe = tinyState(["cloud.outages.enabled=false", "cloud.jobPlacement=nearest"]);
		const classState = jobClass(probe, 0);
		const home = probe.setup.geography.nearestRegion[0] as number;
		const gpuId = probe.setup.gpus[classState.cloudOfferGpu[home] as number]?.id as string;
		const regionIds = probe.setup.regions.map((r) => r.id);
		const capped = (ids: readonly string[]) =>
			tinyState([
				"cloud.outages.enabled=false",
				"cloud.jobPlacement=nearest",
				`cloud.capacity=[${ids.map((id) => `{region: ${id}, gpu: ${gpuId}, gpus: 1}`).join(", ")}]`,
			]);
		const oneFull = capped([regionIds[home] as string]);
		cloudTwin(oneFull, jobClass(oneFull, 0), 0, 1);
		cloudTwin(oneFull, jobClass(oneFull, 0), 0, 1);
		expect([oneFull.cloudJobs.rejected, oneFull.cloudTally.jobsFailedOver]).toEqual([0, 1]);
		// Every region holds one GPU of every class the offer could use (the cloud GPUs, the same for jobs and
		// replicas): the (regions × GPUs + 1)-th order finds none.
		const all = tinyState([
			"cloud.outages.enabled=false",
			"cloud.jobPlacement=nearest",
			`cloud.capacity=[${regionIds.flatMap((id) => CLOUD_GPU_IDS.map((g) => `{region: ${id}, gpu: ${g}, gpus: 1}`)).join(", ")}]`,
		]);
		const orders = regionIds.length * CLOUD_GPU_IDS.length + 1;
		for (let k = 0; k < orders; k++) cloudTwin(all, jobClass(all, 0), 0, 1);
		expect(all.cloudJobs.rejected).toBeGreaterThan(0);
		expect(all.cloudTally.jobsRefusedCapacity).toBe(all.cloudJobs.rejected);
	});
});

describe("cloud twin: availability and prices", () => {
	it("long-run region availability of the outage process converges to MTBF / (MTBF + MTTR)", () => {
		const state = tinyState(["horizonDays=3650", "cloud.outages.availability=0.99", "cloud.outages.mttrHours=6"]);
		const measured = cloudRegionTimeUp(state.cloudOutageWindows, state.setup.horizonMs);
		// 56 regions × ~145 outages each: the unavailability's relative standard error is ~1.5%.
		expect(Math.abs(1 - measured - 0.01) / 0.01).toBeLessThan(0.06);
		const sla = tinyState(["horizonDays=3650"]);
		const measuredSla = cloudRegionTimeUp(sla.cloudOutageWindows, sla.setup.horizonMs);
		expect(Math.abs(1 - measuredSla - 1e-4) / 1e-4).toBeLessThan(0.35);
	});

	it("prices: commit-1y is on-demand less the provider's discount; spot and the AWS H100 cut come from the table", () => {
		const state = tinyState();
		const useast = state.setup.regions.find((r) => r.id === "aws-us-east-1");
		if (useast === undefined) throw new Error("no us-east-1");
		const onDemand = cloudPriceUsdPerGpuHour(useast, "h100-sxm");
		expect(onDemand).toBeCloseTo(12.29 * 0.56, 3);
		expect(cloudPriceUsdPerGpuHour(useast, "h100-sxm", "commit-1y")).toBe(onDemand * (1 - useast.commit1yDiscount));
		expect(cloudPriceUsdPerGpuHour(useast, "h100-sxm", "spot")).toBe(useast.spotUsdPerGpuHour["h100-sxm"]);
		expect(useast.spotUsdPerGpuHour["h100-sxm"]).toBeLessThan(onDemand);
	});

	it("market pricing rents each GPU class at its market rent (capped at the list) wherever a region lists it, and jobs pay it", () => {
		const state = tinyState(["cloud.pricing=market", "cloud.outages.enabled=false", "cloud.jobPlacement=nearest"]);
		const { regions, catalog } = state.setup;
		let capped = 0;
		for (const id of CLOUD_GPU_IDS) {
			const market = catalog.gpuById.get(id)?.rentalOnDemandUsdPerGpuHour as number;
			for (const region of regions) {
				const list = cloudPriceUsdPerGpuHour(region, id);
				const expected = Number.isFinite(list) ? Math.min(market, list) : Number.NaN;
				expect(cloudPriceUsdPerGpuHour(region, id, "market", market)).toBe(expected);
				if (list < market) capped++;
			}
		}
		// AWS lists the T4 at $0.526 (g4dn.xlarge) under its market median over larger sizes ($0.70).
		const useast = regions.find((r) => r.id === "aws-us-east-1");
		if (useast === undefined) throw new Error("no us-east-1");
		expect(cloudPriceUsdPerGpuHour(useast, "t4", "market", 0.7)).toBe(useast.onDemandUsdPerGpuHour.t4);
		expect(capped).toBeGreaterThan(0);
		// A job's cost: its GPU-hours at the market rent of the GPU its region offers (plus output egress).
		const classState = jobClass(state, 0);
		const home = state.setup.geography.nearestRegion[0] as number;
		const gpu = catalog.gpus[classState.cloudOfferGpu[home] as number];
		const egress = classState.spec.payloadGbOut * (regions[home]?.egressUsdPerGb as number);
		const rent = Math.min(
			gpu?.rentalOnDemandUsdPerGpuHour as number,
			cloudPriceUsdPerGpuHour(regions[home] as (typeof regions)[number], gpu?.id as string),
		);
		expect(cloudTwin(state, classState, 0, 1)).toBeCloseTo(
			(classState.cloudOfferHoursPerWork[home] as number) * rent + egress,
			12,
		);
	});
});

describe("cloud twin: the real-time GPU", () => {
	it("cheapest picks the cloud GPU whose deployment for the class's demand costs least; a named GPU is kept", () => {
		// Both metros lie within the RTT budget (1,000 ms) of either region, so the placement takes one region,
		// the cheaper for the GPU, and sizes it max(minReplicas, ceil(rate / (capacity · target))): the deployment
		// costs that many GPUs at the GPU's lower regional price. At a light load the floor binds (one replica:
		// the lowest hourly price wins); at a heavy one the lowest price per request/s of capacity does.
		for (const rate of [1, 200_000]) {
			const state = tinyState([], realtimeYaml(2000, rate).replace("realtimeGpu: h100-sxm", "realtimeGpu: cheapest"));
			const classState = realtimeClass(state, 0);
			const { regions, catalog, calibration } = state.setup;
			const target = classState.spec.replicas.targetUtilisation;
			const costs = CLOUD_GPU_IDS.map((id) => {
				const gpu = catalog.gpuById.get(id);
				if (gpu === undefined) throw new Error(id);
				const price = Math.min(...regions.map((region) => cloudPriceUsdPerGpuHour(region, id)).filter(Number.isFinite));
				const capacity = replicaCapacityRps(classState.spec, gpu, calibration, allowanceOf(state, classState));
				const replicas = Math.max(1, Math.ceil(rate / (capacity * target) - 1e-9));
				return { id, usdPerHour: replicas * price, usdPerRps: price / capacity };
			});
			const best = costs.reduce((a, b) => (b.usdPerHour < a.usdPerHour ? b : a));
			expect(catalog.gpus[classState.cloudGpu.gpuIndex]?.id).toBe(best.id);
			if (rate === 1) expect(best.id).toBe("t4");
			else expect(best.id).toBe(costs.reduce((a, b) => (b.usdPerRps < a.usdPerRps ? b : a)).id);
		}
		const named = tinyState([], realtimeYaml(2000, 100));
		expect(named.setup.catalog.gpus[realtimeClass(named, 0).cloudGpu.gpuIndex]?.id).toBe("h100-sxm");
	});

	it("a GPU that cannot compute one request within the SLA's compute share serves the class on neither side", () => {
		// An 8B LLM answer (300-token prompt, 32 tokens) takes ~2.5 s on an L4 (300 GB/s reads 16 GB of weights
		// per step): over a 2,000 ms SLA less its batch wait and round trip, within a 6,000 ms one.
		const llm = (slaMs: number) =>
			realtimeYaml(slaMs, 1)
				.replace("realtimeGpu: h100-sxm", "realtimeGpu: cheapest")
				.replace(
					"compute: { prefillGflop: 35, decodeSteps: 1, stepGflop: 0, weightsGb: 0.2, overheadMs: 2 }",
					"compute: { prefillGflop: 4800, decodeSteps: 32, stepGflop: 16, weightsGb: 16, overheadMs: 5, kvCacheBytesPerToken: 131072, promptTokens: 300 }",
				);
		for (const [slaMs, l4Serves] of [
			[2000, false],
			[6000, true],
		] as const) {
			const state = tinyState([], llm(slaMs));
			const classState = realtimeClass(state, 0);
			const l4 = state.setup.catalog.gpuIndexById.get("l4") as number;
			const gpu = state.setup.catalog.gpus[l4];
			if (gpu === undefined) throw new Error("l4");
			const allowanceMs = allowanceOf(state, classState);
			expect(replicaCapacityRps(classState.spec, gpu, state.setup.calibration, allowanceMs) > 0).toBe(l4Serves);
			expect((classState.capacityRpsByGpu[l4] as number) > 0).toBe(l4Serves);
			// At one request a second the floor binds: the L4 (cheapest per hour that holds the model) wins where it may.
			expect(state.setup.catalog.gpus[classState.cloudGpu.gpuIndex]?.id === "l4").toBe(l4Serves);
		}
	});

	it("a replica's capacity is that of full batches of the largest size whose latency fits the SLA", () => {
		// The vision class batches statically: a request waits up to maxWaitMs (5) for its batch, then for the
		// running batch, then its own, and travels the RTT allowance R, so a batch of b counts while
		// 5 + 2 · t(b) + R ≤ SLA. t(b) = 2 ms + b · 35 GFLOP ÷ (peak · mfu) to prefill and one step reading
		// 0.2 GB of weights (w = 0.2 GB ÷ (bandwidth · mbu)): b = ⌊((SLA − 5 − R) ÷ 2 − 2 − w) · peak · mfu ÷ 35⌋,
		// capped at maxBatch 16; the capacity is b ÷ t(b) · 1000 requests/s; none where b < 1.
		for (const slaMs of [10, 16, 30, 60, 200]) {
			const state = tinyState([], realtimeYaml(slaMs, 10));
			const classState = realtimeClass(state, 0);
			const { catalog, calibration } = state.setup;
			const allowanceMs = allowanceOf(state, classState);
			for (const id of ["t4", "l4", "h100-sxm", "rtx3090"]) {
				const gpu = catalog.gpuById.get(id);
				if (gpu === undefined) throw new Error(id);
				const { mfu, mbu } = efficiencyFor(calibration, gpu);
				const tflops = gpu.fp16TensorTflops * mfu;
				const weightsMs = (0.2 / (gpu.memoryBandwidthGbps * mbu)) * 1000;
				const budgetMs = (slaMs - 5 - allowanceMs) / 2;
				const batch = Math.min(16, Math.floor(((budgetMs - 2 - weightsMs) * tflops) / 35 + 1e-9));
				const expected = batch >= 1 ? (batch / (2 + (batch * 35) / tflops + weightsMs)) * 1000 : 0;
				expect(replicaCapacityRps(classState.spec, gpu, calibration, allowanceMs)).toBeCloseTo(expected, 6);
			}
		}
	});

	it("the RTT allowance is the heaviest-served metro's RTT to its nearest region, at most half the SLA", () => {
		// Two metros of comparable demand: the 99th percentile by demand is the farther one's RTT to its nearest region.
		for (const slaMs of [4, 100, 2000]) {
			const state = tinyState([], realtimeYaml(slaMs, 10));
			const classState = realtimeClass(state, 0);
			const { geography, regions, metroCount } = state.setup;
			let farthest = 0;
			for (let m = 0; m < metroCount; m++) {
				const rtts = regions.map((_, r) => geography.metroToRegionRttMs[m * regions.length + r] as number);
				farthest = Math.max(farthest, Math.min(...rtts));
			}
			expect(farthest).toBeGreaterThan(0);
			expect(allowanceOf(state, classState)).toBe(Math.min(slaMs / 2, farthest));
		}
	});

	it("the cloud's cheapest image deployment meets the SLA in the run, at 2 and at 5 requests a second", () => {
		// SD 1.5 (25 steps, base's efficiencies): an L4 is cheaper per hour but takes ~1.9 s an image alone.
		const sd = (rate: number) =>
			realtimeYaml(3000, rate)
				.replace("realtimeGpu: h100-sxm", "realtimeGpu: cheapest")
				.replace(
					"compute: { prefillGflop: 35, decodeSteps: 1, stepGflop: 0, weightsGb: 0.2, overheadMs: 2 }",
					"compute: { prefillGflop: 0, decodeSteps: 25, stepGflop: 1356, weightsGb: 1.72, overheadMs: 170, mfuByTier: { datacenter: 0.27 }, mfuByGpu: { t4: 0.165, l4: 0.165 } }",
				)
				.replace("batching: { maxBatch: 16, maxWaitMs: 5 }", "batching: { maxBatch: 4, maxWaitMs: 50, mode: static }")
				.replace("replicas: { minReplicas: 1, leaseHours: 24 }", "replicas: { minReplicas: 4, leaseHours: 24 }");
		for (const rate of [2, 5]) {
			const result = run(inputsFromYaml(sd(rate)));
			const cloud = result.baseline.classes.find((c) => c.id === "vision");
			if (cloud === undefined || cloud.kind !== "realtime") throw new Error("no cloud class");
			expect(cloud.requests.served).toBeGreaterThan(900);
			expect(cloud.latencyMs?.p95).toBeLessThanOrEqual(3000);
		}
	});

	it("a GPU that holds an 8B fp16 model's weights but not one request's KV cache is never picked", () => {
		// 16 GB of weights: on a 16 GB T4, 0.9 · 16 − 16 < 0 GB is left for KV cache (0 replicas' worth);
		// a 24 GB L4 keeps (0.9 · 24 − 16) GB = 5.6e9 B ÷ 131072 B per token = 42,724 tokens = 128 requests of 332.
		// (An SLA of 6 s: the L4 needs ~2.5 s a request, over a 2 s SLA less its wait and round trip.)
		const llm = realtimeYaml(6000, 40)
			.replace("realtimeGpu: h100-sxm", "realtimeGpu: cheapest")
			.replace(
				"compute: { prefillGflop: 35, decodeSteps: 1, stepGflop: 0, weightsGb: 0.2, overheadMs: 2 }",
				"compute: { prefillGflop: 4800, decodeSteps: 32, stepGflop: 16, weightsGb: 16, overheadMs: 5, kvCacheBytesPerToken: 131072, promptTokens: 300 }",
			);
		const state = tinyState([], llm);
		const classState = realtimeClass(state, 0);
		const gpuOf = (id: string) => {
			const gpu = state.setup.catalog.gpuById.get(id);
			if (gpu === undefined) throw new Error(id);
			return gpu;
		};
		const allowanceMs = allowanceOf(state, classState);
		expect(replicaCapacityRps(classState.spec, gpuOf("t4"), state.setup.calibration, allowanceMs)).toBe(0);
		expect(replicaCapacityRps(classState.spec, gpuOf("l4"), state.setup.calibration, allowanceMs)).toBeGreaterThan(0);
		expect(state.setup.catalog.gpus[classState.cloudGpu.gpuIndex]?.id).not.toBe("t4");
		expect(classState.cloudCapacityRps).toBeGreaterThan(0);
	});
});
