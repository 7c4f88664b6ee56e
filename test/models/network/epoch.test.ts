import { describe, expect, it } from "vitest";
import { closeEpoch, onEpoch, updateChoice } from "../../../models/network/epoch.js";
import { placeOrder } from "../../../models/network/orders.js";
import type { NetworkState } from "../../../models/network/state.js";
import { NodeState } from "../../../models/nodes.js";
import { MS_PER_HOUR } from "../../../models/units.js";
import { tinyState } from "../network-helpers.js";

function column(state: NetworkState, name: Parameters<NetworkState["timeseries"]["column"]>[0]): number[] {
	return [...state.timeseries.column(name)];
}

describe("epoch close", () => {
	it("one row per epoch with the epoch's orders, utilisation and price; counts start afresh", () => {
		const state = tinyState(["market.mechanism=posted"]);
		onEpoch(state, 0);
		// Leave the epoch's own arrivals out: this test places its orders itself.
		for (const c of state.jobClasses) state.engine.cancel(c.nextArrivalHandle);
		const single = state.jobClassByIndex[0];
		if (single === undefined) throw new Error("no single class");
		placeOrder(state, single, 0, 0.5, 10);
		state.engine.run(MS_PER_HOUR - 1);
		expect(state.totals.served).toBe(1);
		closeEpoch(state, MS_PER_HOUR);
		expect(state.timeseries.length).toBe(1);
		expect(column(state, "ordersArrived")).toEqual([1]);
		expect(column(state, "ordersServed")).toEqual([1]);
		expect(column(state, "activeNodes")).toEqual([4]);
		// Half an hour of work on one of four nodes over an hour.
		expect(column(state, "utilisation")[0]).toBeCloseTo(0.5 / 4, 12);
		const posted = state.setup.marketContext.postedUsdPerGpuHour[state.nodes.gpu[0] as number] as number;
		expect(column(state, "clearingPriceUsdPerGpuHour")[0]).toBeCloseTo(posted, 6);
		expect(state.epochCounts.arrived).toBe(0);
		expect(state.epochCounts.priceGpuHours).toBe(0);
	});

	it("providers whose smoothed margin stays under the threshold long enough leave, idle ones at once", () => {
		const state = tinyState(["providers.exit.consecutiveEpochs=2", "providers.exit.marginThresholdUsdPerHour=1000"]);
		state.epochIndex = 0;
		closeEpoch(state, MS_PER_HOUR);
		expect(state.totals.exits).toBe(0);
		state.engine.run(MS_PER_HOUR);
		state.epochStartMs = MS_PER_HOUR;
		closeEpoch(state, 2 * MS_PER_HOUR);
		expect(state.totals.exits).toBe(4);
		for (let node = 0; node < 4; node++) expect(state.nodes.state[node]).toBe(NodeState.exited);
		expect(state.idle.size).toBe(0);
		expect(column(state, "exits")).toEqual([0, 4]);
	});

	it("an empty epoch (zero length) closes nothing", () => {
		const state = tinyState();
		closeEpoch(state, 0);
		expect(state.timeseries.length).toBe(0);
	});

	it("the tenant's choice leans to the cheaper and more reliable side, and the epoch's figures reset", () => {
		const state = tinyState();
		const [a, b] = state.jobClasses;
		if (a === undefined || b === undefined) throw new Error("two classes expected");
		const choice = { bias: 0, priceWeight: 4, reliabilityWeight: 2 };
		for (const c of [a, b]) {
			c.epochCloudCost = 100;
			c.epochCloudWork = 10;
			c.epochCloudOffered = 10;
			c.epochCloudServed = 10;
			c.epochOffered = 10;
			c.epochAwarded = 10;
			c.epochDepinWork = 10;
		}
		a.epochDepinCost = 50;
		b.epochDepinCost = 100;
		updateChoice(a, choice);
		updateChoice(b, choice);
		// Half the price: utility 4 × 0.5 = 2; the same price: utility 0.
		expect(a.share).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
		expect(b.share).toBeCloseTo(0.5, 12);
		expect([a.depinCostPerWork, a.cloudCostPerWork]).toEqual([5, 10]);
		expect([a.epochDepinCost, a.epochCloudWork, a.epochOffered, a.epochCloudServed]).toEqual([0, 0, 0, 0]);
		// A quiet epoch keeps the last costs; DePIN serving half its orders costs it reliability.
		a.epochOffered = 10;
		a.epochAwarded = 5;
		updateChoice(a, choice);
		expect(a.share).toBeCloseTo(1 / (1 + Math.exp(-(2 + 2 * -0.5))), 12);
	});
});
