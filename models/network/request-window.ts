/**
 * The request window of a real-time class in an epoch: the same arrivals served by the DePIN
 * replicas (the requests whose users chose DePIN) and by the cloud (every request, on replicas
 * sized by the same autoscaler rule and placed in regions within the SLA).
 */
import type { LogHistogram } from "../../sim/recorder/histogram.js";
import type { GpuSpec } from "../catalog.js";
import { placeCloudReplicas } from "../cloud-placement.js";
import type { EpochDemand } from "../demand.js";
import { iterationCost, staticBatchMs, workloadEfficiency } from "../latency.js";
import { NodeState } from "../nodes.js";
import {
	type Arrivals,
	generateArrivals,
	type RequestSimResult,
	resolveBatchingMode,
	simulateRequests,
} from "../requests.js";
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_SECOND, SECONDS_PER_HOUR } from "../units.js";
import { cloudHasRoom, cloudOccupy, cloudRegionDown, KB_PER_GB } from "./cloud-twin.js";
import { RTT_BUDGET_SHARE_OF_SLA, workH100Hours } from "./setup.js";
import type { ClassRequestTally, NetworkState, RealtimeClassState, RequestTally, TwinRecord } from "./state.js";

/** Simulates this epoch's request window of `windowMs` for a real-time class, on DePIN and on the cloud. */
export function requestWindow(state: NetworkState, classState: RealtimeClassState, windowMs: number): void {
	const spec = classState.spec;
	const demand = classState.demand as EpochDemand;
	const arrivals = generateArrivals(state.streams.stream(`requests/${spec.id}/arrivals`), {
		startMs: state.epochStartMs,
		durationMs: windowMs,
		ratePerSecond: demand.ratePerHour / SECONDS_PER_HOUR,
		metroWeights: demand.metroWeights,
	});
	// Which requests chose DePIN: one draw per request, so both twins see the same arrivals.
	const choiceRng = state.streams.stream(`requests/${spec.id}/choice`);
	const depinMask = new Uint8Array(arrivals.timeMs.length);
	for (let i = 0; i < depinMask.length; i++) depinMask[i] = choiceRng.next() < classState.share ? 1 : 0;
	const windowHours = windowMs / MS_PER_HOUR;
	const depin = depinWindow(state, classState, selectArrivals(arrivals, depinMask), windowMs);
	const cloud = cloudWindow(state, classState, arrivals, windowHours);
	const cloudCounts = emptyCounts();
	countResult(cloudCounts, cloud.result, classState.timeoutMs);
	mergeClassHistograms(classState.cloudRequests, cloud.result);
	tallyClass(state.cloud, classState.cloudRequests, cloudCounts, cloud.costUsd, spec);
	tallyClass(state.depin, classState.depinRequests, depin, depin.costUsd, spec);
	// What tenants see for the next epoch's choice: each side's price per request at its
	// replicas' target load (their cost over the requests they are sized to serve — a quote,
	// not the average over the requests a small share happens to send, which would price an
	// idle minimum of replicas into every request and lock a side out), and requests served
	// within the SLA, on each side.
	classState.epochDepinCost += depin.costUsd;
	classState.epochDepinWork += depin.quotedRequests;
	classState.epochOffered += depin.arrived;
	classState.epochAwarded += depin.served - depin.slaMissed;
	classState.epochCloudCost += cloud.costUsd;
	classState.epochCloudWork += cloud.quotedRequests;
	classState.epochCloudOffered += cloudCounts.arrived;
	classState.epochCloudServed += cloudCounts.served - cloudCounts.slaMissed;
	classState.epochSlaMissed += depin.slaMissed;
	classState.epochCloudSlaMissed += cloudCounts.slaMissed;
	state.requestEvents += depin.events + cloud.result.events;
	const counts = state.epochCounts;
	counts.requestsArrived += depin.arrived;
	counts.requestsSlaMissed += depin.slaMissed;
	counts.cloudLatency.merge(cloud.result.latencyMs);
}

interface WindowOutcome {
	readonly result: RequestSimResult;
	readonly costUsd: number;
	/** Requests the cloud's replicas would serve in the window at the target utilisation. */
	readonly quotedRequests: number;
}

/** A window's requests on one side, failures counted (served excludes them; slaMissed counts served ones). */
interface WindowCounts {
	arrived: number;
	served: number;
	slaMissed: number;
	failedNoReplica: number;
	failedReplicaDown: number;
	failedTimeout: number;
	costUsd: number;
	/** Requests the side's replicas would serve in the window at the target utilisation (the quote's denominator). */
	quotedRequests: number;
	events: number;
}

function emptyCounts(): WindowCounts {
	return {
		arrived: 0,
		served: 0,
		slaMissed: 0,
		failedNoReplica: 0,
		failedReplicaDown: 0,
		failedTimeout: 0,
		costUsd: 0,
		quotedRequests: 0,
		events: 0,
	};
}

/** Adds a simulation's result: requests slower than the timeout fail, those without a replica too. */
function countResult(counts: WindowCounts, result: RequestSimResult, timeoutMs: number): void {
	const timeouts = countAboveMs(result.latencyMs, timeoutMs);
	counts.arrived += result.arrived;
	counts.served += result.served - timeouts;
	counts.slaMissed += Math.max(0, result.slaMissed - timeouts);
	counts.failedNoReplica += result.unserved;
	counts.failedTimeout += timeouts;
	counts.events += result.events;
}

/** The run's tallies of one side: pooled (the twin's) and per class. */
function tallyClass(
	twin: TwinRecord,
	tally: ClassRequestTally,
	counts: WindowCounts,
	costUsd: number,
	spec: RealtimeClassState["spec"],
): void {
	tally.arrived += counts.arrived;
	tally.served += counts.served;
	tally.slaMissed += counts.slaMissed;
	tally.failedNoReplica += counts.failedNoReplica;
	tally.failedReplicaDown += counts.failedReplicaDown;
	tally.failedTimeout += counts.failedTimeout;
	tally.costUsd += costUsd;
	const pooled: RequestTally = twin.requests;
	pooled.arrived += counts.arrived;
	pooled.served += counts.served;
	pooled.slaMissed += counts.slaMissed;
	// Cost per 1k tokens counts only the classes that generate tokens.
	if (spec.tokensPerRequest > 0) {
		pooled.costUsd += costUsd;
		pooled.tokens += counts.served * spec.tokensPerRequest;
		pooled.totalTokens += counts.served * (spec.tokensPerRequest + spec.compute.promptTokens);
	}
}

/**
 * Values above `thresholdMs` in a histogram: the smallest rank whose value exceeds it, by
 * bisection over ranks (within the histogram's relative accuracy).
 */
export function countAboveMs(histogram: LogHistogram, thresholdMs: number): number {
	const n = histogram.count;
	if (n === 0 || histogram.max <= thresholdMs) return 0;
	if (histogram.min > thresholdMs) return n;
	const valueAt = (rank: number) => histogram.quantile(n === 1 ? 0 : Math.min(1, (rank + 0.5) / (n - 1)));
	let low = 0;
	let high = n - 1;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if (valueAt(mid) > thresholdMs) high = mid;
		else low = mid + 1;
	}
	return valueAt(low) > thresholdMs ? n - low : 0;
}

/**
 * The DePIN side: the class's replicas serving when the window opens. A request fails when no
 * live replica is within reach (its RTT alone exceeds the timeout), when it times out, or when
 * its replica is down with failover none; with nearest-region the requests go to the remaining
 * replicas. Replicas are replaced only when the next epoch autoscales, so the window stands for
 * a moment drawn uniformly within the epoch: a replica whose next down event falls before that
 * moment is down for the whole window, one that falls within the window goes down mid-window.
 */
function depinWindow(
	state: NetworkState,
	classState: RealtimeClassState,
	arrivals: Arrivals,
	windowMs: number,
): WindowCounts {
	const { nodes, setup } = state;
	const epochStartMs = state.epochStartMs;
	const live = classState.replicas.filter(
		(node) => nodes.state[node] === NodeState.serving && (nodes.leaseStartMs[node] as number) <= epochStartMs,
	);
	const counts = emptyCounts();
	const windowHours = windowMs / MS_PER_HOUR;
	const quotedSeconds = (windowMs / MS_PER_SECOND) * classState.spec.replicas.targetUtilisation;
	for (const node of live) {
		counts.costUsd += (nodes.leasePriceUsdPerGpuHour[node] as number) * windowHours;
		counts.quotedRequests += (classState.capacityRpsByGpu[nodes.gpu[node] as number] as number) * quotedSeconds;
	}
	const reachable = withinReach(state, live, arrivals, classState.timeoutMs);
	counts.arrived += arrivals.timeMs.length - reachable.timeMs.length;
	counts.failedNoReplica += arrivals.timeMs.length - reachable.timeMs.length;
	const spanMs = Math.max(0, Math.min(setup.epochMs, setup.horizonMs - epochStartMs) - windowMs);
	const offsetMs = Math.floor(classState.windowOffsetRng.next() * spanMs);
	const downAtMs = live.map((node) => replicaDownAtMs(state, node, offsetMs, windowMs));
	const breaks = [...new Set(downAtMs.filter((t) => Number.isFinite(t)))].sort((a, b) => a - b);
	const noFailover = setup.scenario.failover === "none";
	let from = 0;
	for (let k = 0; k <= breaks.length; k++) {
		// Segment k runs from the k-th replica failure in the window to the next.
		const segmentStartMs = k === 0 ? Number.NEGATIVE_INFINITY : (breaks[k - 1] as number);
		const segmentEndMs = k < breaks.length ? (breaks[k] as number) : Number.POSITIVE_INFINITY;
		let to = from;
		while (to < reachable.timeMs.length && (reachable.timeMs[to] as number) < segmentEndMs) to++;
		if (to === from && k < breaks.length) continue;
		// Failover none: requests still go to a down replica, and are lost; nearest-region: they go elsewhere.
		const routed = noFailover ? live : live.filter((_, r) => (downAtMs[r] as number) > segmentStartMs);
		const failed = noFailover ? downAtMs.map((t) => (t <= segmentStartMs ? 1 : 0)) : null;
		simulateSegment(state, classState, sliceArrivals(reachable, from, to), routed, failed, counts);
		from = to;
	}
	return counts;
}

/** One segment of the DePIN window on `routed` replicas; with failover none, what `failed` replicas took is lost. */
function simulateSegment(
	state: NetworkState,
	classState: RealtimeClassState,
	arrivals: Arrivals,
	routed: readonly number[],
	failed: readonly number[] | null,
	counts: WindowCounts,
): void {
	const { nodes, setup } = state;
	const spec = classState.spec;
	// One loop fills both columns (Int32Array.from with a map function costs a generic call per replica, twice).
	const replicaMetro = new Int32Array(routed.length);
	const replicaTable = new Int32Array(routed.length);
	for (let r = 0; r < routed.length; r++) {
		const node = routed[r] as number;
		// Site = hosting · n + metro: a residential replica's round trip adds its metro's access leg.
		replicaMetro[r] = (nodes.hosting[node] as number) * setup.metroCount + (nodes.metro[node] as number);
		replicaTable[r] = batchTimeTable(state, classState, nodes.gpu[node] as number);
	}
	const result = simulateRequests({
		arrivals,
		replicaMetro,
		computeTables: {
			tables: classState.batchTimes.tables,
			iterations: classState.batchTimes.iterations,
			replicaTable,
		},
		rttMs: setup.geography.depinSiteRttMs,
		sitesByRtt: state.depinSitesByRtt,
		metroCount: setup.metroCount,
		batching: batchingOf(spec),
		slaP95Ms: spec.slaP95Ms,
		verificationOverheadShare: setup.auditOverhead,
		recordWaits: false,
		reuseHistograms: state.depin.window,
	});
	const before = counts.served;
	countResult(counts, result, classState.timeoutMs);
	if (failed !== null) {
		// The requests a down replica would have served are lost: its share of the busy time.
		let busyMs = 0;
		let failedBusyMs = 0;
		result.replicaBusyMs.forEach((ms, r) => {
			busyMs += ms;
			if (failed[r] === 1) failedBusyMs += ms;
		});
		const lost = busyMs > 0 ? Math.round(((counts.served - before) * failedBusyMs) / busyMs) : 0;
		counts.served -= lost;
		counts.failedReplicaDown += lost;
	}
	accumulate(state.depin, result);
	mergeClassHistograms(classState.depinRequests, result);
	state.epochCounts.latency.merge(result.latencyMs);
}

/**
 * When live replica `node` goes down in the window's time (its next down event or a correlated
 * outage, `offsetMs` into the epoch): the window's start if before it, Infinity if after it.
 */
function replicaDownAtMs(state: NetworkState, node: number, offsetMs: number, windowMs: number): number {
	const { nodes, setup } = state;
	const epochStartMs = state.epochStartMs;
	let downAtMs = nodes.nextDownMs[node] as number;
	const metro = nodes.metro[node] as number;
	setup.scenario.providers.outages.forEach((outage, i) => {
		const startMs = Math.round(outage.startDay * MS_PER_DAY);
		if (startMs > epochStartMs && startMs < downAtMs && (setup.outageMetros[i] as Uint8Array)[metro] === 1) {
			downAtMs = startMs;
		}
	});
	// The window's own clock: arrivals run from the epoch's start.
	const atMs = downAtMs - offsetMs;
	if (atMs >= epochStartMs + windowMs) return Number.POSITIVE_INFINITY;
	return Math.max(epochStartMs, atMs);
}

/** The arrivals whose metro has a live replica within `timeoutMs` of RTT (the others cannot be served in time). */
function withinReach(state: NetworkState, live: readonly number[], arrivals: Arrivals, timeoutMs: number): Arrivals {
	const { setup, nodes } = state;
	const metroCount = setup.metroCount;
	// Sites are hosting · n + metro (geo.ts depinSiteRttMs): a residential replica's access leg counts.
	const rtt = setup.geography.depinSiteRttMs;
	const siteCount = 2 * metroCount;
	const reachable = new Uint8Array(metroCount);
	for (const node of live) {
		const site = (nodes.hosting[node] as number) * metroCount + (nodes.metro[node] as number);
		for (let u = 0; u < metroCount; u++) if ((rtt[u * siteCount + site] as number) <= timeoutMs) reachable[u] = 1;
	}
	const mask = new Uint8Array(arrivals.timeMs.length);
	for (let i = 0; i < mask.length; i++) mask[i] = reachable[arrivals.metro[i] as number] as number;
	return selectArrivals(arrivals, mask);
}

function sliceArrivals(arrivals: Arrivals, from: number, to: number): Arrivals {
	if (from === 0 && to === arrivals.timeMs.length) return arrivals;
	return { timeMs: arrivals.timeMs.subarray(from, to), metro: arrivals.metro.subarray(from, to) };
}

/**
 * The cloud side: every request, served by replicas sized by the autoscaler's rule and placed
 * in the fewest regions within the SLA (cloud-twin.ts placeCloudReplicas). A region down when
 * the window opens moves its replicas to the nearest up region (failover nearest-region) or
 * loses the requests it would have served (failover none); capacity limits spill replicas to
 * the next nearest region with room, or drop them.
 */
function cloudWindow(
	state: NetworkState,
	classState: RealtimeClassState,
	arrivals: Arrivals,
	windowHours: number,
): WindowOutcome {
	const { setup, cloudTally } = state;
	const { geography, metroCount } = setup;
	const spec = classState.spec;
	const demand = classState.demand as EpochDemand;
	const placement = placeCloudReplicas({
		rttMs: geography.metroToRegionRttMs,
		metroCount,
		metroWeights: demand.metroWeights,
		ratePerSecond: demand.ratePerHour / SECONDS_PER_HOUR,
		replicaCapacityRps: classState.cloudCapacityRps,
		targetUtilisation: spec.replicas.targetUtilisation,
		minReplicas: spec.replicas.minReplicas,
		rttBudgetMs: spec.slaP95Ms * RTT_BUDGET_SHARE_OF_SLA,
		regionUsable: classState.cloudGpu.usable,
		priceUsdPerHour: classState.cloudGpu.priceUsdPerGpuHour,
	});
	if (demand.ratePerHour > 0) {
		classState.cloudRequests.sizings++;
		if (placement.floorReplicas > 0) classState.cloudRequests.sizingsAtFloor++;
	}
	const sites = cloudSites(state, classState, placement.replicas);
	let costUsd = 0;
	for (const r of sites) costUsd += (classState.cloudGpu.priceUsdPerGpuHour[r] as number) * windowHours;
	// Requests whose region is down with no failover are lost; the rest are simulated. Whether a
	// request is lost, and its egress, depend on its metro alone: worked out at the metro's first request.
	const kept = new Uint8Array(arrivals.timeMs.length);
	let lost = 0;
	let egressUsd = 0;
	const payloadGb = spec.payloadKbOut / KB_PER_GB;
	// Per metro: NaN until its first request, then the egress of each request (-1: requests lost).
	const metroEgressUsd = new Float64Array(metroCount).fill(Number.NaN);
	for (let i = 0; i < kept.length; i++) {
		const metro = arrivals.metro[i] as number;
		let requestEgressUsd = metroEgressUsd[metro] as number;
		if (Number.isNaN(requestEgressUsd)) {
			requestEgressUsd = metroRequestEgressUsd(state, placement.homeRegion[metro] as number, sites.siteOf, payloadGb);
			metroEgressUsd[metro] = requestEgressUsd;
		}
		if (requestEgressUsd < 0) {
			lost++;
			continue;
		}
		kept[i] = 1;
		egressUsd += requestEgressUsd;
	}
	const served = lost > 0 ? selectArrivals(arrivals, kept) : arrivals;
	const table = batchTimeTable(state, classState, classState.cloudGpu.gpuIndex);
	const simulated = simulateRequests({
		arrivals: served,
		replicaMetro: Int32Array.from(sites),
		computeTables: {
			tables: classState.batchTimes.tables,
			iterations: classState.batchTimes.iterations,
			replicaTable: new Int32Array(sites.length).fill(table),
		},
		rttMs: geography.metroToRegionRttMs,
		sitesByRtt: state.cloudSitesByRtt,
		metroCount,
		batching: batchingOf(spec),
		slaP95Ms: spec.slaP95Ms,
		recordWaits: false,
		reuseHistograms: state.cloud.window,
	});
	const result = lost > 0 ? { ...simulated, arrived: simulated.arrived + lost } : simulated;
	cloudTally.requestsLostToOutage += lost;
	cloudTally.regionsSum += new Set(sites).size;
	tallyCloudWindow(
		state,
		classState.cloudGpu.gpuIndex,
		sites.length,
		simulated.replicaBusyMs,
		windowHours,
		costUsd,
		egressUsd,
	);
	accumulate(state.cloud, result);
	const quotedRequests =
		sites.length * classState.cloudCapacityRps * windowHours * SECONDS_PER_HOUR * spec.replicas.targetUtilisation;
	return { result, costUsd: costUsd + egressUsd, quotedRequests };
}

/**
 * The egress of one request of a metro served from `home`'s site (the region its replicas went to,
 * else `home`, else region 0), USD; -1 when its region is down with no failover (the request is lost).
 */
function metroRequestEgressUsd(state: NetworkState, home: number, siteOf: Int32Array, payloadGb: number): number {
	const { regions, failover } = state.setup;
	const site = home >= 0 ? (siteOf[home] as number) : -1;
	if (site < 0 && home >= 0 && !failover && cloudRegionDown(state, home, state.epochStartMs)) return -1;
	return payloadGb * (regions[site >= 0 ? site : Math.max(0, home)]?.egressUsdPerGb ?? 0);
}

/**
 * The region each placed replica runs in, and where each region's replicas went (siteOf:
 * itself, the failover region, or -1). Replicas of a down region go to the nearest up region
 * with failover; any replica beyond a region's capacity goes to the next nearest with room.
 */
function cloudSites(
	state: NetworkState,
	classState: RealtimeClassState,
	replicas: Int32Array,
): number[] & { siteOf: Int32Array } {
	const { setup, epochStartMs } = state;
	const { gpuIndex: gpu, usable } = classState.cloudGpu;
	const untilMs = epochStartMs + setup.epochMs;
	const siteOf = new Int32Array(replicas.length).fill(-1);
	const sites: number[] = [];
	const fits = (r: number) =>
		usable[r] === 1 && !cloudRegionDown(state, r, epochStartMs) && cloudHasRoom(state, r, gpu, 1, epochStartMs);
	for (let r = 0; r < replicas.length; r++) {
		const count = replicas[r] as number;
		if (count === 0) continue;
		const down = cloudRegionDown(state, r, epochStartMs);
		if (down && !setup.failover) continue;
		for (let k = 0; k < count; k++) {
			let site = fits(r) ? r : -1;
			for (const other of setup.cloudRegionsByDistance[r] as Int32Array) {
				if (site >= 0) break;
				if (fits(other)) site = other;
			}
			if (site < 0) break;
			if ((siteOf[r] as number) < 0) siteOf[r] = site;
			cloudOccupy(state, site, gpu, 1, untilMs);
			sites.push(site);
		}
	}
	return Object.assign(sites, { siteOf });
}

/** The cloud's run tallies of one window, extrapolated from the window to its epoch. */
function tallyCloudWindow(
	state: NetworkState,
	gpu: number,
	replicaCount: number,
	busyMs: Float64Array,
	windowHours: number,
	replicaCostUsd: number,
	egressUsd: number,
): void {
	const { setup, cloudTally } = state;
	let busy = 0;
	for (let k = 0; k < busyMs.length; k++) busy += busyMs[k] as number;
	cloudTally.replicaHours += replicaCount * windowHours;
	cloudTally.replicaBusyHours += busy / MS_PER_HOUR;
	cloudTally.replicasSum += replicaCount;
	cloudTally.replicasMax = Math.max(cloudTally.replicasMax, replicaCount);
	cloudTally.windows++;
	// A window stands for its epoch and, when sampled, for the epochs until the next window
	// (every sampleEveryEpochs-th epoch), as DePIN's leases are tallied for every hour.
	const every = setup.requestMode === "sampled" ? setup.scenario.requests.sampleEveryEpochs : 1;
	const epochHours = Math.min(every * setup.epochMs, setup.horizonMs - state.epochStartMs) / MS_PER_HOUR;
	const scale = windowHours > 0 ? epochHours / windowHours : 0;
	const replicaHours = replicaCount * epochHours;
	const work = workH100Hours(setup, setup.hoursPerWorkByGpu, gpu, replicaHours);
	cloudTally.spend.add(gpu, replicaHours, replicaCostUsd * scale, false, work);
	cloudTally.egressUsd += egressUsd * scale;
	cloudTally.totalCostUsd += (replicaCostUsd + egressUsd) * scale;
}

/** The class's table of batch compute times on GPU class `gpu` (built when first needed). */
function batchTimeTable(state: NetworkState, classState: RealtimeClassState, gpu: number): number {
	const { tables, tableOfGpu } = classState.batchTimes;
	if ((tableOfGpu[gpu] as number) < 0) {
		const spec = classState.spec;
		const gpuSpec = state.setup.gpus[gpu] as GpuSpec;
		const efficiency = workloadEfficiency(state.setup.calibration, gpuSpec, spec.compute);
		const cost = iterationCost(gpuSpec, spec.compute, efficiency);
		const table = new Float64Array(spec.batching.maxBatch);
		for (let b = 1; b <= table.length; b++) table[b - 1] = staticBatchMs(cost, b, spec.compute.decodeSteps);
		tableOfGpu[gpu] = tables.length;
		tables.push(table);
		classState.batchTimes.iterations.push(cost);
	}
	return tableOfGpu[gpu] as number;
}

/** A window's latency, TTFT and TPOT into the class's run totals on one side. */
function mergeClassHistograms(tally: ClassRequestTally, result: RequestSimResult): void {
	tally.latencyMs.merge(result.latencyMs);
	tally.ttftMs.merge(result.ttftMs);
	tally.tpotMs.merge(result.tpotMs);
}

/** The class's batching as the request simulator takes it (mode resolved). */
function batchingOf(spec: RealtimeClassState["spec"]) {
	const { maxBatch, maxWaitMs, mode } = spec.batching;
	return { maxBatch, maxWaitMs, mode: resolveBatchingMode(mode, spec.compute.decodeSteps) };
}

/**
 * Merges a window's latency and RTT histograms into the twin's run totals (counts and costs are
 * tallied per class by `requestWindow`, failures taken out).
 */
function accumulate(twin: TwinRecord, result: RequestSimResult): void {
	const latency: LogHistogram = twin.latency;
	latency.merge(result.latencyMs);
	twin.networkRtt.merge(result.networkRttMs);
}

function selectArrivals(arrivals: Arrivals, mask: Uint8Array): Arrivals {
	let n = 0;
	for (let i = 0; i < mask.length; i++) n += mask[i] as number;
	const timeMs = new Float64Array(n);
	const metro = new Int32Array(n);
	let k = 0;
	for (let i = 0; i < mask.length; i++) {
		if (mask[i] !== 1) continue;
		timeMs[k] = arrivals.timeMs[i] as number;
		metro[k] = arrivals.metro[i] as number;
		k++;
	}
	return { timeMs, metro };
}
