/**
 * Typed arrays inside one WebAssembly memory, so that a compiled kernel (models/kernels/) reads
 * and writes the same columns as the TypeScript code, with no copy in either direction.
 *
 * The memory is shared (a SharedArrayBuffer underneath) for one reason: growing a shared memory
 * never detaches the arrays already handed out, so a column held in a local stays valid when
 * another column grows. No thread ever shares it. Arrays are bump-allocated and never freed: a
 * grown column leaves its old block behind, which doubling bounds to the size of the live ones.
 */
import type { NumericArray } from "./typed-arrays.js";

const PAGE_BYTES = 65_536;
/** The first 64 KiB belong to the kernels' own static data; arrays start above. */
export const ARENA_RESERVED_BYTES = PAGE_BYTES;
/**
 * Largest memory an arena may grow to: 2 GiB, a node table of about 4 million nodes (its columns
 * and the books' lists take ~160 bytes a node, and a grown array leaves its old block behind).
 * The kernels are compiled with the same maximum (scripts/build-kernels.mjs): change both.
 */
export const ARENA_MAX_PAGES = 32_768;

type ArrayKind<T extends NumericArray> = {
	new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
	readonly BYTES_PER_ELEMENT: number;
};

export class WasmArena {
	readonly memory: WebAssembly.Memory;
	/** Bytes in use: the next array starts at or after this offset. */
	private top = ARENA_RESERVED_BYTES;
	/** Every buffer object an array was cut from (memory.buffer is a new object after each grow). */
	private readonly buffers = new Set<ArrayBufferLike>();

	/** An arena with room for about `initialBytes` of arrays before it first grows. */
	constructor(initialBytes = PAGE_BYTES) {
		const pages = Math.ceil((ARENA_RESERVED_BYTES + initialBytes) / PAGE_BYTES);
		if (!(pages <= ARENA_MAX_PAGES))
			throw new RangeError(`arena of ${initialBytes} bytes: over ${ARENA_MAX_PAGES * PAGE_BYTES}`);
		this.memory = new WebAssembly.Memory({ initial: pages, maximum: ARENA_MAX_PAGES, shared: true });
	}

	/** A zeroed array of `length` elements of the kind `kind`. */
	alloc<T extends NumericArray>(kind: ArrayKind<T>, length: number): T {
		const bytes = length * kind.BYTES_PER_ELEMENT;
		// Every array starts on an 8-byte boundary, which any element kind accepts.
		const offset = (this.top + 7) & ~7;
		const end = offset + bytes;
		const have = this.memory.buffer.byteLength;
		if (end > have) {
			const pages = Math.ceil((end - have) / PAGE_BYTES);
			const current = have / PAGE_BYTES;
			if (current + pages > ARENA_MAX_PAGES)
				throw new RangeError(`arena full: ${bytes} more bytes would pass ${ARENA_MAX_PAGES * PAGE_BYTES}`);
			// Grow by at least half again, so that a growing table costs a few grows, not one per block.
			this.memory.grow(Math.min(Math.max(pages, current >> 1), ARENA_MAX_PAGES - current));
		}
		this.top = end;
		const buffer = this.memory.buffer;
		this.buffers.add(buffer);
		return new kind(buffer, offset, length);
	}

	/** A copy of `values` in this arena, `length` elements long (the rest zero). */
	grown<T extends NumericArray>(values: T, length: number): T {
		const bigger = this.alloc(values.constructor as ArrayKind<T>, length);
		bigger.set(values as never);
		return bigger;
	}

	/** Whether `values` lies in this arena (a kernel may then be given its byte offset). */
	owns(values: NumericArray): boolean {
		return this.buffers.has(values.buffer);
	}

	/** Bytes of arrays handed out so far, old blocks of grown ones included. */
	get usedBytes(): number {
		return this.top - ARENA_RESERVED_BYTES;
	}
}
