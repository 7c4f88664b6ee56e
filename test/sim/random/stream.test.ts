import { readFileSync } from "node:fs";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { RandomStream, StreamFactory, streamKey } from "../../../sim/random/stream.js";

const vector = JSON.parse(
	readFileSync(new URL("./fixtures/stream-seed42-run0-test-vector.json", import.meta.url), "utf8"),
) as { seed: number; runIndex: number; name: string; key: string; first1000: number[] };

function draws(stream: RandomStream, n: number): number[] {
	return Array.from({ length: n }, () => stream.next());
}

describe("random streams", () => {
	it("reproduce the committed first 1,000 outputs for seed 42", () => {
		expect(streamKey(vector.seed, vector.runIndex, vector.name)).toBe(vector.key);
		const stream = RandomStream.create(vector.seed, vector.runIndex, vector.name);
		expect(draws(stream, 1000)).toEqual(vector.first1000);
	});

	it("uint32 gives seedrandom's words, and next() is two of them (its steps are written out)", () => {
		const reference = seedrandom.xor4096(streamKey(42, 0, "test/words"));
		const words = RandomStream.create(42, 0, "test/words");
		for (let k = 0; k < 1000; k++) expect(words.uint32()).toBe(reference.int32() >>> 0);
		const a = RandomStream.create(7, 0, "test/words");
		const b = RandomStream.create(7, 0, "test/words");
		for (let k = 0; k < 1000; k++) {
			const top = a.uint32() >>> 11;
			const bottom = a.uint32() / 0x100000000;
			expect(b.next()).toBe((top + bottom) / (1 << 21));
		}
	});

	it("lie in (0, 1) with 53-bit resolution", () => {
		const stream = RandomStream.create(1, 0, "range");
		let fractional = 0;
		for (let i = 0; i < 100_000; i++) {
			const u = stream.next();
			expect(u > 0 && u < 1).toBe(true);
			if (u * 2 ** 32 !== Math.floor(u * 2 ** 32)) fractional++;
		}
		expect(fractional).toBeGreaterThan(99_000);
	});

	it("leave every other stream bit-identical when one stream draws more", () => {
		const plain = new StreamFactory(9, 2);
		const busy = new StreamFactory(9, 2);
		busy.stream("demand");
		draws(busy.stream("market"), 12_345);
		const names = ["demand", "failures", "providers"];
		for (const name of names) expect(draws(busy.stream(name), 500)).toEqual(draws(plain.stream(name), 500));
	});

	it("do not depend on the order in which streams are created", () => {
		const forward = new StreamFactory(3);
		const backward = new StreamFactory(3);
		const a1 = draws(forward.stream("a"), 10);
		const b1 = draws(forward.stream("b"), 10);
		const b2 = draws(backward.stream("b"), 10);
		const a2 = draws(backward.stream("a"), 10);
		expect(a1).toEqual(a2);
		expect(b1).toEqual(b2);
	});

	it("differ across seeds, run indices and names", () => {
		const base = draws(RandomStream.create(1, 0, "x"), 5);
		expect(draws(RandomStream.create(2, 0, "x"), 5)).not.toEqual(base);
		expect(draws(RandomStream.create(1, 1, "x"), 5)).not.toEqual(base);
		expect(draws(RandomStream.create(1, 0, "y"), 5)).not.toEqual(base);
		expect(streamKey(1, 0, "ab")).not.toBe(streamKey(1, 0, "a\u0000b"));
	});

	it("continue exactly after save → restore (also through JSON)", () => {
		const stream = RandomStream.create(11, 0, "checkpoint");
		draws(stream, 777);
		const saved = JSON.parse(JSON.stringify(stream.save()));
		const expected = draws(stream, 1000);
		const restored = RandomStream.restore(saved);
		expect(draws(restored, 1000)).toEqual(expected);
		expect(restored.name).toBe("checkpoint");
	});

	it("checkpoint a whole factory", () => {
		const factory = new StreamFactory(5, 1);
		draws(factory.stream("a"), 10);
		draws(factory.stream("b"), 20);
		const checkpoint = factory.save();
		const expectedA = draws(factory.stream("a"), 50);
		const expectedB = draws(factory.stream("b"), 50);
		const resumed = new StreamFactory(5, 1);
		resumed.restore(checkpoint);
		expect(draws(resumed.stream("a"), 50)).toEqual(expectedA);
		expect(draws(resumed.stream("b"), 50)).toEqual(expectedB);
	});

	it("reject seeds that are not safe integers", () => {
		expect(() => new StreamFactory(1.5)).toThrow(/seed/);
		expect(() => new StreamFactory(1, -1)).toThrow(/run index/);
	});
});
