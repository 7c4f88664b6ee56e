/**
 * The request window of a real-time class in an epoch: the same arrivals served by the DePIN
 * replicas (the requests whose users chose DePIN) and by the cloud (every request, from the
 * nearest region, with replicas sized to the same target utilisation).
 */
import type { LogHistogram } from "../../sim/recorder/histogram.js";
import { type CloudRegion, cloudPriceUsdPerGpuHour, type GpuSpec } from "../catalog.js";
import type { EpochDemand } from "../demand.js";
import { computeTimeMs, efficiencyFor } from "../latency.js";
import { NodeState } from "../nodes.js";
import { type Arrivals, generateArrivals, type RequestSimResult, simulateRequests } from "../requests.js";
import { MS_PER_HOUR, SECONDS_PER_HOUR } from "../units.js";
import { cloudRegionDown } from "./cloud-twin.js";
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
	classState.epochSlaMissed += depin.result.slaMissed;
	classState.epochCloudSlaMissed += cloud.result.slaMissed;
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
		replicaMetro: Int32Array.from(live, (node) => nodes.metro[node] as number),
		computeTables: {
			tables: classState.batchTimes.tables,
			replicaTable: Int32Array.from(live, (node) => batchTimeTable(state, classState, nodes.gpu[node] as number)),
		},
		rttMs: setup.geography.metroRttMs,
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

/** The cloud side: every request from the nearest region, replicas sized to the target utilisation. */
function cloudWindow(
	state: NetworkState,
	classState: RealtimeClassState,
	arrivals: Arrivals,
	windowHours: number,
): WindowOutcome {
	const { setup } = state;
	const { regions, geography, metroCount, scenario } = setup;
	const spec = classState.spec;
	const demand = classState.demand as EpochDemand;
	const cloudReplicaRegion: number[] = [];
	const demandByRegion = new Float64Array(regions.length);
	const totalWeight = demand.metroWeights.reduce((a, b) => a + b, 0);
	for (let m = 0; m < metroCount; m++) {
		const r = geography.nearestRegion[m] as number;
		if (r >= 0) demandByRegion[r] = (demandByRegion[r] as number) + (demand.metroWeights[m] as number) / totalWeight;
	}
	let costUsd = 0;
	for (let r = 0; r < regions.length; r++) {
		const rps = (demand.ratePerHour / SECONDS_PER_HOUR) * (demandByRegion[r] as number);
		if (!(rps > 0) || cloudRegionDown(setup, r, state.epochStartMs)) continue;
		const count = Math.max(1, Math.ceil(rps / (classState.cloudCapacityRps * spec.replicas.targetUtilisation)));
		const price = cloudPriceUsdPerGpuHour(regions[r] as CloudRegion, scenario.cloud.realtimeGpu);
		for (let k = 0; k < count; k++) cloudReplicaRegion.push(r);
		costUsd += count * (Number.isFinite(price) ? price : 0) * windowHours;
	}
	const table = batchTimeTable(state, classState, setup.cloudRealtimeGpuIndex);
	const result = simulateRequests({
		arrivals,
		replicaMetro: Int32Array.from(cloudReplicaRegion),
		computeTables: {
			tables: classState.batchTimes.tables,
			replicaTable: new Int32Array(cloudReplicaRegion.length).fill(table),
		},
		rttMs: geography.metroToRegionRttMs,
		sitesByRtt: state.cloudSitesByRtt,
		metroCount,
		batching: spec.batching,
		slaP95Ms: spec.slaP95Ms,
		recordWaits: false,
		reuseHistograms: state.cloud.window,
	});
	accumulate(state.cloud, result, costUsd, spec.tokensPerRequest);
	return { result, costUsd };
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
