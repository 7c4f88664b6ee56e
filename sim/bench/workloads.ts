/**
 * The engine benchmark workloads, written on the engine (hold and M/M/c), and the M/M/c
 * statistics shared with the hand-written reference in reference.ts. Both draw from the same
 * named streams in the same order, so on the same seed they fire the same events in the same
 * order and return identical results — a check on the engine as well as a baseline for speed.
 *
 * Time: one unit of the workloads (the mean hold, the mean service) is TICKS_PER_UNIT integer
 * ticks, fine enough that rounding to whole ticks does not bias the queue.
 */
import { Engine } from "../engine.js";
import { FifoRing } from "../fifo.js";
import { RandomStream } from "../random/stream.js";
import { meanConfidence } from "../stats.js";

export const TICKS_PER_UNIT = 1_000_000;

export interface HoldParams {
	readonly processes: number;
	readonly events: number;
	readonly seed: number;
}

export interface HoldResult {
	readonly events: number;
	/** Order-sensitive hash of (time, process) over every fired event. */
	readonly checksum: number;
	readonly endTime: number;
	/** Bytes of queue storage per pending event at the end (engine only). */
	readonly queueBytesPerPendingEvent?: number;
}

/** An Exp(1) delay in ticks (rounded to the nearest tick). */
export function expTicks(rng: RandomStream, meanTicks: number): number {
	return Math.round(-meanTicks * Math.log(rng.next()));
}

export function mixChecksum(hash: number, time: number, payload: number): number {
	return (Math.imul(hash ^ payload, 0x9e3779b1) + (time % 0x7fffffff)) | 0;
}

/** The classic hold model: `processes` processes, each repeatedly waiting an Exp(1) delay. */
export function runHoldOnEngine(params: HoldParams): HoldResult {
	const rng = RandomStream.create(params.seed, 0, "bench/hold");
	const engine = new Engine(params.processes);
	let scheduled = 0;
	let checksum = 0;
	const hold = engine.registerKind("hold", (process) => {
		checksum = mixChecksum(checksum, engine.now, process);
		if (scheduled < params.events) {
			scheduled++;
			engine.schedule(expTicks(rng, TICKS_PER_UNIT), hold, process);
		}
	});
	for (let p = 0; p < params.processes && scheduled < params.events; p++) {
		scheduled++;
		engine.schedule(expTicks(rng, TICKS_PER_UNIT), hold, p);
	}
	const pendingAtStart = engine.pending;
	const bytesPerPending = engine.queueBytes / pendingAtStart;
	engine.run();
	return {
		events: engine.eventsFired,
		checksum,
		endTime: engine.now,
		queueBytesPerPendingEvent: bytesPerPending,
	};
}

export interface MmcParams {
	readonly servers: number;
	/** Offered load per server ρ = λ / (c μ). */
	readonly load: number;
	/** Jobs measured after the warm-up. */
	readonly jobs: number;
	/** Jobs discarded at the start (transient). */
	readonly warmupJobs: number;
	/** Batches for the batch-means confidence interval. */
	readonly batches: number;
	readonly seed: number;
	/** Run index of the random streams (replications). */
	readonly runIndex?: number;
}

export interface MmcResult {
	readonly events: number;
	/** Mean wait in queue of the measured jobs, in service-time units. */
	readonly meanWait: number;
	/** 95% batch-means confidence interval of the mean wait. */
	readonly meanWaitCi95: readonly [number, number];
	/** Batch means of the wait (service-time units). */
	readonly batchMeans: Float64Array;
	/** Share of measured jobs that waited. */
	readonly probabilityOfWait: number;
	/** Time-average number in system over the measurement window. */
	readonly meanInSystem: number;
	/** Arrival rate over the window (jobs per service-time unit). */
	readonly arrivalRate: number;
	/** Mean time in system (wait + service) of the measured jobs, service-time units. */
	readonly meanSojourn: number;
	readonly endTime: number;
}

/**
 * Statistics of one M/M/c run, fed in event order by either implementation. Jobs are served
 * FIFO, so the order of service starts is the order of arrivals: job k is the k-th to start.
 */
export class MmcStats {
	private started = 0;
	private waited = 0;
	private waitSum = 0;
	private sojournSum = 0;
	private readonly batchSums: Float64Array;
	private readonly batchSize: number;
	private inSystem = 0;
	private area = 0;
	private lastChange = 0;
	private windowStartArea = 0;
	private windowStartTime = 0;
	private windowEndArea = 0;
	private windowEndTime = 0;
	private arrivals = 0;

	constructor(private readonly params: MmcParams) {
		if (params.jobs < params.batches) throw new RangeError("need at least one job per batch");
		this.batchSums = new Float64Array(params.batches);
		this.batchSize = Math.floor(params.jobs / params.batches);
	}

	/** A job arrives at `time`. */
	arrive(time: number): void {
		this.advance(time);
		this.inSystem++;
		this.arrivals++;
		if (this.arrivals === this.params.warmupJobs + 1) {
			this.windowStartArea = this.area;
			this.windowStartTime = time;
		}
		if (this.arrivals === this.params.warmupJobs + this.params.jobs) {
			this.windowEndArea = this.area;
			this.windowEndTime = time;
		}
	}

	/** The next job in FIFO order starts service after waiting `waitTicks`, for `serviceTicks`. */
	startService(waitTicks: number, serviceTicks: number): void {
		const job = this.started++;
		const measured = job - this.params.warmupJobs;
		if (measured < 0 || measured >= this.params.jobs) return;
		this.waitSum += waitTicks;
		this.sojournSum += waitTicks + serviceTicks;
		if (waitTicks > 0) this.waited++;
		const batch = Math.floor(measured / this.batchSize);
		if (batch < this.params.batches) this.batchSums[batch] = (this.batchSums[batch] as number) + waitTicks;
	}

	depart(time: number): void {
		this.advance(time);
		this.inSystem--;
	}

	private advance(time: number): void {
		this.area += this.inSystem * (time - this.lastChange);
		this.lastChange = time;
	}

	result(events: number, endTime: number): MmcResult {
		const { jobs } = this.params;
		const batchMeans = this.batchSums.map((sum) => sum / this.batchSize / TICKS_PER_UNIT);
		const estimate = meanConfidence(batchMeans);
		const window = this.windowEndTime - this.windowStartTime;
		return {
			events,
			meanWait: this.waitSum / jobs / TICKS_PER_UNIT,
			meanWaitCi95: estimate.ci95,
			batchMeans,
			probabilityOfWait: this.waited / jobs,
			meanInSystem: (this.windowEndArea - this.windowStartArea) / window,
			arrivalRate: ((jobs - 1) / window) * TICKS_PER_UNIT,
			meanSojourn: this.sojournSum / jobs / TICKS_PER_UNIT,
			endTime,
		};
	}
}

/** Mean inter-arrival time in ticks for the M/M/c parameters. */
export function meanInterarrivalTicks(params: MmcParams): number {
	return TICKS_PER_UNIT / (params.load * params.servers);
}

/** M/M/c FIFO on the engine: two event kinds, a ring buffer of waiting jobs' arrival times. */
export function runMmcOnEngine(params: MmcParams): MmcResult {
	const runIndex = params.runIndex ?? 0;
	const arrivalsRng = RandomStream.create(params.seed, runIndex, "bench/mmc/arrivals");
	const serviceRng = RandomStream.create(params.seed, runIndex, "bench/mmc/service");
	const totalJobs = params.warmupJobs + params.jobs;
	const interarrival = meanInterarrivalTicks(params);
	const stats = new MmcStats(params);
	const engine = new Engine(params.servers + 16);
	const waiting = new FifoRing();
	let busy = 0;
	let generated = 0;

	const departure = engine.registerKind("departure", () => {
		stats.depart(engine.now);
		if (waiting.length > 0) {
			const service = expTicks(serviceRng, TICKS_PER_UNIT);
			stats.startService(engine.now - waiting.shift(), service);
			engine.schedule(service, departure);
		} else busy--;
	});
	const arrival = engine.registerKind("arrival", () => {
		stats.arrive(engine.now);
		if (busy < params.servers) {
			busy++;
			const service = expTicks(serviceRng, TICKS_PER_UNIT);
			stats.startService(0, service);
			engine.schedule(service, departure);
		} else waiting.push(engine.now);
		if (++generated < totalJobs) engine.schedule(expTicks(arrivalsRng, interarrival), arrival);
	});
	engine.schedule(expTicks(arrivalsRng, interarrival), arrival);
	engine.run();
	return stats.result(engine.eventsFired, engine.now);
}
