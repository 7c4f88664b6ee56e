/**
 * The event engine: a clock and a pending-event set, nothing of any domain.
 *
 * Life cycle of an event: `schedule` puts (time, kind, payload) in the queue and returns a
 * handle; `step`/`run` pop events in (time, sequence) order, advance `now` and call the
 * handler registered for the event's kind with its payload; `cancel(handle)` flags a pending
 * event so that it is dropped when it reaches the top. Ties in time always resolve in the
 * order the events were scheduled.
 *
 * Time is an integer count of ticks (the DePIN model uses 1 tick = 1 ms), held in a number:
 * exact to 2^53.
 *
 * Layout (no object per event): a 4-ary heap of (time, sequence, slot) in three typed
 * arrays; each slot holds the event's kind, payload and a generation counter that makes
 * stale handles harmless. Free slots form a linked list threaded through the payload array.
 * Bytes per pending event: 8 + 8 + 4 (heap) + 2 + 8 + 4 (slot) = 34.
 *
 * Option `soonWithinTicks`: an event due within that many ticks of the time it is scheduled
 * goes to a second, small heap (same layout and code), and each step fires the earlier of the
 * two tops. A model whose busiest events are always imminent (the next order arrival) while
 * thousands of others wait hours ahead (lease ends, failures) then pushes and pops those
 * through a heap of a few entries instead of climbing the big one. The order of firing is the
 * same with or without it.
 */

import { grownArray } from "./typed-arrays.js";

/** Handler of one event kind; `payload` is whatever number was scheduled with the event. */
export type EventHandler = (payload: number) => void;

/** Called for every event fired, after the clock moves and before the handler runs. */
export type EventTracer = (time: number, kind: number, payload: number, sequence: number) => void;

/** Opaque handle of a scheduled event (slot and generation packed in one number). */
export type EventHandle = number;

const SLOT_BITS = 25;
/** Maximum number of events pending at once (2^25 ≈ 33.5 million). */
export const MAX_PENDING_EVENTS = 2 ** SLOT_BITS;
const GENERATION_MASK = 2 ** 27 - 1;
const CANCELLED = 0xffff;
/** Maximum number of event kinds (kind ids are 0 … MAX_KINDS − 1). */
export const MAX_KINDS = CANCELLED;
const NO_SLOT = -1;

export interface EngineOptions {
	/** Initial number of event slots (the queue grows by doubling). Default 1024. */
	initialCapacity?: number;
	/**
	 * Events due within this many ticks of being scheduled wait in a second, small heap. Default
	 * 0: none do. Changes speed only, never the order of events.
	 */
	soonWithinTicks?: number;
}

export class Engine {
	/** Current simulated time in ticks. Never decreases. */
	now = 0;
	/** Events fired so far (cancelled ones are not counted). */
	eventsFired = 0;

	private capacity: number;
	private size = 0;
	private nextSequence = 0;
	private cancelledPending = 0;
	private heapTime: Float64Array;
	private heapSequence: Float64Array;
	private heapSlot: Int32Array;
	private slotKind: Uint16Array;
	private slotPayload: Float64Array;
	private slotGeneration: Uint32Array;
	private freeHead: number;
	private readonly soonWithinTicks: number;
	// The soon heap: a binary heap of (time, sequence, slot), grown on demand.
	private soonSize = 0;
	private soonTime = new Float64Array(16);
	private soonSequence = new Float64Array(16);
	private soonSlot = new Int32Array(16);
	private readonly handlers: EventHandler[] = [];
	private readonly kindNames: string[] = [];
	private tracer: EventTracer | null = null;
	private stopRequested = false;

	/** `options` as a number is the initial capacity. */
	constructor(options: number | EngineOptions = {}) {
		const { initialCapacity = 1024, soonWithinTicks = 0 } =
			typeof options === "number" ? { initialCapacity: options } : options;
		if (!(soonWithinTicks >= 0)) throw new RangeError(`soonWithinTicks must be ≥ 0, got ${soonWithinTicks}`);
		this.soonWithinTicks = soonWithinTicks;
		this.capacity = Math.max(16, Math.ceil(initialCapacity));
		this.heapTime = new Float64Array(this.capacity);
		this.heapSequence = new Float64Array(this.capacity);
		this.heapSlot = new Int32Array(this.capacity);
		this.slotKind = new Uint16Array(this.capacity);
		this.slotPayload = new Float64Array(this.capacity);
		this.slotGeneration = new Uint32Array(this.capacity);
		this.freeHead = NO_SLOT;
		this.threadFreeList(0, this.capacity);
	}

	/** Registers the handler of a new event kind and returns the kind's id. */
	registerKind(name: string, handler: EventHandler): number {
		const kind = this.handlers.length;
		if (kind >= MAX_KINDS) throw new RangeError(`at most ${MAX_KINDS} event kinds`);
		this.handlers.push(handler);
		this.kindNames.push(name);
		return kind;
	}

	/** Name given to a kind at registration (for traces and error messages). */
	kindName(kind: number): string {
		const name = this.kindNames[kind];
		if (name === undefined) throw new RangeError(`unknown event kind ${kind}`);
		return name;
	}

	/** Installs (or with null removes) a tracer called for every fired event. */
	setTracer(tracer: EventTracer | null): void {
		this.tracer = tracer;
	}

	/** Number of events waiting to fire (cancelled ones excluded). */
	get pending(): number {
		return this.size + this.soonSize - this.cancelledPending;
	}

	/** Bytes of typed-array storage per event slot (heap + slot arrays). */
	static readonly bytesPerEventSlot = 8 + 8 + 4 + 2 + 8 + 4;

	/** Bytes the queue's typed arrays hold now. */
	get queueBytes(): number {
		return this.capacity * Engine.bytesPerEventSlot + this.soonTime.length * (8 + 8 + 4);
	}

	/** Schedules an event `delay` ticks from now. */
	schedule(delay: number, kind: number, payload = 0): EventHandle {
		return this.scheduleAt(this.now + delay, kind, payload);
	}

	/** Schedules an event at absolute time `time` (an integer ≥ now). */
	scheduleAt(time: number, kind: number, payload = 0): EventHandle {
		if (!(time >= this.now) || time !== Math.floor(time) || time > Number.MAX_SAFE_INTEGER) {
			throw new RangeError(`event time must be an integer ≥ now (${this.now}), got ${time}`);
		}
		if (kind < 0 || kind >= this.handlers.length || kind !== (kind | 0)) {
			throw new RangeError(`unknown event kind ${kind}`);
		}
		if (this.freeHead === NO_SLOT) this.grow();
		const slot = this.freeHead;
		this.freeHead = this.slotPayload[slot] as number;
		this.slotKind[slot] = kind;
		this.slotPayload[slot] = payload;
		const sequence = this.nextSequence++;
		if (time - this.now < this.soonWithinTicks) this.pushSoon(time, sequence, slot);
		else this.siftUp(this.size++, time, sequence, slot);
		return (this.slotGeneration[slot] as number) * MAX_PENDING_EVENTS + slot;
	}

	/** Cancels a pending event. Returns false when it already fired or was cancelled. */
	cancel(handle: EventHandle): boolean {
		const slot = handle % MAX_PENDING_EVENTS;
		const generation = (handle - slot) / MAX_PENDING_EVENTS;
		if (!(slot >= 0 && slot < this.capacity) || this.slotGeneration[slot] !== generation) return false;
		if (this.slotKind[slot] === CANCELLED) return false;
		this.slotKind[slot] = CANCELLED;
		this.cancelledPending++;
		return true;
	}

	/** Time of the next event to fire, or Infinity when none is pending. */
	peek(): number {
		// Drop cancelled events from the top of whichever heap holds the next one.
		for (;;) {
			const soon = this.soonFirst();
			if (!soon && this.size === 0) return Number.POSITIVE_INFINITY;
			const slot = (soon ? this.soonSlot[0] : this.heapSlot[0]) as number;
			if (this.slotKind[slot] !== CANCELLED) return (soon ? this.soonTime[0] : this.heapTime[0]) as number;
			if (soon) this.popSoon();
			else this.removeTop();
			this.freeSlot(slot);
			this.cancelledPending--;
		}
	}

	/** Fires the next event. Returns false when none was pending. */
	step(): boolean {
		if (this.peek() === Number.POSITIVE_INFINITY) return false;
		if (this.soonFirst()) this.fireSoon();
		else this.fireTop();
		return true;
	}

	/**
	 * Fires events in order while their time is ≤ `until` (default: until none is pending or
	 * `stop()` is called). The clock ends at `until` when that is finite and nothing stopped
	 * the run early. Returns the number of events fired.
	 */
	run(until = Number.POSITIVE_INFINITY): number {
		const firedBefore = this.eventsFired;
		this.stopRequested = false;
		if (this.soonWithinTicks > 0) this.runBothHeaps(until);
		else {
			while (this.size > 0 && !this.stopRequested) {
				if ((this.heapTime[0] as number) > until) break;
				this.fireTop();
			}
		}
		if (!this.stopRequested && until !== Number.POSITIVE_INFINITY && until > this.now) this.now = until;
		return this.eventsFired - firedBefore;
	}

	/** `run`'s loop when there is a soon heap: each step fires the earlier of the two tops. */
	private runBothHeaps(until: number): void {
		while (!this.stopRequested) {
			if (this.soonSize > 0 && this.soonFirst()) {
				if ((this.soonTime[0] as number) > until) break;
				this.fireSoon();
				continue;
			}
			if (this.size === 0 || (this.heapTime[0] as number) > until) break;
			this.fireTop();
		}
	}

	/** Makes the current `run` return after the handler that called it. */
	stop(): void {
		this.stopRequested = true;
	}

	/**
	 * Checks the queue's invariants (heap order, slot bookkeeping); throws on the first broken
	 * one. O(n): for tests and debug runs, never the hot path.
	 */
	checkInvariants(): void {
		const seen = new Set<number>();
		let cancelled = 0;
		const heaps = [
			{ name: "heap", time: this.heapTime, sequence: this.heapSequence, slot: this.heapSlot, size: this.size },
			{ name: "soon heap", time: this.soonTime, sequence: this.soonSequence, slot: this.soonSlot, size: this.soonSize },
		];
		for (const heap of heaps) {
			for (let i = 0; i < heap.size; i++) {
				const slot = heap.slot[i] as number;
				if (seen.has(slot)) throw new Error(`slot ${slot} appears twice in the heaps`);
				seen.add(slot);
				if (this.slotKind[slot] === CANCELLED) cancelled++;
				if ((heap.time[i] as number) < this.now)
					throw new Error(`pending event at ${heap.time[i]} is before now (${this.now})`);
			}
			const broken = heapOrderBreak(heap.time, heap.sequence, heap.size);
			if (broken >= 0) throw new Error(`${heap.name} order broken at index ${broken}`);
		}
		if (cancelled !== this.cancelledPending)
			throw new Error(`cancelled count ${this.cancelledPending}, found ${cancelled}`);
		let free = 0;
		for (let slot = this.freeHead; slot !== NO_SLOT; slot = this.slotPayload[slot] as number) {
			if (seen.has(slot)) throw new Error(`slot ${slot} is both free and pending`);
			if (++free > this.capacity) throw new Error("free list has a cycle");
		}
		if (free + seen.size !== this.capacity)
			throw new Error(`slots lost: ${free} free + ${seen.size} pending ≠ ${this.capacity}`);
	}

	/** Pops the top event; fires it unless it was cancelled. */
	private fireTop(): void {
		const time = this.heapTime[0] as number;
		const sequence = this.heapSequence[0] as number;
		const slot = this.heapSlot[0] as number;
		this.removeTop();
		this.fire(time, sequence, slot);
	}

	/** Fires the event of a slot just taken off a heap, unless it was cancelled; frees the slot. */
	private fire(time: number, sequence: number, slot: number): void {
		const kind = this.slotKind[slot] as number;
		const payload = this.slotPayload[slot] as number;
		this.freeSlot(slot);
		if (kind === CANCELLED) {
			this.cancelledPending--;
			return;
		}
		this.now = time;
		this.eventsFired++;
		if (this.tracer !== null) this.tracer(time, kind, payload, sequence);
		(this.handlers[kind] as EventHandler)(payload);
	}

	/** Whether the soon heap holds the next event (its top comes before the main heap's). */
	private soonFirst(): boolean {
		if (this.soonSize === 0) return false;
		if (this.size === 0) return true;
		const t = this.soonTime[0] as number;
		const main = this.heapTime[0] as number;
		return t < main || (t === main && (this.soonSequence[0] as number) < (this.heapSequence[0] as number));
	}

	/** Pops the soon heap's top; fires it unless it was cancelled. */
	private fireSoon(): void {
		const time = this.soonTime[0] as number;
		const sequence = this.soonSequence[0] as number;
		const slot = this.soonSlot[0] as number;
		this.popSoon();
		this.fire(time, sequence, slot);
	}

	private pushSoon(time: number, sequence: number, slot: number): void {
		if (this.soonSize === this.soonTime.length) {
			const capacity = this.soonSize * 2;
			this.soonTime = grownArray(this.soonTime, capacity);
			this.soonSequence = grownArray(this.soonSequence, capacity);
			this.soonSlot = grownArray(this.soonSlot, capacity);
		}
		siftUpNewest(this.soonTime, this.soonSequence, this.soonSlot, this.soonSize++, time, sequence, slot);
	}

	private popSoon(): void {
		const size = --this.soonSize;
		if (size > 0) siftDownLast(this.soonTime, this.soonSequence, this.soonSlot, size);
	}

	private freeSlot(slot: number): void {
		this.slotGeneration[slot] = ((this.slotGeneration[slot] as number) + 1) & GENERATION_MASK;
		this.slotPayload[slot] = this.freeHead;
		this.freeHead = slot;
	}

	/** Places (time, sequence, slot) at hole `index` of the main heap and moves it up. */
	private siftUp(index: number, time: number, sequence: number, slot: number): void {
		siftUpNewest(this.heapTime, this.heapSequence, this.heapSlot, index, time, sequence, slot);
	}

	/** Removes the main heap's root. */
	private removeTop(): void {
		const size = --this.size;
		if (size > 0) siftDownLast(this.heapTime, this.heapSequence, this.heapSlot, size);
	}

	private grow(): void {
		const oldCapacity = this.capacity;
		const capacity = oldCapacity * 2;
		if (capacity > MAX_PENDING_EVENTS) throw new RangeError(`more than ${MAX_PENDING_EVENTS} pending events`);
		this.heapTime = grownArray(this.heapTime, capacity);
		this.heapSequence = grownArray(this.heapSequence, capacity);
		this.heapSlot = grownArray(this.heapSlot, capacity);
		this.slotKind = grownArray(this.slotKind, capacity);
		this.slotPayload = grownArray(this.slotPayload, capacity);
		this.slotGeneration = grownArray(this.slotGeneration, capacity);
		this.capacity = capacity;
		this.threadFreeList(oldCapacity, capacity);
	}

	/** Links slots [from, to) into the free list, lowest first. */
	private threadFreeList(from: number, to: number): void {
		for (let slot = to - 1; slot >= from; slot--) {
			this.slotPayload[slot] = this.freeHead;
			this.freeHead = slot;
		}
	}
}

// Both heaps are 4-ary heaps of (time, sequence, slot) in three typed arrays: half as deep as a
// binary heap (fewer levels for an event scheduled soon to climb), and siblings share a cache
// line. The functions take the arrays, so the main and the soon heap run the same code.

/** Places an entry at hole `index` and moves it up. It is the newest entry (largest sequence), so a tie keeps it below. */
function siftUpNewest(
	heapTime: Float64Array,
	heapSequence: Float64Array,
	heapSlot: Int32Array,
	index: number,
	time: number,
	sequence: number,
	slot: number,
): void {
	let hole = index;
	while (hole > 0) {
		const parent = (hole - 1) >> 2;
		const parentTime = heapTime[parent] as number;
		if (parentTime <= time) break;
		heapTime[hole] = parentTime;
		heapSequence[hole] = heapSequence[parent] as number;
		heapSlot[hole] = heapSlot[parent] as number;
		hole = parent;
	}
	heapTime[hole] = time;
	heapSequence[hole] = sequence;
	heapSlot[hole] = slot;
}

/** Refills the root of a heap of `size` entries (one already removed): the entry at `size` moves down to its place. */
function siftDownLast(heapTime: Float64Array, heapSequence: Float64Array, heapSlot: Int32Array, size: number): void {
	const time = heapTime[size] as number;
	const sequence = heapSequence[size] as number;
	const slot = heapSlot[size] as number;
	let hole = 0;
	for (;;) {
		// The earliest of up to four children.
		const first = 4 * hole + 1;
		if (first >= size) break;
		let child = first;
		let childTime = heapTime[first] as number;
		const end = Math.min(first + 4, size);
		for (let c = first + 1; c < end; c++) {
			const t = heapTime[c] as number;
			if (t < childTime || (t === childTime && (heapSequence[c] as number) < (heapSequence[child] as number))) {
				child = c;
				childTime = t;
			}
		}
		if (time < childTime || (time === childTime && sequence < (heapSequence[child] as number))) break;
		heapTime[hole] = childTime;
		heapSequence[hole] = heapSequence[child] as number;
		heapSlot[hole] = heapSlot[child] as number;
		hole = child;
	}
	heapTime[hole] = time;
	heapSequence[hole] = sequence;
	heapSlot[hole] = slot;
}

/** The first index whose entry comes before its parent's in (time, sequence) order, or −1. */
function heapOrderBreak(heapTime: Float64Array, heapSequence: Float64Array, size: number): number {
	for (let i = 1; i < size; i++) {
		const parent = (i - 1) >> 2;
		const pt = heapTime[parent] as number;
		const t = heapTime[i] as number;
		if (pt > t || (pt === t && (heapSequence[parent] as number) > (heapSequence[i] as number))) return i;
	}
	return -1;
}
