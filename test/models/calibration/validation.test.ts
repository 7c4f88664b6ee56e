import { describe, expect, it } from "vitest";
import { regimeErrors, type ValidationResult } from "../../../models/calibration/validation.js";

const result = (regime: string, relativeError: number): ValidationResult => ({
	gpu: "rtx4090",
	workload: "w",
	batch: 1,
	metric: "tokens_per_s",
	published: 1,
	compute: { prefillGflop: 0, decodeSteps: 1, stepGflop: 1, weightsGb: 1, overheadMs: 0 },
	tokensPerRequest: 1,
	sourceUrl: "u",
	sourceDate: "d",
	note: "",
	excluded: "",
	regime,
	predicted: 1 + relativeError,
	relativeError,
	efficiencySource: "tier consumer",
});

describe("regimeErrors", () => {
	it("keeps the sign: a regime under- and one over-predicted do not cancel", () => {
		const groups = regimeErrors([
			result("F16 decode", -0.2),
			result("Q4 decode", 0.1),
			result("F16 decode", -0.1),
			result("Q4 decode", 0.2),
			result("F16 decode", -0.05),
		]);
		expect(groups.map((g) => g.regime)).toEqual(["F16 decode", "Q4 decode"]);
		expect(groups[0]).toEqual({ regime: "F16 decode", count: 3, medianError: -0.1, minError: -0.2, maxError: -0.05 });
		expect(groups[1]?.medianError).toBeCloseTo(0.15, 12);
		expect(groups[1]?.minError).toBe(0.1);
		expect(groups[1]?.maxError).toBe(0.2);
	});
});
