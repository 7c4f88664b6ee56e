/**
 * The request-level simulator (docs/design.md §2, the "request" scale): real-time inference requests
 * from users in metros, routed to replica groups, batched and served — the same code for the
 * DePIN network (replicas in metros) and the cloud twin (replicas in regions), fed the SAME
 * arrivals so that every DePIN figure has a cloud figure beside it.
 *
 * Life of a request (time in integer ms, the engine's tick):
 *   1. arrival at the user (generateArrivals: Poisson, metro drawn by weight);
 *   2. routing: among the K groups with the smallest RTT from the user's metro (a group = the
 *      replicas at one site), the one with the least RTT + expected queueing delay, where the
 *      expected delay = backlog / replicas × meanBatchMs / maxBatch (backlog: requests routed
 *      to the group and not yet in a batch; meanBatchMs: the group's time for a full batch);
 *      ties go to the nearer group;
 *   3. the uplink: it reaches the group round(RTT / 2) ms later and joins the group's FIFO;
 *   4. batching, static (batching.mode "static", the default here): whenever a replica of the
 *      group is free it takes up to maxBatch waiting requests — at once if maxBatch are waiting
 *      (or maxWaitMs = 0), otherwise when the oldest has waited maxWaitMs (rounded up to a whole
 *      ms); or continuous ("continuous", see continuousServer): requests join a replica's
 *      running batch at its next prefill iteration and leave after their last decode step;
 *   5. compute: a static batch takes computeMs[b] · (1 + verificationOverheadShare), rounded to
 *      whole ms — deterministic, or exponential with that mean (the M/M/c oracle's setting);
 *      continuous iterations take the roofline of the running batch (models/latency.ts);
 *   6. end-to-end latency = RTT + (finish − time it reached the group), i.e. RTT + queue
 *      wait + batch wait + compute; TTFT and TPOT as RequestSimResult defines them.
 * Requests still in the system when arrivals end are run to completion, so with replicas every
 * request is served (served = arrived); with none, every request is unserved.
 *
 * Layout: one typed-array slot per request (reach time, group, FIFO link); groups and
 * replicas in typed arrays; no object per request or per event.
 */
import { Engine } from "../sim/engine.js";
import { Categorical } from "../sim/random/distributions.js";
import type { RandomStream } from "../sim/random/stream.js";
import { standardExponential } from "../sim/random/ziggurat.js";
import { type HistogramOptions, LogHistogram } from "../sim/recorder/histogram.js";
import type { GpuSpec } from "./catalog.js";
import { decodeStepMs, type IterationCost, prefillIterationMs, staticBatchMs, staticFirstTokenMs } from "./latency.js";

/** Requests in arrival order: time at the user (integer ms, non-decreasing) and user metro. */
export interface Arrivals {
	readonly timeMs: Float64Array;
	readonly metro: Int32Array;
}

export interface ArrivalOptions {
	/** Start of the window, ms (an integer ≥ 0). */
	readonly startMs: number;
	/** Length of the window, ms. */
	readonly durationMs: number;
	/**
	 * Total request rate over all metros, requests/s: a constant, or a function of time (ms)
	 * read at the start of each segment and held for the segment (piecewise constant).
	 */
	readonly ratePerSecond: number | ((tMs: number) => number);
	/** Segment length when the rate is a function, ms (default 1000). */
	readonly segmentMs?: number;
	/** Share of requests from each metro (any non-negative weights; normalised). */
	readonly metroWeights: ArrayLike<number>;
}

/**
 * A Poisson stream of requests in [startMs, startMs + durationMs): exponential gaps at the
 * segment's rate (restarting at each segment boundary, which memorylessness allows), each
 * arrival's metro drawn from the weights by the alias method; times are floored to whole ms.
 * Draws, in order, per arrival: one gap, one metro.
 */
export function generateArrivals(rng: RandomStream, options: ArrivalOptions): Arrivals {
	const { startMs, durationMs, ratePerSecond } = options;
	if (!(Number.isSafeInteger(startMs) && startMs >= 0)) {
		throw new RangeError(`startMs must be an integer ≥ 0, got ${startMs}`);
	}
	if (!(durationMs >= 0 && Number.isFinite(durationMs))) {
		throw new RangeError(`durationMs must be ≥ 0, got ${durationMs}`);
	}
	const constant = typeof ratePerSecond === "number";
	if (constant && !(ratePerSecond >= 0 && Number.isFinite(ratePerSecond))) {
		throw new RangeError(`request rate must be ≥ 0 and finite, got ${ratePerSecond}`);
	}
	const segmentMs = constant ? durationMs : (options.segmentMs ?? 1000);
	if (!constant && !(segmentMs > 0)) throw new RangeError(`segmentMs must be > 0, got ${segmentMs}`);
	const metros = new Categorical(options.metroWeights);
	const endMs = startMs + durationMs;

	const expected = constant ? (ratePerSecond * durationMs) / 1000 : 1024;
	let capacity = Math.max(16, Math.ceil(expected + 6 * Math.sqrt(expected) + 16));
	let timeMs = new Float64Array(capacity);
	let metro = new Int32Array(capacity);
	let count = 0;

	let segmentStart = startMs;
	while (segmentStart < endMs) {
		const segmentEnd = Math.min(endMs, segmentStart + segmentMs);
		const rate = constant ? ratePerSecond : ratePerSecond(segmentStart);
		if (!(rate >= 0 && Number.isFinite(rate))) {
			throw new RangeError(`request rate must be ≥ 0 and finite, got ${rate} at ${segmentStart} ms`);
		}
		const meanGapMs = 1000 / rate;
		if (rate > 0) {
			let t = segmentStart;
			for (;;) {
				t += meanGapMs * standardExponential(rng);
				if (t >= segmentEnd) break;
				if (count === capacity) {
					capacity *= 2;
					const grownTime = new Float64Array(capacity);
					grownTime.set(timeMs);
					timeMs = grownTime;
					const grownMetro = new Int32Array(capacity);
					grownMetro.set(metro);
					metro = grownMetro;
				}
				timeMs[count] = Math.floor(t);
				metro[count] = metros.sample(rng);
				count++;
			}
		}
		segmentStart = segmentEnd;
	}
	return { timeMs: timeMs.slice(0, count), metro: metro.slice(0, count) };
}

/**
 * Compute-time tables: `tables[k][b − 1]` = ms for a batch of b; `replicaTable[r]` = k;
 * `iterations[k]` = the same GPU's roofline split into iterations (models/latency.ts), which
 * continuous batching needs and static batching reads for TTFT / TPOT and for batches of
 * requests with their own decode steps.
 */
export interface ComputeTables {
	readonly tables: readonly Float64Array[];
	readonly replicaTable: Int32Array;
	readonly iterations?: readonly IterationCost[];
}

/**
 * One table per distinct GPU id (in order of first appearance) for b = 1 … maxBatch, built
 * from a compute-time function — typically (b, gpu) ⇒ latency.computeTimeMs(b, gpu, compute,
 * efficiencyFor(profile, gpu)).
 */
export function buildComputeTables(
	replicaGpu: readonly GpuSpec[],
	computeTimeMs: (batch: number, gpu: GpuSpec) => number,
	maxBatch: number,
): ComputeTables {
	const tableOfGpu = new Map<string, number>();
	const tables: Float64Array[] = [];
	const replicaTable = new Int32Array(replicaGpu.length);
	replicaGpu.forEach((gpu, r) => {
		let k = tableOfGpu.get(gpu.id);
		if (k === undefined) {
			k = tables.length;
			tableOfGpu.set(gpu.id, k);
			const table = new Float64Array(maxBatch);
			for (let b = 1; b <= maxBatch; b++) table[b - 1] = computeTimeMs(b, gpu);
			tables.push(table);
		}
		replicaTable[r] = k;
	});
	return { tables, replicaTable };
}

export interface RequestSimInput {
	readonly arrivals: Arrivals;
	/**
	 * Site of each replica: a column of `rttMs` (a metro index for the DePIN network, a
	 * cloud-region index for the cloud twin). Replicas at one site form a routing group.
	 */
	readonly replicaMetro: Int32Array;
	/** Each replica's GPU, with `computeTimeMs`; or give `computeTables` instead. */
	readonly replicaGpu?: readonly GpuSpec[];
	/** Time of a batch of b requests on a GPU, ms (tabulated once per distinct GPU). */
	readonly computeTimeMs?: (batch: number, gpu: GpuSpec) => number;
	/** Precomputed compute-time tables (each at least maxBatch long). */
	readonly computeTables?: ComputeTables;
	/** RTT user metro → site, ms: metroCount × siteCount, row-major ([u · siteCount + s]). */
	readonly rttMs: Float64Array;
	/** Number of user metros (rows of rttMs). */
	readonly metroCount: number;
	/**
	 * maxBatch: the largest batch (static) or running batch (continuous); maxWaitMs: how long a
	 * static batch waits to fill (continuous batching admits at the next iteration and ignores it);
	 * mode: static (default) or continuous (needs `computeTables.iterations`).
	 */
	readonly batching: BatchingInput;
	/**
	 * Decode steps of each arrival (output tokens), when they differ between requests; absent:
	 * every request takes its table's `iterations[k].decodeSteps`. Needs `computeTables.iterations`.
	 */
	readonly decodeStepsOfRequest?: Int32Array;
	/** A served request slower than this (end to end) misses the SLA, ms. */
	readonly slaP95Ms: number;
	/** Extra compute for verification, as a share of the batch's compute (default 0). */
	readonly verificationOverheadShare?: number;
	/** Batch times: the table value, or exponential with that mean (default deterministic). */
	readonly serviceDistribution?: "deterministic" | "exponential";
	/** Stream for exponential batch times (required then; the caller names it). */
	readonly serviceRng?: RandomStream;
	/**
	 * `sitesByRtt(rttMs, metroCount)`, when the caller simulates many windows over the same
	 * `rttMs`: a metro's K nearest groups are then read off its ordered sites in a few steps
	 * instead of a pass over every group (same groups, same order), and kept for later calls over
	 * the same sites, so `rttMs` must not change while it is passed with this ordering.
	 */
	readonly sitesByRtt?: readonly Int32Array[];
	/** Groups considered per request, nearest first (K, default 4). */
	readonly routingCandidates?: number;
	/** Settings of the result histograms. */
	readonly histogram?: HistogramOptions;
	/** Record each request's wait in `waitMs` (default true; false leaves it empty, a little faster). */
	readonly recordWaits?: boolean;
	/**
	 * Histograms to fill (each reset first) instead of new ones: a caller simulating window after
	 * window and merging each result away saves allocating three 16 kB histograms per call.
	 * Their settings override `histogram`.
	 */
	readonly reuseHistograms?: {
		readonly latencyMs: LogHistogram;
		readonly networkRttMs: LogHistogram;
		readonly waitMs: LogHistogram;
		readonly ttftMs?: LogHistogram;
		readonly tpotMs?: LogHistogram;
	};
}

export interface BatchingInput {
	readonly maxBatch: number;
	readonly maxWaitMs: number;
	readonly mode?: "static" | "continuous";
}

export interface RequestSimResult {
	readonly arrived: number;
	readonly served: number;
	/** Requests that found no replica at all. */
	readonly unserved: number;
	/** Served requests with end-to-end latency > slaP95Ms. */
	readonly slaMissed: number;
	/** End-to-end latency of served requests, ms. */
	readonly latencyMs: LogHistogram;
	/** Network RTT user ↔ serving replica of served requests, ms (claim C1). */
	readonly networkRttMs: LogHistogram;
	/** Time from reaching the group to the start of the batch (queue + batch fill), ms. */
	readonly waitMs: LogHistogram;
	/**
	 * Time to first token of served requests, ms: RTT + (end of the request's first decode step −
	 * time it reached the group), i.e. the uplink, the queue, its prefill, its first decode step
	 * and the downlink of that token. The roofline's decodeSteps steps each yield one token; the
	 * prefill yields none. Without `computeTables.iterations` (static tables alone): the latency.
	 */
	readonly ttftMs: LogHistogram;
	/**
	 * Time per output token after the first, ms: (finish − first token) / (decodeSteps − 1), for
	 * requests with decodeSteps > 1 (a static batch returns every answer at its end, so its
	 * requests' TPOT includes the padding steps of longer requests).
	 */
	readonly tpotMs: LogHistogram;
	/** Busy time of each replica, ms. */
	readonly replicaBusyMs: Float64Array;
	/** Static: batches run; continuous: decode iterations run. */
	readonly batches: number;
	/** Static: served requests per batch; continuous: mean running requests per decode iteration. */
	readonly meanBatchSize: number;
	/** Continuous batching: prefill iterations run (0 for static). */
	readonly prefillIterations: number;
	/**
	 * ∫ (requests at their sites: waiting or being served) dt over the run, request·ms, counted
	 * as requests reach and leave: over a run that starts and ends empty, Little's law makes it
	 * Σ (finish − reach); ÷ a duration, the mean number in the system.
	 */
	readonly requestMsInSystem: number;
	/** Engine clock when the last event fired, ms. */
	readonly endMs: number;
	readonly events: number;
}

/** A scenario's batching mode as run: `auto` is continuous for classes with decodeSteps > 1, else static. */
export function resolveBatchingMode(
	mode: "auto" | "static" | "continuous",
	decodeSteps: number,
): "static" | "continuous" {
	if (mode === "auto") return decodeSteps > 1 ? "continuous" : "static";
	return mode;
}

const DEFAULT_ROUTING_CANDIDATES = 4;

/** For each user metro, every site in increasing RTT from it (ties: the lower site index first). */
export function sitesByRtt(rttMs: Float64Array, metroCount: number): Int32Array[] {
	const siteCount = rttMs.length / metroCount;
	return Array.from({ length: metroCount }, (_, u) => {
		const row = u * siteCount;
		const sites = Array.from({ length: siteCount }, (_, s) => s);
		sites.sort((a, b) => (rttMs[row + a] as number) - (rttMs[row + b] as number) || a - b);
		return Int32Array.from(sites);
	});
}

/** Runs the request-level simulation on a fresh engine. Deterministic given its inputs. */
export function simulateRequests(input: RequestSimInput): RequestSimResult {
	const siteCount = checkRequestInput(input);
	const { arrivals, replicaMetro } = input;
	const { maxBatch } = input.batching;
	const requestCount = arrivals.timeMs.length;
	const replicaCount = replicaMetro.length;
	const verificationFactor = 1 + (input.verificationOverheadShare ?? 0);
	const histograms = resultHistograms(input);
	const replicaBusyMs = new Float64Array(replicaCount);
	if (replicaCount === 0 || requestCount === 0) {
		const none = { served: 0, slaMissed: 0, batches: 0, batchSlots: 0, prefillIterations: 0 };
		return simResult(requestCount, none, histograms, replicaBusyMs, 0, 0, 0);
	}
	const tables = resolveComputeTables(input, maxBatch);
	const groups = groupReplicas(replicaMetro, siteCount, tables, maxBatch, verificationFactor);
	const groupCount = groups.groupSite.length;
	const sim: RequestSim = {
		input,
		engine: new Engine(replicaCount + groupCount + 64),
		siteCount,
		verificationFactor,
		tables,
		groups,
		histograms,
		replicaBusyMs,
		reachMs: new Float64Array(requestCount),
		requestGroup: new Int32Array(requestCount),
		nextInQueue: new Int32Array(requestCount),
		queueHead: new Int32Array(groupCount).fill(-1),
		queueTail: new Int32Array(groupCount).fill(-1),
		queueLength: new Int32Array(groupCount),
		backlog: new Int32Array(groupCount),
		occupancy: { inSystem: 0, lastMs: 0, requestMs: 0 },
	};
	const server = input.batching.mode === "continuous" ? continuousServer(sim) : batchServer(sim);
	const arrivalKind = requestRouter(sim, server.reach);
	sim.engine.scheduleAt(arrivals.timeMs[0] as number, arrivalKind, 0);
	sim.engine.run();
	const { now, eventsFired } = sim.engine;
	return simResult(requestCount, server.totals(), histograms, replicaBusyMs, sim.occupancy.requestMs, now, eventsFired);
}

/** Checks the input (throws RangeError); returns the number of sites (columns of rttMs). */
function checkRequestInput(input: RequestSimInput): number {
	const { arrivals, replicaMetro, rttMs, metroCount } = input;
	const { maxBatch, maxWaitMs } = input.batching;
	const requestCount = arrivals.timeMs.length;
	const verificationFactor = 1 + (input.verificationOverheadShare ?? 0);
	if (!(Number.isInteger(maxBatch) && maxBatch >= 1)) throw new RangeError(`maxBatch must be an integer ≥ 1`);
	if (!(maxWaitMs >= 0 && Number.isFinite(maxWaitMs))) throw new RangeError(`maxWaitMs must be ≥ 0`);
	if (!(verificationFactor >= 1 && Number.isFinite(verificationFactor))) {
		throw new RangeError(`verificationOverheadShare must be ≥ 0`);
	}
	if (!(Number.isInteger(metroCount) && metroCount >= 1)) throw new RangeError(`metroCount must be an integer ≥ 1`);
	if (rttMs.length % metroCount !== 0) {
		throw new RangeError(`rttMs has ${rttMs.length} entries, not a multiple of metroCount ${metroCount}`);
	}
	if (arrivals.metro.length !== requestCount)
		throw new RangeError("arrivals.timeMs and arrivals.metro differ in length");
	const siteCount = rttMs.length / metroCount;
	for (let i = 0; i < requestCount; i++) {
		const t = arrivals.timeMs[i] as number;
		const m = arrivals.metro[i] as number;
		if (!(Number.isSafeInteger(t) && t >= 0) || (i > 0 && t < (arrivals.timeMs[i - 1] as number))) {
			throw new RangeError(`arrival ${i}: times must be non-decreasing integers ≥ 0 (ms), got ${t}`);
		}
		if (!(m >= 0 && m < metroCount)) throw new RangeError(`arrival ${i}: metro ${m} outside 0…${metroCount - 1}`);
	}
	for (let r = 0; r < replicaMetro.length; r++) {
		const s = replicaMetro[r] as number;
		if (!(s >= 0 && s < siteCount)) throw new RangeError(`replica ${r}: site ${s} outside 0…${siteCount - 1}`);
	}
	const siteOrder = input.sitesByRtt;
	if (siteOrder !== undefined && (siteOrder.length !== metroCount || siteOrder.some((o) => o.length !== siteCount))) {
		throw new RangeError(`sitesByRtt must hold ${metroCount} orderings of ${siteCount} sites`);
	}
	if (input.serviceDistribution === "exponential" && input.serviceRng === undefined) {
		throw new RangeError("serviceDistribution 'exponential' needs a serviceRng stream");
	}
	checkIterationInput(input);
	return siteCount;
}

/** What continuous batching and per-request decode steps need (throws RangeError). */
function checkIterationInput(input: RequestSimInput): void {
	const { mode } = input.batching;
	if (mode !== undefined && mode !== "static" && mode !== "continuous") {
		throw new RangeError(`batching.mode must be static or continuous, got ${mode}`);
	}
	const iterations = input.computeTables?.iterations;
	if ((mode === "continuous" || input.decodeStepsOfRequest !== undefined) && iterations === undefined) {
		throw new RangeError("continuous batching and decodeStepsOfRequest need computeTables.iterations");
	}
	if (mode === "continuous" && input.serviceDistribution === "exponential") {
		throw new RangeError("continuous batching takes deterministic iteration times only");
	}
	const steps = input.decodeStepsOfRequest;
	if (steps !== undefined) {
		if (steps.length !== input.arrivals.timeMs.length) {
			throw new RangeError(
				`decodeStepsOfRequest has ${steps.length} entries, arrivals ${input.arrivals.timeMs.length}`,
			);
		}
		for (let i = 0; i < steps.length; i++) {
			if (!((steps[i] as number) >= 1)) throw new RangeError(`decodeStepsOfRequest[${i}] must be ≥ 1`);
		}
	}
	if (iterations !== undefined && iterations.length !== input.computeTables?.tables.length) {
		throw new RangeError(`computeTables.iterations must have one entry per table`);
	}
}

interface ResultHistograms {
	readonly latencyMs: LogHistogram;
	readonly networkRttMs: LogHistogram;
	readonly waitMs: LogHistogram;
	readonly ttftMs: LogHistogram;
	readonly tpotMs: LogHistogram;
}

/** The caller's histograms, reset, or new ones. */
function resultHistograms(input: RequestSimInput): ResultHistograms {
	const reused = input.reuseHistograms;
	const latencyMs = reused?.latencyMs ?? new LogHistogram(input.histogram);
	const networkRttMs = reused?.networkRttMs ?? new LogHistogram(input.histogram);
	const waitMs = reused?.waitMs ?? new LogHistogram(input.histogram);
	const ttftMs = reused?.ttftMs ?? new LogHistogram(input.histogram);
	const tpotMs = reused?.tpotMs ?? new LogHistogram(input.histogram);
	if (reused !== undefined) {
		latencyMs.reset();
		networkRttMs.reset();
		waitMs.reset();
		ttftMs.reset();
		tpotMs.reset();
	}
	return { latencyMs, networkRttMs, waitMs, ttftMs, tpotMs };
}

interface SimTotals {
	readonly served: number;
	readonly slaMissed: number;
	readonly batches: number;
	/** Σ over batches (decode iterations) of the requests in it. */
	readonly batchSlots: number;
	readonly prefillIterations: number;
}

function simResult(
	requestCount: number,
	totals: SimTotals,
	histograms: ResultHistograms,
	replicaBusyMs: Float64Array,
	requestMsInSystem: number,
	endMs: number,
	events: number,
): RequestSimResult {
	const { served, slaMissed, batches, batchSlots, prefillIterations } = totals;
	return {
		arrived: requestCount,
		served,
		unserved: requestCount - served,
		slaMissed,
		// Named one by one: a spread after other properties builds the object property by property.
		latencyMs: histograms.latencyMs,
		networkRttMs: histograms.networkRttMs,
		waitMs: histograms.waitMs,
		ttftMs: histograms.ttftMs,
		tpotMs: histograms.tpotMs,
		replicaBusyMs,
		batches,
		meanBatchSize: batches > 0 ? batchSlots / batches : Number.NaN,
		prefillIterations,
		requestMsInSystem,
		endMs,
		events,
	};
}

/** The replicas at one site form a group; groups are numbered by increasing site. */
interface ReplicaGroups {
	/** Group of each site, -1 where no replica is. */
	readonly groupOfSite: Int32Array;
	readonly groupSite: Int32Array;
	readonly replicaGroup: Int32Array;
	/** Idle replicas: a stack per group in one array (idle[idleStart[g] … + idleCount[g]]). */
	readonly idleStart: Int32Array;
	readonly idleCount: Int32Array;
	readonly idle: Int32Array;
	/** Expected delay per backlogged request: meanBatchMs / (replicas · maxBatch). */
	readonly delayPerBacklogMs: Float64Array;
}

function groupReplicas(
	replicaMetro: Int32Array,
	siteCount: number,
	{ tables, replicaTable }: ComputeTables,
	maxBatch: number,
	verificationFactor: number,
): ReplicaGroups {
	const replicaCount = replicaMetro.length;
	const siteUsed = new Uint8Array(siteCount);
	for (let r = 0; r < replicaCount; r++) siteUsed[replicaMetro[r] as number] = 1;
	const groupOfSite = new Int32Array(siteCount).fill(-1);
	const sites: number[] = [];
	for (let s = 0; s < siteCount; s++) {
		if (siteUsed[s] === 1) {
			groupOfSite[s] = sites.length;
			sites.push(s);
		}
	}
	const groupCount = sites.length;
	const groupSite = Int32Array.from(sites);
	const replicaGroup = new Int32Array(replicaCount);
	const groupSize = new Int32Array(groupCount);
	const groupFullBatchMs = new Float64Array(groupCount);
	for (let r = 0; r < replicaCount; r++) {
		const g = groupOfSite[replicaMetro[r] as number] as number;
		replicaGroup[r] = g;
		groupSize[g] = (groupSize[g] as number) + 1;
		const table = tables[replicaTable[r] as number] as Float64Array;
		groupFullBatchMs[g] = (groupFullBatchMs[g] as number) + (table[maxBatch - 1] as number) * verificationFactor;
	}
	// The lowest replica index is taken first.
	const idleStart = new Int32Array(groupCount);
	const idleCount = new Int32Array(groupCount);
	for (let g = 1; g < groupCount; g++) idleStart[g] = (idleStart[g - 1] as number) + (groupSize[g - 1] as number);
	const idle = new Int32Array(replicaCount);
	for (let r = replicaCount - 1; r >= 0; r--) {
		const g = replicaGroup[r] as number;
		idle[(idleStart[g] as number) + (idleCount[g] as number)] = r;
		idleCount[g] = (idleCount[g] as number) + 1;
	}
	const delayPerBacklogMs = new Float64Array(groupCount);
	for (let g = 0; g < groupCount; g++) {
		const meanBatchMs = (groupFullBatchMs[g] as number) / (groupSize[g] as number);
		delayPerBacklogMs[g] = meanBatchMs / ((groupSize[g] as number) * maxBatch);
	}
	return { groupOfSite, groupSite, replicaGroup, idleStart, idleCount, idle, delayPerBacklogMs };
}

/** What the event handlers share: the input, the engine, the groups, the per-request and per-group state. */
interface RequestSim {
	readonly input: RequestSimInput;
	readonly engine: Engine;
	readonly siteCount: number;
	readonly verificationFactor: number;
	readonly tables: ComputeTables;
	readonly groups: ReplicaGroups;
	readonly histograms: ResultHistograms;
	readonly replicaBusyMs: Float64Array;
	/** Per request: when it reached its group, which group, the next request in the group's FIFO. */
	readonly reachMs: Float64Array;
	readonly requestGroup: Int32Array;
	readonly nextInQueue: Int32Array;
	/** Per group: its FIFO (head, tail, length) and its backlog (routed, not yet in a batch). */
	readonly queueHead: Int32Array;
	readonly queueTail: Int32Array;
	readonly queueLength: Int32Array;
	readonly backlog: Int32Array;
	/** Requests at their sites now, since when, and the time integral so far (request·ms). */
	readonly occupancy: { inSystem: number; lastMs: number; requestMs: number };
}

/** `delta` requests reach (> 0) or leave (< 0) their sites at `nowMs`. */
function occupy(sim: RequestSim, nowMs: number, delta: number): void {
	const o = sim.occupancy;
	o.requestMs += o.inSystem * (nowMs - o.lastMs);
	o.lastMs = nowMs;
	o.inSystem += delta;
}

/** The K nearest groups of each user metro, found when first needed. */
interface RoutingCandidates {
	readonly k: number;
	readonly candidates: Int32Array;
	readonly candidateRttMs: Float64Array;
	readonly candidatesFound: Uint8Array;
	readonly findCandidates: (u: number) => void;
}

function routingCandidates(sim: RequestSim): RoutingCandidates {
	const { rttMs } = sim.input;
	const { siteCount } = sim;
	const { groupOfSite, groupSite } = sim.groups;
	const siteOrder = sim.input.sitesByRtt;
	const groupCount = groupSite.length;
	const k = Math.min(groupCount, Math.max(1, Math.floor(sim.input.routingCandidates ?? DEFAULT_ROUTING_CANDIDATES)));
	const { candidates, candidateRttMs, candidatesFound } = candidateTables(sim, k);
	// Reading a metro's ordered sites takes about k · siteCount / groupCount steps, a pass over
	// the groups groupCount: the ordered sites pay when groups are many (the cloud's regions).
	const readOrderedSites = siteOrder !== undefined && k * siteCount < groupCount * groupCount;
	const findCandidates = (u: number): void => {
		const row = u * siteCount;
		const base = u * k;
		if (readOrderedSites) {
			// Sites nearest first: the first K that hold a group.
			const order = (siteOrder as readonly Int32Array[])[u] as Int32Array;
			let held = 0;
			for (let i = 0; held < k; i++) {
				const site = order[i] as number;
				const g = groupOfSite[site] as number;
				if (g < 0) continue;
				candidates[base + held] = g;
				candidateRttMs[base + held] = rttMs[row + site] as number;
				held++;
			}
		} else {
			// An insertion into a sorted list of K beats sorting every group.
			let held = 0;
			for (let g = 0; g < groupCount; g++) {
				const rtt = rttMs[row + (groupSite[g] as number)] as number;
				// Groups come in increasing site index, so a tie keeps the earlier group first.
				if (held === k && rtt >= (candidateRttMs[base + k - 1] as number)) continue;
				let at = held < k ? held++ : k - 1;
				while (at > 0 && (candidateRttMs[base + at - 1] as number) > rtt) {
					candidates[base + at] = candidates[base + at - 1] as number;
					candidateRttMs[base + at] = candidateRttMs[base + at - 1] as number;
					at--;
				}
				candidates[base + at] = g;
				candidateRttMs[base + at] = rtt;
			}
		}
		candidatesFound[u] = 1;
	};
	return { k, candidates, candidateRttMs, candidatesFound, findCandidates };
}

/** A metro's candidates (K groups and their RTTs at [u · K …]) once found (candidatesFound[u] = 1). */
interface CandidateTables {
	readonly candidates: Int32Array;
	readonly candidateRttMs: Float64Array;
	readonly candidatesFound: Uint8Array;
}

interface KeptCandidateTables extends CandidateTables {
	readonly rttMs: Float64Array;
	readonly k: number;
	readonly groupSite: Int32Array;
}

/**
 * Candidate tables of earlier simulations, by the caller's sitesByRtt: a caller that gives it
 * simulates window after window over one rttMs (which must then not change), and its windows
 * route over the same few sets of sites. A metro's candidates depend on nothing but rttMs, K
 * and the sites holding groups, so a later window over the same sites starts with the metros
 * found so far.
 */
const keptCandidateTables = new WeakMap<readonly Int32Array[], KeptCandidateTables[]>();
/** Tables kept per sitesByRtt (a few sets of sites recur in a run: one per class and side). */
const CANDIDATE_TABLES_KEPT = 8;

function candidateTables(sim: RequestSim, k: number): CandidateTables {
	const { rttMs, metroCount, sitesByRtt } = sim.input;
	const { groupSite } = sim.groups;
	const fresh = () => ({
		candidates: new Int32Array(metroCount * k),
		candidateRttMs: new Float64Array(metroCount * k),
		candidatesFound: new Uint8Array(metroCount),
	});
	if (sitesByRtt === undefined) return fresh();
	let kept = keptCandidateTables.get(sitesByRtt);
	if (kept === undefined) {
		kept = [];
		keptCandidateTables.set(sitesByRtt, kept);
	}
	for (const tables of kept) {
		if (tables.rttMs === rttMs && tables.k === k && sameSites(tables.groupSite, groupSite)) return tables;
	}
	const tables = { rttMs, k, groupSite: groupSite.slice(), ...fresh() };
	if (kept.length === CANDIDATE_TABLES_KEPT) kept.shift();
	kept.push(tables);
	return tables;
}

function sameSites(a: Int32Array, b: Int32Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

/**
 * Routes each arrival to the best of its metro's candidate groups and sends it up the link;
 * registers the arrival event and returns its kind.
 */
function requestRouter(sim: RequestSim, reach: (request: number) => void): number {
	const { engine, requestGroup, backlog } = sim;
	const { timeMs: arrivalMs, metro: arrivalMetro } = sim.input.arrivals;
	const requestCount = arrivalMs.length;
	const { delayPerBacklogMs } = sim.groups;
	const { k, candidates, candidateRttMs, candidatesFound, findCandidates } = routingCandidates(sim);

	const route = (request: number) => {
		const metro = arrivalMetro[request] as number;
		if (candidatesFound[metro] === 0) findCandidates(metro);
		const base = metro * k;
		let best = candidates[base] as number;
		let bestRtt = candidateRttMs[base] as number;
		let bestScore = bestRtt + (backlog[best] as number) * (delayPerBacklogMs[best] as number);
		for (let c = 1; c < k; c++) {
			const g = candidates[base + c] as number;
			const rtt = candidateRttMs[base + c] as number;
			const score = rtt + (backlog[g] as number) * (delayPerBacklogMs[g] as number);
			if (score < bestScore) {
				best = g;
				bestRtt = rtt;
				bestScore = score;
			}
		}
		requestGroup[request] = best;
		backlog[best] = (backlog[best] as number) + 1;
		const uplinkMs = Math.round(bestRtt / 2);
		if (uplinkMs === 0) reach(request);
		else engine.schedule(uplinkMs, reachKind, request);
	};

	const arrivalKind = engine.registerKind("request.arrival", (first) => {
		// Every request arriving this ms, then the next arrival time.
		let i = first;
		const now = engine.now;
		while (i < requestCount && (arrivalMs[i] as number) === now) route(i++);
		if (i < requestCount) engine.scheduleAt(arrivalMs[i] as number, arrivalKind, i);
	});
	const reachKind = engine.registerKind("request.reach", reach);
	return arrivalKind;
}

/**
 * The groups' FIFOs and replicas: a request that reaches its group joins the FIFO; a batch
 * starts when a replica is idle and the batch is full or its oldest request has waited
 * maxWaitMs. Registers the finish and timer events; returns the reach handler and the totals.
 */
function batchServer(sim: RequestSim): { reach: (request: number) => void; totals: () => SimTotals } {
	const { engine, reachMs, requestGroup, queueHead, queueLength } = sim;
	const { maxBatch, maxWaitMs } = sim.input.batching;
	const { replicaGroup, idleStart, idleCount, idle, groupSite } = sim.groups;
	const timerAt = new Float64Array(groupSite.length).fill(-1);
	const timerHandle = new Float64Array(groupSite.length);

	/** Starts every batch that may start now; arms the group's timer for the next one. */
	const dispatch = (g: number) => {
		while ((idleCount[g] as number) > 0 && (queueLength[g] as number) > 0) {
			if ((queueLength[g] as number) < maxBatch && maxWaitMs > 0) {
				const readyMs = Math.ceil((reachMs[queueHead[g] as number] as number) + maxWaitMs);
				if (engine.now < readyMs) {
					if (timerAt[g] !== readyMs) {
						if ((timerAt[g] as number) >= 0) engine.cancel(timerHandle[g] as number);
						timerHandle[g] = engine.scheduleAt(readyMs, timerKind, g);
						timerAt[g] = readyMs;
					}
					return;
				}
			}
			startBatch(g);
		}
		if ((timerAt[g] as number) >= 0) {
			engine.cancel(timerHandle[g] as number);
			timerAt[g] = -1;
		}
	};

	const reach = (request: number) => {
		const g = requestGroup[request] as number;
		reachMs[request] = engine.now;
		occupy(sim, engine.now, 1);
		enqueue(sim, g, request);
		dispatch(g);
	};

	const batchSize = new Int32Array(replicaGroup.length);
	const finishKind = engine.registerKind("batch.finish", (replica) => {
		occupy(sim, engine.now, -(batchSize[replica] as number));
		const g = replicaGroup[replica] as number;
		idle[(idleStart[g] as number) + (idleCount[g] as number)] = replica;
		idleCount[g] = (idleCount[g] as number) + 1;
		dispatch(g);
	});
	const timerKind = engine.registerKind("batch.timer", (g) => {
		timerAt[g] = -1;
		dispatch(g);
	});
	const { startBatch, totals } = batchStarter(sim, finishKind, batchSize);
	return { reach, totals };
}

/** Appends a request to its group's FIFO. */
function enqueue(sim: RequestSim, g: number, request: number): void {
	const { nextInQueue, queueHead, queueTail, queueLength } = sim;
	nextInQueue[request] = -1;
	const tail = queueTail[g] as number;
	if (tail < 0) queueHead[g] = request;
	else nextInQueue[tail] = request;
	queueTail[g] = request;
	queueLength[g] = (queueLength[g] as number) + 1;
}

/** Takes the head of a group's FIFO (which must not be empty). */
function dequeue(sim: RequestSim, g: number): number {
	const { nextInQueue, queueHead, queueTail, queueLength, backlog } = sim;
	const request = queueHead[g] as number;
	queueHead[g] = nextInQueue[request] as number;
	if ((queueHead[g] as number) < 0) queueTail[g] = -1;
	queueLength[g] = (queueLength[g] as number) - 1;
	backlog[g] = (backlog[g] as number) - 1;
	return request;
}

/**
 * Continuous (iteration-level) batching, as Orca (Yu et al., OSDI 2022) and vLLM (Kwon et al.,
 * SOSP 2023) schedule. Each replica runs one iteration at a time:
 *   - a prefill iteration when its group's FIFO holds requests and there is room: it admits, in
 *     FIFO order, as many as fit under maxBatch running requests and the GPU's KV-cache memory
 *     (vLLM's default scheduler: prefill first, prefill and decode in separate iterations; the
 *     running requests pause for it). It costs overheadMs + n · prefill (prefillIterationMs);
 *   - else a decode iteration: one decode step for every running request, costing the roofline
 *     of the running batch — the weights read once plus every request's KV cache (decodeStepMs);
 *     a request's first step yields its first token, and it leaves after its last step.
 * KV memory: a request reserves the KV cache of its prompt and all its output tokens when it is
 * admitted (as TGI budgets max_new_tokens), so nothing is ever preempted; vLLM instead grows the
 * cache page by page and preempts when it runs out — it admits more, at the risk of recompute.
 * A request that alone exceeds the memory is admitted to an empty replica all the same.
 * Time: each replica keeps its iterations' exact (fractional) end times and the engine fires at
 * their rounding to whole ms, so a lone request takes exactly a static batch of one (to the
 * rounding). maxWaitMs is not used: a request waits only for the next iteration with room.
 */
function continuousServer(sim: RequestSim): { reach: (request: number) => void; totals: () => SimTotals } {
	const { engine, reachMs, requestGroup, verificationFactor, replicaBusyMs } = sim;
	const { maxBatch } = sim.input.batching;
	const { replicaTable } = sim.tables;
	const iterations = sim.tables.iterations as readonly IterationCost[];
	const { replicaGroup, idleStart, idleCount, idle } = sim.groups;
	const replicaCount = replicaGroup.length;
	// Per replica: its running requests in slot[r · maxBatch …], those admitted by the prefill under way after them.
	const slot = new Int32Array(replicaCount * maxBatch);
	const running = new Int32Array(replicaCount);
	const admitting = new Int32Array(replicaCount);
	const reservedTokens = new Float64Array(replicaCount);
	const iterationEndMs = new Float64Array(replicaCount);
	const counts = { decodeIterations: 0, decodeSlots: 0, prefills: 0 };

	const admit = admitter(sim, { slot, running, admitting, reservedTokens });

	/** Starts the replica's next iteration at `startMs` (prefill first), or leaves it idle. */
	const next = (r: number, startMs: number) => {
		const g = replicaGroup[r] as number;
		const table = replicaTable[r] as number;
		const cost = iterations[table] as IterationCost;
		const admitted = admit(r, g, cost, table);
		let ms: number;
		// A replica that had nothing running starts at the engine's whole ms, as a static batch does.
		const from = (running[r] as number) === 0 ? engine.now : startMs;
		if (admitted > 0) {
			admitting[r] = admitted;
			ms = prefillIterationMs(cost, admitted);
			counts.prefills++;
		} else if ((running[r] as number) > 0) {
			ms = decodeStepMs(cost, running[r] as number, contextTokens[r] as number);
			counts.decodeIterations++;
			counts.decodeSlots += running[r] as number;
		} else {
			idle[(idleStart[g] as number) + (idleCount[g] as number)] = r;
			idleCount[g] = (idleCount[g] as number) + 1;
			return;
		}
		ms *= verificationFactor;
		replicaBusyMs[r] = (replicaBusyMs[r] as number) + ms;
		const endMs = from + ms;
		iterationEndMs[r] = endMs;
		engine.scheduleAt(Math.round(endMs), iterationKind, r);
	};

	const { contextTokens, endIteration, served, slaMissed } = decodeBook(sim, {
		slot,
		running,
		admitting,
		reservedTokens,
	});
	const iterationKind = engine.registerKind("iteration.end", (r) => {
		endIteration(r);
		next(r, iterationEndMs[r] as number);
	});

	const reach = (request: number) => {
		const g = requestGroup[request] as number;
		reachMs[request] = engine.now;
		occupy(sim, engine.now, 1);
		enqueue(sim, g, request);
		if ((idleCount[g] as number) > 0) {
			idleCount[g] = (idleCount[g] as number) - 1;
			next(idle[(idleStart[g] as number) + (idleCount[g] as number)] as number, engine.now);
		}
	};
	const totals = (): SimTotals => ({
		served: served(),
		slaMissed: slaMissed(),
		batches: counts.decodeIterations,
		batchSlots: counts.decodeSlots,
		prefillIterations: counts.prefills,
	});
	return { reach, totals };
}

/** Moves waiting requests into a replica's slots while they fit (maxBatch, KV memory); returns how many. */
function admitter(
	sim: RequestSim,
	slots: RunningSlots,
): (r: number, g: number, cost: IterationCost, table: number) => number {
	const { engine, reachMs, queueHead, queueLength } = sim;
	const { maxBatch } = sim.input.batching;
	const { slot, running, reservedTokens } = slots;
	const { waitMs } = sim.histograms;
	const recordWaits = sim.input.recordWaits ?? true;
	const steps = stepsOf(sim);
	return (r, g, cost, table) => {
		const base = r * maxBatch;
		let n = 0;
		while ((running[r] as number) + n < maxBatch && (queueLength[g] as number) > 0) {
			const request = queueHead[g] as number;
			const need = cost.promptTokens + steps(request, table);
			const empty = (running[r] as number) + n === 0;
			if (!empty && (reservedTokens[r] as number) + need > cost.kvCacheCapacityTokens) break;
			dequeue(sim, g);
			reservedTokens[r] = (reservedTokens[r] as number) + need;
			slot[base + (running[r] as number) + n] = request;
			n++;
			if (recordWaits) waitMs.record(engine.now - (reachMs[request] as number));
		}
		return n;
	};
}

/** The replicas' running requests as they advance (continuous batching). */
interface RunningSlots {
	readonly slot: Int32Array;
	readonly running: Int32Array;
	readonly admitting: Int32Array;
	readonly reservedTokens: Float64Array;
}

/**
 * The end of an iteration: a prefill's requests join the running batch with their prompt's KV
 * cache; a decode step adds a token to every running request, records its first token and
 * retires those done (their KV cache freed).
 */
function decodeBook(sim: RequestSim, slots: RunningSlots) {
	const { engine, reachMs } = sim;
	const { maxBatch } = sim.input.batching;
	const { replicaTable } = sim.tables;
	const iterations = sim.tables.iterations as readonly IterationCost[];
	const { replicaGroup, groupSite } = sim.groups;
	const { slot, running, admitting, reservedTokens } = slots;
	const steps = stepsOf(sim);
	const recorder = servedRecorder(sim);
	const contextTokens = new Float64Array(running.length);
	const stepsDone = new Int32Array(reachMs.length);
	const firstTokenMs = new Float64Array(reachMs.length);

	const endIteration = (r: number) => {
		const table = replicaTable[r] as number;
		const cost = iterations[table] as IterationCost;
		const base = r * maxBatch;
		const admitted = admitting[r] as number;
		if (admitted > 0) {
			contextTokens[r] = (contextTokens[r] as number) + admitted * cost.promptTokens;
			running[r] = (running[r] as number) + admitted;
			admitting[r] = 0;
			return;
		}
		const now = engine.now;
		const site = groupSite[replicaGroup[r] as number] as number;
		contextTokens[r] = (contextTokens[r] as number) + (running[r] as number);
		// Backwards, so that the last slot moved into a freed one has been stepped already.
		for (let i = (running[r] as number) - 1; i >= 0; i--) {
			const request = slot[base + i] as number;
			const done = (stepsDone[request] as number) + 1;
			stepsDone[request] = done;
			if (done === 1) firstTokenMs[request] = now;
			const total = steps(request, table);
			if (done < total) continue;
			recorder.record(request, site, firstTokenMs[request] as number, now, total);
			occupy(sim, now, -1);
			contextTokens[r] = (contextTokens[r] as number) - (cost.promptTokens + total);
			reservedTokens[r] = (reservedTokens[r] as number) - (cost.promptTokens + total);
			running[r] = (running[r] as number) - 1;
			slot[base + i] = slot[base + (running[r] as number)] as number;
		}
	};
	return { contextTokens, endIteration, served: recorder.served, slaMissed: recorder.slaMissed };
}

/** Records a served request's figures; counts the served and the SLA misses. */
interface ServedRecorder {
	/** `firstTokenMs` and `finishMs` are engine times; `steps` its decode steps. */
	readonly record: (request: number, site: number, firstTokenMs: number, finishMs: number, steps: number) => void;
	readonly served: () => number;
	readonly slaMissed: () => number;
}

function servedRecorder(sim: RequestSim): ServedRecorder {
	const { siteCount, reachMs } = sim;
	const { rttMs, slaP95Ms } = sim.input;
	const arrivalMetro = sim.input.arrivals.metro;
	const { latencyMs, networkRttMs, ttftMs, tpotMs } = sim.histograms;
	let served = 0;
	let slaMissed = 0;
	const record = (request: number, site: number, firstTokenMs: number, finishMs: number, steps: number) => {
		const reached = reachMs[request] as number;
		const rtt = rttMs[(arrivalMetro[request] as number) * siteCount + site] as number;
		const latency = rtt + (finishMs - reached);
		latencyMs.record(latency);
		networkRttMs.record(rtt);
		ttftMs.record(rtt + (firstTokenMs - reached));
		if (steps > 1) tpotMs.record((finishMs - firstTokenMs) / (steps - 1));
		if (latency > slaP95Ms) slaMissed++;
		served++;
	};
	return { record, served: () => served, slaMissed: () => slaMissed };
}

/** Decode steps of each request: its own, or its replica's table's (1 without iteration costs). */
function stepsOf(sim: RequestSim): (request: number, table: number) => number {
	const own = sim.input.decodeStepsOfRequest;
	const iterations = sim.tables.iterations;
	if (own !== undefined) return (request) => own[request] as number;
	if (iterations === undefined) return () => 1;
	return (_, table) => (iterations[table] as IterationCost).decodeSteps;
}

/** Takes an idle replica of the group and up to maxBatch requests off its FIFO; records each request's figures. */
function batchStarter(
	sim: RequestSim,
	finishKind: number,
	batchSize: Int32Array,
): { startBatch: (g: number) => void; totals: () => SimTotals } {
	const { engine, verificationFactor, reachMs, nextInQueue, queueHead, queueTail, queueLength, backlog } = sim;
	const { maxBatch } = sim.input.batching;
	const { tables, replicaTable, iterations } = sim.tables;
	const { idleStart, idleCount, idle, groupSite } = sim.groups;
	const { waitMs } = sim.histograms;
	const { replicaBusyMs } = sim;
	const exponential = sim.input.serviceDistribution === "exponential";
	const recordWaits = sim.input.recordWaits ?? true;
	const serviceRng = sim.input.serviceRng;
	const ownSteps = sim.input.decodeStepsOfRequest;
	const steps = stepsOf(sim);
	const recorder = servedRecorder(sim);
	let batches = 0;

	const startBatch = (g: number) => {
		const now = engine.now;
		idleCount[g] = (idleCount[g] as number) - 1;
		const replica = idle[(idleStart[g] as number) + (idleCount[g] as number)] as number;
		const size = Math.min(maxBatch, queueLength[g] as number);
		const table = replicaTable[replica] as number;
		const cost = iterations?.[table];
		let meanMs = (tables[table] as Float64Array)[size - 1] as number;
		if (ownSteps !== undefined) {
			// Padded to the longest request of the batch.
			let longest = 0;
			for (let n = 0, r = queueHead[g] as number; n < size; n++, r = nextInQueue[r] as number) {
				longest = Math.max(longest, ownSteps[r] as number);
			}
			meanMs = staticBatchMs(cost as IterationCost, size, longest);
		}
		meanMs *= verificationFactor;
		const serviceMs = exponential ? -meanMs * Math.log((serviceRng as RandomStream).next()) : meanMs;
		const durationMs = Math.round(serviceMs);
		const finishMs = now + durationMs;
		const firstTokenMs =
			cost === undefined || meanMs === 0
				? finishMs
				: now + Math.round(staticFirstTokenMs(cost, size) * verificationFactor * (serviceMs / meanMs));
		const site = groupSite[g] as number;
		for (let n = 0; n < size; n++) {
			const request = queueHead[g] as number;
			queueHead[g] = nextInQueue[request] as number;
			if (recordWaits) waitMs.record(now - (reachMs[request] as number));
			recorder.record(request, site, firstTokenMs, finishMs, steps(request, table));
		}
		if ((queueHead[g] as number) < 0) queueTail[g] = -1;
		queueLength[g] = (queueLength[g] as number) - size;
		backlog[g] = (backlog[g] as number) - size;
		batches++;
		replicaBusyMs[replica] = (replicaBusyMs[replica] as number) + durationMs;
		batchSize[replica] = size;
		engine.schedule(durationMs, finishKind, replica);
	};
	const totals = (): SimTotals => {
		const served = recorder.served();
		return { served, slaMissed: recorder.slaMissed(), batches, batchSlots: served, prefillIterations: 0 };
	};
	return { startBatch, totals };
}

function resolveComputeTables(input: RequestSimInput, maxBatch: number): ComputeTables {
	const replicaCount = input.replicaMetro.length;
	let tables: ComputeTables;
	if (input.computeTables !== undefined) tables = input.computeTables;
	else if (input.replicaGpu !== undefined && input.computeTimeMs !== undefined) {
		if (input.replicaGpu.length !== replicaCount) {
			throw new RangeError(`replicaGpu has ${input.replicaGpu.length} entries, replicaMetro ${replicaCount}`);
		}
		tables = buildComputeTables(input.replicaGpu, input.computeTimeMs, maxBatch);
	} else throw new RangeError("give computeTables, or replicaGpu with computeTimeMs");
	if (tables.replicaTable.length !== replicaCount) {
		throw new RangeError(`replicaTable has ${tables.replicaTable.length} entries, replicaMetro ${replicaCount}`);
	}
	tables.tables.forEach((table, t) => {
		if (table.length < maxBatch) throw new RangeError(`compute table ${t} has ${table.length} entries < maxBatch`);
		for (let b = 0; b < maxBatch; b++) {
			const ms = table[b] as number;
			if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError(`compute table ${t}[${b}] must be ≥ 0, got ${ms}`);
		}
	});
	for (let r = 0; r < replicaCount; r++) {
		const t = tables.replicaTable[r] as number;
		if (!(t >= 0 && t < tables.tables.length)) throw new RangeError(`replica ${r}: compute table ${t} does not exist`);
	}
	return tables;
}
