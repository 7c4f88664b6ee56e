/**
 * The providers' books at the end of an epoch: every live node's busy time, revenue, running
 * cost and smoothed margin, and who has now been below the exit threshold long enough to leave.
 *
 * One pass over the node table, the only per-node work an epoch does. Its loop is a WebAssembly
 * kernel (kernels/books.ts, AssemblyScript, compiled into ./kernels/books-wasm.ts) that reads the
 * node table's columns in place, in the table's arena (sim/wasm-arena.ts): in a year of base,
 * about 57 million node-epochs at 29–33 ns each instead of 54–57 ns as a TypeScript loop. This file
 * keeps what the kernel does not: the frames it is handed, the providers who left during the
 * epoch (settleLeaver), and the sums it leaves. The network model (network/epoch.ts) applies
 * the result: it exits the nodes listed and records the sums.
 */
import { grownArray, type NumericArray } from "../sim/typed-arrays.js";
import type { WasmArena } from "../sim/wasm-arena.js";
import { HOSTING_KINDS } from "./geo.js";
import { BOOKS_WASM_BASE64 } from "./kernels/books-wasm.js";
import { Hosting, type NodeTable } from "./nodes.js";
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
	/** The node table's arena, where the lists above live once an epoch has closed (null before). */
	arena: WasmArena | null;
}

/** Puts a new node on the books; ids must come in increasing order (the node table's). */
export function trackNode(books: EpochAccounting, node: number): void {
	if (books.trackedCount === books.tracked.length) {
		const length = books.trackedCount * 2;
		books.tracked = books.arena === null ? grownArray(books.tracked, length) : books.arena.grown(books.tracked, length);
	}
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
		arena: null,
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
	resetEpochCounts(out);
	accountTrackedNodes(nodes, params, out);
}

/**
 * Zeroes the books' running counts and the leavers' sums before a pass. The class and hosting
 * figures and the sums are not: the pass writes them whole at its end.
 */
export function resetEpochCounts(out: EpochAccounting): void {
	out.tokenRewardUsd = 0;
	out.exitCount = 0;
	out.rewardCount = 0;
	out.rewardWeightTotal = 0;
	out.workCount = 0;
	out.leavers.revenueUsd = 0;
	out.leavers.costUsd = 0;
	out.leavers.count = 0;
}

/**
 * The pass over the tracked nodes: runs of nodes still on the books (the compiled kernel's
 * accountRun), and between them the providers who left during the epoch (settleLeaver, here).
 * The running sums live in the kernel's frame from one run to the next.
 */
function accountTrackedNodes(nodes: NodeTable, params: EpochAccountingParams, out: EpochAccounting): void {
	const kernel = booksKernel(nodes.arena);
	// The books' lists in the kernel's memory, with room for every tracked node (no growth in the pass).
	adoptLists(out, nodes.arena, params);
	const tokens = stageTokens(kernel, nodes.arena, params.tokens, nodes.count);
	fillFrame(kernel, nodes, params, out, tokens);
	const { ints, floats } = kernel;
	const run = (from: number): number => {
		try {
			return kernel.accountRun(ints.byteOffset, floats.byteOffset, from);
		} catch (error) {
			throw new RangeError("books kernel: a tracked node id, GPU class or hosting is out of range", { cause: error });
		}
	};
	const { trackedCount } = out;
	for (let t = run(0); t < trackedCount; t = run(t + 1)) {
		readCounters(kernel, out);
		settleLeaver(nodes, params, out, out.tracked[t] as number, tokens);
		writeCounters(kernel, out);
	}
	readCounters(kernel, out);
	if (tokens !== null && params.tokens !== null && tokens.rewardPaidUnits !== params.tokens.rewardPaidUnits)
		params.tokens.rewardPaidUnits.set(tokens.rewardPaidUnits.subarray(0, params.tokens.rewardPaidUnits.length));
	storeClassSums(out, kernel.classSums);
	out.trackedCount = ints[BOOKS_INTS.kept] as number;
	storeSums(out, kernel);
	storeHosting(out, ints);
}

/**
 * Slots of the kernel's two frames. Ints: the arrays' byte offsets, integer constants, the running
 * counts. Floats: the epoch's constants, the running sums. Must match the slot constants of kernels/books.ts.
 */
export const BOOKS_INTS = {
	tracked: 0,
	state: 1,
	gpu: 2,
	hosting: 3,
	busyMsInEpoch: 4,
	revenueUsdInEpoch: 5,
	powerUsdPerKwh: 6,
	ewmaMarginUsdPerHour: 7,
	cumulativeMarginUsd: 8,
	epochsBelowThreshold: 9,
	leaving: 10,
	bandwidthUsdInEpoch: 11,
	exitThresholdUsdPerHour: 12,
	patienceEpochs: 13,
	askUndercut: 14,
	askUsdPerGpuHour: 15,
	leaseStartMs: 16,
	leaseEndMs: 17,
	leasePriceUsdPerGpuHour: 18,
	costs: 19,
	classSums: 20,
	goingRate: 21,
	exits: 22,
	rewardNodes: 23,
	rewardWeight: 24,
	workNodes: 25,
	workUsd: 26,
	rewardPaidUnits: 27,
	stakedUnits: 28,
	stakedLength: 29,
	trackedCount: 30,
	collectWork: 31,
	tokens: 32,
	kept: 33,
	joining: 34,
	serving: 35,
	down: 36,
	live: 37,
	liveHosted: 38,
	downHosted: 39,
	rewardCount: 40,
	workCount: 41,
	exitCount: 42,
	nodeCount: 43,
	gpuCount: 44,
} as const;
const BOOKS_INT_SLOTS = Object.keys(BOOKS_INTS).length;

export const BOOKS_FLOATS = {
	startMs: 0,
	endMs: 1,
	fiatShare: 2,
	hours: 3,
	epochMs: 4,
	perEpochMs: 5,
	perHour: 6,
	ewmaWeight: 7,
	raiseAt: 8,
	usdPerUnit: 9,
	weightPerBusyMs: 10,
	weightUptime: 11,
	weightPerStakedUnit: 12,
	sumBusyMs: 13,
	sumRevenue: 14,
	sumCost: 15,
	sumMargin: 16,
	sumEwma: 17,
	tokenRewardUsd: 18,
	rewardWeightTotal: 19,
} as const;
const BOOKS_FLOAT_SLOTS = Object.keys(BOOKS_FLOATS).length;

/** The books kernel bound to one arena, with its frame and the small tables it reads, in that arena. */
interface BooksKernel {
	readonly accountRun: (ints: number, floats: number, from: number) => number;
	readonly ints: Int32Array;
	readonly floats: Float64Array;
	/** Running-cost constants by (GPU class, hosting), three by three: idle kW, busy kW, fixed USD per hour. */
	costs: Float64Array;
	/** Sums of each GPU class, five by five: Σ ewma, live nodes, Σ busy ms, Σ ask, joining nodes. */
	classSums: Float64Array;
	goingRate: Float64Array;
	/** Copies of token arrays that lie outside the arena (tests; staking ledgers): grown as needed. */
	paidStage: Float64Array;
	stakedStage: Float64Array;
}

let booksModule: WebAssembly.Module | null = null;
const booksKernels = new WeakMap<WasmArena, BooksKernel>();

function booksKernel(arena: WasmArena): BooksKernel {
	const known = booksKernels.get(arena);
	if (known !== undefined) return known;
	booksModule ??= new WebAssembly.Module(Buffer.from(BOOKS_WASM_BASE64, "base64"));
	const instance = new WebAssembly.Instance(booksModule, { env: { memory: arena.memory } });
	const exports = instance.exports as { accountRun: BooksKernel["accountRun"]; frameSlots: () => number };
	const slots = BOOKS_INT_SLOTS * 1000 + BOOKS_FLOAT_SLOTS;
	if (exports.frameSlots() !== slots)
		throw new Error(`books kernel reads ${exports.frameSlots()} as ints · 1000 + floats slots, the table has ${slots}`);
	const kernel: BooksKernel = {
		accountRun: exports.accountRun,
		ints: arena.alloc(Int32Array, BOOKS_INT_SLOTS),
		floats: arena.alloc(Float64Array, BOOKS_FLOAT_SLOTS),
		costs: arena.alloc(Float64Array, 0),
		classSums: arena.alloc(Float64Array, 0),
		goingRate: arena.alloc(Float64Array, 0),
		paidStage: arena.alloc(Float64Array, 0),
		stakedStage: arena.alloc(Float64Array, 0),
	};
	booksKernels.set(arena, kernel);
	return kernel;
}

/** `values` if it lies in `arena` with at least `length` entries, else a copy there of that length. */
function inArena<T extends NumericArray>(arena: WasmArena, values: T, length: number): T {
	if (values.length >= length && arena.owns(values)) return values;
	return arena.grown(values, Math.max(length, values.length));
}

/** Moves the books' lists into the arena (once; trackNode then grows them there), each with room for every tracked node. */
function adoptLists(out: EpochAccounting, arena: WasmArena, params: EpochAccountingParams): void {
	out.arena = arena;
	const room = out.tracked.length;
	out.tracked = inArena(arena, out.tracked, room);
	out.exits = inArena(arena, out.exits, room);
	if (params.tokens !== null) {
		out.rewardNodes = inArena(arena, out.rewardNodes, room);
		out.rewardWeight = inArena(arena, out.rewardWeight, room);
	}
	if (params.collectWork) {
		out.workNodes = inArena(arena, out.workNodes, room);
		out.workUsd = inArena(arena, out.workUsd, room);
	}
}

/**
 * The token arrays the kernel reads, in the arena: as given when they lie there, else staged
 * copies (the reward paid, which the pass zeroes, is copied back after it).
 */
function stageTokens(
	kernel: BooksKernel,
	arena: WasmArena,
	tokens: EpochAccountingParams["tokens"],
	nodeCount: number,
): EpochAccountingParams["tokens"] {
	if (tokens === null) return null;
	let { rewardPaidUnits, stakedUnits } = tokens;
	// The kernel reads and zeroes the reward of every tracked node, unchecked: the array must cover them.
	if (rewardPaidUnits.length < nodeCount)
		throw new RangeError(`rewardPaidUnits holds ${rewardPaidUnits.length} nodes, the table ${nodeCount}`);
	if (!arena.owns(rewardPaidUnits)) {
		kernel.paidStage = staged(arena, kernel.paidStage, rewardPaidUnits);
		rewardPaidUnits = kernel.paidStage.subarray(0, rewardPaidUnits.length);
	}
	if (tokens.weightPerStakedUnit !== 0 && !arena.owns(stakedUnits)) {
		kernel.stakedStage = staged(arena, kernel.stakedStage, stakedUnits);
		stakedUnits = kernel.stakedStage.subarray(0, stakedUnits.length);
	}
	return { ...tokens, rewardPaidUnits, stakedUnits };
}

/** `values` copied to the start of `stage`, which is replaced by a longer one in the arena when short; returns the stage. */
function staged(arena: WasmArena, stage: Float64Array, values: Float64Array): Float64Array {
	const room = stage.length < values.length ? arena.alloc(Float64Array, values.length) : stage;
	room.set(values);
	return room;
}

/** The kernel's frames for this epoch: the arrays' byte offsets, the constants, and zero sums. */
function fillFrame(
	kernel: BooksKernel,
	nodes: NodeTable,
	params: EpochAccountingParams,
	out: EpochAccounting,
	tokens: EpochAccountingParams["tokens"],
): void {
	const gpuCount = out.liveByGpu.length;
	fillTables(kernel, nodes.arena, params, gpuCount);
	const { ints, floats } = kernel;
	const I = BOOKS_INTS;
	const offsets: [number, NumericArray][] = [
		[I.tracked, out.tracked],
		[I.state, nodes.state],
		[I.gpu, nodes.gpu],
		[I.hosting, nodes.hosting],
		[I.busyMsInEpoch, nodes.busyMsInEpoch],
		[I.revenueUsdInEpoch, nodes.revenueUsdInEpoch],
		[I.powerUsdPerKwh, nodes.powerUsdPerKwh],
		[I.ewmaMarginUsdPerHour, nodes.ewmaMarginUsdPerHour],
		[I.cumulativeMarginUsd, nodes.cumulativeMarginUsd],
		[I.epochsBelowThreshold, nodes.epochsBelowThreshold],
		[I.leaving, nodes.leaving],
		[I.bandwidthUsdInEpoch, nodes.bandwidthUsdInEpoch],
		[I.exitThresholdUsdPerHour, nodes.exitThresholdUsdPerHour],
		[I.patienceEpochs, nodes.patienceEpochs],
		[I.askUndercut, nodes.askUndercut],
		[I.askUsdPerGpuHour, nodes.askUsdPerGpuHour],
		[I.leaseStartMs, nodes.leaseStartMs],
		[I.leaseEndMs, nodes.leaseEndMs],
		[I.leasePriceUsdPerGpuHour, nodes.leasePriceUsdPerGpuHour],
		[I.costs, kernel.costs],
		[I.classSums, kernel.classSums],
		[I.goingRate, kernel.goingRate],
		[I.exits, out.exits],
	];
	// The reward and work lists only when the pass writes them (else they may be any empty array).
	if (tokens !== null) offsets.push([I.rewardNodes, out.rewardNodes], [I.rewardWeight, out.rewardWeight]);
	else ints.fill(0, I.rewardNodes, I.rewardWeight + 1);
	if (params.collectWork) offsets.push([I.workNodes, out.workNodes], [I.workUsd, out.workUsd]);
	else ints.fill(0, I.workNodes, I.workUsd + 1);
	// The kernel reads and writes without bounds checks: every array must lie in the arena, and
	// each node column cover the table (an array from elsewhere would alias the arena's memory).
	const arena = nodes.arena;
	for (const [slot, values] of offsets) {
		if (!arena.owns(values)) throw new RangeError(`books kernel: array of frame slot ${slot} is outside the arena`);
		const isNodeColumn = slot >= I.state && slot <= I.leasePriceUsdPerGpuHour;
		if (isNodeColumn && values.length < nodes.count)
			throw new RangeError(`books kernel: column of slot ${slot} is shorter than the table`);
		ints[slot] = values.byteOffset;
	}
	ints[I.nodeCount] = nodes.count;
	ints[I.gpuCount] = gpuCount;
	ints[I.trackedCount] = out.trackedCount;
	ints[I.collectWork] = params.collectWork === true ? 1 : 0;
	ints[I.tokens] = tokens === null ? 0 : 1;
	ints[I.rewardPaidUnits] = tokens === null ? 0 : tokens.rewardPaidUnits.byteOffset;
	// No stake weight: the stakes are never read.
	const readsStakes = tokens !== null && tokens.weightPerStakedUnit !== 0;
	ints[I.stakedUnits] = readsStakes ? tokens.stakedUnits.byteOffset : 0;
	ints[I.stakedLength] = readsStakes ? tokens.stakedUnits.length : 0;
	ints.fill(0, I.kept, I.rewardCount);
	fillEpochConstants(floats, params);
	floats[BOOKS_FLOATS.usdPerUnit] = tokens?.usdPerUnit ?? 0;
	floats[BOOKS_FLOATS.weightPerBusyMs] = tokens?.weightPerBusyMs ?? 0;
	floats[BOOKS_FLOATS.weightUptime] = tokens?.weightUptime ?? 0;
	floats[BOOKS_FLOATS.weightPerStakedUnit] = tokens?.weightPerStakedUnit ?? 0;
	floats.fill(0, BOOKS_FLOATS.sumBusyMs, BOOKS_FLOATS.tokenRewardUsd);
	writeCounters(kernel, out);
}

/** The epoch's constants, computed as the TypeScript pass did (hours, the epoch's length and their inverses). */
function fillEpochConstants(floats: Float64Array, params: EpochAccountingParams): void {
	const F = BOOKS_FLOATS;
	const hours = (params.endMs - params.startMs) / MS_PER_HOUR;
	const epochMsLength = hours * MS_PER_HOUR;
	floats[F.startMs] = params.startMs;
	floats[F.endMs] = params.endMs;
	floats[F.fiatShare] = params.fiatShareToProvider;
	floats[F.hours] = hours;
	floats[F.epochMs] = epochMsLength;
	floats[F.perEpochMs] = 1 / epochMsLength;
	floats[F.perHour] = 1 / hours;
	floats[F.ewmaWeight] = params.ewmaWeight;
	floats[F.raiseAt] = params.raiseAboveUtilisation;
}

/** The running-cost table, the going rates and zeroed class sums, in the kernel's arrays. */
function fillTables(kernel: BooksKernel, arena: WasmArena, params: EpochAccountingParams, gpuCount: number): void {
	const { idleKwByGpuHosting: idleKw, busyKwByGpuHosting: busyKw, fixedUsdPerHourByGpuHosting: fixedUsd } = params;
	const n = idleKw.length;
	// The kernel indexes these by GPU class without bounds checks.
	if (Math.min(n, busyKw.length, fixedUsd.length) < HOSTING_KINDS * gpuCount || params.goingRateByGpu.length < gpuCount)
		throw new RangeError(`books kernel: cost tables or going rates shorter than ${gpuCount} GPU classes`);
	if (kernel.costs.length < 3 * n) kernel.costs = arena.alloc(Float64Array, 3 * n);
	for (let k = 0; k < n; k++) {
		kernel.costs[3 * k] = idleKw[k] as number;
		kernel.costs[3 * k + 1] = busyKw[k] as number;
		kernel.costs[3 * k + 2] = fixedUsd[k] as number;
	}
	if (kernel.classSums.length < CLASS_SUMS * gpuCount)
		kernel.classSums = arena.alloc(Float64Array, CLASS_SUMS * gpuCount);
	kernel.classSums.fill(0);
	if (kernel.goingRate.length < gpuCount) kernel.goingRate = arena.alloc(Float64Array, gpuCount);
	kernel.goingRate.set(params.goingRateByGpu.subarray(0, gpuCount));
}

/** The counts and sums that settleLeaver also moves, from the books into the frames and back. */
function writeCounters(kernel: BooksKernel, out: EpochAccounting): void {
	kernel.floats[BOOKS_FLOATS.tokenRewardUsd] = out.tokenRewardUsd;
	kernel.floats[BOOKS_FLOATS.rewardWeightTotal] = out.rewardWeightTotal;
	kernel.ints[BOOKS_INTS.rewardCount] = out.rewardCount;
	kernel.ints[BOOKS_INTS.workCount] = out.workCount;
	kernel.ints[BOOKS_INTS.exitCount] = out.exitCount;
}

function readCounters(kernel: BooksKernel, out: EpochAccounting): void {
	out.tokenRewardUsd = kernel.floats[BOOKS_FLOATS.tokenRewardUsd] as number;
	out.rewardWeightTotal = kernel.floats[BOOKS_FLOATS.rewardWeightTotal] as number;
	out.rewardCount = kernel.ints[BOOKS_INTS.rewardCount] as number;
	out.workCount = kernel.ints[BOOKS_INTS.workCount] as number;
	out.exitCount = kernel.ints[BOOKS_INTS.exitCount] as number;
}

/** Sums of each GPU class in the class sums, five by five: Σ ewma, live nodes, Σ busy ms, Σ ask, joining nodes. */
const CLASS_SUMS = 5;

/**
 * A node that left during the epoch, settled into `out.leavers`: its revenue of the epoch (leases
 * served before leaving; listed for work rewards when above zero), last epoch's token reward, and
 * its running cost up to when it left (its `leaseEndMs`) with its bandwidth bill, into its
 * lifetime margin too. Its busy time is reset, not counted: it is no longer live, so it is not
 * in utilisation.
 */
export function settleLeaver(
	nodes: NodeTable,
	params: EpochAccountingParams,
	out: EpochAccounting,
	node: number,
	tokens: EpochAccountingParams["tokens"],
): void {
	const { revenueUsdInEpoch, busyMsInEpoch } = nodes;
	let revenue = revenueUsdInEpoch[node] as number;
	const { leavers } = out;
	if (params.collectWork && revenue > 0) {
		out.workNodes[out.workCount] = node;
		out.workUsd[out.workCount++] = revenue;
		if (leavers.count === leavers.nodes.length) leavers.nodes = grownArray(leavers.nodes, leavers.count * 2);
		leavers.nodes[leavers.count++] = node;
	}
	if (tokens !== null) revenue += collectReward(out, tokens, node);
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
	// What it accrued this epoch is settled.
	busyMsInEpoch[node] = 0;
	revenueUsdInEpoch[node] = 0;
	nodes.bandwidthUsdInEpoch[node] = 0;
}

/** Live and down counts by hosting, from the totals and the data-centre counts in the frame. */
function storeHosting(out: EpochAccounting, ints: Int32Array): void {
	const live = ints[BOOKS_INTS.live] as number;
	const down = ints[BOOKS_INTS.down] as number;
	const liveHosted = ints[BOOKS_INTS.liveHosted] as number;
	const downHosted = ints[BOOKS_INTS.downHosted] as number;
	out.liveByHosting[Hosting.residential] = live - liveHosted;
	out.liveByHosting[Hosting.datacenter] = liveHosted;
	out.downByHosting[Hosting.residential] = down - downHosted;
	out.downByHosting[Hosting.datacenter] = downHosted;
}

/** The class sums into `out` (each added up from zero in node order). */
function storeClassSums(out: EpochAccounting, classSums: Float64Array): void {
	for (let g = 0; g < out.liveByGpu.length; g++) {
		const c = CLASS_SUMS * g;
		out.ewmaByGpu[g] = classSums[c] as number;
		out.liveByGpu[g] = classSums[c + 1] as number;
		out.busyMsByGpu[g] = classSums[c + 2] as number;
		out.askSumByGpu[g] = classSums[c + 3] as number;
		out.joiningByGpu[g] = classSums[c + 4] as number;
	}
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

/** The pass's sums and counts (in the frame) into `out`, the leavers' settled revenue and cost added. */
function storeSums(out: EpochAccounting, kernel: BooksKernel): void {
	const { ints, floats } = kernel;
	const I = BOOKS_INTS;
	const F = BOOKS_FLOATS;
	const live = ints[I.live] as number;
	const down = ints[I.down] as number;
	out.joining = ints[I.joining] as number;
	out.serving = ints[I.serving] as number;
	out.down = down;
	out.active = live - down;
	out.live = live;
	out.busyMs = floats[F.sumBusyMs] as number;
	out.revenueUsd = (floats[F.sumRevenue] as number) + out.leavers.revenueUsd;
	out.costUsd = (floats[F.sumCost] as number) + out.leavers.costUsd;
	out.marginSum = floats[F.sumMargin] as number;
	out.ewmaSum = floats[F.sumEwma] as number;
}
