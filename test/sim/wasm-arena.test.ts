import { describe, expect, it } from "vitest";
import { ARENA_RESERVED_BYTES, WasmArena } from "../../sim/wasm-arena.js";

describe("WasmArena", () => {
	it("hands out zeroed arrays of each kind, 8-byte aligned, above the kernels' reserved bytes, without overlap", () => {
		const arena = new WasmArena(1024);
		const bytes = arena.alloc(Uint8Array, 3);
		const halves = arena.alloc(Uint16Array, 5);
		const doubles = arena.alloc(Float64Array, 7);
		const floats = arena.alloc(Float32Array, 2);
		const arrays = [bytes, halves, doubles, floats];
		for (const values of arrays) {
			expect(values.byteOffset % 8).toBe(0);
			expect(values.byteOffset).toBeGreaterThanOrEqual(ARENA_RESERVED_BYTES);
			expect(Array.from(values).every((v) => v === 0)).toBe(true);
			expect(arena.owns(values)).toBe(true);
		}
		for (let i = 1; i < arrays.length; i++) {
			const before = arrays[i - 1] as Uint8Array;
			expect((arrays[i] as Uint8Array).byteOffset).toBeGreaterThanOrEqual(before.byteOffset + before.byteLength);
		}
		expect(arena.usedBytes).toBeGreaterThanOrEqual(3 + 10 + 56 + 8);
	});

	it("keeps every array it handed out valid when the memory grows (shared memory never detaches)", () => {
		const arena = new WasmArena(64);
		const early = arena.alloc(Float64Array, 8);
		early[3] = 2.5;
		const pagesBefore = arena.memory.buffer.byteLength;
		const big = arena.alloc(Float64Array, 100_000);
		expect(arena.memory.buffer.byteLength).toBeGreaterThan(pagesBefore);
		expect(early.length).toBe(8);
		expect(early[3]).toBe(2.5);
		early[4] = 7;
		// The old array and a fresh view of the whole memory see the same bytes.
		expect(new Float64Array(arena.memory.buffer, early.byteOffset, 8)[4]).toBe(7);
		big[99_999] = 1;
		expect(arena.owns(early) && arena.owns(big)).toBe(true);
	});

	it("grows a copy in place of the original, the rest zero", () => {
		const arena = new WasmArena();
		const ids = arena.alloc(Int32Array, 3);
		ids.set([4, -5, 6]);
		const bigger = arena.grown(ids, 6);
		expect(Array.from(bigger)).toEqual([4, -5, 6, 0, 0, 0]);
		expect(bigger.byteOffset).not.toBe(ids.byteOffset);
		expect(arena.grown(new Float32Array([1.5]), 2)).toBeInstanceOf(Float32Array);
	});

	it("owns only its own arrays", () => {
		const arena = new WasmArena();
		const other = new WasmArena();
		expect(arena.owns(new Float64Array(4))).toBe(false);
		expect(arena.owns(other.alloc(Float64Array, 4))).toBe(false);
	});

	it("refuses an array past its largest memory with a clear error", () => {
		const arena = new WasmArena();
		expect(() => arena.alloc(Float64Array, 2 ** 29)).toThrow(/arena full/);
	});
});
