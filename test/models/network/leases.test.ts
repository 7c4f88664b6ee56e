import { describe, expect, it } from "vitest";
import { bookLease, cutLease, leaseAward } from "../../../models/network/leases.js";
import { tryAward } from "../../../models/network/orders.js";
import { NodeState } from "../../../models/nodes.js";
import { MS_PER_HOUR } from "../../../models/units.js";
import { tinyState } from "../network-helpers.js";

describe("leases", () => {
	it("bookLease schedules the end, keeps the price and tallies cost, fees and the epoch's price", () => {
		const state = tinyState(["market.takeRate=0.1"]);
		const { nodes, totals, epochCounts } = state;
		bookLease(state, 2, 5_000, 1.5, 2);
		expect(nodes.leaseStartMs[2]).toBe(5_000);
		expect(nodes.leaseEndMs[2]).toBe(5_000 + 1.5 * MS_PER_HOUR);
		expect(nodes.leasePriceUsdPerGpuHour[2]).toBe(2);
		expect(totals.leaseGpuHours).toBe(1.5);
		expect(totals.leaseCostUsd).toBe(3);
		expect(totals.feesUsd).toBeCloseTo(0.3, 12);
		expect(epochCounts.priceGpuHours).toBe(1.5);
		expect(epochCounts.priceUsd).toBe(3);
		// The end event fires at the lease's end and nowhere else.
		expect(state.engine.peek()).toBe(5_000 + 1.5 * MS_PER_HOUR);
	});

	it("a lease shorter than a millisecond still ends after it starts (renewals too)", () => {
		const state = tinyState();
		bookLease(state, 0, 1_000, 1e-12, 1);
		expect(state.nodes.leaseEndMs[0]).toBe(1_001);
		bookLease(state, 0, 1_001, 0.5 / MS_PER_HOUR, 1);
		expect(state.nodes.leaseEndMs[0]).toBe(1_002);
	});

	it("leaseAward takes the nodes out of the idle index, serves the job and chains its nodes", () => {
		const state = tinyState();
		const pair = state.jobClassByIndex[1];
		if (pair === undefined) throw new Error("no pair class");
		const award = tryAward(state, {
			originMetro: 0,
			gpus: 2,
			eligibleGpu: pair.eligibleGpu,
			work: 1,
			gpuHoursPerWork: state.setup.hoursPerWorkByGpu,
			reserveUsd: Number.POSITIVE_INFINITY,
			maxRttMs: Number.POSITIVE_INFINITY,
		});
		if (award === null) throw new Error("no award");
		const [a, b] = [award.nodes[0] as number, award.nodes[1] as number];
		const job = state.jobs.allocate();
		leaseAward(state, award, 0, 2, job);
		const { nodes, idle, jobs } = state;
		expect(idle.size).toBe(2);
		for (const node of [a, b]) {
			expect(nodes.state[node]).toBe(NodeState.serving);
			expect(nodes.job[node]).toBe(job);
			expect(idle.has(node)).toBe(false);
			expect(nodes.leaseEndMs[node]).toBe(2 * MS_PER_HOUR);
		}
		expect(jobs.firstNode[job]).toBe(a);
		expect(nodes.nextInJob[a]).toBe(b);
		expect(nodes.nextInJob[b]).toBe(-1);
		expect(state.totals.leaseGpuHours).toBe(4);
	});

	it("cutLease accrues the lease up to now and cancels its end", () => {
		const state = tinyState(["market.takeRate=0"]);
		bookLease(state, 1, 0, 2, 3);
		state.nodes.state[1] = NodeState.serving;
		// The clock moves to half an hour; the lease's end (at 2 h) does not fire.
		expect(state.engine.run(MS_PER_HOUR / 2)).toBe(0);
		cutLease(state, 1);
		expect(state.nodes.busyMsInEpoch[1]).toBe(MS_PER_HOUR / 2);
		expect(state.nodes.revenueUsdInEpoch[1]).toBeCloseTo(1.5, 9);
		expect(state.nodes.leaseEndHandle[1]).toBe(-1);
		expect(state.engine.pending).toBe(0);
	});
});
