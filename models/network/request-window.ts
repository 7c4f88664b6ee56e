/**
 * The request window of a real-time class in an epoch: the same arrivals served by the DePIN
 * replicas (the requests whose users chose DePIN) and by the cloud (every request, on replicas
 * sized by the same autoscaler rule and placed in regions within the SLA).
 */
import type { LogHistogram } from "../../sim/recorder/histogram.js";
import type { GpuSpec } from "../catalog.js";
import type { EpochDemand } from "../demand.js";
import { computeTimeMs, efficiencyFor } from "../latency.js";
import { NodeState } from "../nodes.js";
import { type Arrivals, generateArrivals, type RequestSimResult, simulateRequests } from "../requests.js";
import { MS_PER_HOUR, SECONDS_PER_HOUR } from "../units.js";
import { cloudHasRoom, cloudOccupy, cloudRegionDown, KB_PER_GB, placeCloudReplicas } from "./cloud-twin.js";
import { RTT_BUDGET_SHARE_OF_SLA } from "./setup.js";
import type { NetworkState, RealtimeClassState, RequestTally, TwinRecord } from "./state.js";

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
	const depin = depinWindow(state, classState, selectArrivals(arrivals, depinMask), windowHours);
	const cloud = cloudWindow(state, classState, arrivals, windowHours);
	// What tenants see for the next epoch's choice: cost per request served, and requests
	// served within the SLA, on each side.
	classState.epochDepinCost += depin.costUsd;
	classState.epochDepinWork += depin.result.served;
	classState.epochOffered += depin.result.arrived;
	classState.epochAwarded += depin.result.served - depin.result.slaMissed;
	classState.epochCloudCost += cloud.costUsd;
	classState.epochCloudWork += cloud.result.served;
	classState.epochCloudOffered += cloud.result.arrived;
	classState.epochCloudServed += cloud.result.served - cloud.result.slaMissed;
	state.requestEvents += depin.result.events + cloud.result.events;
	const counts = state.epochCounts;
	counts.requestsArrived += depin.result.arrived;
	counts.requestsSlaMissed += depin.result.slaMissed;
	counts.latency.merge(depin.result.latencyMs);
	counts.cloudLatency.merge(cloud.result.latencyMs);
}

interface WindowOutcome {
	readonly result: RequestSimResult;
	readonly costUsd: number;
}

/** The DePIN side: the class's replicas that were serving when the window opened. */
function depinWindow(
	state: NetworkState,
	classState: RealtimeClassState,
	arrivals: Arrivals,
	windowHours: number,
): WindowOutcome {
	const { nodes, setup } = state;
	const spec = classState.spec;
	const epochStartMs = state.epochStartMs;
	const live = classState.replicas.filter(
		(node) => nodes.state[node] === NodeState.serving && (nodes.leaseStartMs[node] as number) <= epochStartMs,
	);
	const result = simulateRequests({
		arrivals,
		// Site = hosting · n + metro: a residential replica's round trip adds its metro's access leg.
		replicaMetro: Int32Array.from(
			live,
			(node) => (nodes.hosting[node] as number) * setup.metroCount + (nodes.metro[node] as number),
		),
		computeTables: {
			tables: classState.batchTimes.tables,
			replicaTable: Int32Array.from(live, (node) => batchTimeTable(state, classState, nodes.gpu[node] as number)),
		},
		rttMs: setup.geography.depinSiteRttMs,
		sitesByRtt: state.depinSitesByRtt,
		metroCount: setup.metroCount,
		batching: spec.batching,
		slaP95Ms: spec.slaP95Ms,
		verificationOverheadShare: setup.auditOverhead,
		recordWaits: false,
		reuseHistograms: state.depin.window,
	});
	let costUsd = 0;
	for (const node of live) costUsd += (nodes.leasePriceUsdPerGpuHour[node] as number) * windowHours;
	accumulate(state.depin, result, costUsd, spec.tokensPerRequest);
	return { result, costUsd };
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
	const { regions, geography, metroCount } = setup;
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
		regionUsable: setup.cloudRealtimeUsable,
		priceUsdPerHour: setup.cloudRealtimePriceUsdPerGpuHour,
	});
	const sites = cloudSites(state, placement.replicas);
	let costUsd = 0;
	for (const r of sites) costUsd += (setup.cloudRealtimePriceUsdPerGpuHour[r] as number) * windowHours;
	// Requests whose region is down with no failover are lost; the rest are simulated.
	const kept = new Uint8Array(arrivals.timeMs.length);
	let lost = 0;
	let egressUsd = 0;
	const payloadGb = spec.payloadKbOut / KB_PER_GB;
	for (let i = 0; i < kept.length; i++) {
		const home = placement.homeRegion[arrivals.metro[i] as number] as number;
		const site = home >= 0 ? (sites.siteOf[home] as number) : -1;
		if (site < 0 && home >= 0 && !setup.failover && cloudRegionDown(state, home, state.epochStartMs)) {
			lost++;
			continue;
		}
		kept[i] = 1;
		egressUsd += payloadGb * (regions[site >= 0 ? site : Math.max(0, home)]?.egressUsdPerGb ?? 0);
	}
	const served = lost > 0 ? selectArrivals(arrivals, kept) : arrivals;
	const table = batchTimeTable(state, classState, setup.cloudRealtimeGpuIndex);
	const simulated = simulateRequests({
		arrivals: served,
		replicaMetro: Int32Array.from(sites),
		computeTables: {
			tables: classState.batchTimes.tables,
			replicaTable: new Int32Array(sites.length).fill(table),
		},
		rttMs: geography.metroToRegionRttMs,
		sitesByRtt: state.cloudSitesByRtt,
		metroCount,
		batching: spec.batching,
		slaP95Ms: spec.slaP95Ms,
		recordWaits: false,
		reuseHistograms: state.cloud.window,
	});
	const result = lost > 0 ? { ...simulated, arrived: simulated.arrived + lost } : simulated;
	cloudTally.requestsLostToOutage += lost;
	cloudTally.regionsSum += new Set(sites).size;
	tallyCloudWindow(state, sites.length, simulated.replicaBusyMs, windowHours, costUsd, egressUsd);
	accumulate(state.cloud, result, costUsd + egressUsd, spec.tokensPerRequest);
	return { result, costUsd: costUsd + egressUsd };
}

/**
 * The region each placed replica runs in, and where each region's replicas went (siteOf:
 * itself, the failover region, or -1). Replicas of a down region go to the nearest up region
 * with failover; any replica beyond a region's capacity goes to the next nearest with room.
 */
function cloudSites(state: NetworkState, replicas: Int32Array): number[] & { siteOf: Int32Array } {
	const { setup, epochStartMs } = state;
	const gpu = setup.cloudRealtimeGpuIndex;
	const untilMs = epochStartMs + setup.epochMs;
	const siteOf = new Int32Array(replicas.length).fill(-1);
	const sites: number[] = [];
	const fits = (r: number) =>
		setup.cloudRealtimeUsable[r] === 1 &&
		!cloudRegionDown(state, r, epochStartMs) &&
		cloudHasRoom(state, r, gpu, 1, epochStartMs);
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
	const epochHours = Math.min(setup.epochMs, setup.horizonMs - state.epochStartMs) / MS_PER_HOUR;
	const scale = windowHours > 0 ? epochHours / windowHours : 0;
	const gpu = setup.cloudRealtimeGpuIndex;
	cloudTally.gpuHoursByGpu[gpu] = (cloudTally.gpuHoursByGpu[gpu] as number) + replicaCount * epochHours;
	cloudTally.costUsdByGpu[gpu] = (cloudTally.costUsdByGpu[gpu] as number) + replicaCostUsd * scale;
	cloudTally.egressUsd += egressUsd * scale;
	cloudTally.totalCostUsd += (replicaCostUsd + egressUsd) * scale;
}

/** The class's table of batch compute times on GPU class `gpu` (built when first needed). */
function batchTimeTable(state: NetworkState, classState: RealtimeClassState, gpu: number): number {
	const { tables, tableOfGpu } = classState.batchTimes;
	if ((tableOfGpu[gpu] as number) < 0) {
		const spec = classState.spec;
		const gpuSpec = state.setup.gpus[gpu] as GpuSpec;
		const efficiency = efficiencyFor(state.setup.calibration, gpuSpec);
		const table = new Float64Array(spec.batching.maxBatch);
		for (let b = 1; b <= table.length; b++) table[b - 1] = computeTimeMs(b, gpuSpec, spec.compute, efficiency);
		tableOfGpu[gpu] = tables.length;
		tables.push(table);
	}
	return tableOfGpu[gpu] as number;
}

function accumulate(
	twin: TwinRecord,
	result: RequestSimResult,
	replicaCostUsd: number,
	tokensPerRequest: number,
): void {
	const tally: RequestTally = twin.requests;
	tally.arrived += result.arrived;
	tally.served += result.served;
	tally.slaMissed += result.slaMissed;
	// Cost per 1k tokens counts only the classes that generate tokens.
	if (tokensPerRequest > 0) {
		tally.costUsd += replicaCostUsd;
		tally.tokens += result.served * tokensPerRequest;
	}
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
