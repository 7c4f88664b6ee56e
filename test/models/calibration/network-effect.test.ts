import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { timeseriesCsv } from "../../../cli/run.js";
import { efficiencyFor, parseCalibrationProfile, withMappedClass } from "../../../models/latency.js";
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
		// Every tenant on DePIN (bias 60) and no network latency: a slower profile also needs more
		// replicas, which land nearer users, so with RTT on the two effects can cancel.
		const inputs = inputsFromFile("small", ["demand.classes[0].choice.bias=60", "geography.zeroNetworkLatency=true"]);
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

	it("a CPU profile (the committed wasm measurement) leaves every GPU class's timing unchanged: the same run", () => {
		const measured = parseCalibrationProfile(readFileSync(join(scenariosDir, "calibration", "measured-wasm.json")));
		expect(measured.measuredClass).toBe("cpu-wasm");
		expect(measured.measuredEfficiency).toBeDefined();
		const inputs = inputsFromFile("small");
		const a = run(inputs, { checkInvariants: false });
		const b = run({ ...inputs, calibration: measured }, { checkInvariants: false });
		expect(timeseriesCsv(b)).toBe(timeseriesCsv(a));
		expect(b.kpis).toEqual(a.kpis);
		for (const gpu of inputs.catalog.gpus)
			expect(efficiencyFor(measured, gpu)).toEqual(efficiencyFor(inputs.calibration, gpu));
	});

	it("an explicit mapping changes exactly the mapped class", () => {
		const inputs = inputsFromFile("small");
		const gpuProfile = JSON.parse(readFileSync(join(scenariosDir, "calibration", "measured-wasm.json"), "utf8"));
		gpuProfile.measuredClass = "rtx3090";
		gpuProfile.measuredEfficiency = { mfu: 0.02, mbu: 0.03 };
		const rtx3090 = parseCalibrationProfile(JSON.stringify(gpuProfile), "measured-rtx3090.json");
		const mapped = withMappedClass(inputs.calibration, "rtx4090", rtx3090);
		for (const gpu of inputs.catalog.gpus) {
			const before = efficiencyFor(inputs.calibration, gpu);
			const after = efficiencyFor(mapped, gpu);
			if (gpu.id === "rtx4090") expect(after).toEqual({ mfu: 0.02, mbu: 0.03, overheadMsScale: 1 });
			else expect(after).toEqual(before);
		}
		expect(mapped.classSources.rtx4090).toEqual({
			profile: "measured-rtx3090.json",
			measuredClass: "rtx3090",
			profileHash: rtx3090.profileHash,
		});
		// small has rtx4090 nodes: its requests get slower; the unmapped profile runs as before.
		// The real-time class runs on the 4090s only (else, slower, they lose its replicas to the
		// datacenter GPUs on cost per capacity) and its tenants stay on DePIN (else slower
		// replicas miss the SLA more, fewer tenants choose DePIN, and the lighter load hides it).
		// The cloud's reserve is priced on its H100 (a cheaper cloud card would price the slow
		// mapped 4090s out of the auction, leaving no replicas to measure).
		const pinned = inputsFromFile("small", [
			"demand.classes[0].choice.bias=60",
			"demand.classes[0].hardware.tiers=[consumer]",
			"cloud.realtimeGpu=h100-sxm",
		]);
		const a = run(pinned, { checkInvariants: false }).kpis.latencyMs;
		const b = run({ ...pinned, calibration: mapped }, { checkInvariants: false }).kpis.latencyMs;
		expect(b?.mean).toBeGreaterThan(a?.mean ?? Number.POSITIVE_INFINITY);
		// A profile with no measurement cannot be mapped.
		expect(() => withMappedClass(inputs.calibration, "rtx4090", inputs.calibration)).toThrow(/no measured efficiency/);
	});
});
