/**
 * `depin-twin sweep` and `merge` end to end on small.yaml cut to 3 hours (each run well under
 * a second), through the built command line (dist/: `npm run build` first), whose workers load
 * the bundled model fast.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const cli = join(root, "dist", "cli", "main.js");
const scratch = mkdtempSync(join(tmpdir(), "depin-twin-sweep-"));
const SHORT = ["--set", "horizonDays=0.125"];
const DESIGN = ["--runs", "3", "--vary", "nodes.initialCount=200,300", ...SHORT];

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function depinTwin(args: string[], env: NodeJS.ProcessEnv = {}, cwd = root) {
	if (!existsSync(cli)) throw new Error("dist/cli/main.js is missing: run npm run build first");
	const result = spawnSync(process.execPath, [cli, ...args], {
		cwd,
		encoding: "utf8",
		timeout: 240_000,
		env: { ...process.env, ...env },
	});
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file of a folder (relative path → contents), temporaries and all. */
function tree(dir: string): Record<string, string> {
	const files: Record<string, string> = {};
	for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
		if (!entry.isFile()) continue;
		const path = join(entry.parentPath, entry.name);
		files[path.slice(dir.length + 1)] = readFileSync(path, "utf8");
	}
	return files;
}

let reference: Record<string, string> = {};

describe("depin-twin sweep", () => {
	it("writes byte-identical folders with 1, 2 and 4 workers", () => {
		for (const workers of [1, 2, 4]) {
			const out = join(scratch, `w${workers}`);
			const run = depinTwin(["sweep", "small", ...DESIGN, "--workers", String(workers), "--out", out]);
			expect(run.status, run.stderr).toBe(0);
			if (workers === 1) reference = tree(out);
			else expect(tree(out)).toEqual(reference);
		}
		expect(Object.keys(reference).filter((name) => name.startsWith("runs/"))).toHaveLength(6);
		const rows = (reference["runs.csv"] as string).trim().split("\n");
		expect(rows).toHaveLength(7);
		expect(rows[0]).toMatch(/^point,nodes\.initialCount,run,seed,status,kpis\.latencyMs\.p50,/);
		// Common random numbers: run r of both points has the same seed, run 0 the scenario's own.
		const seeds = rows.slice(1).map((row) => row.split(",")[3]);
		expect(seeds.slice(0, 3)).toEqual(seeds.slice(3));
		expect(seeds[0]).toBe("7");
		const summary = JSON.parse(reference["summary.json"] as string);
		expect(summary.points[1].kpis["kpis.nodes.start"]).toMatchObject({ n: 3, mean: 300, sd: 0 });
		expect(summary.points[0].kpis["baseline.servedFraction"].n).toBe(3);
		const bands = (reference["bands.csv"] as string).trim().split("\n");
		expect(bands[0]).toBe("point,nodes.initialCount,epoch,series,n,p10,p50,p90");
		expect(bands).toContain("0,200,0,activeNodes,3,200,200,200");
	});

	it("compare: identical designs differ in nothing; 300 vs 200 nodes is found, exactly", () => {
		const result = depinTwin(["compare", join(scratch, "w2"), join(scratch, "w4"), "--json"]);
		expect(result.status, result.stderr).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.designs.map((d: { runs: number }) => d.runs)).toEqual([3, 3, 3, 3]);
		type Row = { kpi: string; differences: ({ paired: boolean; diff: number; significant: boolean } | null)[] };
		const rows = report.kpis as Row[];
		// Design 2 is w4's point 0: the same runs as w2's point 0.
		expect(rows.filter((row) => row.differences[2]?.significant)).toEqual([]);
		expect(rows.every((row) => row.differences[2]?.paired !== false)).toBe(true);
		const start = rows.find((row) => row.kpi === "kpis.nodes.start");
		expect(start?.differences[1]).toMatchObject({ paired: true, n: 3, diff: 100, ci95: [100, 100], significant: true });
		const scenarios = depinTwin(["compare", "small", "small", "--runs", "2", ...SHORT, "--csv"], {}, scratch);
		expect(scenarios.status, scenarios.stderr).toBe(0);
		const lines = scenarios.stdout.trim().split("\n");
		expect(lines[0]).toBe("kpi,design,n,mean,ci95Low,ci95High,diff,diffCi95Low,diffCi95High,paired,significant");
		expect(lines.filter((line) => line.endsWith(",true,true"))).toEqual([]);
		expect(lines.filter((line) => line.endsWith(",true,false")).length).toBe((lines.length - 1) / 2);
	});

	it("shards 1/3, 2/3, 3/3 merge into exactly the one-machine sweep; index variables select as --shard", () => {
		const dirs = [1, 2, 3].map((k) => join(scratch, `shard${k}`));
		dirs.forEach((out, i) => {
			const run = depinTwin(["sweep", "small", ...DESIGN, "--workers", "1", "--shard", `${i + 1}/3`, "--out", out]);
			expect(run.status, run.stderr).toBe(0);
			expect(existsSync(join(out, "runs.csv"))).toBe(false);
		});
		const indexed = join(scratch, "indexed");
		const byEnv = depinTwin(["sweep", "small", ...DESIGN, "--workers", "1", "--out", indexed], {
			JOB_COMPLETION_INDEX: "1",
			DEPIN_TWIN_SHARD_COUNT: "3",
		});
		expect(byEnv.status, byEnv.stderr).toBe(0);
		expect(tree(indexed)).toEqual(tree(dirs[1] as string));
		const early = depinTwin(["merge", ...dirs.slice(0, 2), "--out", join(scratch, "partial")]);
		expect(early.status).toBe(1);
		expect(early.stderr).toMatch(/2 run\(s\) have no result/);
		const merged = join(scratch, "merged");
		const merge = depinTwin(["merge", ...dirs, "--out", merged]);
		expect(merge.status, merge.stderr).toBe(0);
		expect(tree(merged)).toEqual(reference);
	});

	it("resumes after SIGKILLs mid-sweep: every run exactly once, byte-identical to an uninterrupted sweep", async () => {
		const design = ["--runs", "12", "--vary", "nodes.initialCount=200,300", ...SHORT];
		const whole = join(scratch, "uninterrupted");
		expect(depinTwin(["sweep", "small", ...design, "--workers", "1", "--out", whole]).status).toBe(0);
		const out = join(scratch, "killed");
		const args = [cli, "sweep", "small", ...design, "--workers", "2", "--out", out];
		const runFiles = () =>
			existsSync(join(out, "runs")) ? readdirSync(join(out, "runs")).filter((f) => f.endsWith(".json")) : [];
		const counts: number[] = [];
		// Killed when the progress line reaches each mark (plus a jitter of a few ms): four kills.
		for (const [mark, jitterMs] of [
			[10, 3],
			[30, 17],
			[50, 0],
			[70, 9],
		] as const) {
			const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
			child.stderr.on("data", (chunk: Buffer) => {
				const percents = [...String(chunk).matchAll(/: (\d+)% \(/g)].map((m) => Number(m[1]));
				if (percents.some((p) => p >= mark)) setTimeout(() => child.kill("SIGKILL"), jitterMs);
			});
			await new Promise((done) => child.on("exit", done));
			counts.push(runFiles().length);
		}
		// Every kill left a sweep part-way done, and none undid a finished run.
		expect(counts.every((n, i) => n < 24 && n >= (counts[i - 1] ?? 0))).toBe(true);
		const resume = depinTwin(args.slice(1));
		expect(resume.status, resume.stderr).toBe(0);
		expect(resume.stdout).toMatch(new RegExp(`: ${24 - (counts[3] as number)} run now, ${counts[3]} found done`));
		expect(tree(out)).toEqual(tree(whole));
		const rows = readFileSync(join(out, "runs.csv"), "utf8").trim().split("\n").slice(1);
		expect(new Set(rows.map((row) => row.split(",").slice(0, 4).join())).size).toBe(24);
		expect(depinTwin(args.slice(1)).stdout).toMatch(/0 run now, 24 found done/);
	});

	it("refuses to resume when the scenario changed; --force starts over", () => {
		const out = join(scratch, "w1");
		const changed = depinTwin([
			"sweep",
			"small",
			...DESIGN,
			"--set",
			"demand.classes[0].requestsPerSecond=10",
			"--out",
			out,
		]);
		expect(changed.status).toBe(2);
		expect(changed.stderr).toMatch(/holds another sweep: the scenario changed since this sweep started/);
		const other = depinTwin(["sweep", "small", "--runs", "2", ...SHORT, "--out", out]);
		expect(other.status).toBe(2);
		expect(other.stderr).toMatch(/its runsPerPoint differ/);
		const forced = depinTwin(["sweep", "small", "--runs", "1", ...SHORT, "--out", out, "--force"]);
		expect(forced.status, forced.stderr).toBe(0);
		expect(readdirSync(join(out, "runs"))).toHaveLength(1);
	});

	it("refuses bad input found while planning (in a worker) with exit 2 and the scenario's own message", () => {
		const out = join(scratch, "bad");
		const scenario = depinTwin(["sweep", "small", "--runs", "2", ...SHORT, "--set", "horizonDays=-1", "--out", out]);
		expect(scenario.status).toBe(2);
		expect(scenario.stderr).toMatch(/^--set horizonDays: /m);
		expect(scenario.stderr).not.toMatch(/^error:|run failed/m);
		const point = depinTwin([
			"sweep",
			"small",
			"--runs",
			"2",
			...SHORT,
			"--vary",
			"nodes.initialCount=-5",
			"--out",
			out,
		]);
		expect(point.status).toBe(2);
		expect(point.stderr).toMatch(/^error: design point 0 \(nodes\.initialCount=-5\) is not a valid scenario:/);
		expect(existsSync(out)).toBe(false);
	});
});

describe("depin-twin bench sweep", () => {
	it("--json reports overhead at 1 and 2 workers, memory, runs/s and seconds per node-year (quick sizes)", () => {
		const args = ["bench", "sweep", "--quick", "--json", "--runs", "4", "--rss-runs", "4", ...SHORT];
		const result = depinTwin(args);
		expect(result.status, result.stderr).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.overhead.map((o: { workers: number }) => o.workers)).toEqual([1, 2]);
		for (const o of report.overhead) {
			for (const key of [
				"wallMs",
				"sumOfRunMs",
				"startupMs",
				"tablesMs",
				"coresUsed",
				"idealMs",
				"ratio",
				"runsPerSec",
				"cpuMsPerRun",
			]) {
				expect(typeof o[key], key).toBe("number");
			}
			expect(o.failed).toBe(0);
			expect(o.coresUsed).toBeGreaterThan(0);
		}
		// The ideal at one worker is the sum of the runs' own times, which the wall time includes.
		expect(report.overhead[0].idealMs).toBe(report.overhead[0].sumOfRunMs);
		expect(report.overhead[0].ratio).toBeGreaterThanOrEqual(1);
		expect(report.overhead[0].mainBusyMsPerRun).toBeGreaterThan(0);
		expect(report.overhead[1].ratioVsPair).toBeGreaterThan(0);
		expect(report.machine).toMatchObject({ runs: 4 });
		for (const key of ["aloneMs", "pairMs", "slowdown", "runSlowdown", "aloneCoresUsed", "pairCpuMsPerRun"]) {
			expect(report.machine[key], key).toBeGreaterThan(0);
		}
		expect(report.memory).toMatchObject({ runs: 4 });
		// Peak RSS of the real commands: each at least one process's resident set.
		expect(report.memory.oneRunPeakRssMiB).toBeGreaterThan(20);
		expect(report.memory.sweepPeakRssMiB).toBeGreaterThan(20);
		expect(report.base.overrides).toEqual(["horizonDays=30"]);
		expect(report.base.secondsPerNodeYear).toBeGreaterThan(0);
	});
});
