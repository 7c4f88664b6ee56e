/**
 * The cloud twin of every order: the same order priced and timed on the nearest hyperscaler
 * region (cheapest eligible GPU at list price, the region's availability, no failover: C14).
 */
import { BITS_PER_BYTE, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND } from "../units.js";
import { CLOUD_BANDWIDTH_GBPS, type NetworkSetup } from "./setup.js";
import type { JobClassState, NetworkState } from "./state.js";

/** Whether cloud region `regionIndex` is in one of its outage windows at `atMs`. */
export function cloudRegionDown(setup: NetworkSetup, regionIndex: number, atMs: number): boolean {
	if (!setup.anyCloudOutage) return false;
	for (const [start, end] of setup.cloudOutageWindows[regionIndex] ?? []) if (atMs >= start && atMs < end) return true;
	return false;
}

/** Prices and times an order of `work` from metro `origin` on the cloud; returns its cost (Infinity: refused). */
export function cloudTwin(state: NetworkState, classState: JobClassState, origin: number, work: number): number {
	const { setup, cloudJobs, engine, epochCounts } = state;
	cloudJobs.arrived++;
	classState.epochCloudOffered++;
	const regionIndex = setup.geography.nearestRegion[origin] as number;
	const costPerWork = regionIndex >= 0 ? (classState.cloudOfferCostPerWork[regionIndex] as number) : Number.NaN;
	const available = state.cloudRng.next() < (setup.regionAvailability[regionIndex] ?? 0);
	if (Number.isNaN(costPerWork) || !available || cloudRegionDown(setup, regionIndex, engine.now)) {
		cloudJobs.rejected++;
		return Number.POSITIVE_INFINITY;
	}
	const spec = classState.spec;
	const costUsd = costPerWork * work;
	const gpuHours = (classState.cloudOfferHoursPerWork[regionIndex] as number) * work;
	const transferMs = ((spec.payloadGbIn * BITS_PER_BYTE) / CLOUD_BANDWIDTH_GBPS) * MS_PER_SECOND;
	const startMs = engine.now + setup.cloudProvisioningMs + transferMs;
	const endMs = startMs + (gpuHours / spec.gpusPerJob) * MS_PER_HOUR;
	classState.epochCloudServed++;
	if (endMs <= setup.horizonMs) {
		cloudJobs.served++;
		classState.cloudJobs.served++;
	} else cloudJobs.inFlight++;
	cloudJobs.gpuHours += gpuHours;
	cloudJobs.costUsd += costUsd;
	epochCounts.cloudPriceGpuHours += gpuHours;
	epochCounts.cloudPriceUsd += costUsd;
	classState.epochCloudCost += costUsd;
	classState.epochCloudWork += work * spec.gpusPerJob;
	state.cloud.timeToServeMinutes.record((startMs - engine.now) / MS_PER_MINUTE);
	classState.cloudJobs.timeToServeMinutes.record((startMs - engine.now) / MS_PER_MINUTE);
	return costUsd;
}
