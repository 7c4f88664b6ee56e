/**
 * Where a cloud tenant puts a real-time class's replicas: by the DePIN autoscaler's rule
 * (capacity ≥ rate ÷ target utilisation, at least minReplicas while there is demand), in the
 * fewest regions within the class's RTT budget. A pure function of its inputs: the cloud twin
 * places each request window's replicas with it, and the setup prices each cloud GPU's
 * deployment with it to choose the class's GPU.
 */

/** Inputs of the cloud's real-time placement for one class and window. */
export interface PlacementInput {
	/** RTT user metro → region, ms (metroCount × regionCount, row-major). */
	readonly rttMs: Float64Array;
	readonly metroCount: number;
	/** Demand weight of each metro (any scale). */
	readonly metroWeights: ArrayLike<number>;
	/** Requests per second of the whole class. */
	readonly ratePerSecond: number;
	/** Requests per second one replica sustains within the SLA (setup.ts replicaCapacityRps). */
	readonly replicaCapacityRps: number;
	readonly targetUtilisation: number;
	readonly minReplicas: number;
	/** A region serves a metro within the SLA when its RTT is at most this, ms. */
	readonly rttBudgetMs: number;
	/** 1 where the region may hold replicas (it has the GPU at a price). */
	readonly regionUsable: Uint8Array;
	/** Price per replica-hour of each region, for ties (cheaper first). */
	readonly priceUsdPerHour: Float64Array;
}

export interface Placement {
	/** Replicas in each region. */
	readonly replicas: Int32Array;
	/** Region that serves each metro (-1: no demand or no usable region). */
	readonly homeRegion: Int32Array;
	/** Replicas added to reach minReplicas beyond those the demand needs (> 0: the floor sets the cost). */
	readonly floorReplicas: number;
}

/**
 * The cloud's real-time replicas for a class, by the DePIN autoscaler's rule (replicas.ts:
 * capacity ≥ rate ÷ target utilisation, at least minReplicas while there is demand), placed
 * in the fewest regions within the RTT budget: greedily the region that covers the most
 * uncovered demand (ties: cheaper, then lower index); a metro no region covers goes to its
 * nearest usable region. Each metro is served by its nearest chosen region, and each region
 * gets ceil(its rate ÷ (capacity · target)) replicas; a shortfall to minReplicas goes one by
 * one to the region with the most load per replica.
 */
export function placeCloudReplicas(input: PlacementInput): Placement {
	const { metroCount, metroWeights } = input;
	const regionCount = input.regionUsable.length;
	let totalWeight = 0;
	for (let m = 0; m < metroCount; m++) totalWeight += metroWeights[m] as number;
	const replicas = new Int32Array(regionCount);
	if (!(totalWeight > 0) || !(input.ratePerSecond > 0)) {
		return { replicas, homeRegion: new Int32Array(metroCount).fill(-1), floorReplicas: 0 };
	}
	const homeRegion = cachedHomeRegions(input, totalWeight).slice();
	const rateByRegion = new Float64Array(regionCount);
	for (let m = 0; m < metroCount; m++) {
		if (!((metroWeights[m] as number) > 0)) continue;
		const r = homeRegion[m] as number;
		if (r >= 0)
			rateByRegion[r] = (rateByRegion[r] as number) + (input.ratePerSecond * (metroWeights[m] as number)) / totalWeight;
	}
	const floorReplicas = sizeReplicas(input, rateByRegion, replicas);
	return { replicas, homeRegion, floorReplicas };
}

/** The inputs a metro's home region depends on, kept as copies, and the homes found for them. */
interface HomeEntry {
	readonly rttMs: Float64Array;
	readonly metroCount: number;
	readonly rttBudgetMs: number;
	readonly metroWeights: Float64Array;
	readonly regionUsable: Uint8Array;
	readonly priceUsdPerHour: Float64Array;
	readonly homeRegion: Int32Array;
}

/**
 * Homes depend on where demand comes from, not on its rate: a run's demand geography repeats
 * every day (demand.ts DemandModel shares one weights array per hour of day), so each window of
 * an hour already seen reuses its homes. Keyed by the weights array; every input is compared by
 * value, so an array changed in place is never served stale homes.
 */
const homeCache = new WeakMap<object, HomeEntry[]>();
/** Entries kept per weights array (one per class that shares it, in practice). */
const HOME_ENTRIES_PER_WEIGHTS = 8;

function cachedHomeRegions(input: PlacementInput, totalWeight: number): Int32Array {
	const { rttMs, rttBudgetMs, metroWeights, regionUsable, priceUsdPerHour } = input;
	let entries = homeCache.get(metroWeights);
	if (entries === undefined) {
		entries = [];
		homeCache.set(metroWeights, entries);
	}
	for (const entry of entries) {
		if (
			entry.rttMs === rttMs &&
			entry.rttBudgetMs === rttBudgetMs &&
			entry.metroCount === input.metroCount &&
			sameValues(entry.metroWeights, metroWeights) &&
			sameValues(entry.regionUsable, regionUsable) &&
			sameValues(entry.priceUsdPerHour, priceUsdPerHour)
		)
			return entry.homeRegion;
	}
	const homeRegion = homeRegions(input, totalWeight);
	if (entries.length === HOME_ENTRIES_PER_WEIGHTS) entries.shift();
	entries.push({
		rttMs,
		metroCount: input.metroCount,
		rttBudgetMs,
		metroWeights: Float64Array.from(metroWeights),
		regionUsable: regionUsable.slice(),
		priceUsdPerHour: priceUsdPerHour.slice(),
		homeRegion,
	});
	return homeRegion;
}

/** Equal lengths and values (`Object.is`, so NaN matches NaN and -0 does not match 0). */
function sameValues(kept: ArrayLike<number>, current: ArrayLike<number>): boolean {
	if (kept.length !== current.length) return false;
	for (let i = 0; i < kept.length; i++) if (!Object.is(kept[i], current[i])) return false;
	return true;
}

/**
 * The fewest regions within the RTT budget, greedily (see placeCloudReplicas), and the region
 * serving each metro with demand (-1: no usable region).
 */
function homeRegions(input: PlacementInput, totalWeight: number): Int32Array {
	const { rttMs, metroCount, metroWeights, rttBudgetMs, regionUsable, priceUsdPerHour } = input;
	const regionCount = regionUsable.length;
	const chosen = new Uint8Array(regionCount);
	const covered = new Uint8Array(metroCount);
	const homeRegion = new Int32Array(metroCount).fill(-1);
	const coverage = coverageOf(rttMs, metroCount, regionCount, rttBudgetMs);
	let uncoveredWeight = totalWeight;
	while (uncoveredWeight > 0) {
		let best = -1;
		let bestGain = 0;
		for (let r = 0; r < regionCount; r++) {
			if (regionUsable[r] !== 1 || chosen[r] === 1) continue;
			let gain = 0;
			for (const m of coverage[r] as Int32Array) if (covered[m] === 0) gain += metroWeights[m] as number;
			const better =
				gain > bestGain ||
				(gain === bestGain && gain > 0 && (priceUsdPerHour[r] as number) < (priceUsdPerHour[best] as number));
			if (better) {
				best = r;
				bestGain = gain;
			}
		}
		if (best < 0) break;
		chosen[best] = 1;
		for (const m of coverage[best] as Int32Array) {
			if (covered[m] === 1) continue;
			covered[m] = 1;
			uncoveredWeight -= metroWeights[m] as number;
		}
	}
	for (let m = 0; m < metroCount; m++) {
		if (!((metroWeights[m] as number) > 0) || covered[m] === 1) continue;
		const r = nearestRegion(rttMs, regionCount, m, regionUsable);
		if (r >= 0) chosen[r] = 1;
	}
	for (let m = 0; m < metroCount; m++) {
		if ((metroWeights[m] as number) > 0) homeRegion[m] = nearestRegion(rttMs, regionCount, m, chosen);
	}
	return homeRegion;
}

/** Metros within `budgetMs` of each region, cached per RTT table and budget (they never change in a run). */
const coverageCache = new WeakMap<Float64Array, Map<number, Int32Array[]>>();

function coverageOf(rttMs: Float64Array, metroCount: number, regionCount: number, budgetMs: number): Int32Array[] {
	let byBudget = coverageCache.get(rttMs);
	if (byBudget === undefined) {
		byBudget = new Map();
		coverageCache.set(rttMs, byBudget);
	}
	let coverage = byBudget.get(budgetMs);
	if (coverage === undefined) {
		coverage = Array.from({ length: regionCount }, (_, r) => {
			const metros: number[] = [];
			for (let m = 0; m < metroCount; m++) if ((rttMs[m * regionCount + r] as number) <= budgetMs) metros.push(m);
			return Int32Array.from(metros);
		});
		byBudget.set(budgetMs, coverage);
	}
	return coverage;
}

function nearestRegion(rttMs: Float64Array, regionCount: number, metro: number, allowed: Uint8Array): number {
	let best = -1;
	for (let r = 0; r < regionCount; r++) {
		if (allowed[r] !== 1) continue;
		if (best < 0 || (rttMs[metro * regionCount + r] as number) < (rttMs[metro * regionCount + best] as number))
			best = r;
	}
	return best;
}

/** Sizes each region's replicas; returns how many were added to reach minReplicas. */
function sizeReplicas(input: PlacementInput, rateByRegion: Float64Array, replicas: Int32Array): number {
	const perReplicaRps = input.replicaCapacityRps * input.targetUtilisation;
	let total = 0;
	for (let r = 0; r < replicas.length; r++) {
		const rate = rateByRegion[r] as number;
		if (!(rate > 0)) continue;
		replicas[r] = perReplicaRps > 0 ? Math.ceil(rate / perReplicaRps - 1e-9) : 0;
		total += replicas[r] as number;
	}
	const sized = total;
	for (; total < input.minReplicas; total++) {
		let best = -1;
		for (let r = 0; r < replicas.length; r++) {
			if (!((rateByRegion[r] as number) > 0)) continue;
			const load = (rateByRegion[r] as number) / Math.max(1, replicas[r] as number);
			const bestLoad = best < 0 ? -1 : (rateByRegion[best] as number) / Math.max(1, replicas[best] as number);
			if (load > bestLoad) best = r;
		}
		if (best < 0) break;
		replicas[best] = (replicas[best] as number) + 1;
	}
	return total - sized;
}
