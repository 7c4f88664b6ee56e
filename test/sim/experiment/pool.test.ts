import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TABLE_FILES, writeSweepTables } from "../../../sim/experiment/aggregate.js";
import { gridPoints, parseVary } from "../../../sim/experiment/design.js";
import { runSweep } from "../../../sim/experiment/pool.js";
import { runIdentity, runSeed } from "../../../sim/experiment/seeds.js";
import { openSweepFolder, SweepFolderError, type SweepManifest } from "../../../sim/experiment/store.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const workerFile = join(root, "test", "fixtures", "experiment-worker.mjs");

function manifestOf(vary: string[], runs: number, subjectHash = "synthetic-v1"): SweepManifest {
	const specs = vary.map(parseVary);
	const points = gridPoints(specs);
	const seeds = Array.from({ length: runs }, (_, r) => runSeed(11, r));
	return {
		kind: "sweep",
		subject: { model: "synthetic" },
		subjectHash,
		codeVersion: "test 1",
		masterSeed: 11,
		runsPerPoint: runs,
		vary: specs,
		points,
		series: ["s"],
		seeds,
		identities: points.map((p) =>
			seeds.map((seed, run) =>
				runIdentity({ scenarioHash: `${subjectHash}${JSON.stringify(p.values)}`, seed, run, codeVersion: "test 1" }),
			),
		),
	};
}

const tables = (dir: string) => TABLE_FILES.map((file) => readFileSync(join(dir, file), "utf8"));

async function sweepTo(manifest: SweepManifest, workers: number, dir = mkdtempSync(join(tmpdir(), "i13-pool-"))) {
	const outcome = await runSweep({ outDir: dir, manifest, workerFile, workers, context: null });
	const failures = writeSweepTables(dir, manifest);
	return { dir, outcome, failures };
}

describe("runSweep (synthetic model)", () => {
	it("writes byte-identical tables with 1, 2 and 4 workers; run r of every point shares its seed", async () => {
		const manifest = manifestOf(["a=1,2,3", "b=0..1:2"], 5);
		const one = await sweepTo(manifest, 1);
		const two = await sweepTo(manifest, 2);
		const four = await sweepTo(manifest, 4);
		expect(tables(two.dir)).toEqual(tables(one.dir));
		expect(tables(four.dir)).toEqual(tables(one.dir));
		const rows = readFileSync(join(one.dir, "runs.csv"), "utf8").trim().split("\n");
		expect(rows[0]).toBe("point,a,b,run,seed,status,y,nested.z,nested.missing,error");
		expect(rows).toHaveLength(1 + 6 * 5);
		// Point 5 (a=3, b=1), run 2: y = 31 + (seed mod 1000)/1000 exactly.
		const seed = runSeed(11, 2);
		expect(rows[1 + 5 * 5 + 2]).toBe(`5,3,1,2,${seed},ok,${31 + (seed % 1000) / 1000},3,,`);
		const summary = JSON.parse(readFileSync(join(one.dir, "summary.json"), "utf8"));
		// Common random numbers: y(a=2,b=0) − y(a=1,b=0) is exactly 10 in every run.
		expect(summary.points[2].kpis.y.mean - summary.points[0].kpis.y.mean).toBeCloseTo(10, 3);
		expect(summary.points[0].kpis.y.n).toBe(5);
		for (const dir of [one.dir, two.dir, four.dir]) rmSync(dir, { recursive: true });
	});

	it("starts its workers with the resource limits asked for", async () => {
		const manifest = manifestOf(["limits=yes"], 2);
		const dir = mkdtempSync(join(tmpdir(), "i13-pool-"));
		const resourceLimits = { maxYoungGenerationSizeMb: 8 };
		await runSweep({ outDir: dir, manifest, workerFile, workers: 2, context: null, resourceLimits });
		writeSweepTables(dir, manifest);
		const rows = readFileSync(join(dir, "runs.csv"), "utf8").trim().split("\n");
		expect(rows).toEqual([
			"point,limits,run,seed,status,youngMb,error",
			...[0, 1].map((r) => `0,yes,${r},${runSeed(11, r)},ok,8,`),
		]);
		rmSync(dir, { recursive: true });
	});

	it("records a run that throws with its seed and values and goes on", async () => {
		const manifest = manifestOf(["fail=no,yes"], 3);
		const { dir, outcome, failures } = await sweepTo(manifest, 2);
		expect(outcome.progress).toMatchObject({ total: 6, done: 6, failed: 3 });
		expect(failures.map((f) => [f.point, f.run, f.seed])).toEqual([0, 1, 2].map((r) => [1, r, runSeed(11, r)]));
		expect(failures[0]?.error).toBe(`Error: synthetic failure at seed ${runSeed(11, 0)}`);
		const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
		expect(summary.points[0]).toMatchObject({ runs: 3, ok: 3, failed: 0 });
		expect(summary.points[1]).toMatchObject({ runs: 3, ok: 0, failed: 3 });
		// Resuming runs the failed runs again (and only them).
		const again = await runSweep({ outDir: dir, manifest, workerFile, workers: 2, context: null });
		expect(again.receipts.map((r) => [r.point, r.run]).sort()).toEqual([
			[1, 0],
			[1, 1],
			[1, 2],
		]);
		rmSync(dir, { recursive: true });
	});

	it("resumes: runs only the missing runs, drops temporaries a crash left; refuses another sweep", async () => {
		const manifest = manifestOf(["a=1,2"], 4);
		const { dir } = await sweepTo(manifest, 2);
		const before = tables(dir);
		const files = readdirSync(join(dir, "runs")).sort();
		rmSync(join(dir, "runs", files[3] as string));
		writeFileSync(join(dir, "runs", `${files[0]}.tmp-crashed`), "{half");
		const resumed = await runSweep({ outDir: dir, manifest, workerFile, workers: 2, context: null });
		expect(resumed.progress).toMatchObject({ total: 8, skipped: 7, done: 8 });
		expect(resumed.receipts).toHaveLength(1);
		writeSweepTables(dir, manifest);
		expect(tables(dir)).toEqual(before);
		expect(readdirSync(join(dir, "runs")).sort()).toEqual(files);
		expect(() => openSweepFolder(dir, manifestOf(["a=1,2"], 4, "synthetic-v2"))).toThrow(/scenario changed/);
		expect(() => openSweepFolder(dir, { ...manifest, codeVersion: "test 2" })).toThrow(SweepFolderError);
		expect(existsSync(join(dir, "sweep.json"))).toBe(true);
		rmSync(dir, { recursive: true });
	});

	it("stops after the runs in flight when asked, and the same sweep then completes", async () => {
		const manifest = manifestOf(["a=1"], 6);
		const dir = mkdtempSync(join(tmpdir(), "i13-pool-"));
		let seen = 0;
		const stopped = await runSweep({
			outDir: dir,
			manifest,
			workerFile,
			workers: 1,
			context: null,
			onProgress: () => seen++,
			stopRequested: () => seen >= 3,
		});
		expect(stopped.interrupted).toBe(true);
		// Asked after the second run: the run handed out beside it (two per worker) still finishes.
		expect(stopped.progress.done).toBe(3);
		const rest = await runSweep({ outDir: dir, manifest, workerFile, workers: 1, context: null });
		expect(rest.progress).toMatchObject({ skipped: 3, done: 6 });
		rmSync(dir, { recursive: true });
	});
});
