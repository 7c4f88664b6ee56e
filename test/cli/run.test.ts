import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT_BAD_INPUT, EXIT_OK, main } from "../../cli/main.js";
import { executeRun, prepareRun } from "../../cli/run.js";
import { captureIo } from "../helpers/io.js";
import { summaryViolations, timeseriesViolations } from "../helpers/summary-invariants.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const goldenPath = join(root, "test", "golden", "small.summary.json");
const RESULT_FILES = ["summary.json", "timeseries.csv", "scenario.resolved.yaml", "run-meta.json"];

function runTo(scenario: string, overrides: string[] = [], seed?: number): string {
	const out = mkdtempSync(join(tmpdir(), "depin-twin-run-"));
	executeRun(prepareRun(scenario, overrides, seed), { out });
	return out;
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");

function yamlFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile() && entry.name.endsWith(".yaml"))
		.map((entry) => join(entry.parentPath, entry.name));
}

describe("depin-twin run", () => {
	it("writes the four result files; the same seed gives byte-identical results, another seed differs", () => {
		const a = runTo("small");
		const b = runTo("small");
		const c = runTo("small", [], 8);
		for (const file of RESULT_FILES) expect(existsSync(join(a, file)), file).toBe(true);
		for (const file of ["summary.json", "timeseries.csv", "scenario.resolved.yaml"]) {
			expect(read(b, file), file).toBe(read(a, file));
		}
		expect(read(c, "summary.json")).not.toBe(read(a, "summary.json"));
		expect(readdirSync(a).filter((name) => name.includes(".tmp-"))).toEqual([]);
		const summary = JSON.parse(read(a, "summary.json"));
		expect(Object.keys(summary)).toEqual(["manifest", "kpis", "baseline", "comparison"]);
		for (const key of ["latencyMs", "gpuHourPriceUsd", "costUsdPer1kTokens", "servedFraction", "jobs", "requests"]) {
			expect(summary.kpis, key).toHaveProperty(key);
			expect(summary.baseline, key).toHaveProperty(key);
		}
		// small loses two thirds of its fleet in two days, the last leavers at the final close:
		// the fewest nodes must count the end too (it once read 101 beside an end of 99).
		const { start, end, min, max } = summary.kpis.nodes;
		expect(end).toBeLessThan(start);
		expect(min).toBeLessThanOrEqual(Math.min(start, end));
		expect(max).toBeGreaterThanOrEqual(Math.max(start, end));
		expect(min).toBe(end);
		expect(summaryViolations(summary)).toEqual([]);
		const timeseries = read(a, "timeseries.csv");
		expect(timeseriesViolations(timeseries)).toEqual([]);
		expect(timeseries.trim().split("\n")).toHaveLength(49);
	});

	it("scenario.resolved.yaml reproduces the run", () => {
		const first = runTo("small");
		const again = runTo(join(first, "scenario.resolved.yaml"));
		expect(read(again, "summary.json")).toBe(read(first, "summary.json"));
		expect(read(again, "timeseries.csv")).toBe(read(first, "timeseries.csv"));
	});

	it("matches the golden summary of small.yaml (update on purpose: UPDATE_GOLDEN=1)", () => {
		const summary = read(runTo("small"), "summary.json");
		if (process.env.UPDATE_GOLDEN === "1") writeFileSync(goldenPath, summary);
		expect(summary).toBe(readFileSync(goldenPath, "utf8"));
	});

	it("runs every scenario in scenarios/ briefly", () => {
		const files = yamlFiles(join(root, "scenarios"));
		expect(files.length).toBeGreaterThanOrEqual(2);
		for (const file of files) {
			const scenario = prepareRun(file).loaded.scenario;
			// Six simulated hours (or the scenario's horizon if shorter); outages must stay inside it.
			const hours = Math.min(6, scenario.horizonDays * 24);
			const outages = scenario.providers.outages.length > 0 ? [] : [`horizonDays=${hours / 24}`];
			const out = runTo(file, outages);
			const summary = JSON.parse(read(out, "summary.json"));
			expect(summary.kpis.nodes.start, relative(root, file)).toBeGreaterThan(0);
			expect(summaryViolations(summary), relative(root, file)).toEqual([]);
			expect(timeseriesViolations(read(out, "timeseries.csv")), relative(root, file)).toEqual([]);
		}
	});

	it("exits 2 naming file, line, column and field on a bad scenario, and leaves earlier results intact", async () => {
		const dir = mkdtempSync(join(tmpdir(), "depin-twin-bad-"));
		const bad = join(dir, "bad.yaml");
		writeFileSync(
			bad,
			"name: bad\ndemand:\n  classes:\n    - id: x\n      kind: batch\n      ordersPerHour: fast\n      workH100Hours: {dist: exponential, mean: 1}\n",
		);
		const out = join(dir, "out");
		const before = runTo("small");
		const kept = read(before, "summary.json");
		const capture = captureIo();
		expect(await main(["run", bad, "--out", before], capture.io)).toBe(EXIT_BAD_INPUT);
		expect(capture.err()).toMatch(/bad\.yaml:6:22 demand\.classes\[0\]\.ordersPerHour: expected a positive number/);
		expect(read(before, "summary.json")).toBe(kept);
		expect(existsSync(out)).toBe(false);
	});

	it("exits 2 on an unknown GPU with its line, and on a missing scenario", async () => {
		const capture = captureIo();
		expect(await main(["run", "small", "--set", "nodes.mix=[{gpu: tpu-v9, share: 1}]"], capture.io)).toBe(
			EXIT_BAD_INPUT,
		);
		expect(capture.err()).toMatch(/nodes\.mix\[0\]\.gpu: unknown GPU "tpu-v9"/);
		const perGpu = captureIo();
		const mfu = "demand.classes[1].compute.mfuByGpu={l4: 0.2, tpu-v9: 0.3}";
		expect(await main(["validate", "base", "--set", mfu], perGpu.io)).toBe(EXIT_BAD_INPUT);
		expect(perGpu.err()).toMatch(/demand\.classes\[1\]\.compute\.mfuByGpu\.tpu-v9: unknown GPU "tpu-v9"/);
		const jobGpu = captureIo();
		const jobMfu = "demand.classes[3].workProfile.compute.mfuByGpu={tpu-v9: 0.3}";
		expect(await main(["validate", "base", "--set", jobMfu], jobGpu.io)).toBe(EXIT_BAD_INPUT);
		expect(jobGpu.err()).toMatch(/demand\.classes\[3\]\.workProfile\.compute\.mfuByGpu\.tpu-v9: unknown GPU/);
		const missing = captureIo();
		expect(await main(["run", "no-such-scenario"], missing.io)).toBe(EXIT_BAD_INPUT);
		expect(missing.err()).toMatch(/no such scenario/);
	});

	it("validate accepts the shipped scenarios", async () => {
		for (const name of ["small", "base"]) {
			const capture = captureIo();
			expect(await main(["validate", name], capture.io)).toBe(EXIT_OK);
			expect(capture.out()).toMatch(/^ok: /);
		}
	});
});

describe("snapshots", () => {
	it("start the network from a CSV of real nodes (gpu, metro, count)", () => {
		const snapshot = join(root, "test", "fixtures", "snapshot-small.csv");
		const out = runTo("small", [`nodes.fromSnapshot=${snapshot}`, "geography.metros=[new-york, london, tokyo]"]);
		const summary = JSON.parse(read(out, "summary.json"));
		expect(summary.kpis.nodes.start).toBe(10);
	});

	it("reject a snapshot naming an unknown GPU, with the file and line", async () => {
		const dir = mkdtempSync(join(tmpdir(), "depin-twin-snapshot-"));
		const snapshot = join(dir, "nodes.csv");
		writeFileSync(snapshot, "gpu,metro\nh100-sxm,tokyo\nvoodoo2,tokyo\n");
		const capture = captureIo();
		expect(await main(["run", "small", "--set", `nodes.fromSnapshot=${snapshot}`], capture.io)).toBe(EXIT_BAD_INPUT);
		expect(capture.err()).toMatch(/nodes\.csv:3: column "gpu": unknown GPU "voodoo2"/);
	});
});

describe("emission tables", () => {
	it("read a piecewise emission from a CSV into the scenario (so the resolved YAML reproduces it)", () => {
		const dir = mkdtempSync(join(tmpdir(), "depin-twin-emission-"));
		const table = join(dir, "emission.csv");
		writeFileSync(table, "fromDay,tokensPerDay\n0,1000\n1,2000\n");
		const out = runTo("small", ["tokenomics.enabled=true", `tokenomics.emission={kind: piecewise, csv: ${table}}`]);
		const summary = JSON.parse(read(out, "summary.json"));
		// Two days: 1,000 + 2,000 tokens at 10^6 base units each, exactly.
		expect(summary.kpis.tokens.minted).toBe("3000000000");
		const resolved = read(out, "scenario.resolved.yaml");
		expect(resolved).toContain("tokensPerDay: 2000");
		expect(resolved).not.toMatch(/\bcsv:/);
		const again = runTo(join(out, "scenario.resolved.yaml"));
		expect(read(again, "summary.json")).toBe(read(out, "summary.json"));
	});

	it("reject a bad emission table with its file and line", async () => {
		const dir = mkdtempSync(join(tmpdir(), "depin-twin-emission-"));
		const table = join(dir, "bad.csv");
		writeFileSync(table, "fromDay,tokensPerDay\n0,1000\n0,5\n");
		const capture = captureIo();
		const code = await main(
			[
				"run",
				"small",
				"--set",
				"tokenomics.enabled=true",
				"--set",
				`tokenomics.emission={kind: piecewise, csv: ${table}}`,
			],
			capture.io,
		);
		expect(code).toBe(EXIT_BAD_INPUT);
		expect(capture.err()).toMatch(/bad\.csv:3: column "fromDay": days must ascend/);
	});
});
