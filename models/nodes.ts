/**
 * The node population as struct-of-arrays (one typed array per attribute, as bitECS lays out
 * entities), sized for 100k+ nodes, and the index of idle capacity by (GPU class, metro) that
 * lets the market draw the nearest idle nodes without scanning the population.
 *
 * Life cycle of a node: JOINING (hardware on its way) → IDLE ⇄ SERVING (leased); a failure or
 * an outage takes it DOWN until repaired; EXITED is final (the provider left). Node ids are
 * never reused, so an id in a timeseries or a trace always means the same node.
 */

import { grownArray } from "../sim/typed-arrays.js";
import { WasmArena } from "../sim/wasm-arena.js";

export const NodeState = {
	joining: 0,
	idle: 1,
	serving: 2,
	down: 3,
	exited: 4,
} as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

export const NO_JOB = -1;

/**
 * Where a node is hosted (`NodeTable.hosting`): residential nodes sit on an access network (their
 * metro's last mile counts in a user's round trip, models/geo.ts), data-centre nodes on a backbone.
 */
export const Hosting = { residential: 0, datacenter: 1 } as const;
export type Hosting = (typeof Hosting)[keyof typeof Hosting];

/** Causes that hold a node down, bits of `NodeTable.failed` (a node is up when it is 0 and no outage covers it). */
export const DownCause = { hardware: 1, power: 2, network: 4 } as const;
export type DownCause = (typeof DownCause)[keyof typeof DownCause];

type Column = Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array;

export class NodeTable {
	/** Number of nodes ever created (ids 0 … count − 1). */
	count = 0;
	private capacity: number;
	/** Index of the GPU class in the catalogue. */
	gpu: Uint8Array;
	/** Index of the metro in the catalogue. */
	metro: Uint16Array;
	state: Uint8Array;
	/** Price the provider asks, USD per GPU-hour. */
	askUsdPerGpuHour: Float32Array;
	/** Time the node joined (or will join), ms. */
	joinedAtMs: Float64Array;
	/** Job being served, NO_JOB, or a replica marker (≤ −2). */
	job: Int32Array;
	/** Next node of the same multi-GPU job, or −1. */
	nextInJob: Int32Array;
	/** Engine handle of the pending lease-end event (−1: none). */
	leaseEndHandle: Float64Array;
	/** Start of the current lease (serving begins), ms. */
	leaseStartMs: Float64Array;
	/** End of the current lease, ms. */
	leaseEndMs: Float64Array;
	/** Price of the current lease, USD per GPU-hour (what the tenant pays, before the take rate). */
	leasePriceUsdPerGpuHour: Float32Array;
	/** Busy ms accrued in the current epoch. */
	busyMsInEpoch: Float32Array;
	/** Revenue accrued in the current epoch, USD (net of the take rate): the value work rewards are minted on. */
	revenueUsdInEpoch: Float64Array;
	/** The provider's transit bill for the results its jobs sent back this epoch, USD: an operating cost. */
	bandwidthUsdInEpoch: Float64Array;
	/** Lifetime operating margin (revenue − running costs), USD: what pays back the capex. */
	cumulativeMarginUsd: Float64Array;
	/** Smoothed operating margin, USD per GPU-hour. */
	ewmaMarginUsdPerHour: Float32Array;
	/** Consecutive epochs with the smoothed margin below the exit threshold (saturates at 65,535). */
	epochsBelowThreshold: Uint16Array;
	/** Share of leases completed without interruption (a reputation score in [0, 1]). */
	reputation: Float32Array;
	/** 1 while a correlated outage holds the node down. */
	inOutage: Uint8Array;
	/** Causes holding the node down (bits of DownCause: hardware failure, site power or network outage); 0: none. */
	failed: Uint8Array;
	/** 1 when the provider decided to leave (takes effect when the current lease ends). */
	leaving: Uint8Array;
	/** 1 when the provider fakes work (verification's target). */
	dishonest: Uint8Array;
	/** Time of the node's next scheduled down event (failure or site outage), ms; Infinity: none in the horizon. */
	nextDownMs: Float64Array;
	/** Hosting of the node (Hosting: 0 residential, 1 data centre). */
	hosting: Uint8Array;
	/** Speed of the node's link for moving job data in, Gbit/s. */
	linkGbps: Float32Array;
	/** The provider's own draws (providers.ts): electricity price, USD per kWh. */
	powerUsdPerKwh: Float32Array;
	/** A smoothed margin below this counts towards exit, USD per GPU-hour. */
	exitThresholdUsdPerHour: Float32Array;
	/** Epochs below the threshold after which the provider leaves (≥ 1). */
	patienceEpochs: Uint16Array;
	/** Market ask policy: how far under (idle) or over (busy) the clearing price it asks; NaN: cost-plus. */
	askUndercut: Float32Array;

	/**
	 * The memory every column lives in, which the compiled books kernel reads
	 * (provider-accounting.ts); arrays indexed by node that the kernel also reads come from it too.
	 */
	readonly arena: WasmArena;

	constructor(initialCapacity = 1024) {
		this.capacity = Math.max(16, Math.ceil(initialCapacity));
		const n = this.capacity;
		// Room for the columns (< 128 bytes a node) and the books' per-node arrays, grown once.
		const arena = new WasmArena(n * 256);
		this.arena = arena;
		this.gpu = arena.alloc(Uint8Array, n);
		this.metro = arena.alloc(Uint16Array, n);
		this.state = arena.alloc(Uint8Array, n);
		this.askUsdPerGpuHour = arena.alloc(Float32Array, n);
		this.joinedAtMs = arena.alloc(Float64Array, n);
		this.job = arena.alloc(Int32Array, n);
		this.nextInJob = arena.alloc(Int32Array, n);
		this.leaseEndHandle = arena.alloc(Float64Array, n);
		this.leaseStartMs = arena.alloc(Float64Array, n);
		this.leaseEndMs = arena.alloc(Float64Array, n);
		this.leasePriceUsdPerGpuHour = arena.alloc(Float32Array, n);
		this.busyMsInEpoch = arena.alloc(Float32Array, n);
		this.revenueUsdInEpoch = arena.alloc(Float64Array, n);
		this.bandwidthUsdInEpoch = arena.alloc(Float64Array, n);
		this.cumulativeMarginUsd = arena.alloc(Float64Array, n);
		this.ewmaMarginUsdPerHour = arena.alloc(Float32Array, n);
		this.epochsBelowThreshold = arena.alloc(Uint16Array, n);
		this.reputation = arena.alloc(Float32Array, n);
		this.inOutage = arena.alloc(Uint8Array, n);
		this.failed = arena.alloc(Uint8Array, n);
		this.leaving = arena.alloc(Uint8Array, n);
		this.dishonest = arena.alloc(Uint8Array, n);
		this.nextDownMs = arena.alloc(Float64Array, n);
		this.hosting = arena.alloc(Uint8Array, n);
		this.linkGbps = arena.alloc(Float32Array, n);
		this.powerUsdPerKwh = arena.alloc(Float32Array, n);
		this.exitThresholdUsdPerHour = arena.alloc(Float32Array, n);
		this.patienceEpochs = arena.alloc(Uint16Array, n);
		this.askUndercut = arena.alloc(Float32Array, n);
	}

	/** Adds a node and returns its id. */
	add(gpu: number, metro: number, state: NodeState, joinedAtMs: number, askUsdPerGpuHour: number): number {
		if (this.count === this.capacity) this.grow();
		const id = this.count++;
		this.gpu[id] = gpu;
		this.metro[id] = metro;
		this.state[id] = state;
		this.joinedAtMs[id] = joinedAtMs;
		this.askUsdPerGpuHour[id] = askUsdPerGpuHour;
		this.job[id] = NO_JOB;
		this.nextInJob[id] = -1;
		this.leaseEndHandle[id] = -1;
		this.nextDownMs[id] = Number.POSITIVE_INFINITY;
		this.hosting[id] = Hosting.residential;
		this.linkGbps[id] = 1;
		this.reputation[id] = 1;
		// One provider's defaults until it draws its own (createNode): never leaves, cost-plus.
		this.patienceEpochs[id] = 65_535;
		this.askUndercut[id] = Number.NaN;
		return id;
	}

	/** The per-node columns (every typed array of the table). */
	private columns(): [string, Column][] {
		return Object.entries(this).filter((entry): entry is [string, Column] => ArrayBuffer.isView(entry[1]));
	}

	/** Bytes held per node slot, summed over the columns (the memory budget: ≤ 112). */
	get bytesPerNode(): number {
		return this.columns().reduce((sum, [, column]) => sum + column.BYTES_PER_ELEMENT, 0);
	}

	private grow(): void {
		const capacity = this.capacity * 2;
		const self = this as unknown as Record<string, Column>;
		for (const [name, column] of this.columns()) self[name] = this.arena.grown(column, capacity);
		this.capacity = capacity;
	}
}

/**
 * Idle nodes indexed by (GPU class, metro): a bucket per pair, swap-remove in O(1), and idle
 * counts per metro and per GPU class so that a search skips empty metros and gives up at once
 * when no eligible GPU is idle anywhere.
 *
 * Every bucket is a run of one typed array (`slab`): bucket b holds slab[bucketStart[b] …
 * bucketStart[b] + bucketLength[b]), in the order an array with push and swap-remove would.
 * A full bucket moves to the slab's end with twice the room, so the market's nearest-first walk
 * reads node ids from a few contiguous runs rather than from an array object per bucket.
 */
export class IdleIndex {
	/** Node ids, bucket by bucket (the room past a bucket's length is unused). */
	slab = new Int32Array(1024);
	/** Where bucket gpu × metroCount + metro starts in `slab`. */
	readonly bucketStart: Int32Array;
	/** Idle nodes in each bucket. */
	readonly bucketLength: Int32Array;
	private readonly bucketRoom: Int32Array;
	/** Slab entries handed to buckets so far (those of a moved bucket stay behind, unused). */
	private slabUsed = 0;
	private position: Int32Array;
	readonly idleByMetro: Int32Array;
	readonly idleByGpu: Int32Array;
	/**
	 * Bit g of idleGpuMaskByMetro[m] is set while class g (< 32) has an idle node in metro m: the
	 * single-GPU auction visits only a metro's non-empty eligible buckets (null beyond 32 classes).
	 */
	readonly idleGpuMaskByMetro: Int32Array | null;
	size = 0;

	constructor(
		readonly gpuCount: number,
		readonly metroCount: number,
	) {
		this.bucketStart = new Int32Array(gpuCount * metroCount);
		this.bucketLength = new Int32Array(gpuCount * metroCount);
		this.bucketRoom = new Int32Array(gpuCount * metroCount);
		this.position = new Int32Array(1024).fill(-1);
		this.idleByMetro = new Int32Array(metroCount);
		this.idleByGpu = new Int32Array(gpuCount);
		this.idleGpuMaskByMetro = gpuCount <= 32 ? new Int32Array(metroCount) : null;
	}

	/** The idle nodes of (gpu, metro) in bucket order: a copy, for tests and checks (the market reads the slab). */
	bucket(gpu: number, metro: number): number[] {
		const b = gpu * this.metroCount + metro;
		const start = this.bucketStart[b] as number;
		return Array.from(this.slab.subarray(start, start + (this.bucketLength[b] as number)));
	}

	has(node: number): boolean {
		return node < this.position.length && (this.position[node] as number) >= 0;
	}

	add(node: number, gpu: number, metro: number): void {
		if (node >= this.position.length) {
			const bigger = new Int32Array(Math.max(node + 1, this.position.length * 2)).fill(-1);
			bigger.set(this.position);
			this.position = bigger;
		}
		if ((this.position[node] as number) >= 0) throw new Error(`node ${node} is already idle`);
		const b = gpu * this.metroCount + metro;
		const length = this.bucketLength[b] as number;
		if (length === this.bucketRoom[b]) this.moveBucket(b);
		this.slab[(this.bucketStart[b] as number) + length] = node;
		this.position[node] = length;
		this.bucketLength[b] = length + 1;
		if (length === 0 && this.idleGpuMaskByMetro !== null) {
			this.idleGpuMaskByMetro[metro] = (this.idleGpuMaskByMetro[metro] as number) | (1 << gpu);
		}
		this.idleByMetro[metro] = (this.idleByMetro[metro] as number) + 1;
		this.idleByGpu[gpu] = (this.idleByGpu[gpu] as number) + 1;
		this.size++;
	}

	remove(node: number, gpu: number, metro: number): void {
		const at = this.position[node] ?? -1;
		if (at < 0) throw new Error(`node ${node} is not idle`);
		const b = gpu * this.metroCount + metro;
		const start = this.bucketStart[b] as number;
		const lastAt = (this.bucketLength[b] as number) - 1;
		const last = this.slab[start + lastAt] as number;
		if (last !== node) {
			this.slab[start + at] = last;
			this.position[last] = at;
		}
		this.bucketLength[b] = lastAt;
		this.position[node] = -1;
		if (lastAt === 0 && this.idleGpuMaskByMetro !== null) {
			this.idleGpuMaskByMetro[metro] = (this.idleGpuMaskByMetro[metro] as number) & ~(1 << gpu);
		}
		this.idleByMetro[metro] = (this.idleByMetro[metro] as number) - 1;
		this.idleByGpu[gpu] = (this.idleByGpu[gpu] as number) - 1;
		this.size--;
	}

	/** Moves full bucket `b` to the slab's end with twice its room (the slab grows as needed). */
	private moveBucket(b: number): void {
		const length = this.bucketLength[b] as number;
		const room = Math.max(4, 2 * (this.bucketRoom[b] as number));
		if (this.slabUsed + room > this.slab.length)
			this.slab = grownArray(this.slab, Math.max(2 * this.slab.length, this.slabUsed + room));
		const from = this.bucketStart[b] as number;
		this.slab.copyWithin(this.slabUsed, from, from + length);
		this.bucketStart[b] = this.slabUsed;
		this.bucketRoom[b] = room;
		this.slabUsed += room;
	}
}
