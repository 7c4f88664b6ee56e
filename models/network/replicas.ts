/**
 * Replicas of real-time classes: leased nodes that serve requests. Each epoch the class
 * autoscales to the capacity its DePIN share of demand needs; a replica's lease is renewed at
 * its end while it is still needed.
 */
import type { EpochDemand } from "../demand.js";
import type { OrderTerms } from "../market.js";
import { SECONDS_PER_HOUR, transferMs } from "../units.js";
import { leaseAward } from "./leases.js";
import { tryAward } from "./orders.js";
import { RTT_BUDGET_SHARE_OF_SLA } from "./setup.js";
import { type NetworkState, type RealtimeClassState, replicaMarker } from "./state.js";

/** Requests per second the class's replicas sustain together. */
export function replicaCapacity(state: NetworkState, classState: RealtimeClassState): number {
	const gpuOf = state.nodes.gpu;
	let capacity = 0;
	for (const node of classState.replicas) capacity += classState.capacityRpsByGpu[gpuOf[node] as number] as number;
	return capacity;
}

export function removeReplica(classState: RealtimeClassState, node: number): void {
	const at = classState.replicas.indexOf(node);
	if (at >= 0) {
		classState.replicas[at] = classState.replicas[classState.replicas.length - 1] as number;
		classState.replicas.pop();
	}
}

/** Whether replica `node` is still needed when its lease ends (then it is renewed). */
export function replicaStillNeeded(state: NetworkState, classState: RealtimeClassState, node: number): boolean {
	const capacity = replicaCapacity(state, classState);
	const own = classState.capacityRpsByGpu[state.nodes.gpu[node] as number] as number;
	return (
		capacity - own < classState.requiredCapacityRps ||
		(classState.requiredCapacityRps > 0 && classState.replicas.length <= classState.spec.replicas.minReplicas)
	);
}

/** The terms of one replica lease for a user in `origin`, priced against the cloud's real-time GPU. */
function replicaTerms(
	state: NetworkState,
	classState: RealtimeClassState,
	origin: number,
	leaseGpuHours: Float64Array,
): OrderTerms {
	const { setup } = state;
	const { scenario, geography } = setup;
	const spec = classState.spec;
	const regionIndex = geography.nearestRegion[origin] as number;
	// The tenant's reserve: the cloud's price for the same class, on the GPU and pricing the cloud twin uses.
	const cloudPrice = regionIndex >= 0 ? (classState.cloudGpu.priceUsdPerGpuHour[regionIndex] as number) : Number.NaN;
	return {
		originMetro: origin,
		gpus: 1,
		eligibleGpu: classState.eligibleGpu,
		work: 1,
		gpuHoursPerWork: leaseGpuHours,
		reserveUsd: Number.isFinite(cloudPrice)
			? scenario.market.reservePriceShareOfCloud * cloudPrice * spec.replicas.leaseHours
			: Number.POSITIVE_INFINITY,
		maxRttMs: spec.slaP95Ms * RTT_BUDGET_SHARE_OF_SLA,
		minLinkGbps: spec.hardware.minLinkGbps,
	};
}

/** Leases replicas until the class's DePIN share of demand has its capacity (or nothing is left). */
export function autoscale(state: NetworkState, classState: RealtimeClassState): void {
	const spec = classState.spec;
	const demand = classState.demand as EpochDemand;
	const depinRps = (demand.ratePerHour / SECONDS_PER_HOUR) * classState.share;
	classState.requiredCapacityRps = depinRps / spec.replicas.targetUtilisation;
	let capacity = replicaCapacity(state, classState);
	const minReplicas = depinRps > 0 ? spec.replicas.minReplicas : 0;
	const leaseHours = spec.replicas.leaseHours;
	// Bids compare the cost of capacity within the SLA: GPU-hours of each class that give the capacity of
	// `leaseHours` on the cloud's GPU.
	const leaseGpuHours = Float64Array.from(classState.capacityRpsByGpu, (rps) =>
		rps > 0 ? (leaseHours * classState.cloudCapacityRps) / rps : Number.POSITIVE_INFINITY,
	);
	// A replica leased only to reach minReplicas (the capacity is there) is one of minReplicas sharing the
	// demand: any card that carries an even share within the SLA will do, so bids compare the price of
	// `leaseHours` among those (the cloud's GPU is likewise chosen by the whole deployment's cost).
	const floorShareRps = depinRps / Math.max(1, minReplicas);
	const floorGpuHours = Float64Array.from(classState.capacityRpsByGpu, (rps) =>
		rps > 0 && rps >= floorShareRps ? leaseHours : Number.POSITIVE_INFINITY,
	);
	let failures = 0;
	for (
		let attempt = 0;
		(capacity < classState.requiredCapacityRps || classState.replicas.length < minReplicas) &&
		attempt < 100_000 &&
		failures < 8;
		attempt++
	) {
		const origin = demand.origin.sample(classState.replicaRng);
		const forFloor = capacity >= classState.requiredCapacityRps;
		// No nearby card carries a floor share: the cheapest capacity then.
		const award =
			(forFloor ? tryAward(state, replicaTerms(state, classState, origin, floorGpuHours)) : null) ??
			tryAward(state, replicaTerms(state, classState, origin, leaseGpuHours));
		if (award === null) {
			failures++;
			continue;
		}
		// Replicas of the starting state are already deployed; later ones wait for bid, deploy and the
		// model's weights over the node's link (a renewal keeps them: lease-end.ts).
		const node = award.nodes[0] as number;
		const now = state.engine.now;
		const startMs =
			state.epochIndex === 0 ? now : now + state.setup.awardDelayMs + weightsDownloadMs(state, classState, node);
		leaseAward(
			state,
			award,
			startMs,
			leaseHours,
			replicaMarker(classState.index),
			state.setup.hoursPerWorkByGpu,
			false,
		);
		classState.replicas.push(node);
		capacity += classState.capacityRpsByGpu[state.nodes.gpu[node] as number] as number;
	}
	tallyFloor(classState, depinRps, capacity);
}

/** Time for `node` to pull the class's model weights over its link, ms (0 without weights). */
export function weightsDownloadMs(state: NetworkState, classState: RealtimeClassState, node: number): number {
	const weightsGb = classState.spec.compute.weightsGb;
	if (!(weightsGb > 0)) return 0;
	return Math.round(transferMs(weightsGb, state.nodes.linkGbps[node] as number));
}

/**
 * Counts a sizing with demand, and whether the floor bound it: the demand alone needed fewer than
 * minReplicas replicas of the class's mean capacity (the cloud's rule in cloud-twin.ts sizeReplicas).
 */
function tallyFloor(classState: RealtimeClassState, depinRps: number, capacity: number): void {
	if (!(depinRps > 0)) return;
	const tally = classState.depinRequests;
	tally.sizings++;
	const held = classState.replicas.length;
	if (!(capacity > 0) || held === 0) return;
	const needed = Math.ceil((classState.requiredCapacityRps * held) / capacity - 1e-9);
	if (needed < classState.spec.replicas.minReplicas) tally.sizingsAtFloor++;
}
