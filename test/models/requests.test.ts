import { describe, expect, it } from "vitest";
import { generateArrivals, type RequestSimInput, simulateRequests, sitesByRtt } from "../../models/requests.js";
import { mmcMeans } from "../../sim/queueing.js";
import { RandomStream } from "../../sim/random/stream.js";
import { LogHistogram } from "../../sim/recorder/histogram.js";

/** Replicas all using compute table 0. */
function uniformTables(replicas: number, table: Float64Array) {
	return { tables: [table], replicaTable: new Int32Array(replicas) };
}

describe("generateArrivals", () => {
	it("is a Poisson stream: count, integer sorted times in the window, metro shares", () => {
		const rng = RandomStream.create(7, 0, "test/arrivals");
		const a = generateArrivals(rng, { startMs: 5000, durationMs: 100_000, ratePerSecond: 500, metroWeights: [1, 3] });
		const expected = 500 * 100;
		expect(Math.abs(a.timeMs.length - expected)).toBeLessThan(4 * Math.sqrt(expected));
		let previous = 5000;
		let fromSecond = 0;
		let badTimes = 0;
		for (let i = 0; i < a.timeMs.length; i++) {
			const t = a.timeMs[i] as number;
			if (!(Number.isInteger(t) && t >= previous && t < 105_000)) badTimes++;
			previous = t;
			fromSecond += a.metro[i] as number;
		}
		expect(badTimes).toBe(0);
		const share = fromSecond / a.timeMs.length;
		expect(Math.abs(share - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / a.timeMs.length));
	});

	it("follows a piecewise-constant rate", () => {
		const rng = RandomStream.create(7, 0, "test/arrivals");
		const a = generateArrivals(rng, {
			startMs: 0,
			durationMs: 200_000,
			ratePerSecond: (t) => (t < 100_000 ? 100 : 400),
			segmentMs: 10_000,
			metroWeights: [1],
		});
		let first = 0;
		for (const t of a.timeMs) if (t < 100_000) first++;
		const second = a.timeMs.length - first;
		expect(Math.abs(first - 10_000)).toBeLessThan(4 * 100);
		expect(Math.abs(second - 40_000)).toBeLessThan(4 * 200);
	});

	it("rejects bad windows and rates", () => {
		const rng = RandomStream.create(1, 0, "x");
		expect(() => generateArrivals(rng, { startMs: 0.5, durationMs: 1, ratePerSecond: 1, metroWeights: [1] })).toThrow();
		expect(() =>
			generateArrivals(rng, { startMs: 0, durationMs: 10, ratePerSecond: () => -1, metroWeights: [1] }),
		).toThrow(/rate/);
		expect(() => generateArrivals(rng, { startMs: 0, durationMs: 0, ratePerSecond: -1, metroWeights: [1] })).toThrow(
			/rate/,
		);
	});
});

/**
 * Queueing oracles. One metro, zero network latency, maxBatch 1, maxWaitMs 0: each replica
 * is a server and the group's FIFO the queue, so the wait before a batch starts is the
 * queueing delay Wq. Mean service S = 1000 ms (1 ms ticks are 0.1% of it); ρ = 0.8;
 * 10 seeds × 2·10^5 requests (about 2 s for the three cases on a 2-core machine).
 *
 * Measured (seeds 1–10, this code): relative error of the pooled mean and seed-to-seed
 * standard deviation of a single run's mean, both relative to theory —
 *   M/M/1  Wq = 4000 ms   error −0.09%   sd 2.6% → standard error of the pool 0.81%
 *   M/M/4  Wq = 745.5 ms  error −0.07%   sd 3.4% → 1.07%
 *   M/D/1  Wq = 2000 ms   error +0.28%   sd 1.5% → 0.49%
 * The 3% bound is at least 2.8 standard errors of the pool in every case; the test also
 * checks the spread so that a change that made runs noisier would not pass unnoticed.
 */
describe("queueing oracles (10 seeds × 2·10^5 requests, ρ = 0.8)", () => {
	const SEEDS = 10;
	const REQUESTS = 200_000;
	const SERVICE_MS = 1000;
	const LOAD = 0.8;

	function poolWaits(servers: number, service: "exponential" | "deterministic") {
		const ratePerSecond = (LOAD * servers * 1000) / SERVICE_MS;
		let sum = 0;
		let count = 0;
		const means: number[] = [];
		for (let seed = 1; seed <= SEEDS; seed++) {
			const arrivals = generateArrivals(RandomStream.create(seed, 0, "requests/arrivals"), {
				startMs: 0,
				durationMs: (REQUESTS / ratePerSecond) * 1000,
				ratePerSecond,
				metroWeights: [1],
			});
			const result = simulateRequests({
				arrivals,
				replicaMetro: new Int32Array(servers),
				computeTables: uniformTables(servers, Float64Array.of(SERVICE_MS)),
				rttMs: Float64Array.of(0),
				metroCount: 1,
				batching: { maxBatch: 1, maxWaitMs: 0 },
				slaP95Ms: 1e9,
				serviceDistribution: service,
				serviceRng: RandomStream.create(seed, 0, "requests/service"),
			});
			expect(result.served).toBe(result.arrived);
			expect(result.meanBatchSize).toBe(1);
			sum += result.waitMs.sum;
			count += result.waitMs.count;
			means.push(result.waitMs.mean);
		}
		const mean = means.reduce((a, b) => a + b, 0) / SEEDS;
		const sd = Math.sqrt(means.reduce((a, b) => a + (b - mean) ** 2, 0) / (SEEDS - 1));
		return { pooled: sum / count, sd, standardError: sd / Math.sqrt(SEEDS) };
	}

	for (const servers of [1, 4]) {
		it(`M/M/${servers}: pooled mean queue wait within 3% of Erlang C`, () => {
			const theory = mmcMeans(servers, (LOAD * servers) / SERVICE_MS, 1 / SERVICE_MS).meanWait;
			const { pooled, standardError } = poolWaits(servers, "exponential");
			expect(Math.abs(pooled / theory - 1)).toBeLessThan(0.03);
			expect(standardError / theory).toBeLessThan(0.03 / 2.5);
		});
	}

	it("M/D/1: pooled mean queue wait within 3% of Pollaczek–Khinchine ρS / (2(1 − ρ))", () => {
		const theory = (LOAD * SERVICE_MS) / (2 * (1 - LOAD));
		const { pooled, standardError } = poolWaits(1, "deterministic");
		expect(Math.abs(pooled / theory - 1)).toBeLessThan(0.03);
		expect(standardError / theory).toBeLessThan(0.03 / 2.5);
	});
});

describe("dynamic batching", () => {
	// compute ms for b = 1…8: 10 + 2b (a fixed part and a per-request part).
	const table = Float64Array.from({ length: 8 }, (_, i) => 10 + 2 * (i + 1));
	const run = (ratePerSecond: number, seed = 3) => {
		const arrivals = generateArrivals(RandomStream.create(seed, 0, "requests/arrivals"), {
			startMs: 0,
			durationMs: 60_000,
			ratePerSecond,
			metroWeights: [1],
		});
		return simulateRequests({
			arrivals,
			replicaMetro: new Int32Array(2),
			computeTables: uniformTables(2, table),
			rttMs: Float64Array.of(0),
			metroCount: 1,
			batching: { maxBatch: 8, maxWaitMs: 20 },
			slaP95Ms: 100,
		});
	};

	it("at low load no request waits longer than maxWaitMs for its batch", () => {
		const low = run(5);
		expect(low.arrived).toBeGreaterThan(200);
		expect(low.served).toBe(low.arrived);
		expect(low.waitMs.max).toBeLessThanOrEqual(20);
		// Mostly alone: the batch timer fires after 20 ms, so latency is 20 + 12 ms.
		expect(low.latencyMs.quantile(0.5)).toBeCloseTo(32, 0);
		expect(low.slaMissed).toBe(0);
	});

	it("at high load batches fill up", () => {
		// 600 req/s: batch-1 capacity of two replicas is 2 × 1000/12 ≈ 167 req/s; full batches give ≈ 615.
		const high = run(600);
		expect(high.served).toBe(high.arrived);
		expect(high.meanBatchSize).toBeGreaterThan(1);
		expect(high.meanBatchSize).toBeLessThanOrEqual(8);
		const busy = (high.replicaBusyMs[0] as number) + (high.replicaBusyMs[1] as number);
		expect(busy / (2 * 60_000)).toBeGreaterThan(0.5);
		// Requests × per-request compute: busy time is at least Σ batches (10 + 2b) ms.
		expect(busy).toBeCloseTo(10 * high.batches + 2 * high.served, -1);
	});

	it("verification overhead stretches compute", () => {
		// One request every 500 ms: none queues, so latency is the compute alone (40 or 60 ms).
		const arrivals = {
			timeMs: Float64Array.from({ length: 20 }, (_, i) => 500 * i),
			metro: new Int32Array(20),
		};
		const base: RequestSimInput = {
			arrivals,
			replicaMetro: new Int32Array(1),
			computeTables: uniformTables(1, Float64Array.of(40)),
			rttMs: Float64Array.of(0),
			metroCount: 1,
			batching: { maxBatch: 1, maxWaitMs: 0 },
			slaP95Ms: 50,
		};
		const plain = simulateRequests(base);
		const verified = simulateRequests({ ...base, verificationOverheadShare: 0.5 });
		expect(verified.replicaBusyMs[0]).toBe(1.5 * (plain.replicaBusyMs[0] as number));
		expect(plain.slaMissed).toBe(0);
		expect(verified.slaMissed).toBe(verified.served);
	});
});

/** Three metros on a line: 0 —10 ms— 2 —40 ms— 1 (RTT 50 ms between 0 and 1). */
const RTT3 = Float64Array.of(4, 50, 10, 50, 4, 40, 10, 40, 4);

describe("determinism, shared arrivals, routing", () => {
	const arrivals = generateArrivals(RandomStream.create(11, 0, "requests/arrivals"), {
		startMs: 1000,
		durationMs: 30_000,
		ratePerSecond: 300,
		metroWeights: [5, 1, 2],
	});
	const input = (replicaMetro: number[], seed = 11): RequestSimInput => ({
		arrivals,
		replicaMetro: Int32Array.from(replicaMetro),
		computeTables: uniformTables(
			replicaMetro.length,
			Float64Array.from({ length: 4 }, (_, i) => 8 + 3 * i),
		),
		rttMs: RTT3,
		metroCount: 3,
		batching: { maxBatch: 4, maxWaitMs: 5 },
		slaP95Ms: 40,
		serviceDistribution: "exponential",
		serviceRng: RandomStream.create(seed, 0, "requests/service"),
	});

	it("same inputs and streams give identical results", () => {
		const a = simulateRequests(input([0, 0, 1, 2]));
		const b = simulateRequests(input([0, 0, 1, 2]));
		expect(b.served).toBe(a.served);
		expect(b.slaMissed).toBe(a.slaMissed);
		expect(b.batches).toBe(a.batches);
		expect(b.events).toBe(a.events);
		expect(b.endMs).toBe(a.endMs);
		expect(b.latencyMs.sum).toBe(a.latencyMs.sum);
		expect(b.latencyMs.quantile(0.95)).toBe(a.latencyMs.quantile(0.95));
		expect(b.networkRttMs.sum).toBe(a.networkRttMs.sum);
		expect(Array.from(b.replicaBusyMs)).toEqual(Array.from(a.replicaBusyMs));
		const other = simulateRequests(input([0, 0, 1, 2], 12));
		expect(other.latencyMs.sum).not.toBe(a.latencyMs.sum);
	});

	it("recordWaits: false leaves the waits out and changes nothing else", () => {
		const a = simulateRequests(input([0, 0, 1, 2]));
		const b = simulateRequests({ ...input([0, 0, 1, 2]), recordWaits: false });
		expect(a.waitMs.count).toBe(a.served);
		expect(b.waitMs.count).toBe(0);
		expect([b.served, b.slaMissed, b.events, b.latencyMs.sum, b.networkRttMs.sum]).toEqual([
			a.served,
			a.slaMissed,
			a.events,
			a.latencyMs.sum,
			a.networkRttMs.sum,
		]);
	});

	it("reused histograms are reset and end as fresh ones would", () => {
		const scratch = { latencyMs: new LogHistogram(), networkRttMs: new LogHistogram(), waitMs: new LogHistogram() };
		scratch.latencyMs.record(1e6); // left over from an earlier window
		const fresh = simulateRequests(input([0, 1, 2]));
		for (const replicas of [
			[0, 0, 1, 2],
			[0, 1, 2],
		]) {
			const reused = simulateRequests({ ...input(replicas), reuseHistograms: scratch });
			expect(reused.latencyMs).toBe(scratch.latencyMs);
		}
		for (const name of ["latencyMs", "networkRttMs", "waitMs"] as const) {
			expect([scratch[name].count, scratch[name].sum, scratch[name].max]).toEqual([
				fresh[name].count,
				fresh[name].sum,
				fresh[name].max,
			]);
			for (const q of [0.5, 0.95, 0.99]) expect(scratch[name].quantile(q)).toBe(fresh[name].quantile(q));
		}
	});

	it("the same arrivals feed two replica sets (DePIN vs cloud) and all are served", () => {
		const depin = simulateRequests(input([0, 0, 1, 2]));
		const cloud = simulateRequests(input([1, 1, 1]));
		expect(depin.arrived).toBe(arrivals.timeMs.length);
		expect(cloud.arrived).toBe(depin.arrived);
		expect(depin.served).toBe(depin.arrived);
		expect(cloud.served).toBe(cloud.arrived);
		// Users mostly sit in metro 0, far from metro 1: the cloud set is slower.
		expect(cloud.networkRttMs.mean).toBeGreaterThan(depin.networkRttMs.mean);
		expect(cloud.latencyMs.quantile(0.95)).toBeGreaterThan(depin.latencyMs.quantile(0.95));
	});

	it("with no replicas every request is unserved", () => {
		const none = simulateRequests(input([]));
		expect(none.arrived).toBe(arrivals.timeMs.length);
		expect(none.served).toBe(0);
		expect(none.unserved).toBe(none.arrived);
		expect(none.latencyMs.count).toBe(0);
	});

	it("routes to the nearer group when queues are empty", () => {
		// Users only in metro 0 at a trickle; replicas in metro 1 (50 ms) and metro 2 (10 ms).
		const trickle = generateArrivals(RandomStream.create(1, 0, "requests/arrivals"), {
			startMs: 0,
			durationMs: 20_000,
			ratePerSecond: 2,
			metroWeights: [1, 0, 0],
		});
		const result = simulateRequests({
			...input([1, 2]),
			arrivals: trickle,
			serviceDistribution: "deterministic",
		});
		expect(result.served).toBe(trickle.timeMs.length);
		expect(result.replicaBusyMs[0]).toBe(0);
		expect(result.replicaBusyMs[1]).toBeGreaterThan(0);
		expect(result.networkRttMs.min).toBe(10);
		expect(result.networkRttMs.max).toBe(10);
	});

	it("spills to a farther group when the near one is backlogged, but only within K", () => {
		// Heavy load from metro 0: one replica in metro 2 (10 ms) cannot keep up; four in metro 1 (50 ms) can.
		const heavy = generateArrivals(RandomStream.create(2, 0, "requests/arrivals"), {
			startMs: 0,
			durationMs: 20_000,
			ratePerSecond: 400,
			metroWeights: [1, 0, 0],
		});
		const replicas = [2, 1, 1, 1, 1];
		const spread = simulateRequests({ ...input(replicas), arrivals: heavy, serviceDistribution: "deterministic" });
		expect(spread.replicaBusyMs[1]).toBeGreaterThan(0);
		expect(spread.networkRttMs.max).toBe(50);
		const nearestOnly = simulateRequests({
			...input(replicas),
			arrivals: heavy,
			serviceDistribution: "deterministic",
			routingCandidates: 1,
		});
		expect(nearestOnly.networkRttMs.max).toBe(10);
		for (let r = 1; r < replicas.length; r++) expect(nearestOnly.replicaBusyMs[r]).toBe(0);
		expect(nearestOnly.served).toBe(nearestOnly.arrived);
		expect(nearestOnly.latencyMs.mean).toBeGreaterThan(spread.latencyMs.mean);
	});

	it("accepts GPUs with a compute-time function in place of tables", () => {
		const gpu = { id: "g" } as unknown as import("../../models/catalog.js").GpuSpec;
		const tables = simulateRequests(input([0, 2]));
		const fromGpu = simulateRequests({
			...input([0, 2]),
			computeTables: undefined,
			replicaGpu: [gpu, gpu],
			computeTimeMs: (b) => 8 + 3 * (b - 1),
		});
		expect(fromGpu.latencyMs.sum).toBe(tables.latencyMs.sum);
	});

	it("rejects inconsistent inputs", () => {
		expect(() => simulateRequests({ ...input([0]), metroCount: 2 })).toThrow(/multiple of metroCount/);
		expect(() => simulateRequests({ ...input([5]) })).toThrow(/site 5/);
		expect(() => simulateRequests({ ...input([0]), serviceRng: undefined })).toThrow(/serviceRng/);
		expect(() => simulateRequests({ ...input([0]), batching: { maxBatch: 0, maxWaitMs: 0 } })).toThrow(/maxBatch/);
	});
});

/**
 * Routing candidates: the K groups with the smallest RTT from the user's metro, a tie going
 * to the lower group index (groups are numbered by increasing site). One replica per site,
 * replica r at site r, so group g is replica g. From metro 0 the sites sort as
 *   site 4 (5 ms), 1 (10), 3 (10), 2 (20), 5 (20), 0 (30);
 * from metro 1 every site is 5 ms away, so the order is 0, 1, 2, … by index alone.
 */
describe("routing candidates: K nearest groups, ties to the lower group", () => {
	const RTT_TIES = Float64Array.of(30, 10, 20, 10, 5, 20, 5, 5, 5, 5, 5, 5);
	const SITES = 6;
	const run = (metro: number, routingCandidates: number | undefined, ratePerSecond: number) => {
		const arrivals = generateArrivals(RandomStream.create(21, 0, "requests/arrivals"), {
			startMs: 0,
			durationMs: 2000,
			ratePerSecond,
			metroWeights: metro === 0 ? [1, 0] : [0, 1],
		});
		const result = simulateRequests({
			arrivals,
			replicaMetro: Int32Array.from({ length: SITES }, (_, r) => r),
			computeTables: uniformTables(SITES, Float64Array.of(20)),
			rttMs: RTT_TIES,
			metroCount: 2,
			batching: { maxBatch: 1, maxWaitMs: 0 },
			slaP95Ms: 1e9,
			routingCandidates,
		});
		expect(result.served).toBe(arrivals.timeMs.length);
		const busy = Array.from(result.replicaBusyMs.keys()).filter((r) => (result.replicaBusyMs[r] as number) > 0);
		return { busy, result };
	};

	it("under overload, requests spill over exactly the K nearest groups", () => {
		// 1000 requests/s against 50 per second per replica: every candidate gets work.
		const expected: Record<number, number[]> = {
			1: [4],
			2: [1, 4],
			3: [1, 3, 4],
			4: [1, 2, 3, 4],
			6: [0, 1, 2, 3, 4, 5],
		};
		for (const [k, replicas] of Object.entries(expected)) {
			const { busy } = run(0, Number(k), 1000);
			expect(busy, `K = ${k}`).toEqual(replicas);
		}
		// From metro 1 (all at 5 ms) the first K by index, whatever metro 0's list held.
		expect(run(1, 2, 1000).busy).toEqual([0, 1]);
		expect(run(1, 5, 1000).busy).toEqual([0, 1, 2, 3, 4]);
		// RTTs served: at most the K-th nearest.
		expect(run(0, 3, 1000).result.networkRttMs.max).toBe(10);
		expect(run(0, 4, 1000).result.networkRttMs.max).toBe(20);
		expect(run(0, 6, 1000).result.networkRttMs.max).toBe(30);
	});

	it("at a trickle every request goes to the nearest group, the lower index on a tie", () => {
		// A request finds every queue empty: equal scores go to the first candidate.
		const near = run(0, undefined, 3);
		expect(near.busy).toEqual([4]);
		expect(near.result.networkRttMs.min).toBe(5);
		expect(near.result.networkRttMs.max).toBe(5);
		expect(run(1, undefined, 3).busy).toEqual([0]);
		expect(run(1, 6, 3).busy).toEqual([0]);
	});

	it("sitesByRtt orders each metro's sites by RTT, ties by index", () => {
		const order = sitesByRtt(RTT_TIES, 2);
		expect(Array.from(order[0] as Int32Array)).toEqual([4, 1, 3, 2, 5, 0]);
		expect(Array.from(order[1] as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
	});

	it("with sitesByRtt, routing picks the same groups in the same order (random RTTs with ties)", () => {
		const rng = RandomStream.create(31, 0, "test/routing");
		for (let trial = 0; trial < 40; trial++) {
			const metroCount = 1 + rng.int(5);
			const siteCount = 1 + rng.int(9);
			// RTTs from a few values, so that ties are common.
			const rtt = Float64Array.from({ length: metroCount * siteCount }, () => 5 * rng.int(4));
			const replicaMetro = Int32Array.from({ length: 1 + rng.int(12) }, () => rng.int(siteCount));
			const arrivals = generateArrivals(rng, {
				startMs: 0,
				durationMs: 1000,
				ratePerSecond: 1 + rng.int(3000),
				metroWeights: Array.from({ length: metroCount }, () => rng.next()),
			});
			const input: RequestSimInput = {
				arrivals,
				replicaMetro,
				computeTables: uniformTables(replicaMetro.length, Float64Array.of(8, 9, 10, 11)),
				rttMs: rtt,
				metroCount,
				batching: { maxBatch: 4, maxWaitMs: 2 },
				slaP95Ms: 40,
				routingCandidates: 1 + rng.int(4),
			};
			const plain = simulateRequests(input);
			const ordered = simulateRequests({ ...input, sitesByRtt: sitesByRtt(rtt, metroCount) });
			expect(Array.from(ordered.replicaBusyMs)).toEqual(Array.from(plain.replicaBusyMs));
			expect([ordered.latencyMs.sum, ordered.networkRttMs.sum, ordered.slaMissed, ordered.events]).toEqual([
				plain.latencyMs.sum,
				plain.networkRttMs.sum,
				plain.slaMissed,
				plain.events,
			]);
		}
		expect(() =>
			simulateRequests({
				arrivals: { timeMs: Float64Array.of(0), metro: Int32Array.of(0) },
				replicaMetro: Int32Array.of(0),
				computeTables: uniformTables(1, Float64Array.of(1)),
				rttMs: RTT_TIES,
				metroCount: 2,
				batching: { maxBatch: 1, maxWaitMs: 0 },
				slaP95Ms: 1,
				sitesByRtt: [Int32Array.of(0)],
			}),
		).toThrow(/sitesByRtt/);
	});

	it("ties between the second-nearest groups keep the lower index", () => {
		// Without site 4, metro 0's nearest are sites 1 and 3 (10 ms each): site 1 first.
		const rtt = RTT_TIES.slice();
		rtt[4] = 50;
		const arrivals = generateArrivals(RandomStream.create(22, 0, "requests/arrivals"), {
			startMs: 0,
			durationMs: 2000,
			ratePerSecond: 3,
			metroWeights: [1, 0],
		});
		const result = simulateRequests({
			arrivals,
			replicaMetro: Int32Array.from({ length: SITES }, (_, r) => r),
			computeTables: uniformTables(SITES, Float64Array.of(20)),
			rttMs: rtt,
			metroCount: 2,
			batching: { maxBatch: 1, maxWaitMs: 0 },
			slaP95Ms: 1e9,
			routingCandidates: 1,
		});
		expect(result.served).toBeGreaterThan(0);
		expect(result.replicaBusyMs[1]).toBe(20 * result.served);
		expect(result.replicaBusyMs[3]).toBe(0);
	});
});
