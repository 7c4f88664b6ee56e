import { describe, expect, it } from "vitest";
import { IdleIndex, NodeState, NodeTable } from "../../models/nodes.js";
import { RandomStream } from "../../sim/random/stream.js";

describe("NodeTable", () => {
	it("holds a node in at most 121 bytes of typed arrays", () => {
		// 94 bytes before issues 11–12, then hosting (1), link speed (4), the provider's own
		// power price, exit threshold, patience and ask undercut (4 + 4 + 2 + 4) and its
		// bandwidth bill of the epoch (8).
		const table = new NodeTable(16);
		expect(table.bytesPerNode).toBeLessThanOrEqual(121);
		expect(table.bytesPerNode).toBeGreaterThan(50);
	});

	it("grows without losing any column", () => {
		const table = new NodeTable(16);
		for (let i = 0; i < 1000; i++) table.add(i % 7, i % 100, NodeState.idle, i * 10, 0.25 + i);
		expect(table.count).toBe(1000);
		expect(table.gpu[999]).toBe(999 % 7);
		expect(table.metro[500]).toBe(0);
		expect(table.joinedAtMs[999]).toBe(9990);
		expect(table.askUsdPerGpuHour[3]).toBeCloseTo(3.25, 5);
		expect(table.job[999]).toBe(-1);
	});
});

describe("IdleIndex", () => {
	it("indexes idle nodes by (GPU, metro) and keeps counts", () => {
		const index = new IdleIndex(3, 4);
		index.add(10, 1, 2);
		index.add(11, 1, 2);
		index.add(12, 0, 3);
		expect([...index.bucket(1, 2)]).toEqual([10, 11]);
		expect(index.idleByMetro[2]).toBe(2);
		expect(index.idleByGpu[1]).toBe(2);
		index.remove(10, 1, 2);
		expect([...index.bucket(1, 2)]).toEqual([11]);
		expect(index.has(10)).toBe(false);
		expect(index.size).toBe(2);
		expect(() => index.remove(10, 1, 2)).toThrow(/not idle/);
		expect(() => index.add(11, 1, 2)).toThrow(/already idle/);
	});

	it("keeps a bit per non-empty (GPU class, metro) bucket, class 31 included, and none beyond 32 classes", () => {
		const index = new IdleIndex(32, 2);
		index.add(1, 31, 1);
		index.add(2, 31, 1);
		index.add(3, 0, 1);
		expect(index.idleGpuMaskByMetro?.[1]).toBe((1 << 31) | 1);
		expect(index.idleGpuMaskByMetro?.[0]).toBe(0);
		index.remove(1, 31, 1);
		expect(index.idleGpuMaskByMetro?.[1]).toBe((1 << 31) | 1);
		index.remove(2, 31, 1);
		expect(index.idleGpuMaskByMetro?.[1]).toBe(1);
		index.remove(3, 0, 1);
		expect(index.idleGpuMaskByMetro?.[1]).toBe(0);
		expect(new IdleIndex(33, 2).idleGpuMaskByMetro).toBeNull();
	});

	it("keeps each bucket in the order of an array with push and swap-remove, as buckets outgrow their room", () => {
		const gpus = 3;
		const metros = 5;
		const index = new IdleIndex(gpus, metros);
		const reference = Array.from({ length: gpus * metros }, () => [] as number[]);
		const where = new Map<number, number>();
		const rng = RandomStream.create(11, 0, "test/idle-index");
		for (let step = 0; step < 20_000; step++) {
			const node = rng.int(600);
			const bucket = reference[(node % gpus) * metros + (node % metros)] as number[];
			if (where.has(node)) {
				index.remove(node, node % gpus, node % metros);
				const at = bucket.indexOf(node);
				const last = bucket.pop() as number;
				if (last !== node) bucket[at] = last;
				where.delete(node);
			} else {
				index.add(node, node % gpus, node % metros);
				bucket.push(node);
				where.set(node, 1);
			}
		}
		for (let g = 0; g < gpus; g++)
			for (let m = 0; m < metros; m++) expect(index.bucket(g, m)).toEqual(reference[g * metros + m]);
		expect(index.size).toBe(where.size);
		// Moved buckets leave their old room behind, but never more than the room in use.
		expect(index.slab.length).toBeLessThanOrEqual(4 * 600 + 1024);
	});
});
