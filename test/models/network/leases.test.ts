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

	it("a lease is booked as it accrues and refunds: the stored (f32) price × its whole-ms length", () => {
		const state = tinyState(["market.takeRate=0"]);
		// 0.1 is not a float32, and 1.0000001 h is not a whole number of ms.
		const booked = bookLease(state, 1, 0, 1.0000001, 0.1);
		const lengthMs = (state.nodes.leaseEndMs[1] as number) - (state.nodes.leaseStartMs[1] as number);
		expect(lengthMs).toBe(Math.round(1.0000001 * MS_PER_HOUR));
		expect(booked).toBe(Math.fround(0.1) * (lengthMs / MS_PER_HOUR));
		expect(state.totals.leaseCostUsd).toBe(booked);
		expect(booked).not.toBe(0.1 * 1.0000001);
		// Cut before it starts, it is refunded to the last bit.
		state.nodes.state[1] = NodeState.serving;
		cutLease(state, 1);
		expect(state.totals.leaseCostUsd).toBe(0);
		expect(state.totals.leaseGpuHours).toBe(0);
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
			minLinkGbps: 0,
		});
		if (award === null) throw new Error("no award");
		const [a, b] = [award.nodes[0] as number, award.nodes[1] as number];
		const job = state.jobs.allocate();
		leaseAward(state, award, 0, 2, job, pair.hoursPerWorkByGpu, pair.render);
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

	it("a cut lease refunds its unserved part: spend, fees and GPU-hours drop to what was served", () => {
		const state = tinyState(["market.takeRate=0.1"]);
		const { totals, epochCounts, depinLeaseByGpu, nodes } = state;
		const gpu = nodes.gpu[1] as number;
		bookLease(state, 1, 0, 2, 3);
		nodes.state[1] = NodeState.serving;
		state.engine.run(MS_PER_HOUR / 2);
		cutLease(state, 1);
		// Half an hour of a 2-hour lease at USD 3 per GPU-hour was served: USD 1.50, 10% of it the fee.
		expect(totals.leaseCostUsd).toBeCloseTo(1.5, 12);
		expect(totals.leaseGpuHours).toBeCloseTo(0.5, 12);
		expect(totals.feesUsd).toBeCloseTo(0.15, 12);
		expect(totals.refundedUsd).toBeCloseTo(4.5, 12);
		expect(depinLeaseByGpu.costUsd[gpu]).toBeCloseTo(1.5, 12);
		expect(depinLeaseByGpu.gpuHours[gpu]).toBeCloseTo(0.5, 12);
		// Paid = the provider's fiat revenue + the fee (conservation of the tenant's money).
		expect((nodes.revenueUsdInEpoch[1] as number) + totals.feesUsd).toBeCloseTo(totals.leaseCostUsd, 12);
		// The epoch's clearing price keeps the price agreed; its spend is net of the refund.
		expect(epochCounts.priceUsd / epochCounts.priceGpuHours).toBe(3);
		expect(epochCounts.priceUsd - epochCounts.refundedUsd).toBeCloseTo(1.5, 12);
	});

	it("a lease cut before it starts (award delay, data transfer) is refunded whole", () => {
		const state = tinyState(["market.takeRate=0"]);
		bookLease(state, 1, MS_PER_HOUR, 1, 2);
		state.nodes.state[1] = NodeState.serving;
		state.engine.run(MS_PER_HOUR / 4);
		cutLease(state, 1);
		expect(state.totals.leaseCostUsd).toBe(0);
		expect(state.totals.refundedUsd).toBe(2);
		expect(state.nodes.revenueUsdInEpoch[1]).toBe(0);
	});

	it("under burn-and-mint the fee is the burn's fee share, charged once: the market's take rate does not apply", () => {
		const bme = ["tokenomics.enabled=true", "tokenomics.burnAndMint={enabled: true, feeShare: 0.05}"];
		const state = tinyState(["market.takeRate=0.1", ...bme]);
		bookLease(state, 2, 0, 1, 2);
		expect(state.leaseTakeRate).toBe(0);
		expect(state.totals.feesUsd).toBe(0);
		expect(tinyState(["market.takeRate=0.1"]).leaseTakeRate).toBe(0.1);
	});
});
