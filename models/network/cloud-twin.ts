/**
 * The cloud twin of every order and request window: the same demand priced and timed on
 * hyperscaler regions. Jobs go to the nearest region with an offer (cheapest eligible GPU at
 * the scenario's pricing); real-time replicas are sized by the DePIN autoscaler's rule and
 * placed in the fewest regions that meet the class's SLA (cloud-placement.ts). A region is
 * down in its outage windows (scripted, or drawn from an up/down process whose long-run
 * availability is the region's SLA level: setup.cloudOutageWindowsOf); what it would have
 * served moves to the nearest up region (failover nearest-region, paying inter-region
 * transfer for a job's input) or fails (failover none). Responses and job outputs leaving the
 * cloud pay the region's internet egress.
 */
import { MS_PER_HOUR, MS_PER_MINUTE, transferMs } from "../units.js";
import { CLOUD_BANDWIDTH_GBPS } from "./setup.js";
import type { JobClassState, NetworkState } from "./state.js";

/** KB (10³ bytes) per GB (10⁹ bytes): request payloads are in KB, egress prices per GB. */
export const KB_PER_GB = 1e6;

/** Whether cloud region `regionIndex` is in one of its outage windows at `atMs`. */
export function cloudRegionDown(state: NetworkState, regionIndex: number, atMs: number): boolean {
	const windows = state.cloudOutageWindows[regionIndex];
	if (windows === undefined) return false;
	// Indexed, not destructured: this runs for every job (an iterator and a pair each time cost more than the test).
	for (let w = 0; w < windows.length; w++) {
		const window = windows[w] as readonly [number, number];
		if (window[0] > atMs) return false;
		if (atMs < window[1]) return true;
	}
	return false;
}

/** Share of region-time up over [0, horizonMs) (the measured long-run availability). */
export function cloudRegionTimeUp(windows: readonly (readonly [number, number])[][], horizonMs: number): number {
	if (windows.length === 0 || !(horizonMs > 0)) return 1;
	let downMs = 0;
	for (const regionWindows of windows) {
		// Windows are sorted by start; overlapping ones (scripted over drawn) count once.
		let coveredTo = 0;
		for (const [start, end] of regionWindows) {
			const from = Math.max(start, coveredTo, 0);
			const to = Math.min(end, horizonMs);
			if (to > from) downMs += to - from;
			coveredTo = Math.max(coveredTo, end);
		}
	}
	return 1 - downMs / (windows.length * horizonMs);
}

/** Whether `gpus` more GPUs of class `gpu` fit in region `r` at `nowMs` (prunes ended uses). */
export function cloudHasRoom(state: NetworkState, r: number, gpu: number, gpus: number, nowMs: number): boolean {
	const setup = state.setup;
	if (!setup.anyCloudCapacity) return true;
	const key = r * setup.gpus.length + gpu;
	const capacity = setup.cloudCapacityGpus[key] as number;
	if (!Number.isFinite(capacity)) return true;
	const ends = state.cloudTally.inUseEndMs[key] as number[];
	let kept = 0;
	for (const end of ends) if (end > nowMs) ends[kept++] = end;
	ends.length = kept;
	return kept + gpus <= capacity;
}

/** Books `gpus` GPUs of class `gpu` in region `r` until `endMs` (only where capacity is limited). */
export function cloudOccupy(state: NetworkState, r: number, gpu: number, gpus: number, endMs: number): void {
	const setup = state.setup;
	if (!setup.anyCloudCapacity) return;
	const key = r * setup.gpus.length + gpu;
	if (!Number.isFinite(setup.cloudCapacityGpus[key] as number)) return;
	const ends = state.cloudTally.inUseEndMs[key] as number[];
	for (let k = 0; k < gpus; k++) ends.push(endMs);
}

/**
 * The region that serves a job from home region `home`: home when it is up with an offer and
 * room; else (failover nearest-region, or capacity) the nearest such region; -1 if none.
 */
function jobRegion(state: NetworkState, classState: JobClassState, home: number, nowMs: number): number {
	const homeDown = cloudRegionDown(state, home, nowMs);
	if (!homeDown && jobFits(state, classState, home, nowMs)) return home;
	// A down region with failover none loses the job; a full one sends it elsewhere (scarcity).
	if (homeDown && !state.setup.failover) return -1;
	for (const r of state.setup.cloudRegionsByDistance[home] as Int32Array) {
		if (!cloudRegionDown(state, r, nowMs) && jobFits(state, classState, r, nowMs)) return r;
	}
	return -1;
}

/** Whether region `r` offers the class's job and has room for it now. */
function jobFits(state: NetworkState, classState: JobClassState, r: number, nowMs: number): boolean {
	return (
		!Number.isNaN(classState.cloudOfferCostPerWork[r] as number) &&
		cloudHasRoom(state, r, classState.cloudOfferGpu[r] as number, classState.spec.gpusPerJob, nowMs)
	);
}

/** Prices and times an order of `work` from metro `origin` on the cloud; returns its cost (Infinity: refused). */
export function cloudTwin(state: NetworkState, classState: JobClassState, origin: number, work: number): number {
	const { setup, cloudJobs, engine, epochCounts, cloudTally } = state;
	cloudJobs.arrived++;
	classState.epochCloudOffered++;
	const nearest = setup.geography.nearestRegion[origin] as number;
	const home = nearest >= 0 ? (classState.cloudHomeRegion[nearest] as number) : -1;
	const now = engine.now;
	const r = home >= 0 ? jobRegion(state, classState, home, now) : -1;
	if (r < 0) {
		cloudJobs.rejected++;
		if (home >= 0 && !cloudRegionDown(state, home, now)) cloudTally.jobsRefusedCapacity++;
		return Number.POSITIVE_INFINITY;
	}
	const spec = classState.spec;
	const gpu = classState.cloudOfferGpu[r] as number;
	const gpuHours = (classState.cloudOfferHoursPerWork[r] as number) * work;
	const computeUsd = (classState.cloudOfferCostPerWork[r] as number) * work;
	// Outputs leave the cloud at the serving region's egress price; an input run away from the
	// region nearest its origin (a cheaper region, or failover) crosses at that region's
	// inter-region price.
	const egressUsd = spec.payloadGbOut * (setup.egressUsdPerGbByRegion[r] as number);
	let transferUsd = egressUsd;
	if (r !== home) cloudTally.jobsFailedOver++;
	if (r !== nearest) {
		const interregionUsd = spec.payloadGbIn * (setup.interregionUsdPerGbByRegion[nearest] as number);
		cloudTally.interregionUsd += interregionUsd;
		transferUsd += interregionUsd;
	}
	cloudTally.egressUsd += egressUsd;
	const costUsd = computeUsd + transferUsd;
	// The model's weights come from a hub like the DePIN side's, at the region's bandwidth (ingress is free).
	const inputMs = transferMs(spec.payloadGbIn + spec.modelGbIn, CLOUD_BANDWIDTH_GBPS);
	const startMs = now + setup.cloudProvisioningMs + inputMs;
	const endMs = startMs + (gpuHours / spec.gpusPerJob) * MS_PER_HOUR;
	cloudOccupy(state, r, gpu, spec.gpusPerJob, endMs);
	classState.epochCloudServed++;
	if (endMs <= setup.horizonMs) {
		cloudJobs.served++;
		classState.cloudJobs.served++;
	} else cloudJobs.inFlight++;
	cloudJobs.gpuHours += gpuHours;
	cloudJobs.costUsd += computeUsd;
	cloudTally.totalCostUsd += costUsd;
	cloudTally.spend.add(gpu, gpuHours, computeUsd, classState.render, work * spec.gpusPerJob);
	epochCounts.cloudPriceGpuHours += gpuHours;
	epochCounts.cloudPriceUsd += computeUsd;
	classState.epochCloudCost += costUsd;
	classState.epochCloudWork += work * spec.gpusPerJob;
	// One record per job, in its class (the pooled histogram is merged when the KPIs are read).
	const timeToServeMinutes = (startMs - now) / MS_PER_MINUTE;
	cloudTally.jobsTimeToServeSumMinutes += timeToServeMinutes;
	classState.cloudJobs.timeToServeMinutes.record(timeToServeMinutes);
	return costUsd;
}
