import { describe, expect, it } from "vitest";
import { driftWarnings, MACHINE_DRIFT_LIMIT, type ModelRunSample, modelReport } from "../../cli/bench-model.js";

/** A run sample with distinct figures, so a mix-up between sides shows. */
function sample(wallMs: number, events: number, peakRssMiB: number, holdEventsPerSec = 4_000_000): ModelRunSample {
	return {
		wallMs,
		events,
		epochs: 24,
		nodesStart: 100,
		nodesEnd: 110,
		peakRssMiB,
		engineHoldEventsPerSec: holdEventsPerSec,
		speedProbeMs: [100, 100],
	};
}

const options = { scenario: "base", overrides: [], repetitions: 3 };

describe("bench model", () => {
	it("warns of a drifting machine only past the limit, naming the drift in percent", () => {
		expect(driftWarnings(MACHINE_DRIFT_LIMIT)).toEqual([]);
		expect(driftWarnings(0.04)).toEqual([]);
		const [warning] = driftWarnings(0.37);
		expect(warning).toMatch(/moved by 37% during a run/);
	});

	it("reports each side of the tokenomics comparison from its own runs (scenario with tokens on)", () => {
		const plain = [sample(12_000, 1_000_000, 130), sample(10_000, 1_000_000, 131), sample(11_000, 1_000_000, 129)];
		const other = [sample(9_000, 990_000, 120), sample(8_000, 990_000, 121), sample(10_000, 990_000, 119)];
		const report = modelReport(options, true, ["tokenomics.enabled=false"], plain, other);
		// Headline: the scenario as given (median 11 s), events/s against the pooled hold rate.
		expect(report.wallMs).toBe(11_000);
		expect(report.wallMsPerRepetition).toEqual([12_000, 10_000, 11_000]);
		expect(report.eventsPerSec).toBe(Math.round(1_000_000 / 11));
		expect(report.ratio).toBeCloseTo(Math.round((1_000_000 / 11 / 4_000_000) * 1000) / 1000, 10);
		expect(report.peakRssMiB).toBe(131);
		expect(report.tokenomics.with).toEqual({ overrides: [], wallMs: 11_000, events: 1_000_000, peakRssMiB: 131 });
		expect(report.tokenomics.without).toEqual({
			overrides: ["tokenomics.enabled=false"],
			wallMs: 9_000,
			events: 990_000,
			peakRssMiB: 121,
		});
		expect(report.tokenomics.wallRatio).toBe(Math.round((11_000 / 9_000) * 1000) / 1000);
		expect(report.warnings).toEqual([]);
	});

	it("switches a reference tokenomics on for a scenario without one, and flags a drifting run", () => {
		const plain = [sample(5_000, 500_000, 90)];
		const drifting = { ...sample(6_000, 510_000, 95), speedProbeMs: [100, 125] as const };
		const report = modelReport({ ...options, repetitions: 1 }, false, ["tokenomics.enabled=true"], plain, [drifting]);
		expect(report.wallMs).toBe(5_000);
		expect(report.tokenomics.with).toEqual({
			overrides: ["tokenomics.enabled=true"],
			wallMs: 6_000,
			events: 510_000,
			peakRssMiB: 95,
		});
		expect(report.tokenomics.without.overrides).toEqual([]);
		expect(report.tokenomics.wallRatio).toBe(1.2);
		expect(report.machineDrift).toBeGreaterThan(MACHINE_DRIFT_LIMIT);
		expect(report.warnings).toHaveLength(1);
	});
});
