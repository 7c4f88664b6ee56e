import { describe, expect, it } from "vitest";
import { cloudTwin } from "../../../models/network/cloud-twin.js";
import { checkNetworkInvariants } from "../../../models/network/invariants.js";
import { pooledTimeToServe } from "../../../models/network/kpis.js";
import { onLeaseEnd } from "../../../models/network/lease-end.js";
import { becomeIdle, takeDown } from "../../../models/network/node-life.js";
import { placeOrder } from "../../../models/network/orders.js";
import { CLOUD_BANDWIDTH_GBPS } from "../../../models/network/setup.js";
import { JOB_RUNNING, JOB_WAITING, type JobClassState, type NetworkState } from "../../../models/network/state.js";
import { NodeState } from "../../../models/nodes.js";
import { MS_PER_HOUR, MS_PER_MINUTE, transferMs } from "../../../models/units.js";
import { LogHistogram } from "../../../sim/recorder/histogram.js";
import { tinyState } from "../network-helpers.js";

function jobClass(state: NetworkState, index: number): JobClassState {
	const classState = state.jobClassByIndex[index];
	if (classState === undefined) throw new Error(`no job class ${index}`);
	return classState;
}

/** Takes every node but `keep` down (as an outage would), leaving only those idle. */
function onlyIdle(state: NetworkState, keep: readonly number[]): void {
	for (let node = 0; node < state.nodes.count; node++) if (!keep.includes(node)) takeDown(state, node);
}

describe("orders", () => {
	it("an order with an idle node starts at once and runs for its work on an H100", () => {
		const state = tinyState();
		const job = placeOrder(state, jobClass(state, 0), 0, 1, 10);
		const { jobs, nodes, totals } = state;
		expect(jobs.state[job]).toBe(JOB_RUNNING);
		const node = jobs.firstNode[job] as number;
		expect(nodes.state[node]).toBe(NodeState.serving);
		const hours = state.setup.hoursPerWorkByGpu[nodes.gpu[node] as number] as number;
		expect(hours).toBeGreaterThanOrEqual(1);
		expect(nodes.leaseEndMs[node]).toBe(Math.round(hours * MS_PER_HOUR));
		expect([totals.arrived, totals.running, totals.waiting]).toEqual([1, 1, 0]);
		expect(jobs.reserveUsd[job]).toBe(state.setup.scenario.market.reservePriceShareOfCloud * 10);
		checkNetworkInvariants(state);
	});

	it("without capacity an order waits, then times out after maxQueueMinutes and is rejected", () => {
		const state = tinyState();
		onlyIdle(state, [0]);
		const pair = jobClass(state, 1);
		const job = placeOrder(state, pair, 0, 1, 10);
		expect(state.jobs.state[job]).toBe(JOB_WAITING);
		expect(state.totals.waiting).toBe(1);
		checkNetworkInvariants(state);
		expect(state.engine.run(30 * MS_PER_MINUTE - 1)).toBe(0);
		expect(state.engine.run(30 * MS_PER_MINUTE)).toBe(1);
		expect([state.totals.waiting, state.totals.rejected]).toEqual([0, 1]);
		checkNetworkInvariants(state);
	});

	it("a freed node skips a class whose tenants filter out its link, for a younger order it can serve", () => {
		// Class 1 (pairs) filters out links under 0.5 Gbit/s; class 0 takes any.
		const state = tinyState(["demand.classes[1].hardware.minLinkGbps=0.5"]);
		onlyIdle(state, []);
		for (let node = 0; node < state.nodes.count; node++) state.nodes.linkGbps[node] = 0.1;
		const pair = placeOrder(state, jobClass(state, 1), 0, 1, 10);
		state.engine.run(MS_PER_MINUTE);
		const single = placeOrder(state, jobClass(state, 0), 0, 1, 10);
		const { jobs } = state;
		// The slow node that frees up goes to the younger single order; the pair keeps waiting.
		state.nodes.state[0] = NodeState.down;
		becomeIdle(state, 0);
		expect(jobs.state[single]).toBe(JOB_RUNNING);
		expect(jobs.firstNode[single]).toBe(0);
		expect(jobs.state[pair]).toBe(JOB_WAITING);
		checkNetworkInvariants(state);
	});

	it("a node that frees up is offered the oldest waiting order over classes, first come first served", () => {
		const state = tinyState();
		onlyIdle(state, []);
		const pair = placeOrder(state, jobClass(state, 1), 0, 1, 10);
		state.engine.run(MS_PER_MINUTE);
		const older = placeOrder(state, jobClass(state, 0), 0, 1, 10);
		state.engine.run(2 * MS_PER_MINUTE);
		const newer = placeOrder(state, jobClass(state, 0), 0, 1, 10);
		expect(state.totals.waiting).toBe(3);
		const { jobs } = state;
		// One node: the pair is the oldest and cannot start on one node; nothing overtakes it.
		state.nodes.state[0] = NodeState.down;
		becomeIdle(state, 0);
		expect([jobs.state[pair], jobs.state[older], jobs.state[newer]]).toEqual([JOB_WAITING, JOB_WAITING, JOB_WAITING]);
		expect(state.idle.has(0)).toBe(true);
		// A second node: the pair starts on both.
		state.nodes.state[1] = NodeState.down;
		becomeIdle(state, 1);
		expect(jobs.state[pair]).toBe(JOB_RUNNING);
		// On both nodes (the cheaper ask first).
		const first = jobs.firstNode[pair] as number;
		expect([first, state.nodes.nextInJob[first] as number].sort()).toEqual([0, 1]);
		// A third: the older single order, not the newer one.
		state.nodes.state[2] = NodeState.down;
		becomeIdle(state, 2);
		expect(jobs.state[older]).toBe(JOB_RUNNING);
		expect(jobs.firstNode[older]).toBe(2);
		expect(jobs.state[newer]).toBe(JOB_WAITING);
		expect([state.totals.waiting, state.totals.running]).toEqual([1, 2]);
		checkNetworkInvariants(state);
	});

	it("a job completes when its last node's lease ends, and its nodes go idle", () => {
		const state = tinyState();
		const job = placeOrder(state, jobClass(state, 1), 0, 1, 10);
		const first = state.jobs.firstNode[job] as number;
		const second = state.nodes.nextInJob[first] as number;
		state.engine.run(MS_PER_HOUR / 2);
		onLeaseEnd(state, first);
		expect([state.totals.served, state.totals.running]).toEqual([0, 1]);
		state.engine.cancel(state.nodes.leaseEndHandle[second] as number);
		onLeaseEnd(state, second);
		expect([state.totals.served, state.totals.running]).toEqual([1, 0]);
		expect(state.nodes.state[first]).toBe(NodeState.idle);
		expect(state.nodes.state[second]).toBe(NodeState.idle);
		expect(state.idle.size).toBe(4);
	});
});

describe("data movement", () => {
	it("a job's input takes payload ÷ the slowest link of its nodes, and costs the nearest region's egress per copy", () => {
		const state = tinyState([
			"demand.classes[1].payloadGbIn=10",
			"providers.availability.datacenterLinkGbps={dist: constant, value: 2}",
		]);
		const pair = jobClass(state, 1);
		const { nodes, jobs, setup } = state;
		// The slowest of the two nodes sets the pace: links of 0.5 and 4 Gbit/s in turn.
		for (let node = 0; node < nodes.count; node++) nodes.linkGbps[node] = node % 2 === 0 ? 0.5 : 4;
		const job = placeOrder(state, pair, 0, 1, 10);
		const first = jobs.firstNode[job] as number;
		const links = [first, nodes.nextInJob[first] as number].map((node) => nodes.linkGbps[node]).sort();
		expect(links).toEqual([0.5, 4]);
		// 10 GB × 8 bit/byte ÷ 0.5 Gbit/s = 160 s (no bid window or deploy time in the tiny network).
		expect(nodes.leaseStartMs[first]).toBe(160_000);
		const region = setup.regions[setup.geography.nearestRegion[0] as number];
		const egress = region?.egressUsdPerGb as number;
		expect(egress).toBeGreaterThan(0);
		expect(pair.depinJobs.transferCostUsd).toBe(10 * 2 * egress);
		expect(pair.depinJobs.transferMinutes.mean).toBeCloseTo(160 / 60, 10);
		expect(pair.depinJobs.timeToServeMinutes.mean).toBeCloseTo(160 / 60, 10);
	});

	it("a model's weights add to the input's time on both sides, each at its own link, and to no tenant's egress", () => {
		const overrides = [
			"demand.classes[0].payloadGbIn=2",
			"demand.classes[0].payloadGbOut=0",
			"cloud.outages.enabled=false",
			"cloud.jobPlacement=nearest",
			"providers.bandwidthUsdPerGb=0.01",
		];
		const plain = tinyState(overrides);
		const weighted = tinyState([...overrides, "demand.classes[0].modelGbIn=16"]);
		for (const state of [plain, weighted]) {
			for (let node = 0; node < state.nodes.count; node++) state.nodes.linkGbps[node] = 0.1;
		}
		const [single, singleWeighted] = [jobClass(plain, 0), jobClass(weighted, 0)];
		const [job, jobWeighted] = [placeOrder(plain, single, 0, 1, 10), placeOrder(weighted, singleWeighted, 0, 1, 10)];
		const [node, nodeWeighted] = [plain.jobs.firstNode[job] as number, weighted.jobs.firstNode[jobWeighted] as number];
		// DePIN: 2 GB × 8 ÷ 0.1 Gbit/s = 160 s; with 16 GB of weights, 18 GB: 1,440 s. Egress on the payload only.
		expect(plain.nodes.leaseStartMs[node]).toBe(160_000);
		expect(weighted.nodes.leaseStartMs[nodeWeighted]).toBe(1_440_000);
		expect(singleWeighted.depinJobs.transferCostUsd).toBe(single.depinJobs.transferCostUsd);
		// Ingress is free to the provider too: its bandwidth bill is on what it sends back (no output here), and its
		// revenue (what work rewards are minted on) is the lease's either way.
		const bill = (state: NetworkState, n: number) => state.nodes.bandwidthUsdInEpoch[n] as number;
		expect(bill(weighted, nodeWeighted)).toBe(0);
		expect(bill(plain, node)).toBe(0);
		expect(weighted.nodes.revenueUsdInEpoch[nodeWeighted]).toBe(plain.nodes.revenueUsdInEpoch[node]);
		// Cloud: the same 18 GB at the region's link, after provisioning; the same cost.
		const cloudMinutes = (state: NetworkState, classState: JobClassState) => {
			const cost = cloudTwin(state, classState, 0, 1);
			return { cost, minutes: classState.cloudJobs.timeToServeMinutes.max };
		};
		const [cloudPlain, cloudWeighted] = [cloudMinutes(plain, single), cloudMinutes(weighted, singleWeighted)];
		expect(cloudWeighted.cost).toBe(cloudPlain.cost);
		expect((cloudWeighted.minutes - cloudPlain.minutes) * 60).toBeCloseTo((16 * 8) / CLOUD_BANDWIDTH_GBPS, 9);
	});

	it("a class's link filter keeps its jobs off slower nodes; none fast enough leaves the order waiting", () => {
		const state = tinyState(["demand.classes[0].hardware.minLinkGbps=0.5"]);
		const single = jobClass(state, 0);
		const { nodes, jobs } = state;
		// Four H100s: the two odd ones on 1 Gbit/s, the even ones on 100 Mbit/s.
		for (let node = 0; node < nodes.count; node++) nodes.linkGbps[node] = node % 2 === 0 ? 0.1 : 1;
		const started = [0, 1].map(() => placeOrder(state, single, 0, 1, 10));
		for (const job of started) {
			expect(jobs.state[job]).toBe(JOB_RUNNING);
			expect(nodes.linkGbps[jobs.firstNode[job] as number]).toBe(1);
		}
		// Two slow nodes are idle, yet the third order waits for a fast one.
		expect(state.idle.size).toBe(2);
		const waiting = placeOrder(state, single, 0, 1, 10);
		expect(jobs.state[waiting]).toBe(JOB_WAITING);
	});

	it("data that is not in a cloud bucket moves for free", () => {
		const state = tinyState(["demand.classes[0].payloadGbIn=10", "market.jobDataSource=local"]);
		const single = jobClass(state, 0);
		placeOrder(state, single, 0, 1, 10);
		expect(single.depinJobs.transferCostUsd).toBe(0);
		// The datacenter link's default law (lognormal, median 10 Gbit/s) gives a positive time.
		expect(single.depinJobs.transferMinutes.mean).toBeGreaterThan(0);
	});
});

describe("the cloud's pooled time to serve", () => {
	it("is the classes' histograms merged, with the sum job by job: as recording every job in one histogram", () => {
		const state = tinyState(["demand.classes[0].payloadGbIn=0.7", "demand.classes[1].payloadGbIn=3.3"]);
		const reference = new LogHistogram();
		for (let i = 0; i < 40; i++) {
			state.engine.run(state.engine.now + 7_777.7 * (i + 1));
			const classState = jobClass(state, i % 3 === 0 ? 0 : 1);
			const spec = classState.spec;
			const now = state.engine.now;
			const startMs =
				now + state.setup.cloudProvisioningMs + transferMs(spec.payloadGbIn + spec.modelGbIn, CLOUD_BANDWIDTH_GBPS);
			cloudTwin(state, classState, 0, 1);
			reference.record((startMs - now) / MS_PER_MINUTE);
		}
		const pooled = pooledTimeToServe(state, "cloud");
		expect([pooled.count, pooled.sum, pooled.min, pooled.max]).toEqual([
			reference.count,
			reference.sum,
			reference.min,
			reference.max,
		]);
		for (let q = 0; q <= 100; q++) expect(pooled.quantile(q / 100)).toBe(reference.quantile(q / 100));
	});
});
