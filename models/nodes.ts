/**
 * The node population as struct-of-arrays (one typed array per attribute, as bitECS lays out
 * entities), sized for 100k+ nodes, and the index of idle capacity by (GPU class, metro) that
 * lets the market draw the nearest idle nodes without scanning the population.
 *
 * Life cycle of a node: JOINING (hardware on its way) → IDLE ⇄ SERVING (leased); a failure or
 * an outage takes it DOWN until repaired; EXITED is final (the provider left). Node ids are
 * never reused, so an id in a timeseries or a trace always means the same node.
 */

export const NodeState = {
	joining: 0,
	idle: 1,
	serving: 2,
	down: 3,
	exited: 4,
} as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

export const NO_JOB = -1;

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
	askUsdPerGpuHour: Float64Array;
	/** Amortised capex, USD per hour (counts for entry, sunk for exit). */
	capexUsdPerHour: Float64Array;
	/** Time the node joined (or will join), ms. */
	joinedAtMs: Float64Array;
	/** Job being served, or NO_JOB. */
	job: Int32Array;
	/** Next node of the same multi-GPU job, or −1. */
	nextInJob: Int32Array;
	/** Engine handle of the pending lease-end event. */
	leaseEndHandle: Float64Array;
	/** Start of the current lease (serving begins), ms. */
	leaseStartMs: Float64Array;
	/** End of the current lease, ms. */
	leaseEndMs: Float64Array;
	/** Price of the current lease, USD per GPU-hour (what the provider receives, net of take rate). */
	leasePriceUsdPerGpuHour: Float64Array;
	/** Busy ms accrued in the current epoch. */
	busyMsInEpoch: Float64Array;
	/** Revenue accrued in the current epoch, USD. */
	revenueUsdInEpoch: Float64Array;
	/** Lifetime revenue, USD. */
	revenueUsd: Float64Array;
	/** Lifetime operating cost, USD. */
	operatingCostUsd: Float64Array;
	/** Smoothed operating margin, USD per GPU-hour. */
	ewmaMarginUsdPerHour: Float64Array;
	/** Consecutive epochs with the smoothed margin below the exit threshold. */
	epochsBelowThreshold: Int32Array;
	/** Share of leases completed without interruption (a reputation score in [0, 1]). */
	reputation: Float32Array;
	/** 1 while a correlated outage holds the node down. */
	inOutage: Uint8Array;
	/** 1 while a hardware failure holds the node down. */
	failed: Uint8Array;
	/** 1 when the provider decided to leave (takes effect when the current lease ends). */
	leaving: Uint8Array;
	/** Engine handle of the node's next failure event. */
	failureHandle: Float64Array;

	constructor(initialCapacity = 1024) {
		this.capacity = Math.max(16, initialCapacity);
		this.gpu = new Uint8Array(this.capacity);
		this.metro = new Uint16Array(this.capacity);
		this.state = new Uint8Array(this.capacity);
		this.askUsdPerGpuHour = new Float64Array(this.capacity);
		this.capexUsdPerHour = new Float64Array(this.capacity);
		this.joinedAtMs = new Float64Array(this.capacity);
		this.job = new Int32Array(this.capacity);
		this.nextInJob = new Int32Array(this.capacity);
		this.leaseEndHandle = new Float64Array(this.capacity);
		this.leaseStartMs = new Float64Array(this.capacity);
		this.leaseEndMs = new Float64Array(this.capacity);
		this.leasePriceUsdPerGpuHour = new Float64Array(this.capacity);
		this.busyMsInEpoch = new Float64Array(this.capacity);
		this.revenueUsdInEpoch = new Float64Array(this.capacity);
		this.revenueUsd = new Float64Array(this.capacity);
		this.operatingCostUsd = new Float64Array(this.capacity);
		this.ewmaMarginUsdPerHour = new Float64Array(this.capacity);
		this.epochsBelowThreshold = new Int32Array(this.capacity);
		this.reputation = new Float32Array(this.capacity);
		this.inOutage = new Uint8Array(this.capacity);
		this.failed = new Uint8Array(this.capacity);
		this.leaving = new Uint8Array(this.capacity);
		this.failureHandle = new Float64Array(this.capacity);
	}

	/** Adds a node and returns its id. */
	add(
		gpu: number,
		metro: number,
		state: NodeState,
		joinedAtMs: number,
		askUsdPerGpuHour: number,
		capexUsdPerHour: number,
	): number {
		if (this.count === this.capacity) this.grow();
		const id = this.count++;
		this.gpu[id] = gpu;
		this.metro[id] = metro;
		this.state[id] = state;
		this.joinedAtMs[id] = joinedAtMs;
		this.askUsdPerGpuHour[id] = askUsdPerGpuHour;
		this.capexUsdPerHour[id] = capexUsdPerHour;
		this.job[id] = NO_JOB;
		this.nextInJob[id] = -1;
		this.leaseEndHandle[id] = -1;
		this.failureHandle[id] = -1;
		this.reputation[id] = 1;
		return id;
	}

	/** Bytes held per node slot (for the memory budget). */
	get bytesPerNode(): number {
		return 1 + 2 + 1 + 8 * 13 + 4 * 4 + 3;
	}

	private grow(): void {
		const capacity = this.capacity * 2;
		const grow = <T extends Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array>(
			from: T,
			make: (n: number) => T,
		): T => {
			const to = make(capacity);
			to.set(from as never);
			return to;
		};
		this.gpu = grow(this.gpu, (n) => new Uint8Array(n));
		this.metro = grow(this.metro, (n) => new Uint16Array(n));
		this.state = grow(this.state, (n) => new Uint8Array(n));
		this.askUsdPerGpuHour = grow(this.askUsdPerGpuHour, (n) => new Float64Array(n));
		this.capexUsdPerHour = grow(this.capexUsdPerHour, (n) => new Float64Array(n));
		this.joinedAtMs = grow(this.joinedAtMs, (n) => new Float64Array(n));
		this.job = grow(this.job, (n) => new Int32Array(n));
		this.nextInJob = grow(this.nextInJob, (n) => new Int32Array(n));
		this.leaseEndHandle = grow(this.leaseEndHandle, (n) => new Float64Array(n));
		this.leaseStartMs = grow(this.leaseStartMs, (n) => new Float64Array(n));
		this.leaseEndMs = grow(this.leaseEndMs, (n) => new Float64Array(n));
		this.leasePriceUsdPerGpuHour = grow(this.leasePriceUsdPerGpuHour, (n) => new Float64Array(n));
		this.busyMsInEpoch = grow(this.busyMsInEpoch, (n) => new Float64Array(n));
		this.revenueUsdInEpoch = grow(this.revenueUsdInEpoch, (n) => new Float64Array(n));
		this.revenueUsd = grow(this.revenueUsd, (n) => new Float64Array(n));
		this.operatingCostUsd = grow(this.operatingCostUsd, (n) => new Float64Array(n));
		this.ewmaMarginUsdPerHour = grow(this.ewmaMarginUsdPerHour, (n) => new Float64Array(n));
		this.epochsBelowThreshold = grow(this.epochsBelowThreshold, (n) => new Int32Array(n));
		this.reputation = grow(this.reputation, (n) => new Float32Array(n));
		this.inOutage = grow(this.inOutage, (n) => new Uint8Array(n));
		this.failed = grow(this.failed, (n) => new Uint8Array(n));
		this.leaving = grow(this.leaving, (n) => new Uint8Array(n));
		this.failureHandle = grow(this.failureHandle, (n) => new Float64Array(n));
		this.capacity = capacity;
	}
}

/**
 * Idle nodes indexed by (GPU class, metro): a bucket per pair, swap-remove in O(1), and idle
 * counts per metro and per GPU class so that a search skips empty metros and gives up at once
 * when no eligible GPU is idle anywhere.
 */
export class IdleIndex {
	private readonly buckets: number[][];
	private position: Int32Array;
	readonly idleByMetro: Int32Array;
	readonly idleByGpu: Int32Array;
	size = 0;

	constructor(
		readonly gpuCount: number,
		readonly metroCount: number,
	) {
		this.buckets = Array.from({ length: gpuCount * metroCount }, () => []);
		this.position = new Int32Array(1024).fill(-1);
		this.idleByMetro = new Int32Array(metroCount);
		this.idleByGpu = new Int32Array(gpuCount);
	}

	bucket(gpu: number, metro: number): readonly number[] {
		return this.buckets[gpu * this.metroCount + metro] as number[];
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
		const bucket = this.buckets[gpu * this.metroCount + metro] as number[];
		this.position[node] = bucket.length;
		bucket.push(node);
		this.idleByMetro[metro] = (this.idleByMetro[metro] as number) + 1;
		this.idleByGpu[gpu] = (this.idleByGpu[gpu] as number) + 1;
		this.size++;
	}

	remove(node: number, gpu: number, metro: number): void {
		const at = this.position[node] ?? -1;
		if (at < 0) throw new Error(`node ${node} is not idle`);
		const bucket = this.buckets[gpu * this.metroCount + metro] as number[];
		const last = bucket.pop() as number;
		if (last !== node) {
			bucket[at] = last;
			this.position[last] = at;
		}
		this.position[node] = -1;
		this.idleByMetro[metro] = (this.idleByMetro[metro] as number) - 1;
		this.idleByGpu[gpu] = (this.idleByGpu[gpu] as number) - 1;
		this.size--;
	}
}
