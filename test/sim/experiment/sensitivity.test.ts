import { describe, expect, it } from "vitest";
import { morrisDesign, morrisEffects, onRange, tornado } from "../../../sim/experiment/sensitivity.js";

/** Known ranking: x0 (slope 10–12) > x1 (5·(a+b), 3.3–6.7) > x3 (2·x0, 0–2) > x2 (no effect). */
const f = (x: readonly number[]) =>
	10 * (x[0] as number) + 5 * (x[1] as number) ** 2 + 0 * (x[2] as number) + 2 * (x[0] as number) * (x[3] as number);

describe("Morris elementary effects", () => {
	it("trajectories move one coordinate by Δ per step on the p-level grid", () => {
		const design = morrisDesign(4, 12, 4, 1);
		expect(design.delta).toBeCloseTo(2 / 3, 15);
		for (const t of design.trajectories) {
			expect(t.points).toHaveLength(5);
			expect([...t.moved].sort()).toEqual([0, 1, 2, 3]);
			t.moved.forEach((i, step) => {
				const a = design.points[t.points[step] as number] as number[];
				const b = design.points[t.points[step + 1] as number] as number[];
				expect(Math.abs((b[i] as number) - (a[i] as number))).toBeCloseTo(2 / 3, 12);
				expect(a.filter((v, j) => v !== b[j])).toHaveLength(1);
			});
		}
		for (const x of design.points)
			for (const v of x) expect([0, 1 / 3, 2 / 3, 1].some((l) => Math.abs(l - v) < 1e-12)).toBe(true);
		expect(morrisDesign(4, 12, 4, 1)).toEqual(design);
	});

	it("recovers the known ranking of a synthetic function, with exact μ* for the linear and null parameters", () => {
		const design = morrisDesign(4, 20, 4, 7);
		const effects = morrisEffects(design, design.points.map(f));
		const ranking = effects
			.map((e, i) => ({ i, m: e.muStar }))
			.sort((a, b) => b.m - a.m)
			.map((e) => e.i);
		expect(ranking).toEqual([0, 1, 3, 2]);
		expect(effects[2]).toMatchObject({ muStar: 0, mu: 0, sigma: 0, effects: 20 });
		expect(effects[0]?.muStar).toBeGreaterThanOrEqual(10);
		expect(effects[0]?.muStar).toBeLessThanOrEqual(12);
		// x1 enters non-linearly: its effects spread (σ > 0); x0's spread only through x3.
		expect(effects[1]?.sigma).toBeGreaterThan(0);
	});

	it("tornado bars sort by swing; ranges map unit coordinates", () => {
		const bars = tornado([1, 5, 2], [2, 1, 2]);
		expect(bars.map((b) => [b.param, b.swing])).toEqual([
			[1, 4],
			[0, 1],
			[2, 0],
		]);
		expect(onRange(0.25, 100, 200)).toBe(125);
	});
});
