/**
 * Minimal hand-written references for the engine benchmark: each workload written directly
 * on a bare binary heap over typed arrays (time, sequence, payload inline — no slots, no
 * handlers, no cancellation), with the same random streams and the same tie-breaking as the
 * engine. Their speed is the baseline the engine is measured against.
 */

import { FifoRing } from "../fifo.js";
import { RandomStream } from "../random/stream.js";
import {
	expTicks,
	type HoldParams,
	type HoldResult,
	type MmcParams,
	type MmcResult,
	MmcStats,
	meanInterarrivalTicks,
	mixChecksum,
	TICKS_PER_UNIT,
} from "./workloads.js";

class BareHeap {
	time: Float64Array;
	sequence: Float64Array;
	payload: Int32Array;
	size = 0;
	private nextSequence = 0;

	constructor(capacity: number) {
		this.time = new Float64Array(capacity);
		this.sequence = new Float64Array(capacity);
		this.payload = new Int32Array(capacity);
	}

	push(time: number, payload: number): void {
		if (this.size === this.time.length) this.grow();
		const { time: t, sequence: s, payload: p } = this;
		const sequence = this.nextSequence++;
		let hole = this.size++;
		while (hole > 0) {
			const parent = (hole - 1) >> 1;
			const pt = t[parent] as number;
			if (pt <= time) break; // the new entry has the largest sequence: ties stay below
			t[hole] = pt;
			s[hole] = s[parent] as number;
			p[hole] = p[parent] as number;
			hole = parent;
		}
		t[hole] = time;
		s[hole] = sequence;
		p[hole] = payload;
	}

	/** Removes the root (read it from time[0] / payload[0] first). */
	pop(): void {
		const size = --this.size;
		if (size === 0) return;
		const { time: t, sequence: s, payload: p } = this;
		const time = t[size] as number;
		const sequence = s[size] as number;
		const payload = p[size] as number;
		let hole = 0;
		for (;;) {
			let child = 2 * hole + 1;
			if (child >= size) break;
			let ct = t[child] as number;
			if (child + 1 < size) {
				const rt = t[child + 1] as number;
				if (rt < ct || (rt === ct && (s[child + 1] as number) < (s[child] as number))) {
					child++;
					ct = rt;
				}
			}
			if (time < ct || (time === ct && sequence < (s[child] as number))) break;
			t[hole] = ct;
			s[hole] = s[child] as number;
			p[hole] = p[child] as number;
			hole = child;
		}
		t[hole] = time;
		s[hole] = sequence;
		p[hole] = payload;
	}

	private grow(): void {
		const capacity = this.time.length * 2;
		const t = new Float64Array(capacity);
		const s = new Float64Array(capacity);
		const p = new Int32Array(capacity);
		t.set(this.time);
		s.set(this.sequence);
		p.set(this.payload);
		this.time = t;
		this.sequence = s;
		this.payload = p;
	}
}

export function runHoldReference(params: HoldParams): HoldResult {
	const rng = RandomStream.create(params.seed, 0, "bench/hold");
	const heap = new BareHeap(params.processes);
	let scheduled = 0;
	let checksum = 0;
	let events = 0;
	let now = 0;
	for (let p = 0; p < params.processes && scheduled < params.events; p++) {
		scheduled++;
		heap.push(expTicks(rng, TICKS_PER_UNIT), p);
	}
	while (heap.size > 0) {
		now = heap.time[0] as number;
		const process = heap.payload[0] as number;
		heap.pop();
		events++;
		checksum = mixChecksum(checksum, now, process);
		if (scheduled < params.events) {
			scheduled++;
			heap.push(now + expTicks(rng, TICKS_PER_UNIT), process);
		}
	}
	return { events, checksum, endTime: now };
}

const ARRIVAL = 0;
const DEPARTURE = 1;

export function runMmcReference(params: MmcParams): MmcResult {
	const runIndex = params.runIndex ?? 0;
	const arrivalsRng = RandomStream.create(params.seed, runIndex, "bench/mmc/arrivals");
	const serviceRng = RandomStream.create(params.seed, runIndex, "bench/mmc/service");
	const totalJobs = params.warmupJobs + params.jobs;
	const interarrival = meanInterarrivalTicks(params);
	const stats = new MmcStats(params);
	const heap = new BareHeap(params.servers + 16);
	const waiting = new FifoRing();
	let busy = 0;
	let generated = 0;
	let events = 0;
	let now = 0;
	heap.push(expTicks(arrivalsRng, interarrival), ARRIVAL);
	while (heap.size > 0) {
		now = heap.time[0] as number;
		const kind = heap.payload[0] as number;
		heap.pop();
		events++;
		if (kind === ARRIVAL) {
			stats.arrive(now);
			if (busy < params.servers) {
				busy++;
				const service = expTicks(serviceRng, TICKS_PER_UNIT);
				stats.startService(0, service);
				heap.push(now + service, DEPARTURE);
			} else waiting.push(now);
			if (++generated < totalJobs) heap.push(now + expTicks(arrivalsRng, interarrival), ARRIVAL);
		} else {
			stats.depart(now);
			if (waiting.length > 0) {
				const service = expTicks(serviceRng, TICKS_PER_UNIT);
				stats.startService(now - waiting.shift(), service);
				heap.push(now + service, DEPARTURE);
			} else busy--;
		}
	}
	return stats.result(events, now);
}
