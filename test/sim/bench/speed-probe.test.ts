import { describe, expect, it } from "vitest";
import { speedDrift, speedProbeMs } from "../../../sim/bench/speed-probe.js";

describe("machine speed probe", () => {
	it("reads drift as the larger probe time over the smaller, either way", () => {
		expect(speedDrift(100, 100)).toBe(0);
		expect(speedDrift(100, 125)).toBeCloseTo(0.25, 12);
		expect(speedDrift(125, 100)).toBeCloseTo(0.25, 12);
		expect(() => speedDrift(0, 10)).toThrow(/> 0/);
		expect(() => speedDrift(10, Number.NaN)).toThrow(/> 0/);
	});

	it("returns a time in ms that drift can read", () => {
		const ms = speedProbeMs(1 << 16);
		expect(Number.isFinite(ms) && ms > 0).toBe(true);
		expect(speedDrift(ms, ms)).toBe(0);
	});
});
