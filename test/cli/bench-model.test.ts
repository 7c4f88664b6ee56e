import { describe, expect, it } from "vitest";
import { driftWarnings, MACHINE_DRIFT_LIMIT } from "../../cli/bench-model.js";

describe("bench model", () => {
	it("warns of a drifting machine only past the limit, naming the drift in percent", () => {
		expect(driftWarnings(MACHINE_DRIFT_LIMIT)).toEqual([]);
		expect(driftWarnings(0.04)).toEqual([]);
		const [warning] = driftWarnings(0.37);
		expect(warning).toMatch(/moved by 37% during a run/);
	});
});
