import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runHoldReference, runMmcReference } from "../../sim/bench/reference.js";
import { runHoldOnEngine, runMmcOnEngine } from "../../sim/bench/workloads.js";
import { Engine } from "../../sim/engine.js";
import { RandomStream } from "../../sim/random/stream.js";

/** A small seeded model: a few processes scheduling and cancelling each other; returns its trace. */
function traceOf(seed: number, soonWithinTicks = 0): string[] {
	const rng = RandomStream.create(seed, 0, "test/engine-trace");
	const engine = new Engine({ initialCapacity: 4, soonWithinTicks });
	const trace: string[] = [];
	const handles: number[] = [];
	engine.setTracer((time, kind, payload, sequence) =>
		trace.push(`[t=${time}] ${engine.kindName(kind)} ${payload} #${sequence}`),
	);
	const tick: number = engine.registerKind("tick", (p) => {
		if (engine.now < 5_000) handles.push(engine.schedule(Math.floor(rng.next() * 100), tick, p));
		if (rng.next() < 0.2 && handles.length > 0) engine.cancel(handles[rng.int(handles.length)] as number);
	});
	for (let p = 0; p < 8; p++) engine.schedule(p * 3, tick, p);
	engine.run();
	return trace;
}

describe("Engine", () => {
	it("produces the same trace for the same seed and a different one for another seed", () => {
		const a = traceOf(7);
		expect(a.length).toBeGreaterThan(100);
		expect(traceOf(7)).toEqual(a);
		expect(traceOf(8)).not.toEqual(a);
	});

	it("fires the same trace with a soon heap of any width", () => {
		for (const seed of [7, 8, 9]) {
			const plain = traceOf(seed);
			for (const soon of [1, 10, 50, 1_000]) expect(traceOf(seed, soon)).toEqual(plain);
		}
	});

	it("fires 10,000 simultaneous events in insertion order", () => {
		const engine = new Engine(16);
		const fired: number[] = [];
		const kind = engine.registerKind("same-time", (p) => fired.push(p));
		// Interleave two times so the heap really has to order ties, not just keep an append order.
		for (let i = 0; i < 10_000; i++) engine.scheduleAt(i % 2 === 0 ? 50 : 40, kind, i);
		engine.run();
		const odd = Array.from({ length: 5_000 }, (_, i) => 2 * i + 1);
		const even = Array.from({ length: 5_000 }, (_, i) => 2 * i);
		expect(fired).toEqual([...odd, ...even]);
	});

	it("never fires a cancelled event, and a stale handle cancels nothing", () => {
		const engine = new Engine(4);
		const fired: number[] = [];
		const kind = engine.registerKind("k", (p) => fired.push(p));
		const handles = Array.from({ length: 100 }, (_, i) => engine.schedule(i % 7, kind, i));
		for (let i = 0; i < 100; i += 3) expect(engine.cancel(handles[i] as number)).toBe(true);
		expect(engine.cancel(handles[0] as number)).toBe(false);
		expect(engine.pending).toBe(100 - 34);
		engine.checkInvariants();
		engine.run();
		expect(fired.length).toBe(66);
		expect(fired.some((p) => p % 3 === 0)).toBe(false);
		// The slots are reused now; the old handles must not reach the new events.
		const reused = Array.from({ length: 100 }, (_, i) => engine.schedule(1, kind, 1000 + i));
		for (const handle of handles) expect(engine.cancel(handle)).toBe(false);
		engine.run();
		expect(fired.length).toBe(166);
		expect(reused.length).toBe(100);
	});

	it("runs until a time, peeks and steps", () => {
		const engine = new Engine();
		const fired: number[] = [];
		const kind = engine.registerKind("k", () => fired.push(engine.now));
		for (const t of [30, 10, 20, 40]) engine.scheduleAt(t, kind);
		expect(engine.peek()).toBe(10);
		expect(engine.run(25)).toBe(2);
		expect(engine.now).toBe(25);
		expect(engine.step()).toBe(true);
		expect(engine.now).toBe(30);
		const last = engine.scheduleAt(35, kind);
		engine.cancel(last);
		expect(engine.peek()).toBe(40);
		engine.run();
		expect(fired).toEqual([10, 20, 30, 40]);
		expect(engine.step()).toBe(false);
		expect(engine.peek()).toBe(Number.POSITIVE_INFINITY);
	});

	it("stops a run from inside a handler", () => {
		const engine = new Engine();
		const kind = engine.registerKind("k", (p) => {
			if (p === 2) engine.stop();
		});
		for (let i = 0; i < 5; i++) engine.scheduleAt(i, kind, i);
		expect(engine.run()).toBe(3);
		expect(engine.pending).toBe(2);
	});

	it("rejects times in the past, fractional times and unknown kinds", () => {
		const engine = new Engine();
		const kind = engine.registerKind("k", () => {});
		engine.scheduleAt(10, kind);
		engine.run();
		expect(() => engine.scheduleAt(5, kind)).toThrow(/integer ≥ now/);
		expect(() => engine.schedule(0.5, kind)).toThrow(/integer/);
		expect(() => engine.schedule(Number.NaN, kind)).toThrow(/integer/);
		expect(() => engine.schedule(1, 99)).toThrow(/unknown event kind/);
	});

	it("matches a sorted-list model under random schedules and cancels (property)", () => {
		fc.assert(
			fc.property(
				fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean(), fc.nat()), { minLength: 1, maxLength: 300 }),
				fc.integer({ min: 0, max: 60 }),
				(operations, soonWithinTicks) => {
					const engine = new Engine({ initialCapacity: 2, soonWithinTicks });
					const fired: number[] = [];
					const kind = engine.registerKind("k", (p) => fired.push(p));
					const model: { time: number; id: number; cancelled: boolean }[] = [];
					const handles: number[] = [];
					operations.forEach(([time, cancel, pick], id) => {
						handles.push(engine.scheduleAt(time, kind, id));
						model.push({ time, id, cancelled: false });
						if (cancel) {
							const victim = pick % handles.length;
							const wasPending = !(model[victim] as { cancelled: boolean }).cancelled;
							expect(engine.cancel(handles[victim] as number)).toBe(wasPending);
							(model[victim] as { cancelled: boolean }).cancelled = true;
						}
					});
					engine.checkInvariants();
					engine.run();
					const expected = model
						.filter((e) => !e.cancelled)
						.sort((a, b) => a.time - b.time || a.id - b.id)
						.map((e) => e.id);
					expect(fired).toEqual(expected);
					engine.checkInvariants();
				},
			),
			{ numRuns: 300, seed: 42 },
		);
	});

	it("peeks and steps across both heaps, skipping cancelled tops", () => {
		const engine = new Engine({ soonWithinTicks: 10 });
		const fired: string[] = [];
		const kind = engine.registerKind("k", (p) => fired.push(`${engine.now}:${p}`));
		const soon = engine.scheduleAt(5, kind, 1); // soon heap
		engine.scheduleAt(5, kind, 2); // soon heap, same time, later
		engine.scheduleAt(100, kind, 3); // main heap
		engine.scheduleAt(3, kind, 4); // soon heap, earliest
		expect(engine.pending).toBe(4);
		engine.checkInvariants();
		expect(engine.peek()).toBe(3);
		expect(engine.step()).toBe(true);
		expect(engine.cancel(soon)).toBe(true);
		expect(engine.peek()).toBe(5);
		engine.checkInvariants();
		expect(engine.run(50)).toBe(1);
		expect(engine.now).toBe(50);
		// Now 50: an event at 55 is soon and comes before the main heap's 100.
		engine.scheduleAt(100, kind, 5); // main heap, after the earlier 100
		engine.scheduleAt(55, kind, 6);
		engine.run();
		expect(fired).toEqual(["3:4", "5:2", "55:6", "100:3", "100:5"]);
		expect(engine.step()).toBe(false);
		expect(engine.peek()).toBe(Number.POSITIVE_INFINITY);
		engine.checkInvariants();
		expect(() => new Engine({ soonWithinTicks: -1 })).toThrow(/soonWithinTicks/);
	});

	it("grows past its initial capacity without losing order", () => {
		const engine = new Engine(16);
		const rng = RandomStream.create(3, 0, "grow");
		const fired: number[] = [];
		const kind = engine.registerKind("k", () => fired.push(engine.now));
		for (let i = 0; i < 50_000; i++) engine.scheduleAt(Math.floor(rng.next() * 1e6), kind);
		engine.checkInvariants();
		engine.run();
		expect(fired.length).toBe(50_000);
		for (let i = 1; i < fired.length; i++) expect(fired[i] as number).toBeGreaterThanOrEqual(fired[i - 1] as number);
	});

	it("keeps queue storage at most 40 bytes per pending event", () => {
		expect(Engine.bytesPerEventSlot).toBeLessThanOrEqual(40);
		const engine = new Engine(1 << 12);
		const kind = engine.registerKind("k", () => {});
		for (let i = 0; i < 1 << 12; i++) engine.schedule(i, kind);
		expect(engine.queueBytes / engine.pending).toBeLessThanOrEqual(40);
	});
});

describe("benchmark workloads", () => {
	it("hold on the engine fires exactly the reference's events in the same order", () => {
		const params = { processes: 1_000, events: 200_000, seed: 5 };
		const engine = runHoldOnEngine(params);
		const reference = runHoldReference(params);
		expect(engine.events).toBe(200_000);
		expect(engine.checksum).toBe(reference.checksum);
		expect(engine.endTime).toBe(reference.endTime);
	});

	it("M/M/c on the engine gives exactly the reference's result", () => {
		const params = { servers: 10, load: 0.9, jobs: 100_000, warmupJobs: 10_000, batches: 20, seed: 5 };
		const engine = runMmcOnEngine(params);
		const reference = runMmcReference(params);
		expect(engine.meanWait).toBe(reference.meanWait);
		expect(engine.events).toBe(reference.events);
		expect(engine.events).toBe(2 * (params.jobs + params.warmupJobs));
	});
});
