import { describe, expect, it } from "vitest";
import { normalCdf } from "../../../sim/random/special.js";
import { RandomStream } from "../../../sim/random/stream.js";
import { standardExponential, standardNormal, zigguratTables } from "../../../sim/random/ziggurat.js";

// The chi-squared fits of Normal, LogNormal and Exponential (distributions.test.ts) cover the
// body of both laws; these cover the tables and the rare paths (wedges, tails).

describe("ziggurat tables", () => {
	const cases = [
		{ name: "normal", table: zigguratTables.normal, scale: 2 ** 52, f: (x: number) => Math.exp(-0.5 * x * x) },
		{ name: "exponential", table: zigguratTables.exponential, scale: 2 ** 53, f: (x: number) => Math.exp(-x) },
	];
	for (const { name, table, scale, f } of cases) {
		it(`${name}: 256 layers of equal area, widths growing to r`, () => {
			const { k, w, f: height, r } = table;
			const x = (i: number) => (w[i] as number) * scale;
			expect(k[1]).toBe(0);
			expect(height[0]).toBe(1);
			expect(x(255)).toBeCloseTo(r, 12);
			// Layer i (1 … 255) spans heights f(x_i) … f(x_{i−1}) over width x_i: area v for every i.
			const area = (i: number) => x(i) * ((i === 1 ? 1 : f(x(i - 1))) - f(x(i)));
			const v = area(255);
			for (let i = 1; i < 256; i++) {
				expect(x(i)).toBeGreaterThan(i === 1 ? 0 : x(i - 1));
				expect(height[i] as number).toBeCloseTo(f(x(i)), 15);
				expect(Math.abs(area(i) / v - 1)).toBeLessThan(1e-9);
				// Accept at once below the next narrower layer's edge.
				if (i >= 2) expect((k[i] as number) / scale).toBeCloseTo(x(i - 1) / x(i), 12);
			}
		});
	}
});

describe("ziggurat draws", () => {
	it("are pinned for a seed (a change of sampler shows here first)", () => {
		const rng = RandomStream.create(42, 0, "test/ziggurat");
		const normals = Array.from({ length: 4 }, () => standardNormal(rng));
		const exponentials = Array.from({ length: 4 }, () => standardExponential(rng));
		expect(normals).toEqual([2.2302047529264732, 0.5420266481303972, 0.6666261030094688, 0.3198161120559986]);
		expect(exponentials).toEqual([0.1741394582656863, 0.5599254732597496, 0.6853765589225465, 2.3688962458599754]);
	});

	it("land in the tails as often as the laws say (within 4.5 sd)", () => {
		let draws = 40_000_000; // the normal's far tail (beyond 4.5: ~270 draws) needs many
		const rng = RandomStream.create(7, 0, "test/ziggurat-tails");
		const expectCount = (observed: number, probability: number) => {
			const expected = draws * probability;
			expect(Math.abs(observed - expected), `observed ${observed}, expected ${expected}`).toBeLessThan(
				4.5 * Math.sqrt(expected),
			);
		};
		const rNormal = zigguratTables.normal.r;
		let beyondR = 0;
		let beyond45 = 0;
		let negative = 0;
		for (let i = 0; i < draws; i++) {
			const z = standardNormal(rng);
			if (Math.abs(z) > rNormal) beyondR++;
			if (Math.abs(z) > 4.5) beyond45++;
			if (z < 0) negative++;
		}
		expectCount(beyondR, 2 * (1 - normalCdf(rNormal)));
		expectCount(beyond45, 2 * (1 - normalCdf(4.5)));
		expectCount(negative, 0.5);
		draws = 4_000_000;
		const rExponential = zigguratTables.exponential.r;
		let beyondE = 0;
		let beyond10 = 0;
		let sum = 0;
		for (let i = 0; i < draws; i++) {
			const x = standardExponential(rng);
			sum += x;
			if (x > rExponential) beyondE++;
			if (x > 10) beyond10++;
		}
		expectCount(beyondE, Math.exp(-rExponential));
		expectCount(beyond10, Math.exp(-10));
		// Mean 1, sd of the mean 1/√n.
		expect(Math.abs(sum / draws - 1)).toBeLessThan(4.5 / Math.sqrt(draws));
	});
});
