import { describe, expect, it } from "vitest";
import { placeCloudReplicas } from "../../models/cloud-placement.js";

describe("cloud placement", () => {
	const flat = (n: number) => new Float64Array(n).fill(1);

	it("one region within the SLA for every metro holds max(minReplicas, ceil(rate / (capacity · target))) replicas", () => {
		for (const [rate, minReplicas, expected, floor] of [
			[100, 1, 9, 0], // 100 / (15 · 0.75) = 8.9 → 9
			[100, 12, 12, 3], // the floor adds 12 − 9
			[112.5, 1, 10, 0], // exactly 10 replicas' worth
			[0, 4, 0, 0],
		] as const) {
			const placement = placeCloudReplicas({
				rttMs: Float64Array.from([5, 30, 20, 40, 25, 50]), // 3 metros × 2 regions
				metroCount: 3,
				metroWeights: [1, 2, 3],
				ratePerSecond: rate,
				replicaCapacityRps: 15,
				targetUtilisation: 0.75,
				minReplicas,
				rttBudgetMs: 30,
				regionUsable: Uint8Array.from([1, 1]),
				priceUsdPerHour: flat(2),
			});
			expect([...placement.replicas]).toEqual([expected, 0]);
			expect(placement.floorReplicas).toBe(floor);
			expect([...placement.homeRegion]).toEqual(rate > 0 ? [0, 0, 0] : [-1, -1, -1]);
		}
	});

	it("places replicas in the fewest regions that meet the SLA, each sized for the demand it takes", () => {
		// Metros 0, 1 near region 0; metro 2 only near region 2; region 1 covers nobody alone.
		const rttMs = Float64Array.from([10, 60, 90, 20, 45, 80, 90, 60, 15]);
		const placement = placeCloudReplicas({
			rttMs,
			metroCount: 3,
			metroWeights: [1, 1, 2],
			ratePerSecond: 40,
			replicaCapacityRps: 10,
			targetUtilisation: 0.5,
			minReplicas: 1,
			rttBudgetMs: 25,
			regionUsable: Uint8Array.from([1, 1, 1]),
			priceUsdPerHour: flat(3),
		});
		// Region 2 takes 20 req/s → 4 replicas; region 0 takes 2 × 10 req/s → 4 replicas.
		expect([...placement.replicas]).toEqual([4, 0, 4]);
		expect([...placement.homeRegion]).toEqual([0, 0, 2]);
	});

	it("tops up to minReplicas in the most loaded region, and prefers the cheaper of two equal regions", () => {
		const placement = placeCloudReplicas({
			rttMs: Float64Array.from([5, 5, 100, 5, 5, 100]),
			metroCount: 2,
			metroWeights: [1, 1],
			ratePerSecond: 1,
			replicaCapacityRps: 100,
			targetUtilisation: 0.5,
			minReplicas: 3,
			rttBudgetMs: 10,
			regionUsable: Uint8Array.from([1, 1, 1]),
			priceUsdPerHour: Float64Array.from([4, 3, 1]),
		});
		expect([...placement.replicas]).toEqual([0, 3, 0]);
	});
});
