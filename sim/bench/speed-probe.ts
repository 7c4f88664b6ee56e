/**
 * A check on the machine itself, for benchmarks that take minutes. A shared or virtual machine
 * can run at two thirds of its speed for minutes at a time, and nothing in the process shows
 * it (no steal time, the same CPU time). A fixed integer loop, timed just before and just after a
 * measurement, shows whether the machine's speed moved in between; a ratio measured across such
 * a move is not worth comparing.
 */

/** Steps of one probe: ~20–40 ms on a current x86 core. */
const PROBE_STEPS = 1 << 24;

/** Best of three timings of a fixed xorshift32 loop, ms (the best: a probe is as short as the machine allows). */
export function speedProbeMs(steps = PROBE_STEPS): number {
	let best = Number.POSITIVE_INFINITY;
	let sink = 0;
	for (let trial = 0; trial < 3; trial++) {
		const start = process.hrtime.bigint();
		let x = 2463534242 + trial;
		for (let i = 0; i < steps; i++) {
			x ^= x << 13;
			x ^= x >>> 17;
			x ^= x << 5;
		}
		sink ^= x;
		best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
	}
	// The loop's result is used, so it cannot be optimised away.
	if (sink === 0.5) throw new Error("unreachable");
	return best;
}

/** How far the machine's speed moved between two probes, as a share (0.25: a quarter faster or slower). */
export function speedDrift(beforeMs: number, afterMs: number): number {
	if (!(beforeMs > 0 && afterMs > 0)) throw new RangeError(`probe times must be > 0, got ${beforeMs} and ${afterMs}`);
	return Math.max(beforeMs, afterMs) / Math.min(beforeMs, afterMs) - 1;
}
