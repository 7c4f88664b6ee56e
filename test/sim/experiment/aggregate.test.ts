/**
 * writeSweepTables reads one run file at a time: its tables from hand-written run files, with a
 * failed run first (no KPIs), a KPI only a later run has, a null KPI and series of unequal lengths.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeSweepTables } from "../../../sim/experiment/aggregate.js";
import {
	openSweepFolder,
	type RunRecord,
	runPath,
	runRecordJson,
	type SweepManifest,
	writeAtomic,
} from "../../../sim/experiment/store.js";

const manifest: SweepManifest = {
	kind: "sweep",
	subject: { model: "hand-written" },
	subjectHash: "h",
	codeVersion: "test 1",
	masterSeed: 5,
	runsPerPoint: 3,
	vary: [],
	points: [{ index: 0, values: {} }],
	series: ["s"],
	seeds: [5, 6, 7],
	identities: [["aa", "bb", "cc"]],
};

const records: RunRecord[] = [
	{
		identity: "aa",
		point: 0,
		run: 0,
		seed: 5,
		values: {},
		status: "failed",
		kpis: {},
		series: {},
		error: "boom\nat x",
	},
	{
		identity: "bb",
		point: 0,
		run: 1,
		seed: 6,
		values: {},
		status: "ok",
		kpis: { a: 1, b: null },
		series: { s: [1, null, 3] },
	},
	{ identity: "cc", point: 0, run: 2, seed: 7, values: {}, status: "ok", kpis: { a: 3, c: 2 }, series: { s: [2, 5] } },
];

describe("writeSweepTables", () => {
	it("writes runs.csv, bands.csv and summary.json exactly, run by run", () => {
		const dir = mkdtempSync(join(tmpdir(), "i13-aggregate-"));
		openSweepFolder(dir, manifest);
		for (const record of records) writeAtomic(runPath(dir, record.identity), runRecordJson(record));
		const failures = writeSweepTables(dir, manifest);
		expect(failures).toEqual([{ point: 0, run: 0, seed: 5, values: {}, error: "boom" }]);
		expect(readFileSync(join(dir, "runs.csv"), "utf8")).toBe(
			// One newline ends the file: no empty last record.
			"point,run,seed,status,a,b,c,error\n0,0,5,failed,,,,boom\n0,1,6,ok,1,,,\n0,2,7,ok,3,,2,\n",
		);
		const bandsText = readFileSync(join(dir, "bands.csv"), "utf8");
		expect(bandsText).toMatch(/[^\n]\n$/);
		const bands = bandsText.trim().split("\n");
		expect(bands[0]).toBe("point,epoch,series,n,p10,p50,p90");
		// Epoch 0: both runs; epoch 1: run 1's null skipped; epoch 2: only run 1 is that long.
		expect(bands[1]).toMatch(/^0,0,s,2,/);
		expect(bands.slice(2)).toEqual(["0,1,s,1,5,5,5", "0,2,s,1,3,3,3"]);
		const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
		expect(summary.points[0]).toMatchObject({ runs: 3, ok: 2, failed: 1 });
		expect(Object.keys(summary.points[0].kpis)).toEqual(["a", "b", "c"]);
		expect(summary.points[0].kpis.a).toMatchObject({ n: 2, mean: 2 });
		expect(summary.points[0].kpis.b.n).toBe(0);
		rmSync(dir, { recursive: true });
	});
});
