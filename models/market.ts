/**
 * Market clearing: how an order meets idle nodes. Pure functions over the node table and the
 * idle index; the network model (network/orders.ts, network/replicas.ts) calls them and applies the result.
 *
 * An order never scans the population: it walks metros nearest-first (geography's
 * metrosByDistance), skips metros with nothing idle, and takes at most `maxCandidates`
 * eligible idle nodes from the (GPU class, metro) buckets — O(K + metros visited).
 *
 * Mechanisms (docs/design.md §5):
 * - auction (Akash): every candidate bids its ask; the award goes to the lowest cost of the
 *   whole order (ask × GPU-hours the order needs on that GPU), pay-as-bid, if within the
 *   tenant's reserve price.
 * - posted (Render): the protocol posts a price per GPU class; nodes whose ask is at or below
 *   it accept; the tenant takes the cheapest order cost among them.
 * - routing (io.net): at the posted price, the nearest accepting node wins, among those whose
 *   cost is within the tenant's reserve.
 */
import type { IdleIndex, NodeTable } from "./nodes.js";

export type Mechanism = "auction" | "posted" | "routing";

export interface OrderTerms {
	/** Metro the order comes from (users or data). */
	readonly originMetro: number;
	/** GPUs needed at once. */
	readonly gpus: number;
	/** 1 where the GPU class may serve the order. */
	readonly eligibleGpu: Uint8Array;
	/** Size of the order in units of work (H100-hours for jobs; 1 for a replica lease). */
	readonly work: number;
	/**
	 * GPU-hours one unit of work takes on each GPU class (per GPU): the order needs
	 * work × gpuHoursPerWork[g] on class g, the cost basis of a bid. Shared by every order of
	 * a class, so no order fills a table of its own.
	 */
	readonly gpuHoursPerWork: Float64Array;
	/** Most the tenant pays for the whole order, USD (auction reserve). */
	readonly reserveUsd: number;
	/** Largest RTT from the origin a node may have, ms (Infinity: any). */
	readonly maxRttMs: number;
	/** Slowest downlink a node may have, Gbit/s (0: any): the tenant's filter, as marketplaces offer. */
	readonly minLinkGbps: number;
}

export interface MarketContext {
	readonly mechanism: Mechanism;
	readonly maxCandidates: number;
	/** Posted price per GPU-hour for each GPU class (posted and routing). */
	readonly postedUsdPerGpuHour: Float64Array;
	/** metrosByDistance[m]: every metro, nearest to m first. */
	readonly metrosByDistance: readonly Int32Array[];
	/** RTT from a user in metro i to a node in metro j: metroRttMs[i * metroCount + j]. */
	readonly metroRttMs: Float64Array;
	readonly metroCount: number;
}

/**
 * The result of a clearing. One Award is reused for every order (no allocation per order):
 * read it before the next call to `clear`.
 */
export interface Award {
	/** Nodes awarded, one per GPU: entries 0 … count − 1. */
	readonly nodes: Int32Array;
	/** Price each node is paid, USD per GPU-hour (before the take rate). */
	readonly priceUsdPerGpuHour: Float64Array;
	count: number;
	/**
	 * Total cost of the order to the tenant, USD: Σ price × the hours each node is held (a
	 * multi-GPU order holds every node until the slowest finishes); the reserve is checked on it.
	 */
	costUsd: number;
}

/** An award buffer for orders of up to `maxGpus` GPUs. */
export function awardBuffer(maxGpus: number): Award {
	return { nodes: new Int32Array(maxGpus), priceUsdPerGpuHour: new Float64Array(maxGpus), count: 0, costUsd: 0 };
}

/** Why an order found no award. */
export type NoAward = "no-capacity" | "over-reserve";

/**
 * The GPU classes the order may use that have an idle node somewhere, in catalogue order (the
 * round-robin's order), into `idleClasses`; returns how many (0: no walk at all). The walk then
 * visits only these, not every class of the catalogue in every metro.
 */
function eligibleIdleClasses(index: IdleIndex, eligibleGpu: Uint8Array, idleClasses: Int32Array): number {
	let count = 0;
	for (let g = 0; g < index.gpuCount; g++) {
		if (eligibleGpu[g] === 1 && (index.idleByGpu[g] as number) > 0) idleClasses[count++] = g;
	}
	return count;
}

/** Scratch of eligibleIdleClasses (node.gpu is a Uint8Array: ≤ 256 classes). */
const idleClassScratch = new Int32Array(256);

/** Buffers an order's clearing reuses: candidates and their costs (equal lengths), and the award. */
export interface ClearingBuffers {
	readonly candidates: Int32Array;
	readonly scratchCost: Float64Array;
	readonly award: Award;
}

/**
 * Clears one order against the idle index: up to max(maxCandidates, gpus) candidates, nearest
 * first, then the mechanism's choice. Returns the award (in `buffers.award`) or why there is none.
 */
export function awardOrder(
	index: IdleIndex,
	nodes: NodeTable,
	terms: OrderTerms,
	context: MarketContext,
	buffers: ClearingBuffers,
): true | NoAward {
	const limit = Math.max(context.maxCandidates, terms.gpus);
	// The fused auction walks the idle index's class masks, which exist for up to 32 GPU classes.
	if (terms.gpus === 1 && context.mechanism === "auction" && index.idleGpuMaskByMetro !== null) {
		return clearSingleGpuAuction(index, nodes, terms, context, limit, buffers.award);
	}
	const count = collectCandidates(index, terms, context, buffers.candidates, limit, nodes);
	if (count < terms.gpus) return "no-capacity";
	return clear(nodes, terms, context, buffers.candidates, count, buffers.scratchCost, buffers.award);
}

/**
 * Fills `out` with up to `limit` eligible idle nodes, nearest metros first; returns how many.
 * Given the node table, a posted or routing market skips nodes asking over the posted price.
 */
export function collectCandidates(
	index: IdleIndex,
	terms: OrderTerms,
	context: MarketContext,
	out: Int32Array,
	limit = out.length,
	nodes?: NodeTable,
): number {
	const classes = idleClassScratch;
	const classCount = eligibleIdleClasses(index, terms.eligibleGpu, classes);
	if (classCount === 0) return 0;
	const order = context.metrosByDistance[terms.originMetro] as Int32Array;
	const rttRow = terms.originMetro * context.metroCount;
	// At a posted price, a node that asks more refuses: it is no candidate (else refusers, who
	// stay idle, would fill the nearest places and turn every order away).
	const posted = context.mechanism === "auction" ? null : context.postedUsdPerGpuHour;
	const askOf = nodes?.askUsdPerGpuHour;
	const linkOf = nodes?.linkGbps;
	const minLink = terms.minLinkGbps;
	if (minLink > 0 && linkOf === undefined) throw new RangeError("a link filter needs the node table");
	const { slab, bucketStart, bucketLength, metroCount } = index;
	let found = 0;
	for (let k = 0; k < order.length && found < limit; k++) {
		const metro = order[k] as number;
		if ((context.metroRttMs[rttRow + metro] as number) > terms.maxRttMs) break;
		if (index.idleByMetro[metro] === 0) continue;
		// Round-robin over the metro's classes (one from each bucket per round), so the first
		// class in the catalogue does not crowd the others out of the candidates.
		for (let round = 0, more = true; more && found < limit; round++) {
			more = false;
			for (let c = 0; c < classCount && found < limit; c++) {
				const g = classes[c] as number;
				const b = g * metroCount + metro;
				if (round >= (bucketLength[b] as number)) continue;
				more = true;
				const node = slab[(bucketStart[b] as number) + round] as number;
				// A node on a slower link than the tenant accepts is no candidate.
				if (minLink > 0 && linkOf !== undefined && (linkOf[node] as number) < minLink) continue;
				const price = posted === null ? Number.POSITIVE_INFINITY : (posted[g] as number);
				if (askOf === undefined || (askOf[node] as number) <= price) out[found++] = node;
			}
		}
	}
	return found;
}

/**
 * Chooses the winners among `count` candidates into `award`. Returns true, or why there is
 * no award. `scratchCost` must hold at least `count` entries.
 */
export function clear(
	nodes: NodeTable,
	terms: OrderTerms,
	context: MarketContext,
	candidates: Int32Array,
	count: number,
	scratchCost: Float64Array,
	award: Award,
): true | NoAward {
	const posted = context.mechanism !== "auction";
	const gpuOf = nodes.gpu;
	const askOf = nodes.askUsdPerGpuHour;
	const { work, gpuHoursPerWork } = terms;
	// Order cost on each candidate, or Infinity where the node refuses the posted price.
	let accepting = 0;
	for (let i = 0; i < count; i++) {
		const node = candidates[i] as number;
		const gpu = gpuOf[node] as number;
		const ask = askOf[node] as number;
		const price = posted ? (context.postedUsdPerGpuHour[gpu] as number) : ask;
		const refuses = posted && ask > price;
		const cost = refuses ? Number.POSITIVE_INFINITY : price * (work * (gpuHoursPerWork[gpu] as number));
		scratchCost[i] = cost;
		// A bid of infinite cost (a class that cannot do the work at all) is no bid.
		if (cost !== Number.POSITIVE_INFINITY) accepting++;
	}
	if (accepting < terms.gpus) return "no-capacity";
	const winners = award.nodes;
	let costUsd = 0;
	if (context.mechanism === "routing") {
		// Candidates come nearest first: take the first accepting ones whose share of the order the
		// tenant would pay (a GPU that alone costs more than its share of the reserve is passed over,
		// else the nearest slow GPU would turn the order away although a faster one could serve it).
		const reservePerGpu = terms.reserveUsd / terms.gpus;
		let w = 0;
		for (let i = 0; i < count && w < terms.gpus; i++) {
			if (scratchCost[i] === Number.POSITIVE_INFINITY || (scratchCost[i] as number) > reservePerGpu) continue;
			winners[w] = candidates[i] as number;
			costUsd += scratchCost[i] as number;
			w++;
		}
		if (w < terms.gpus) return "over-reserve";
	} else {
		// The `gpus` cheapest (selection; K is small). Ties go to the nearer candidate.
		for (let w = 0; w < terms.gpus; w++) {
			let best = -1;
			for (let i = 0; i < count; i++) {
				const cost = scratchCost[i] as number;
				if (cost !== Number.POSITIVE_INFINITY && (best < 0 || cost < (scratchCost[best] as number))) best = i;
			}
			winners[w] = candidates[best] as number;
			costUsd += scratchCost[best] as number;
			scratchCost[best] = Number.POSITIVE_INFINITY;
		}
	}
	for (let w = 0; w < terms.gpus; w++) {
		const node = winners[w] as number;
		award.priceUsdPerGpuHour[w] = posted
			? (context.postedUsdPerGpuHour[gpuOf[node] as number] as number)
			: (askOf[node] as number);
	}
	// What the tenant pays: every node is held until the slowest finishes (one GPU: its own bid).
	if (terms.gpus > 1) costUsd = heldCostUsd(nodes, terms, award.priceUsdPerGpuHour, winners);
	if (costUsd > terms.reserveUsd) return "over-reserve";
	award.count = terms.gpus;
	award.costUsd = costUsd;
	return true;
}

/**
 * How long a multi-GPU order holds its nodes, hours: until the slowest of `count` nodes finishes
 * `work` (GPU-hours per unit of work by GPU class in `gpuHoursPerWork`).
 */
export function heldHours(
	nodes: NodeTable,
	winners: Int32Array,
	count: number,
	work: number,
	gpuHoursPerWork: Float64Array,
): number {
	let hours = 0;
	for (let w = 0; w < count; w++) {
		const gpu = nodes.gpu[winners[w] as number] as number;
		hours = Math.max(hours, work * (gpuHoursPerWork[gpu] as number));
	}
	return hours;
}

/** Σ price × the slowest winner's hours: a multi-GPU order's cost as leased, USD. */
function heldCostUsd(nodes: NodeTable, terms: OrderTerms, prices: Float64Array, winners: Int32Array): number {
	const hours = heldHours(nodes, winners, terms.gpus, terms.work, terms.gpuHoursPerWork);
	let costUsd = 0;
	for (let w = 0; w < terms.gpus; w++) costUsd += (prices[w] as number) * hours;
	return costUsd;
}

/**
 * `collectCandidates` then `clear` for the commonest order, one GPU at auction, fused into one
 * pass: each candidate's bid is priced as it is met and only the cheapest is kept (the first
 * met on a tie, as `clear` does). Same award, without the candidate and cost buffers. Needs the
 * idle index's class masks (at most 32 GPU classes).
 */
export function clearSingleGpuAuction(
	index: IdleIndex,
	nodes: NodeTable,
	terms: OrderTerms,
	context: MarketContext,
	limit: number,
	award: Award,
): true | NoAward {
	const idleMaskByMetro = index.idleGpuMaskByMetro;
	if (idleMaskByMetro === null) throw new RangeError("clearSingleGpuAuction: no idle masks over 32 GPU classes");
	const { work, gpuHoursPerWork, eligibleGpu } = terms;
	// The eligible classes idle somewhere, as bits (catalogue order: lowest first). The index's fields
	// in locals: read in the loop, each costs a map check and a load every pass.
	const { gpuCount, idleByGpu } = index;
	let eligibleMask = 0;
	for (let g = 0; g < gpuCount; g++) {
		if (eligibleGpu[g] === 1 && (idleByGpu[g] as number) > 0) eligibleMask |= 1 << g;
	}
	if (eligibleMask === 0) return "no-capacity";
	const askOf = nodes.askUsdPerGpuHour;
	const order = context.metrosByDistance[terms.originMetro] as Int32Array;
	const rttRow = terms.originMetro * context.metroCount;
	// Most orders (jobs) take any distance: then no RTT is looked up at all.
	const maxRttMs = terms.maxRttMs;
	const anyDistance = maxRttMs === Number.POSITIVE_INFINITY;
	const { minLinkGbps: minLink } = terms;
	const linkOf = nodes.linkGbps;
	const { slab, bucketStart, bucketLength, metroCount } = index;
	let found = 0;
	let best = -1;
	let bestCost = Number.POSITIVE_INFINITY;
	for (let k = 0; k < order.length && found < limit; k++) {
		const metro = order[k] as number;
		if (!anyDistance && (context.metroRttMs[rttRow + metro] as number) > maxRttMs) break;
		// The same round-robin as collectCandidates, over the metro's non-empty eligible buckets
		// only (bits, lowest class first; an exhausted bucket leaves): no probe of an empty one.
		let active = eligibleMask & (idleMaskByMetro[metro] as number);
		for (let round = 0; active !== 0 && found < limit; round++) {
			for (let bits = active; bits !== 0 && found < limit; bits &= bits - 1) {
				const g = 31 - Math.clz32(bits & -bits);
				const b = g * metroCount + metro;
				if (round + 1 >= (bucketLength[b] as number)) active &= ~(1 << g);
				const node = slab[(bucketStart[b] as number) + round] as number;
				if (minLink > 0 && (linkOf[node] as number) < minLink) continue;
				found++;
				// A bid's cost: its ask × the order's GPU-hours on its class, priced per candidate met (~8 an
				// order) rather than for every eligible idle class up front into a scratch table.
				const cost = (askOf[node] as number) * (work * (gpuHoursPerWork[g] as number));
				if (cost !== Number.POSITIVE_INFINITY && (best < 0 || cost < bestCost)) {
					best = node;
					bestCost = cost;
				}
			}
		}
	}
	if (best < 0) return "no-capacity";
	if (bestCost > terms.reserveUsd) return "over-reserve";
	award.nodes[0] = best;
	award.priceUsdPerGpuHour[0] = askOf[best] as number;
	award.count = 1;
	award.costUsd = bestCost;
	return true;
}
