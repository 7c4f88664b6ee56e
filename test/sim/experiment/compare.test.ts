import { describe, expect, it } from "vitest";
import { compareDesigns, type DesignSample } from "../../../sim/experiment/compare.js";
import { flattenNumeric } from "../../../sim/experiment/task.js";

const design = (label: string, seeds: number[], y: (number | null)[]): DesignSample => ({
	label,
	seeds,
	kpis: new Map([["y", y]]),
});

describe("compareDesigns", () => {
	it("pairs by seed whatever the run order; identical designs differ in nothing", () => {
		const a = design("a", [1, 2, 3, 4], [10, 20, 30, 40]);
		const same = design("same", [4, 3, 2, 1], [40, 30, 20, 10]);
		const shifted = design("shifted", [4, 3, 2, 1], [43, 33.5, 23, 12.5]);
		const [row] = compareDesigns([a, same, shifted]);
		expect(row?.differences[0]).toBeNull();
		expect(row?.differences[1]).toMatchObject({ paired: true, n: 4, diff: 0, ci95: [0, 0], significant: false });
		// Differences 2.5, 3, 3.5, 3: mean 3, sd √(1/6); t(0.975, 3) = 3.182.
		const half = (3.182 * Math.sqrt(1 / 6)) / 2;
		expect(row?.differences[2]?.diff).toBeCloseTo(3, 12);
		expect(row?.differences[2]?.ci95?.[0]).toBeCloseTo(3 - half, 12);
		expect(row?.differences[2]?.significant).toBe(true);
		expect(row?.designs[0]).toMatchObject({ n: 4, mean: 25 });
	});

	it("falls back to Welch when the seeds differ, and skips missing values", () => {
		const a = design("a", [1, 2, 3], [10, 20, 30]);
		const b = design("b", [7, 8, 9], [11, null, 31]);
		const [row] = compareDesigns([a, b]);
		expect(row?.differences[1]).toMatchObject({ paired: false, diff: 1, significant: false });
		expect(row?.designs[1]).toMatchObject({ n: 2, mean: 21 });
	});
});

describe("flattenNumeric", () => {
	it("names every number or null leaf by its dotted path; array items by id or index", () => {
		const kpis = {
			a: 1,
			b: { c: null, d: "text", e: true, f: Number.NaN },
			classes: [{ id: "vision-edge", latencyMs: { p95: 12 } }, { latencyMs: { p95: 7 } }],
		};
		expect(flattenNumeric({ kpis })).toEqual({
			"kpis.a": 1,
			"kpis.b.c": null,
			"kpis.b.f": null,
			"kpis.classes.vision-edge.latencyMs.p95": 12,
			"kpis.classes.1.latencyMs.p95": 7,
		});
	});
});
