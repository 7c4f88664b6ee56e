import { describe, expect, it } from "vitest";
import type { Metro } from "../../../models/catalog.js";
import { checkNetworkInvariants } from "../../../models/network/invariants.js";
import { onLeaseEnd } from "../../../models/network/lease-end.js";
import { createNode, downPayload, newcomerReturn, onNodeFailure } from "../../../models/network/node-life.js";
import { placeOrder } from "../../../models/network/orders.js";
import { createNetworkState } from "../../../models/network/run.js";
import { JOB_RUNNING, JOB_WAITING, type NetworkState } from "../../../models/network/state.js";
import { DownCause, Hosting, NodeState } from "../../../models/nodes.js";
import { MS_PER_HOUR } from "../../../models/units.js";
import { inputsFromFile, inputsFromYaml, run, tinyState } from "../network-helpers.js";

function startPair(state: NetworkState): { job: number; first: number; second: number } {
	const pair = state.jobClassByIndex[1];
	if (pair === undefined) throw new Error("no pair class");
	const job = placeOrder(state, pair, 0, 1, 10);
	const first = state.jobs.firstNode[job] as number;
	return { job, first, second: state.nodes.nextInJob[first] as number };
}

describe("node life", () => {
	it("a failure stops the whole job: the partner goes idle, the job waits, the node is repaired later", () => {
		const state = tinyState(["demand.classes[1].maxQueueMinutes=1000"]);
		const { job, first, second } = startPair(state);
		state.engine.run(MS_PER_HOUR / 4);
		onNodeFailure(state, downPayload(first, DownCause.hardware));
		const { nodes, jobs, totals } = state;
		expect(nodes.state[first]).toBe(NodeState.down);
		expect(nodes.failed[first]).toBe(1);
		expect(nodes.reputation[first]).toBeCloseTo(0.9 * 1, 6);
		expect(nodes.state[second]).toBe(NodeState.idle);
		expect(jobs.state[job]).toBe(JOB_WAITING);
		expect([totals.interruptions, totals.running, totals.waiting]).toEqual([1, 0, 1]);
		// Both nodes were busy for the quarter hour before the failure.
		expect(nodes.busyMsInEpoch[first]).toBe(MS_PER_HOUR / 4);
		expect(nodes.busyMsInEpoch[second]).toBe(MS_PER_HOUR / 4);
		checkNetworkInvariants(state);
		// The repair (constant 2 h) brings the node back, and the waiting pair starts again.
		state.engine.run(MS_PER_HOUR / 4 + 2 * MS_PER_HOUR - 1);
		expect(nodes.state[first]).toBe(NodeState.down);
		state.engine.run(MS_PER_HOUR / 4 + 2 * MS_PER_HOUR);
		expect(nodes.failed[first]).toBe(0);
		expect(jobs.state[job]).toBe(JOB_RUNNING);
		expect([totals.running, totals.waiting]).toEqual([1, 0]);
		checkNetworkInvariants(state);
	});

	it("a requeued job's restart is not timed from its arrival: time to serve is recorded once, at its first start", () => {
		const state = tinyState(["demand.classes[1].maxQueueMinutes=1000"]);
		const { job, first } = startPair(state);
		const tally = state.jobClassByIndex[1]?.depinJobs;
		if (tally === undefined) throw new Error("no pair class");
		expect(tally.timeToServeMinutes.count).toBe(1);
		const firstStartMinutes = tally.timeToServeMinutes.max;
		state.engine.run(MS_PER_HOUR / 4);
		onNodeFailure(state, downPayload(first, DownCause.hardware));
		state.engine.run(MS_PER_HOUR / 4 + 2 * MS_PER_HOUR);
		expect(state.jobs.state[job]).toBe(JOB_RUNNING);
		// Restarted 2 h 15 min after arrival; timed from arrival it would add a 135-minute value.
		expect(tally.interrupted).toBe(1);
		expect(tally.timeToServeMinutes.count).toBe(1);
		expect(tally.timeToServeMinutes.max).toBe(firstStartMinutes);
		expect(firstStartMinutes).toBeLessThan(135);
	});

	it("a requeued job's work counts once; its tenant pays the served part of the lost run and the restart", () => {
		const state = tinyState(["demand.classes[1].maxQueueMinutes=1000"]);
		const { job, first, second } = startPair(state);
		const pairClass = state.jobClassByIndex[1];
		if (pairClass === undefined) throw new Error("no pair class");
		const tally = pairClass.depinJobs;
		const work = (state.jobs.work[job] as number) * pairClass.spec.gpusPerJob;
		const { nodes } = state;
		const leaseUsd = (node: number) =>
			(nodes.leasePriceUsdPerGpuHour[node] as number) *
			(((nodes.leaseEndMs[node] as number) - (nodes.leaseStartMs[node] as number)) / MS_PER_HOUR);
		const firstRunUsd = leaseUsd(first) + leaseUsd(second);
		const transferUsd = tally.transferCostUsd;
		expect(tally.costUsd).toBeCloseTo(firstRunUsd + transferUsd, 9);
		expect(tally.workH100Hours).toBe(work);
		// Down a quarter hour in: only what ran before is paid; the rest of both leases is refunded.
		state.engine.run(MS_PER_HOUR / 4);
		const servedUsd = [first, second].reduce(
			(sum, node) =>
				sum +
				(nodes.leasePriceUsdPerGpuHour[node] as number) *
					((MS_PER_HOUR / 4 - Math.min(MS_PER_HOUR / 4, nodes.leaseStartMs[node] as number)) / MS_PER_HOUR),
			0,
		);
		onNodeFailure(state, downPayload(first, DownCause.hardware));
		expect(tally.costUsd).toBeCloseTo(servedUsd + transferUsd, 9);
		expect(state.totals.refundedUsd).toBeCloseTo(firstRunUsd - servedUsd, 9);
		// The restart is paid in full; its work is the same work, counted once.
		state.engine.run(MS_PER_HOUR / 4 + 2 * MS_PER_HOUR);
		expect(state.jobs.state[job]).toBe(JOB_RUNNING);
		const restart = state.jobs.firstNode[job] as number;
		const restartUsd = leaseUsd(restart) + leaseUsd(nodes.nextInJob[restart] as number);
		expect(tally.costUsd).toBeCloseTo(servedUsd + restartUsd + tally.transferCostUsd, 9);
		expect(tally.workH100Hours).toBe(work);
	});

	it("with failover none, a failure fails the job: counted not served, per class as failed and interrupted", () => {
		const state = tinyState(["failover=none"]);
		const { job, first, second } = startPair(state);
		state.engine.run(MS_PER_HOUR / 4);
		onNodeFailure(state, downPayload(first, DownCause.power));
		const { nodes, jobs, totals } = state;
		expect(nodes.failed[first]).toBe(DownCause.power);
		expect(nodes.state[second]).toBe(NodeState.idle);
		expect(jobs.state[job]).toBe(0);
		expect([totals.interruptions, totals.running, totals.waiting, totals.rejected]).toEqual([1, 0, 0, 1]);
		const pair = state.jobClassByIndex[1]?.depinJobs;
		expect([pair?.arrived, pair?.interrupted, pair?.failed, pair?.rejected, pair?.served]).toEqual([1, 1, 1, 0, 0]);
		checkNetworkInvariants(state);
	});

	it("a leaving provider exits when its lease ends instead of going idle", () => {
		const state = tinyState();
		const { first, second } = startPair(state);
		state.nodes.leaving[first] = 1;
		state.engine.run(MS_PER_HOUR / 2);
		for (const node of [first, second]) {
			state.engine.cancel(state.nodes.leaseEndHandle[node] as number);
			onLeaseEnd(state, node);
		}
		expect(state.nodes.state[first]).toBe(NodeState.exited);
		expect(state.nodes.leaseEndMs[first]).toBe(MS_PER_HOUR / 2);
		expect(state.nodes.state[second]).toBe(NodeState.idle);
		expect([state.totals.exits, state.epochCounts.exits, state.idle.size]).toEqual([1, 1, 3]);
		checkNetworkInvariants(state);
	});

	it("outages take a metro's nodes down; a node joining during one waits for its end", () => {
		const outage = "providers.outages=[{scope: metro, target: new-york, startDay: 0, durationHours: 5}]";
		const state = tinyState([outage]);
		state.engine.run(0);
		const { nodes } = state;
		for (let node = 0; node < 4; node++) expect(nodes.state[node]).toBe(NodeState.down);
		expect(state.idle.size).toBe(0);
		const joiner = createNode(state, nodes.gpu[0] as number, 0, NodeState.joining, MS_PER_HOUR);
		state.engine.scheduleAt(MS_PER_HOUR, state.kinds.nodeJoin, joiner);
		state.engine.run(MS_PER_HOUR);
		expect(nodes.state[joiner]).toBe(NodeState.down);
		expect(nodes.inOutage[joiner]).toBe(1);
		expect(state.totals.joins).toBe(1);
		state.engine.run(5 * MS_PER_HOUR);
		for (let node = 0; node <= joiner; node++) expect(nodes.state[node]).toBe(NodeState.idle);
		expect(state.idle.size).toBe(5);
		checkNetworkInvariants(state);
	});

	it("a data-centre H100's running cost, cost-plus ask and burn-in margin, by hand", () => {
		// One provider's draws fixed: power factor 1 (New York, scaled to 0.125 USD/kWh below), capex
		// 27,500, no ask spread, cost-plus; host +80%, PUE 1.5, colocation 146 USD per kW-month.
		const state = tinyState([
			"providers.powerPriceFactor={dist: constant, value: 1}",
			"providers.capex.priceFactor={dist: constant, value: 1}",
			"providers.askSpread=0",
			"providers.askPolicy.marketShare=0",
			"providers.site={hostPowerShare: {datacenter: 0.8}, datacenterPue: 1.5, colocationUsdPerKwMonth: 146, datacenterAskUtilisation: 0.8}",
			"market.takeRate=0.1",
		]);
		const metros = state.setup.metros as Metro[];
		metros[0] = { ...(metros[0] as Metro), electricityUsdPerKwh: 0.125 };
		const node = createNode(state, state.nodes.gpu[0] as number, 0, NodeState.idle, 0);
		// IT load 0.7 × 1.8 = 1.26 kW: colocation 1.26 × 146 × 12 / 8,760 = 0.252 USD/h; power at
		// u = 0.8: 1.26 × (0.25 + 0.75 × 0.8) × 1.5 × 0.125 = 0.2008125; capex 27,500 / 43,800 =
		// 0.6278539; ask (0.4528125 + 0.6278539) / 0.8 × 1.3 = 1.7560829; planned margin
		// 1.7560829 × 0.8 × 0.9 − 0.4528125 = 0.8115672.
		expect(state.nodes.hosting[node]).toBe(1);
		expect(state.nodes.askUsdPerGpuHour[node]).toBeCloseTo(1.7560829, 5);
		expect(state.nodes.ewmaMarginUsdPerHour[node]).toBeCloseTo(0.8115672, 5);
		const table = state.setup.siteCostTable;
		const k = (state.nodes.gpu[node] as number) * 2 + 1;
		expect(table.fixedUsdPerHour[k]).toBeCloseTo(0.252, 12);
		// Idle 1.26 × 0.25 × 1.5 = 0.4725 kW-equivalents, busy 1.26 × 0.75 × 1.5 = 1.4175 on top.
		expect(table.idleKw[k]).toBeCloseTo(0.4725, 12);
		expect(table.busyKw[k]).toBeCloseTo(1.4175, 12);
	});

	it("two overlapping outages: nodes come back only when the last one ends", () => {
		const outages =
			"providers.outages=[{scope: metro, target: new-york, startDay: 0, durationHours: 2}, {scope: region, target: na, startDay: 0, durationHours: 4}]";
		const state = tinyState([outages]);
		state.engine.run(3 * MS_PER_HOUR);
		expect(state.idle.size).toBe(0);
		state.engine.run(4 * MS_PER_HOUR);
		expect(state.idle.size).toBe(4);
	});
});

/** A fleet that only fails and recovers: no demand to speak of, no exits, no prospects. */
const FAILING_FLEET = `
name: failing
seed: 3
horizonDays: 730
epochHours: 1
geography: { metros: [new-york, london], zeroNetworkLatency: true }
nodes: { initialCount: 200, mix: [{ gpu: rtx4090, share: 1 }] }
providers:
  entry: { prospectivePool: 0 }
  exit: { consecutiveEpochs: 65535 }
  failures: { mtbfHours: 200, repairHours: { dist: exponential, mean: 20 } }
  availability:
    datacenterShareByTier: { consumer: 0 }
    residentialPower: { perYear: 0 }
    residentialNetwork: { perYear: 0 }
demand:
  classes:
    - { id: few, kind: batch, ordersPerHour: 0.01, workH100Hours: { dist: constant, value: 0.1 }, payloadGbIn: 0 }
`;

describe("availability as a process", () => {
	it("node-time up share converges to MTBF / (MTBF + MTTR) for a failure-and-repair process", () => {
		const { kpis } = run(inputsFromYaml(FAILING_FLEET), { checkInvariants: false });
		// 200 nodes × 2 years ≈ 16,000 cycles: the estimate's sd is about 0.001.
		expect(kpis.nodeUpShare.all).toBeCloseTo(200 / (200 + 20), 2);
		expect(kpis.nodeUpShare.datacenter).toBeNull();
		expect(kpis.hosting).toEqual({ residential: 200, datacenter: 0 });
	});

	it("with site outages as competing risks: 1 / (1 + Σ rate × mean duration)", () => {
		const withOutages = FAILING_FLEET.replace(
			"residentialPower: { perYear: 0 }",
			"residentialPower: { perYear: 43.8, hours: { dist: exponential, mean: 10 } }",
		);
		const { kpis } = run(inputsFromYaml(withOutages), { checkInvariants: false });
		// Power: 43.8 a year = one per 200 h, 10 h each; hardware: one per 200 h, 20 h each.
		expect(kpis.nodeUpShare.all).toBeCloseTo(1 / (1 + 20 / 200 + 10 / 200), 2);
	});
});

describe("a newcomer's return with a stake (Bittensor-like)", () => {
	it("is (margin − depreciation) ÷ (capex + the stake at today's price): the return on capex × capex ÷ (capex + stake)", () => {
		const state = createNetworkState(inputsFromFile("presets/bittensor-like", ["horizonDays=2"]), {
			checkInvariants: false,
		});
		const economy = state.economy;
		if (economy === null) throw new Error("bittensor-like has a token");
		const gpuIndex = state.setup.mixGpu[0] as number;
		state.clearingByGpu[gpuIndex] = 2;
		state.utilisationByGpu[gpuIndex] = 0.6;
		const capexUsd = 30_000;
		const staking = economy.spec.staking as { stakePerNodeTokens: number };
		const stakeTokens = staking.stakePerNodeTokens;
		expect(stakeTokens).toBe(10);
		const withStake = newcomerReturn(state, gpuIndex, Hosting.residential, 0.1, capexUsd, 0);
		staking.stakePerNodeTokens = 0;
		const withoutStake = newcomerReturn(state, gpuIndex, Hosting.residential, 0.1, capexUsd, 0);
		staking.stakePerNodeTokens = stakeTokens;
		expect(Number.isFinite(withoutStake)).toBe(true);
		const stakeUsd = stakeTokens * economy.priceUsd;
		expect(stakeUsd).toBeGreaterThan(4_000);
		expect(withStake).toBeCloseTo((withoutStake * capexUsd) / (capexUsd + stakeUsd), 12);
	});
});
