import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { summaryViolations, timeseriesViolations } from "./summary-invariants.js";

describe("summaryViolations", () => {
	it("finds each kind of violation by shape, naming its path", () => {
		const summary = {
			kpis: {
				nodes: { start: 300, end: 99, min: 101, max: 300 },
				latencyMs: { p50: 60, p95: 50, p99: 70 },
				classes: [{ servedFraction: 1.2, jobs: { arrived: 10, served: 11, rejected: -1 } }],
			},
		};
		expect(summaryViolations(summary)).toEqual([
			".kpis.nodes.end = 99 outside [101, 300]",
			".kpis.latencyMs.p95 = 50 < p50 = 60",
			".kpis.classes[0].servedFraction = 1.2 outside [0, 1]",
			".kpis.classes[0].jobs.rejected = -1 < 0",
			".kpis.classes[0].jobs: served 11 > arrived 10",
		]);
	});

	it("passes the golden summary of small", () => {
		const golden = JSON.parse(readFileSync(join(import.meta.dirname, "..", "golden", "small.summary.json"), "utf8"));
		expect(summaryViolations(golden)).toEqual([]);
	});

	it("finds timeseries rows with a share outside [0, 1], a bad count or more serving than active nodes", () => {
		const csv = [
			"epoch,activeNodes,servingNodes,exits,utilisation,demandShare,clearingPriceUsdPerGpuHour",
			"0,10,4,0,0.4,0.5,0.3",
			"1,10,4,0,0.4,NaN,",
			"2,10,12,-1,1.5,0.5,-0.2",
		].join("\n");
		expect(timeseriesViolations(csv)).toEqual([
			"epoch 2: exits = -1",
			"epoch 2: utilisation = 1.5 outside [0, 1]",
			"epoch 2: servingNodes > activeNodes",
		]);
	});
});
