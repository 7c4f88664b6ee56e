import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCalibrationProfile } from "../../../models/latency.js";
import { inputsFromFile, run, scenariosDir } from "../network-helpers.js";

describe("the calibration profile drives the network model's latencies", () => {
	it("a tenth of every tier's mfu and mbu makes small's requests slower; the same profile, the same figures", () => {
		// Compute is a few ms of small's ~50 ms requests (RTT dominates) and latency quantiles come
		// from a binned histogram, so the change must be large enough to cross bins.
		const path = join(scenariosDir, "calibration", "default.json");
		const base = JSON.parse(readFileSync(path, "utf8"));
		const slower = structuredClone(base);
		for (const tier of ["consumer", "datacenter", "edge"]) {
			slower.efficiency[tier].mfu /= 10;
			slower.efficiency[tier].mbu /= 10;
		}
		const inputs = inputsFromFile("small");
		const withProfile = (json: unknown) =>
			run(
				{ ...inputs, calibration: parseCalibrationProfile(JSON.stringify(json), "<test>") },
				{ checkInvariants: false },
			).kpis.latencyMs;
		const a = withProfile(base);
		const b = withProfile(slower);
		const again = withProfile(base);
		expect(a).not.toBeNull();
		expect(b).not.toBeNull();
		expect(again).toEqual(a);
		expect(b?.mean).toBeGreaterThan(a?.mean ?? Number.POSITIVE_INFINITY);
		expect(b?.p50).toBeGreaterThan(a?.p50 ?? Number.POSITIVE_INFINITY);
		expect(b?.p95).toBeGreaterThan(a?.p95 ?? Number.POSITIVE_INFINITY);
	});

	it("a measured profile (the committed wasm reference) also runs and changes the figures", () => {
		const measured = parseCalibrationProfile(readFileSync(join(scenariosDir, "calibration", "measured-wasm.json")));
		const inputs = inputsFromFile("small");
		const a = run(inputs, { checkInvariants: false }).kpis.latencyMs;
		const b = run({ ...inputs, calibration: measured }, { checkInvariants: false }).kpis.latencyMs;
		expect(b).not.toBeNull();
		expect(b?.mean).not.toBe(a?.mean);
	});
});
