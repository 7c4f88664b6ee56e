import { describe, expect, it } from "vitest";
import { validationChart } from "../../dashboard/charts.js";

interface ValidationDatum {
	row: string;
	error: number;
	shown: number;
	clipped: boolean;
	labelAt: number;
}

function chartData(errors: number[]) {
	const spec = validationChart({ rows: errors.map((e, i) => ({ label: `r${i}`, relativeError: e })) }) as unknown as {
		data: { values: ValidationDatum[] };
		layer: { encoding?: { x?: { scale?: { domain?: number[] } } } }[];
	};
	return { values: spec.data.values, domain: spec.layer[1]?.encoding?.x?.scale?.domain };
}

describe("validationChart", () => {
	it("fits the axis to the errors when none passes ±100% (at least ±50%)", () => {
		expect(chartData([0.1, -0.3]).domain).toEqual([-0.5, 0.5]);
		const { values, domain } = chartData([0.8, -0.2]);
		expect(domain).toEqual([-0.8, 0.8]);
		expect(values.map((v) => v.clipped)).toEqual([false, false]);
	});

	it("clips the axis at ±100% and keeps the true value of a clipped bar for its label", () => {
		const { values, domain } = chartData([16.23, -0.2, -1.5]);
		expect(domain).toEqual([-1, 1]);
		expect(values.map((v) => v.shown)).toEqual([1, -0.2, -1]);
		expect(values.map((v) => v.clipped)).toEqual([true, false, true]);
		expect(values[0]?.error).toBe(16.23);
		expect(values[2]?.labelAt).toBe(-0.75);
	});
});
