import { describe, expect, it } from "vitest";
import {
	awardBuffer,
	awardOrder,
	clear,
	clearSingleGpuAuction,
	collectCandidates,
	type MarketContext,
	type Mechanism,
	type NoAward,
	type OrderTerms,
} from "../../models/market.js";
import { IdleIndex, NodeState, NodeTable } from "../../models/nodes.js";
import { RandomStream } from "../../sim/random/stream.js";

/** Asks exactly representable in float32, drawn often so that equal bids are common. */
const ROUND_ASKS = [1, 1.5, 2, 2.5];

interface RandomMarket {
	readonly nodes: NodeTable;
	readonly index: IdleIndex;
	readonly context: MarketContext;
	readonly gpuCount: number;
	readonly metroCount: number;
	/** Largest RTT in the table, ms. */
	readonly maxRtt: number;
}

/** A random fleet, partly idle, in a random geography whose distance orders agree with the RTTs. */
function randomMarket(rng: RandomStream, mechanism: Mechanism = "auction", gpuCount = 1 + rng.int(4)): RandomMarket {
	const metroCount = 1 + rng.int(7);
	const nodes = new NodeTable(16);
	const index = new IdleIndex(gpuCount, metroCount);
	const size = rng.int(5) === 0 ? rng.int(3) : rng.int(150);
	const idle: number[] = [];
	for (let i = 0; i < size; i++) {
		const gpu = rng.int(gpuCount);
		const metro = rng.int(metroCount);
		const ask = rng.int(2) === 0 ? (ROUND_ASKS[rng.int(ROUND_ASKS.length)] as number) : 0.3 + 3 * rng.next();
		const node = nodes.add(gpu, metro, NodeState.idle, 0, ask);
		nodes.linkGbps[node] = 0.05 + 2 * rng.next();
		if (rng.int(6) !== 0) {
			index.add(node, gpu, metro);
			idle.push(node);
		}
	}
	// Some leave the index again (swap-remove reorders the buckets).
	for (const node of idle) {
		if (rng.int(5) === 0) index.remove(node, nodes.gpu[node] as number, nodes.metro[node] as number);
	}
	const metrosByDistance: Int32Array[] = [];
	const metroRttMs = new Float64Array(metroCount * metroCount);
	let maxRtt = 0;
	for (let m = 0; m < metroCount; m++) {
		const others = Array.from({ length: metroCount }, (_, j) => j).filter((j) => j !== m);
		for (let i = others.length - 1; i > 0; i--) {
			const j = rng.int(i + 1);
			[others[i], others[j]] = [others[j] as number, others[i] as number];
		}
		const order = Int32Array.from([m, ...others]);
		metrosByDistance.push(order);
		// Non-decreasing along the order, with some equal steps; a few rows out of order (a metro
		// past the RTT cap stops the walk even if a later one is within it).
		const jumbled = rng.int(6) === 0;
		let rtt = 1 + rng.int(3);
		for (const metro of order) {
			const value = jumbled && metro !== m ? 1 + rng.int(80) : rtt;
			metroRttMs[m * metroCount + metro] = value;
			maxRtt = Math.max(maxRtt, value);
			rtt += rng.int(3) === 0 ? 0 : 1 + rng.int(40);
		}
	}
	const context: MarketContext = {
		mechanism,
		maxCandidates: 16,
		postedUsdPerGpuHour: Float64Array.from({ length: gpuCount }, () => 0.5 + 2.5 * rng.next()),
		metrosByDistance,
		metroRttMs,
		metroCount,
	};
	return { nodes, index, context, gpuCount, metroCount, maxRtt };
}

function randomTerms(rng: RandomStream, market: RandomMarket, gpus: number): OrderTerms {
	const eligibleGpu = Uint8Array.from({ length: market.gpuCount }, () => (rng.int(4) === 0 ? 0 : 1));
	const gpuHoursPerWork = Float64Array.from({ length: market.gpuCount }, () =>
		rng.int(3) === 0 ? 1 : 0.2 + 3 * rng.next(),
	);
	const work = rng.int(3) === 0 ? 1 : 0.1 + 10 * rng.next();
	// A reserve around the typical cost, so some orders go over it; sometimes none at all.
	const reserveUsd = rng.int(5) === 0 ? Number.POSITIVE_INFINITY : gpus * work * (0.2 + 2.5 * rng.next());
	const maxRttMs = rng.int(3) === 0 ? rng.next() * market.maxRtt : Number.POSITIVE_INFINITY;
	// Sometimes the tenant filters on the node's link.
	const minLinkGbps = rng.int(3) === 0 ? 2 * rng.next() : 0;
	return {
		originMetro: rng.int(market.metroCount),
		gpus,
		eligibleGpu,
		work,
		gpuHoursPerWork,
		reserveUsd,
		maxRttMs,
		minLinkGbps,
	};
}

/** The award of the general path, collectCandidates then clear, for a single-GPU order (the fused auction's oracle). */
function generalAward(market: RandomMarket, terms: OrderTerms, limit: number) {
	const candidates = new Int32Array(64);
	const award = awardBuffer(1);
	const count = collectCandidates(market.index, terms, market.context, candidates, limit, market.nodes);
	const result = clear(market.nodes, terms, market.context, candidates, count, new Float64Array(64), award);
	return { result, award, candidates: candidates.subarray(0, count) };
}

describe("clearSingleGpuAuction", () => {
	it("awards exactly what collectCandidates then clear award, over 3000 random orders", () => {
		const rng = RandomStream.create(5, 0, "test/market/fused");
		const outcomes: Record<"true" | NoAward, number> = { true: 0, "no-capacity": 0, "over-reserve": 0 };
		let tiesDecided = 0;
		let emptyFleets = 0;
		for (let fleet = 0; fleet < 150; fleet++) {
			const market = randomMarket(rng);
			if (market.index.size === 0) emptyFleets++;
			for (let order = 0; order < 20; order++) {
				const terms = randomTerms(rng, market, 1);
				const limit = 1 + rng.int(16);
				const fused = awardBuffer(1);
				const fusedResult = clearSingleGpuAuction(market.index, market.nodes, terms, market.context, limit, fused);
				const { result: generalResult, award: general, candidates } = generalAward(market, terms, limit);
				const what = `fleet ${fleet} order ${order}`;
				expect(fusedResult, what).toBe(generalResult);
				const key = fusedResult === true ? "true" : fusedResult;
				outcomes[key]++;
				if (fusedResult !== true) continue; // the award is not to be read then
				expect(fused.nodes[0], what).toBe(general.nodes[0]);
				expect(fused.count).toBe(1);
				expect(general.count).toBe(1);
				expect(fused.priceUsdPerGpuHour[0], what).toBe(general.priceUsdPerGpuHour[0]);
				expect(fused.costUsd, what).toBe(general.costUsd);
				expect(market.nodes.linkGbps[fused.nodes[0] as number], what).toBeGreaterThanOrEqual(terms.minLinkGbps);
				// The winner is the first candidate met at the lowest cost.
				const winner = fused.nodes[0] as number;
				const costOf = (node: number) =>
					(market.nodes.askUsdPerGpuHour[node] as number) *
					(terms.work * (terms.gpuHoursPerWork[market.nodes.gpu[node] as number] as number));
				const first = Array.from(candidates).findIndex((node) => costOf(node) === fused.costUsd);
				expect(candidates[first], what).toBe(winner);
				if (Array.from(candidates).filter((node) => costOf(node) === fused.costUsd).length > 1) {
					tiesDecided++;
				}
			}
		}
		// Every outcome and the cases that matter were met.
		expect(outcomes.true).toBeGreaterThan(300);
		expect(outcomes["no-capacity"]).toBeGreaterThan(100);
		expect(outcomes["over-reserve"]).toBeGreaterThan(100);
		expect(tiesDecided).toBeGreaterThan(50);
		expect(emptyFleets).toBeGreaterThan(0);
	});

	it("awards the same with 29 to 36 GPU classes: the idle masks' top bit, and no masks beyond 32", () => {
		const rng = RandomStream.create(5, 0, "test/market/many-classes");
		let awards = 0;
		for (let fleet = 0; fleet < 40; fleet++) {
			const market = randomMarket(rng, "auction", 29 + rng.int(8));
			expect(market.index.idleGpuMaskByMetro === null).toBe(market.gpuCount > 32);
			for (let order = 0; order < 20; order++) {
				const terms = randomTerms(rng, market, 1);
				const limit = 1 + rng.int(16);
				const fused = awardBuffer(1);
				// Through awardOrder, which takes the fused auction where the index has masks and the general path beyond.
				const context = { ...market.context, maxCandidates: limit };
				const buffers = { candidates: new Int32Array(64), scratchCost: new Float64Array(64), award: fused };
				const fusedResult = awardOrder(market.index, market.nodes, terms, context, buffers);
				const { result: generalResult, award: general } = generalAward(market, terms, limit);
				expect(fusedResult, `fleet ${fleet} order ${order}`).toBe(generalResult);
				if (fusedResult !== true) continue;
				awards++;
				expect([fused.nodes[0], fused.costUsd]).toEqual([general.nodes[0], general.costUsd]);
			}
			if (market.gpuCount > 32) {
				const terms = randomTerms(rng, market, 1);
				expect(() =>
					clearSingleGpuAuction(market.index, market.nodes, terms, market.context, 8, awardBuffer(1)),
				).toThrow(/32 GPU classes/);
			}
		}
		expect(awards).toBeGreaterThan(100);
	});

	it("gives a tie to the first node met: nearer metro, then bucket position, then lower GPU class", () => {
		const nodes = new NodeTable(16);
		const index = new IdleIndex(2, 2);
		// Same ask, same hours: every bid is 4 USD.
		const far = nodes.add(0, 1, NodeState.idle, 0, 2);
		const nearClass1 = nodes.add(1, 0, NodeState.idle, 0, 2);
		const nearClass0a = nodes.add(0, 0, NodeState.idle, 0, 2);
		const nearClass0b = nodes.add(0, 0, NodeState.idle, 0, 2);
		const nearClass0c = nodes.add(0, 0, NodeState.idle, 0, 2);
		for (const node of [far, nearClass1, nearClass0a, nearClass0b, nearClass0c]) {
			index.add(node, nodes.gpu[node] as number, nodes.metro[node] as number);
		}
		const context: MarketContext = {
			mechanism: "auction",
			maxCandidates: 16,
			postedUsdPerGpuHour: new Float64Array(2),
			metrosByDistance: [Int32Array.of(0, 1), Int32Array.of(1, 0)],
			metroRttMs: Float64Array.of(1, 20, 20, 1),
			metroCount: 2,
		};
		const terms: OrderTerms = {
			originMetro: 0,
			gpus: 1,
			eligibleGpu: Uint8Array.of(1, 1),
			work: 2,
			gpuHoursPerWork: Float64Array.of(1, 1),
			reserveUsd: 100,
			maxRttMs: Number.POSITIVE_INFINITY,
			minLinkGbps: 0,
		};
		const award = awardBuffer(1);
		expect(clearSingleGpuAuction(index, nodes, terms, context, 16, award)).toBe(true);
		expect(award.nodes[0]).toBe(nearClass0a);
		expect(award.costUsd).toBe(4);
		// Swap-remove puts the bucket's last node first.
		index.remove(nearClass0a, 0, 0);
		expect(clearSingleGpuAuction(index, nodes, terms, context, 16, award)).toBe(true);
		expect(award.nodes[0]).toBe(nearClass0c);
		// Class 0 not eligible: class 1 in the near metro.
		expect(
			clearSingleGpuAuction(index, nodes, { ...terms, eligibleGpu: Uint8Array.of(0, 1) }, context, 16, award),
		).toBe(true);
		expect(award.nodes[0]).toBe(nearClass1);
		// From metro 1, the node there comes first.
		expect(clearSingleGpuAuction(index, nodes, { ...terms, originMetro: 1 }, context, 16, award)).toBe(true);
		expect(award.nodes[0]).toBe(far);
		// A strictly cheaper bid farther away wins over the tie; not when the limit stops before it.
		nodes.askUsdPerGpuHour[far] = 1.5;
		expect(clearSingleGpuAuction(index, nodes, terms, context, 16, award)).toBe(true);
		expect(award.nodes[0]).toBe(far);
		expect(award.costUsd).toBe(3);
		expect(clearSingleGpuAuction(index, nodes, terms, context, 3, award)).toBe(true);
		expect(award.nodes[0]).toBe(nearClass0c);
		expect(clearSingleGpuAuction(index, nodes, { ...terms, maxRttMs: 10 }, context, 16, award)).toBe(true);
		expect(award.nodes[0]).toBe(nearClass0c);
		expect(clearSingleGpuAuction(index, nodes, { ...terms, reserveUsd: 2.9 }, context, 16, award)).toBe("over-reserve");
		expect(clearSingleGpuAuction(index, nodes, { ...terms, reserveUsd: 3 }, context, 16, award)).toBe(true);
		expect(award.nodes[0]).toBe(far);
		expect(
			clearSingleGpuAuction(index, nodes, { ...terms, eligibleGpu: Uint8Array.of(0, 0) }, context, 16, award),
		).toBe("no-capacity");
		expect(clearSingleGpuAuction(new IdleIndex(2, 2), nodes, terms, context, 16, award)).toBe("no-capacity");
	});
});

/**
 * A hand-made market: two GPU classes, three metros on a line seen from metro 0
 * (RTT 1, 10, 30 ms); class 1 takes twice the hours of class 0.
 *
 *   node  class  metro  ask   auction cost (work 2)   posted (2.0 / 1.5)
 *   0     0      0      3.0   6                       refuses (3 > 2)
 *   1     1      0      1.0   4                       1.5 × 4 = 6
 *   2     0      1      1.5   3                       2.0 × 2 = 4
 *   3     1      1      2.0   8                       refuses (2 > 1.5)
 *   4     0      2      0.5   1                       2.0 × 2 = 4
 */
function handMade(mechanism: Mechanism) {
	const nodes = new NodeTable(16);
	const index = new IdleIndex(2, 3);
	const rows: [number, number, number][] = [
		[0, 0, 3],
		[1, 0, 1],
		[0, 1, 1.5],
		[1, 1, 2],
		[0, 2, 0.5],
	];
	for (const [gpu, metro, ask] of rows) index.add(nodes.add(gpu, metro, NodeState.idle, 0, ask), gpu, metro);
	const context: MarketContext = {
		mechanism,
		maxCandidates: 16,
		postedUsdPerGpuHour: Float64Array.of(2, 1.5),
		metrosByDistance: [Int32Array.of(0, 1, 2), Int32Array.of(1, 0, 2), Int32Array.of(2, 1, 0)],
		metroRttMs: Float64Array.of(1, 10, 30, 10, 1, 20, 30, 20, 1),
		metroCount: 3,
	};
	const terms = (gpus: number, reserveUsd = 100, maxRttMs = Number.POSITIVE_INFINITY): OrderTerms => ({
		originMetro: 0,
		gpus,
		eligibleGpu: Uint8Array.of(1, 1),
		work: 2,
		gpuHoursPerWork: Float64Array.of(1, 2),
		reserveUsd,
		maxRttMs,
		minLinkGbps: 0,
	});
	const run = (order: OrderTerms) => {
		const candidates = new Int32Array(16);
		const count = collectCandidates(index, order, context, candidates);
		const award = awardBuffer(8);
		const result = clear(nodes, order, context, candidates, count, new Float64Array(16), award);
		return {
			result,
			candidates: Array.from(candidates.subarray(0, count)),
			winners: Array.from(award.nodes.subarray(0, award.count)),
			prices: Array.from(award.priceUsdPerGpuHour.subarray(0, award.count)),
			costUsd: award.costUsd,
		};
	};
	return { nodes, index, context, terms, run };
}

describe("collectCandidates and clear", () => {
	it("a class that cannot do the work (infinite GPU-hours) bids nothing, at auction and posted", () => {
		for (const mechanism of ["auction", "posted"] as const) {
			const { run, terms } = handMade(mechanism);
			const cannot = { ...terms(3), gpuHoursPerWork: Float64Array.of(1, Number.POSITIVE_INFINITY) };
			// Three GPUs of class 0 exist, but at posted prices only two accept; class 1 bids nothing.
			expect(run(cannot).result).toBe(mechanism === "auction" ? true : "no-capacity");
			expect(run({ ...cannot, gpus: 4 }).result).toBe("no-capacity");
			expect(run({ ...cannot, gpus: 1, eligibleGpu: Uint8Array.of(0, 1) }).result).toBe("no-capacity");
		}
	});

	it("collects eligible idle nodes nearest metro first, within the RTT cap and the limit", () => {
		const { index, context, terms } = handMade("auction");
		const out = new Int32Array(16);
		const take = (order: OrderTerms, limit?: number) =>
			Array.from(out.subarray(0, collectCandidates(index, order, context, out, limit)));
		expect(take(terms(1))).toEqual([0, 1, 2, 3, 4]);
		expect(take(terms(1), 3)).toEqual([0, 1, 2]);
		expect(take(terms(1, 100, 15))).toEqual([0, 1, 2, 3]);
		expect(take({ ...terms(1), eligibleGpu: Uint8Array.of(0, 1) })).toEqual([1, 3]);
		expect(take({ ...terms(1), originMetro: 2 })).toEqual([4, 2, 3, 0, 1]);
		expect(take({ ...terms(1), eligibleGpu: Uint8Array.of(0, 0) })).toEqual([]);
	});

	it("a tenant's link filter passes over nodes on slower downlinks, in both clearings", () => {
		const { nodes, index, context, terms } = handMade("auction");
		// Node 4 (the cheapest) and node 1 sit on home links of 50 Mbit/s, the rest on 1 Gbit/s.
		for (let node = 0; node < 5; node++) nodes.linkGbps[node] = node === 4 || node === 1 ? 0.05 : 1;
		const out = new Int32Array(16);
		const filtered = { ...terms(1), minLinkGbps: 0.1 };
		expect(Array.from(out.subarray(0, collectCandidates(index, filtered, context, out, 16, nodes)))).toEqual([0, 2, 3]);
		const award = awardBuffer(1);
		expect(clearSingleGpuAuction(index, nodes, terms(1), context, 16, award)).toBe(true);
		expect(award.nodes[0]).toBe(4);
		// Filtered nodes are not candidates, so they use none of the limit: the next fast node is met.
		expect(clearSingleGpuAuction(index, nodes, filtered, context, 1, award)).toBe(true);
		expect(award.nodes[0]).toBe(0);
		expect(clearSingleGpuAuction(index, nodes, filtered, context, 16, award)).toBe(true);
		expect([award.nodes[0], award.costUsd]).toEqual([2, 3]);
		expect(clearSingleGpuAuction(index, nodes, { ...filtered, minLinkGbps: 2 }, context, 16, award)).toBe(
			"no-capacity",
		);
	});

	it("auction: the cheapest order costs, pay-as-bid, within the reserve", () => {
		const { run, terms } = handMade("auction");
		expect(run(terms(1))).toEqual({
			result: true,
			candidates: [0, 1, 2, 3, 4],
			winners: [4],
			prices: [0.5],
			costUsd: 1,
		});
		expect(run(terms(2))).toMatchObject({ result: true, winners: [4, 2], prices: [0.5, 1.5], costUsd: 4 });
		// Winners are the cheapest bids, but a multi-GPU order holds every node until the slowest
		// finishes (class 1 takes 4 h of this work, class 0 2 h): it pays Σ price × 4 h, checked on the reserve.
		expect(run(terms(3))).toMatchObject({ result: true, winners: [4, 2, 1], prices: [0.5, 1.5, 1], costUsd: 12 });
		expect(run(terms(3, 11.99)).result).toBe("over-reserve");
		expect(run(terms(5))).toMatchObject({ result: true, winners: [4, 2, 1, 0, 3], costUsd: 32 });
		// Within 15 ms of metro 0 only nodes 0–3 bid.
		expect(run(terms(2, 100, 15))).toMatchObject({ result: true, winners: [2, 1], prices: [1.5, 1], costUsd: 10 });
		expect(run(terms(2, 3.99)).result).toBe("over-reserve");
		expect(run(terms(2, 4)).result).toBe(true);
		expect(run(terms(6)).result).toBe("no-capacity");
	});

	it("posted: nodes asking at most the posted price accept; the cheapest order costs win, nearer on a tie", () => {
		const { run, terms } = handMade("posted");
		// Nodes 2 and 4 both cost 4 at the posted price: node 2 is nearer.
		expect(run(terms(1))).toMatchObject({ result: true, winners: [2], prices: [2], costUsd: 4 });
		expect(run(terms(2))).toMatchObject({ result: true, winners: [2, 4], prices: [2, 2], costUsd: 8 });
		expect(run(terms(3))).toMatchObject({ result: true, winners: [2, 4, 1], prices: [2, 2, 1.5], costUsd: 22 });
		// Only three accept.
		expect(run(terms(4)).result).toBe("no-capacity");
		expect(run(terms(2, 7.5)).result).toBe("over-reserve");
		expect(run(terms(2, 100, 15))).toMatchObject({ result: true, winners: [2, 1], prices: [2, 1.5], costUsd: 14 });
		expect(run(terms(2, 8)).result).toBe(true); // a reserve equal to the cost is met
	});

	it("posted: an ask equal to the posted price accepts it", () => {
		const { nodes, run, terms } = handMade("posted");
		nodes.askUsdPerGpuHour[3] = 1.5; // class 1's posted price
		expect(run(terms(4))).toMatchObject({ result: true, winners: [2, 4, 1, 3], prices: [2, 2, 1.5, 1.5], costUsd: 28 });
	});

	it("routing: the nearest accepting nodes win at the posted price", () => {
		const { run, terms } = handMade("routing");
		expect(run(terms(1))).toMatchObject({ result: true, winners: [1], prices: [1.5], costUsd: 6 });
		expect(run(terms(2))).toMatchObject({ result: true, winners: [1, 2], prices: [1.5, 2], costUsd: 14 });
		expect(run(terms(3))).toMatchObject({ result: true, winners: [1, 2, 4], prices: [1.5, 2, 2], costUsd: 22 });
		expect(run(terms(4)).result).toBe("no-capacity");
		// The nearest accepting node (cost 6) is over a reserve of 5.99: the next one (node 2, cost 4)
		// serves; under 4 none does.
		expect(run(terms(1, 5.99))).toMatchObject({ result: true, winners: [2], prices: [2], costUsd: 4 });
		expect(run(terms(1, 3.99)).result).toBe("over-reserve");
		// Two GPUs, reserve 9: a share of 4.5 each passes node 1 (6) over for nodes 2 and 4 (4 each).
		expect(run(terms(2, 9))).toMatchObject({ result: true, winners: [2, 4], costUsd: 8 });
		expect(run(terms(1, 100, 0.5)).result).toBe("no-capacity");
	});
});
