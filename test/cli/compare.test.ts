import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { comparisonCsv, comparisonTable, loadDesigns } from "../../cli/compare.js";
import { ExitCode, InputError } from "../../cli/errors.js";
import { executeRun, prepareRun } from "../../cli/run.js";
import { reportFailures } from "../../cli/sweep.js";
import { compareDesigns } from "../../sim/experiment/compare.js";
import type { SweepManifest } from "../../sim/experiment/store.js";
import { captureIo } from "../helpers/io.js";

describe("compare on run folders", () => {
	it("reads each run's summary.json as a design of one run; one run gives no interval and no flag", async () => {
		const dirs = [7, 8].map((seed) => {
			const out = mkdtempSync(join(tmpdir(), "depin-twin-compare-"));
			executeRun(prepareRun("small", ["horizonDays=0.125", "nodes.initialCount=250"], seed), { out });
			return out;
		});
		const capture = captureIo();
		const designs = await loadDesigns(dirs, { set: [] }, capture.io);
		expect(designs.map((d) => d.seeds)).toEqual([[7], [8]]);
		const rows = compareDesigns(designs);
		const start = rows.find((row) => row.kpi === "kpis.nodes.start");
		expect(start?.designs).toEqual([
			{ n: 1, mean: 250, ci95: null },
			{ n: 1, mean: 250, ci95: null },
		]);
		expect(start?.differences[1]).toMatchObject({ paired: false, diff: 0, ci95: null, significant: false });
		expect(comparisonTable(designs, rows).split("\n")[0]).toMatch(/^kpi +.+ mean \[CI95\] +.+ Δ vs first \[CI95\]$/);
		expect(comparisonCsv(designs, rows)).toContain(`kpis.nodes.start,${dirs[1]},1,250,,,0,,,false,false`);
		await expect(loadDesigns([dirs[0] as string], { set: [] }, capture.io)).rejects.toThrow(InputError);
		await expect(loadDesigns(["small", "small"], { set: [] }, capture.io)).rejects.toThrow(/give --runs N/);
		for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
	});
});

describe("sweep failures", () => {
	it("are named with point, run, seed and values, and exit 1", () => {
		const manifest = {
			points: [
				{ index: 0, values: {} },
				{ index: 1, values: { "market.mechanism": "posted" } },
			],
			seeds: [7, 99],
		} as unknown as SweepManifest;
		const capture = captureIo();
		const failure = { identity: "x", point: 1, run: 1, ok: false, error: "boom", wallMs: 0, startedMs: 0 };
		const outcome = {
			progress: { total: 4, skipped: 0, done: 4, failed: 1 },
			failures: [failure],
			receipts: [failure],
			interrupted: false,
		};
		expect(() => reportFailures(outcome, manifest, capture.io)).toThrow(ExitCode);
		expect(capture.err()).toBe("1 run(s) failed:\n  point 1 run 1 seed 99 market.mechanism=posted: boom\n");
		expect(() => reportFailures({ ...outcome, failures: [] }, manifest, capture.io)).not.toThrow();
	});
});
