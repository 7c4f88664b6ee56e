/**
 * Named, seeded random streams.
 *
 * One master seed per run; every subsystem draws from its own stream, derived from
 * (master seed, run index, stream name) by SHA-256 — never from the order in which streams
 * are created, so adding a stream (or a draw from one) leaves every other stream's draws
 * unchanged. Each stream is Brent's xor4096 generator (seedrandom), seeded with a 128-bit
 * hex string and read through its 53-bit `double()` output (`next`), which lies in (0, 1): a
 * draw is never exactly 0, so `-Math.log(u)` is always finite; or word by word (`uint32`, what
 * the ziggurat samplers read).
 */
import { createHash } from "node:crypto";
import seedrandom from "seedrandom";

/** Saved state of a stream: restore it with `RandomStream.restore`. */
export interface RandomStreamState {
	readonly name: string;
	readonly xor4096: { readonly i: number; readonly w: number; readonly X: readonly number[] };
}

/** What the stream uses of seedrandom's xor4096: its seeding, read back as state. */
interface Xor4096Prng {
	state(): { i: number; w: number; X: number[] };
}

/** The 32 hex digits of SHA-256(seed, run index, name) that seed a stream. */
export function streamKey(seed: number, runIndex: number, name: string): string {
	if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
	if (!Number.isSafeInteger(runIndex) || runIndex < 0) {
		throw new RangeError(`run index must be a non-negative integer, got ${runIndex}`);
	}
	return createHash("sha256")
		.update(`depin-twin/stream\u0000${seed}\u0000${runIndex}\u0000${name}`)
		.digest("hex")
		.slice(0, 32);
}

export class RandomStream {
	/** Brent's xor4096 state, as seedrandom keeps it, but in a typed array (the hot path). */
	private readonly x: Int32Array;
	private i: number;
	private w: number;

	private constructor(
		readonly name: string,
		state: { readonly i: number; readonly w: number; readonly X: readonly number[] },
	) {
		if (state.X.length !== 128) throw new RangeError(`xor4096 state needs 128 words, got ${state.X.length}`);
		this.x = Int32Array.from(state.X);
		this.i = state.i;
		this.w = state.w;
	}

	/** A fresh stream for (seed, run index, name). */
	static create(seed: number, runIndex: number, name: string): RandomStream {
		// seedrandom seeds the generator; the stream then steps it itself, word for word the same.
		const prng = seedrandom.xor4096(streamKey(seed, runIndex, name), { state: true }) as unknown as Xor4096Prng;
		return new RandomStream(name, prng.state());
	}

	/** A stream that continues exactly where the saved one stood. */
	static restore(state: RandomStreamState): RandomStream {
		return new RandomStream(state.name, state.xor4096);
	}

	/** A copy of the generator's state (plain JSON, the layout seedrandom's `state()` gives). */
	save(): RandomStreamState {
		return { name: this.name, xor4096: { i: this.i, w: this.w, X: Array.from(this.x) } };
	}

	/**
	 * Uniform draw in (0, 1) with 53 random bits (seedrandom's `double()`): two `uint32` steps,
	 * written out here rather than called (~2% off the base run: the hottest models call this
	 * from handlers too big for V8 to inline into, and one call is cheaper than three). A test
	 * pins it to two `uint32` calls.
	 */
	next(): number {
		const x = this.x;
		let i = this.i;
		let w = this.w;
		for (;;) {
			// One xor4096 step (seedrandom's `XorGen.next`): the top 21 bits…
			w = (w + 0x61c88647) | 0;
			let v = x[(i + 34) & 127] as number;
			i = (i + 1) & 127;
			let t = x[i] as number;
			v ^= v << 13;
			t ^= t << 17;
			v ^= v >>> 15;
			t ^= t >>> 12;
			v ^= t;
			x[i] = v;
			const top = ((v + (w ^ (w >>> 16))) | 0) >>> 11;
			// …and another: the low 32.
			w = (w + 0x61c88647) | 0;
			v = x[(i + 34) & 127] as number;
			i = (i + 1) & 127;
			t = x[i] as number;
			v ^= v << 13;
			t ^= t << 17;
			v ^= v >>> 15;
			t ^= t >>> 12;
			v ^= t;
			x[i] = v;
			const bottom = (((v + (w ^ (w >>> 16))) | 0) >>> 0) / 0x100000000;
			const result = (top + bottom) / (1 << 21);
			if (result !== 0) {
				this.i = i;
				this.w = w;
				return result;
			}
		}
	}

	/** The next 32-bit word of xor4096 (seedrandom's `XorGen.next`), as an unsigned integer. */
	uint32(): number {
		const x = this.x;
		const w = (this.w + 0x61c88647) | 0;
		this.w = w;
		let v = x[(this.i + 34) & 127] as number;
		const i = (this.i + 1) & 127;
		let t = x[i] as number;
		v ^= v << 13;
		t ^= t << 17;
		v ^= v >>> 15;
		t ^= t >>> 12;
		v ^= t;
		x[i] = v;
		this.i = i;
		return ((v + (w ^ (w >>> 16))) | 0) >>> 0;
	}

	/** Uniform integer in [0, n) (n ≤ 2^53). */
	int(n: number): number {
		return Math.floor(this.next() * n);
	}
}

/** Hands out the named streams of one run. Asking twice for a name returns the same stream. */
export class StreamFactory {
	private readonly streams = new Map<string, RandomStream>();

	constructor(
		readonly seed: number,
		readonly runIndex = 0,
	) {
		streamKey(seed, runIndex, "");
	}

	stream(name: string): RandomStream {
		let stream = this.streams.get(name);
		if (stream === undefined) {
			stream = RandomStream.create(this.seed, this.runIndex, name);
			this.streams.set(name, stream);
		}
		return stream;
	}

	/** States of every stream handed out so far, by name (a checkpoint). */
	save(): RandomStreamState[] {
		return [...this.streams.values()].map((s) => s.save()).sort((a, b) => (a.name < b.name ? -1 : 1));
	}

	/** Replaces streams with the saved ones (a checkpoint restore). */
	restore(states: readonly RandomStreamState[]): void {
		for (const state of states) this.streams.set(state.name, RandomStream.restore(state));
	}
}
