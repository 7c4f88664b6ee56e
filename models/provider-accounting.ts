/**
 * The providers' books at the end of an epoch: every live node's busy time, revenue, running
 * cost and smoothed margin, and who has now been below the exit threshold long enough to leave.
 *
 * One pass over the node table, the only per-node work an epoch does; it is a module-level
 * function over typed arrays (no closure state), which V8 compiles to a tight loop. The network
 * model (network/epoch.ts) applies the result: it exits the nodes listed and records the sums.
 */
import { grownArray } from "../sim/typed-arrays.js";
import { HOSTING_KINDS } from "./geo.js";
import { Hosting, NodeState, type NodeTable } from "./nodes.js";
import { MS_PER_HOUR } from "./units.js";

/**
 * Adds a serving node's lease to its books from the later of the lease start and `epochStartMs`
 * up to `untilMs` (no further than the lease end): busy time, and the revenue that reaches
 * the provider in fiat. Called when a lease ends or is cut, and for running leases when an
 * epoch closes.
 */
export function accrueLease(
	nodes: NodeTable,
	node: number,
	epochStartMs: number,
	untilMs: number,
	fiatShareToProvider: number,
): void {
	const ms = leaseMsIn(nodes, node, epochStartMs, untilMs);
	if (ms > 0) {
		nodes.busyMsInEpoch[node] = (nodes.busyMsInEpoch[node] as number) + ms;
		nodes.revenueUsdInEpoch[node] =
			(nodes.revenueUsdInEpoch[node] as number) + leaseUsd(nodes, node, ms, fiatShareToProvider);
	}
}

/** Time of the node's running lease inside [epochStartMs, untilMs), ms (≤ 0: none). */
function leaseMsIn(nodes: NodeTable, node: number, epochStartMs: number, untilMs: number): number {
	return (
		Math.min(untilMs, nodes.leaseEndMs[node] as number) - Math.max(nodes.leaseStartMs[node] as number, epochStartMs)
	);
}

/** What `ms` of the node's lease pays its provider, USD. */
function leaseUsd(nodes: NodeTable, node: number, ms: number, fiatShareToProvider: number): number {
	return (ms / MS_PER_HOUR) * (nodes.leasePriceUsdPerGpuHour[node] as number) * fiatShareToProvider;
}

export interface EpochAccountingParams {
	/** The epoch being closed: [startMs, endMs). */
	readonly startMs: number;
	readonly endMs: number;
	/** Share of a lease's price that reaches the provider in fiat. */
	readonly fiatShareToProvider: number;
	/**
	 * Running cost of a node of GPU class g hosted as h (index g · HOSTING_KINDS + h) at its power price p and
	 * utilisation u: (idleKw + busyKw · u) · p + fixedUsdPerHour, USD per hour (setup.ts).
	 */
	readonly idleKwByGpuHosting: Float64Array;
	readonly busyKwByGpuHosting: Float64Array;
	readonly fixedUsdPerHourByGpuHosting: Float64Array;

	/**
	 * Going rate of each GPU class, USD per GPU-hour (NaN: none yet): the mean ask of its live
	 * nodes last epoch, what a provider sees listed; market-policy providers re-ask from it
	 * (each node's own electricity price, exit threshold and patience are columns of the table).
	 */
	readonly goingRateByGpu: Float64Array;
	/** A market-policy provider busy at least this share of the epoch asks over the going rate. */
	readonly raiseAboveUtilisation: number;
	/** Weight of this epoch's margin in the smoothed margin (EWMA). */
	readonly ewmaWeight: number;
	/**
	 * Token runs: rewards paid last epoch count as revenue, and this epoch's reward weights are
	 * set (in `rewardNodes` / `rewardWeight` of the books).
	 */
	readonly tokens: {
		/** Reward paid to each node for the last epoch, base units, by node id: read, then zeroed. */
		readonly rewardPaidUnits: Float64Array;
		readonly usdPerUnit: number;
		/** Weight per busy ms, per live epoch (not down), and per staked base unit. */
		readonly weightPerBusyMs: number;
		readonly weightUptime: number;
		readonly weightPerStakedUnit: number;
		readonly stakedUnits: Float64Array;
	} | null;
	/**
	 * Burn-and-mint work rewards (false: off): each node's value served this epoch (ended leases
	 * on its books plus the running lease's share, as accrued here) is listed in the books'
	 * `workNodes` / `workUsd` when above zero, before the books reset it.
	 */
	readonly collectWork: boolean;
}

/** Sums over the live nodes (not joining, not exited) and the exits the epoch decided. */
export interface EpochAccounting {
	active: number;
	serving: number;
	down: number;
	joining: number;
	live: number;
	busyMs: number;
	revenueUsd: number;
	costUsd: number;
	tokenRewardUsd: number;
	/** Sum of this epoch's margins, USD per hour (mean = / live). */
	marginSum: number;
	/** Sum of the smoothed margins, USD per hour. */
	ewmaSum: number;
	readonly ewmaByGpu: Float64Array;
	readonly liveByGpu: Float64Array;
	/** Busy ms of the live nodes of each GPU class (the class's utilisation), and joining ones. */
	readonly busyMsByGpu: Float64Array;
	/** Sum of the asks of each GPU class's live nodes, USD per GPU-hour (before re-asking). */
	readonly askSumByGpu: Float64Array;
	readonly joiningByGpu: Float64Array;
	/** Idle nodes that leave now (ids 0 … exitCount − 1); busy ones leave when their work ends. */
	exits: Int32Array;
	exitCount: number;
	/**
	 * Nodes not yet exited, in increasing id (entries 0 … trackedCount − 1): the pass visits
	 * these only, so the providers who left long ago cost nothing. Add nodes with `trackNode`.
	 */
	tracked: Int32Array;
	trackedCount: number;
	/**
	 * Token runs: the live nodes (not joining, not exited) with a reward weight above zero this
	 * epoch, in increasing id, entries 0 … rewardCount − 1, and each one's weight, position for
	 * position. Rewards are split over these only, not over every id ever created.
	 */
	rewardNodes: Int32Array;
	rewardWeight: Float64Array;
	rewardCount: number;
	/** Σ rewardWeight over the list, summed in list order. */
	rewardWeightTotal: number;
	/**
	 * Work rewards (params.collectWork): the nodes, in increasing id, that served value this
	 * epoch, entries 0 … workCount − 1, and that value, USD, position for position.
	 */
	workNodes: Int32Array;
	workUsd: Float64Array;
	workCount: number;
	/**
	 * Providers who left during the epoch, settled up to when they left: revenue (token reward
	 * included) and running cost, in `revenueUsd` and `costUsd` above; not in the live counts,
	 * busy time or margins. `nodes` (entries 0 … count − 1): those listed for work rewards, which
	 * are paid after they left.
	 */
	readonly leavers: { revenueUsd: number; costUsd: number; nodes: Int32Array; count: number };
	/** Live nodes (down ones included) and down nodes of each hosting kind (Hosting) this epoch. */
	readonly liveByHosting: Float64Array;
	readonly downByHosting: Float64Array;
}

/** Puts a new node on the books; ids must come in increasing order (the node table's). */
export function trackNode(books: EpochAccounting, node: number): void {
	if (books.trackedCount === books.tracked.length) books.tracked = grownArray(books.tracked, books.trackedCount * 2);
	books.tracked[books.trackedCount++] = node;
}

export function emptyEpochAccounting(gpuCount: number): EpochAccounting {
	return {
		active: 0,
		serving: 0,
		down: 0,
		joining: 0,
		live: 0,
		busyMs: 0,
		revenueUsd: 0,
		costUsd: 0,
		tokenRewardUsd: 0,
		marginSum: 0,
		ewmaSum: 0,
		ewmaByGpu: new Float64Array(gpuCount),
		liveByGpu: new Float64Array(gpuCount),
		busyMsByGpu: new Float64Array(gpuCount),
		askSumByGpu: new Float64Array(gpuCount),
		joiningByGpu: new Float64Array(gpuCount),
		exits: new Int32Array(64),
		exitCount: 0,
		tracked: new Int32Array(1024),
		trackedCount: 0,
		rewardNodes: new Int32Array(0),
		rewardWeight: new Float64Array(0),
		rewardCount: 0,
		rewardWeightTotal: 0,
		workNodes: new Int32Array(0),
		workUsd: new Float64Array(0),
		workCount: 0,
		leavers: { revenueUsd: 0, costUsd: 0, nodes: new Int32Array(16), count: 0 },
		liveByHosting: new Float64Array(HOSTING_KINDS),
		downByHosting: new Float64Array(HOSTING_KINDS),
	};
}

/**
 * Closes the epoch's books for every node into `out` (reused between epochs): accrues running
 * leases up to the epoch's end, charges each node's running cost (its own constants), updates the smoothed margin and the
 * count of epochs below each provider's own threshold, marks those past their own patience as
 * leavers (`leaving` = 1), re-asks for market-policy providers, and resets the epoch's busy
 * time and revenue.
 */
export function accountEpoch(nodes: NodeTable, params: EpochAccountingParams, out: EpochAccounting): void {
	// Token runs: room for every tracked node in the list of reward nodes.
	if (params.tokens !== null && out.rewardNodes.length < out.trackedCount) {
		out.rewardNodes = new Int32Array(out.tracked.length);
		out.rewardWeight = new Float64Array(out.tracked.length);
	}
	if (params.collectWork && out.workNodes.length < out.trackedCount) {
		out.workNodes = new Int32Array(out.tracked.length);
		out.workUsd = new Float64Array(out.tracked.length);
	}
	// The class and hosting figures are written whole at the pass's end (storeClassSums, storeHosting).
	out.tokenRewardUsd = 0;
	out.exitCount = 0;
	out.rewardCount = 0;
	out.rewardWeightTotal = 0;
	out.workCount = 0;
	out.leavers.revenueUsd = 0;
	out.leavers.costUsd = 0;
	out.leavers.count = 0;
	accountTrackedNodes(nodes, params, out);
}

/**
 * The pass over the tracked nodes: runs of nodes still on the books (accountRun), and between
 * them the providers who left during the epoch (settleLeaver). Running sums live in `pass`.
 */
function accountTrackedNodes(nodes: NodeTable, params: EpochAccountingParams, out: EpochAccounting): void {
	// Room for every tracked node in the exits, so the hot loop never grows an array.
	if (out.exits.length < out.trackedCount) out.exits = new Int32Array(out.tracked.length);
	pass.reset();
	fillCostTable(params);
	const gpuCount = out.liveByGpu.length;
	if (classSums.length !== CLASS_SUMS * gpuCount) classSums = new Float64Array(CLASS_SUMS * gpuCount);
	classSums.fill(0);
	const { trackedCount } = out;
	for (let t = accountRun(nodes, params, out, 0); t < trackedCount; t = accountRun(nodes, params, out, t + 1))
		settleLeaver(nodes, params, out, out.tracked[t] as number);
	storeClassSums(out, gpuCount);
	out.trackedCount = pass.kept;
	storeSums(out, pass);
	storeHosting(out, pass);
}

/** The running sums of an epoch's pass, carried from one run of nodes to the next. */
class PassSums {
	/** Nodes kept in `tracked` so far (exited ones are dropped in place). */
	kept = 0;
	joining = 0;
	serving = 0;
	down = 0;
	live = 0;
	/** hosting is 0 (residential) or 1 (data centre): these count the data-centre nodes. */
	liveHosted = 0;
	downHosted = 0;
	busyMs = 0;
	revenueUsd = 0;
	costUsd = 0;
	marginSum = 0;
	ewmaSum = 0;
	reset(): void {
		this.storeCounts(0, 0, 0, 0, 0, 0, 0);
		this.storeSums(0, 0, 0, 0, 0);
	}
	storeCounts(
		kept: number,
		joining: number,
		serving: number,
		down: number,
		live: number,
		liveHosted: number,
		downHosted: number,
	): void {
		this.kept = kept;
		this.joining = joining;
		this.serving = serving;
		this.down = down;
		this.live = live;
		this.liveHosted = liveHosted;
		this.downHosted = downHosted;
	}
	storeSums(busyMs: number, revenueUsd: number, costUsd: number, marginSum: number, ewmaSum: number): void {
		this.busyMs = busyMs;
		this.revenueUsd = revenueUsd;
		this.costUsd = costUsd;
		this.marginSum = marginSum;
		this.ewmaSum = ewmaSum;
	}
}
const pass = new PassSums();

/**
 * Closes the books of tracked nodes from entry `from` on, up to the first that has exited (returned;
 * trackedCount: none). Speed: the loop makes no calls (helpers inline) and reads columns, constants
 * and the class sums from locals and one scratch array, not through objects; results unchanged.
 */
function accountRun(nodes: NodeTable, params: EpochAccountingParams, out: EpochAccounting, from: number): number {
	const { state: stateOf, gpu: gpuOf, hosting: hostingOf, busyMsInEpoch, revenueUsdInEpoch, powerUsdPerKwh } = nodes;
	const { ewmaMarginUsdPerHour, cumulativeMarginUsd, epochsBelowThreshold, leaving, bandwidthUsdInEpoch } = nodes;
	const { exitThresholdUsdPerHour, patienceEpochs, askUndercut, askUsdPerGpuHour } = nodes;
	const { startMs, endMs, tokens, ewmaWeight: weight, goingRateByGpu, raiseAboveUtilisation: raiseAt } = params;
	const collectWork = params.collectWork === true;
	const costs = costsByGpuHosting;
	const sums = classSums;
	// Imported constants as literals (their types check them): read through the imports, they would be loaded
	// again for every node.
	const hostingKinds: typeof HOSTING_KINDS = 2;
	const exited: typeof NodeState.exited = 4;
	const joiningState: typeof NodeState.joining = 0;
	const servingState: typeof NodeState.serving = 2;
	const downState: typeof NodeState.down = 3;
	const hours = (endMs - startMs) / MS_PER_HOUR;
	const epochMsLength = hours * MS_PER_HOUR;
	const perEpochMs = 1 / epochMsLength;
	const perHour = 1 / hours;
	const { tracked, trackedCount } = out;
	let { kept, joining, serving, down, live, liveHosted, downHosted, busyMs, revenueUsd, costUsd, marginSum, ewmaSum } =
		pass;
	let t = from;
	for (; t < trackedCount; t++) {
		const node = tracked[t] as number;
		const state = stateOf[node] as number;
		if (state === exited) break;
		tracked[kept++] = node;
		const gpuIndex = gpuOf[node] as number;
		if (state === joiningState) {
			joining++;
			countJoiner(out, sums, CLASS_SUMS * gpuIndex, node, revenueUsdInEpoch, collectWork);
			continue;
		}
		// The running lease's share of this epoch (the rest accrued when earlier leases ended).
		if (state === servingState) serving += accrueRunningLease(nodes, node, startMs, endMs, params.fiatShareToProvider);
		if (collectWork && (revenueUsdInEpoch[node] as number) > 0) listWork(out, node, revenueUsdInEpoch);
		const hosting = hostingOf[node] as number;
		const isDown = state === downState ? 1 : 0;
		live++;
		liveHosted += hosting;
		down += isDown;
		downHosted += isDown * hosting;
		const busy = busyMsInEpoch[node] as number;
		const utilisation = busy < epochMsLength ? busy * perEpochMs : 1;
		const k = 3 * (gpuIndex * hostingKinds + hosting);
		const powerPrice = powerUsdPerKwh[node] as number;
		const fixed = (costs[k] as number) * powerPrice + (costs[k + 2] as number);
		const perUtilisation = (costs[k + 1] as number) * powerPrice;
		const cost = (fixed + perUtilisation * utilisation) * hours + (bandwidthUsdInEpoch[node] as number);
		let revenue = revenueUsdInEpoch[node] as number;
		if (tokens !== null) revenue += payReward(out, tokens, node, isDown === 1, busy);
		const marginPerHour = (revenue - cost) * perHour;
		cumulativeMarginUsd[node] = (cumulativeMarginUsd[node] as number) + revenue - cost;
		const previous = ewmaMarginUsdPerHour[node] as number;
		const ewma = previous + weight * (marginPerHour - previous);
		ewmaMarginUsdPerHour[node] = ewma;
		const below = countBelow(epochsBelowThreshold, ewma < (exitThresholdUsdPerHour[node] as number), node);
		busyMs += busy;
		revenueUsd += revenue;
		costUsd += cost;
		marginSum += marginPerHour;
		ewmaSum += ewma;
		addToClass(sums, CLASS_SUMS * gpuIndex, ewma, busy, askUsdPerGpuHour[node] as number);
		// Market policy: re-ask from the class's going rate (NaN undercut: cost-plus).
		const undercut = askUndercut[node] as number;
		const goingRate = goingRateByGpu[gpuIndex] as number;
		if (!(Number.isNaN(undercut) || Number.isNaN(goingRate)))
			askUsdPerGpuHour[node] = reAsk(goingRate, undercut, utilisation >= raiseAt, fixed + perUtilisation);
		resetEpochColumns(busyMsInEpoch, revenueUsdInEpoch, bandwidthUsdInEpoch, node);
		// Hysteresis passed: the provider leaves now if idle, else when its work ends.
		if (below >= (patienceEpochs[node] as number) && leaving[node] === 0) markLeaver(out, leaving, node, state);
	}
	pass.storeCounts(kept, joining, serving, down, live, liveHosted, downHosted);
	pass.storeSums(busyMs, revenueUsd, costUsd, marginSum, ewmaSum);
	return t;
}

/** A serving node's running lease accrued up to the epoch's end (accrueLease); returns 1 (one node serving). */
function accrueRunningLease(
	nodes: NodeTable,
	node: number,
	startMs: number,
	endMs: number,
	fiatShareToProvider: number,
): number {
	accrueLease(nodes, node, startMs, endMs, fiatShareToProvider);
	return 1;
}

/** A joining node: counted in its class's sums (at `c`), and listed for work rewards if it served value this epoch. */
function countJoiner(
	out: EpochAccounting,
	sums: Float64Array,
	c: number,
	node: number,
	revenueUsdInEpoch: Float64Array,
	collectWork: boolean,
): void {
	sums[c + 4] = (sums[c + 4] as number) + 1;
	if (collectWork && (revenueUsdInEpoch[node] as number) > 0) listWork(out, node, revenueUsdInEpoch);
}

/** Sums of each GPU class in `classSums`, five by five: Σ ewma, live nodes, Σ busy ms, Σ ask, joining nodes. */
const CLASS_SUMS = 5;
let classSums = new Float64Array(0);

/**
 * The running-cost constants of each GPU class and hosting (index g · HOSTING_KINDS + h), three
 * by three: idle kW, busy kW, fixed USD per hour (one array for the hot loop instead of three).
 */
let costsByGpuHosting = new Float64Array(0);

function fillCostTable(params: EpochAccountingParams): void {
	const { idleKwByGpuHosting: idleKw, busyKwByGpuHosting: busyKw, fixedUsdPerHourByGpuHosting: fixedUsd } = params;
	const n = idleKw.length;
	if (costsByGpuHosting.length !== 3 * n) costsByGpuHosting = new Float64Array(3 * n);
	for (let k = 0; k < n; k++) {
		costsByGpuHosting[3 * k] = idleKw[k] as number;
		costsByGpuHosting[3 * k + 1] = busyKw[k] as number;
		costsByGpuHosting[3 * k + 2] = fixedUsd[k] as number;
	}
}

/** Zeroes what the node accrued this epoch (busy time, revenue, bandwidth bill) once its books are closed. */
function resetEpochColumns(
	busyMsInEpoch: Float32Array,
	revenueUsdInEpoch: Float64Array,
	bandwidthUsdInEpoch: Float64Array,
	node: number,
): void {
	busyMsInEpoch[node] = 0;
	revenueUsdInEpoch[node] = 0;
	bandwidthUsdInEpoch[node] = 0;
}

/** Epochs in a row the node's smoothed margin has been below its threshold, now (capped at 65,535). */
function countBelow(epochsBelowThreshold: Uint16Array, isBelow: boolean, node: number): number {
	const below = isBelow ? Math.min(65_535, (epochsBelowThreshold[node] as number) + 1) : 0;
	epochsBelowThreshold[node] = below;
	return below;
}

/**
 * A node that left during the epoch, settled into `out.leavers`: its revenue of the epoch (leases
 * served before leaving; listed for work rewards when above zero), last epoch's token reward, and
 * its running cost up to when it left (its `leaseEndMs`) with its bandwidth bill, into its
 * lifetime margin too. Its busy time is reset, not counted: it is no longer live, so it is not
 * in utilisation.
 */
function settleLeaver(nodes: NodeTable, params: EpochAccountingParams, out: EpochAccounting, node: number): void {
	const { revenueUsdInEpoch, busyMsInEpoch } = nodes;
	let revenue = revenueUsdInEpoch[node] as number;
	const { leavers } = out;
	if (params.collectWork && revenue > 0) {
		listWork(out, node, revenueUsdInEpoch);
		if (leavers.count === leavers.nodes.length) leavers.nodes = grownArray(leavers.nodes, leavers.count * 2);
		leavers.nodes[leavers.count++] = node;
	}
	if (params.tokens !== null) revenue += collectReward(out, params.tokens, node);
	let cost = nodes.bandwidthUsdInEpoch[node] as number;
	const liveMs = Math.min(params.endMs, nodes.leaseEndMs[node] as number) - params.startMs;
	if (liveMs > 0) {
		const k = (nodes.gpu[node] as number) * HOSTING_KINDS + (nodes.hosting[node] as number);
		const powerPrice = nodes.powerUsdPerKwh[node] as number;
		const fixed =
			(params.idleKwByGpuHosting[k] as number) * powerPrice + (params.fixedUsdPerHourByGpuHosting[k] as number);
		const perBusyHour = (params.busyKwByGpuHosting[k] as number) * powerPrice;
		cost += (fixed * liveMs + perBusyHour * (busyMsInEpoch[node] as number)) / MS_PER_HOUR;
	}
	leavers.costUsd += cost;
	leavers.revenueUsd += revenue;
	// Its payback counts the part-epoch too.
	nodes.cumulativeMarginUsd[node] = (nodes.cumulativeMarginUsd[node] as number) + revenue - cost;
	resetEpochColumns(busyMsInEpoch, nodes.revenueUsdInEpoch, nodes.bandwidthUsdInEpoch, node);
}

/** Lists `node` with the value it served this epoch (work rewards). */
function listWork(out: EpochAccounting, node: number, revenueUsdInEpoch: Float64Array): void {
	out.workNodes[out.workCount] = node;
	out.workUsd[out.workCount++] = revenueUsdInEpoch[node] as number;
}

/** Live and down counts by hosting, from the totals and the data-centre counts. */
function storeHosting(out: EpochAccounting, sums: PassSums): void {
	out.liveByHosting[Hosting.residential] = sums.live - sums.liveHosted;
	out.liveByHosting[Hosting.datacenter] = sums.liveHosted;
	out.downByHosting[Hosting.residential] = sums.down - sums.downHosted;
	out.downByHosting[Hosting.datacenter] = sums.downHosted;
}

/** A live node's figures added to its GPU class's sums (at `c` in the class sums). */
function addToClass(sums: Float64Array, c: number, ewma: number, busyMs: number, ask: number): void {
	sums[c] = (sums[c] as number) + ewma;
	sums[c + 1] = (sums[c + 1] as number) + 1;
	sums[c + 2] = (sums[c + 2] as number) + busyMs;
	sums[c + 3] = (sums[c + 3] as number) + ask;
}

/** The class sums into `out` (each added up from zero in node order, as if added there directly). */
function storeClassSums(out: EpochAccounting, gpuCount: number): void {
	for (let g = 0; g < gpuCount; g++) {
		const c = CLASS_SUMS * g;
		out.ewmaByGpu[g] = classSums[c] as number;
		out.liveByGpu[g] = classSums[c + 1] as number;
		out.busyMsByGpu[g] = classSums[c + 2] as number;
		out.askSumByGpu[g] = classSums[c + 3] as number;
		out.joiningByGpu[g] = classSums[c + 4] as number;
	}
}

/**
 * A market-policy provider's new ask (marketAskUsdPerGpuHour in providers.ts): under the class's
 * going rate when short of work, over it when busy, never under the running cost at full load.
 * Called only once there is a going rate (not NaN); without one the ask stays.
 */
function reAsk(goingRate: number, undercut: number, busy: boolean, floor: number): number {
	const ask = goingRate * (busy ? 1 + undercut : 1 - undercut);
	return Math.max(ask, floor);
}

/**
 * Token runs: the reward paid to `node` last epoch, in USD at today's price (counted in
 * `out.tokenRewardUsd`), and the node listed with its weight this epoch if above zero (one of
 * zero weight is paid nothing).
 */
function payReward(
	out: EpochAccounting,
	tokens: NonNullable<EpochAccountingParams["tokens"]>,
	node: number,
	isDown: boolean,
	busyMs: number,
): number {
	const rewardUsd = collectReward(out, tokens, node);
	const weight =
		tokens.weightPerBusyMs * busyMs +
		(isDown ? 0 : tokens.weightUptime) +
		(tokens.weightPerStakedUnit === 0 ? 0 : tokens.weightPerStakedUnit * (tokens.stakedUnits[node] ?? 0));
	if (weight > 0) {
		out.rewardNodes[out.rewardCount] = node;
		out.rewardWeight[out.rewardCount++] = weight;
		out.rewardWeightTotal += weight;
	}
	return rewardUsd;
}

/** The reward paid to `node` last epoch, USD at today's price: read, zeroed and counted in `out.tokenRewardUsd`. */
function collectReward(
	out: EpochAccounting,
	tokens: NonNullable<EpochAccountingParams["tokens"]>,
	node: number,
): number {
	const rewardUsd = (tokens.rewardPaidUnits[node] as number) * tokens.usdPerUnit;
	tokens.rewardPaidUnits[node] = 0;
	out.tokenRewardUsd += rewardUsd;
	return rewardUsd;
}

/** Marks a leaver; an idle one leaves now (listed in `exits`), a busy one when its work ends. */
function markLeaver(out: EpochAccounting, leaving: Uint8Array, node: number, state: number): void {
	leaving[node] = 1;
	// accountTrackedNodes made room for every tracked node.
	if (state === NodeState.idle) out.exits[out.exitCount++] = node;
}

/** The pass's sums and counts into `out`, the leavers' settled revenue and cost added. */
function storeSums(out: EpochAccounting, sums: PassSums): void {
	out.joining = sums.joining;
	out.serving = sums.serving;
	out.down = sums.down;
	out.active = sums.live - sums.down;
	out.live = sums.live;
	out.busyMs = sums.busyMs;
	out.revenueUsd = sums.revenueUsd + out.leavers.revenueUsd;
	out.costUsd = sums.costUsd + out.leavers.costUsd;
	out.marginSum = sums.marginSum;
	out.ewmaSum = sums.ewmaSum;
}
