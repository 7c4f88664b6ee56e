import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { benchEngine, QUICK_ENGINE_BENCH } from "../../cli/bench-engine.js";
import { EXIT_BAD_INPUT, EXIT_OK, main } from "../../cli/main.js";
import { captureIo } from "../helpers/io.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

describe("command line", () => {
	it("exits 2 with a message on bad input", async () => {
		for (const argv of [["bench", "nonsense"], ["--no-such-flag"], ["bench", "--repetitions", "0"], ["frobnicate"]]) {
			const capture = captureIo();
			expect(await main(argv, capture.io), argv.join(" ")).toBe(EXIT_BAD_INPUT);
			expect(capture.err().length, argv.join(" ")).toBeGreaterThan(0);
		}
	});

	it("--version prints the package version", async () => {
		const capture = captureIo();
		expect(await main(["--version"], capture.io)).toBe(EXIT_OK);
		const { version } = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { version: string };
		expect(capture.out()).toBe(`${version}\n`);
	});

	it("--help lists every command", async () => {
		const capture = captureIo();
		expect(await main(["--help"], capture.io)).toBe(EXIT_OK);
		for (const command of [
			"run",
			"validate",
			"scenarios",
			"calibrate",
			"bench",
			"sweep",
			"merge",
			"compare",
			"sensitivity",
		]) {
			expect(capture.out()).toMatch(new RegExp(`^  ${command} `, "m"));
		}
		expect(capture.out()).not.toMatch(/bench-worker/);
	});

	it("scenarios lists scenarios and presets with their descriptions", async () => {
		const capture = captureIo();
		expect(await main(["scenarios"], capture.io)).toBe(EXIT_OK);
		expect(capture.out()).toMatch(/^small +Two days, 300 nodes/m);
		expect(capture.out()).toMatch(/^presets\/render-like +Reproduces Render's burn-and-mint/m);
	});

	it("an unknown scenario lists the scenarios and suggests the nearest, for run and validate", async () => {
		for (const argv of [
			["run", "smal"],
			["validate", "smal"],
		]) {
			const capture = captureIo();
			expect(await main(argv, capture.io)).toBe(EXIT_BAD_INPUT);
			expect(capture.err()).toMatch(
				/^error: no such scenario "smal" — did you mean small\? \(scenarios: base, base-fiat, small, /,
			);
		}
		const preset = captureIo();
		expect(await main(["run", "render-lik"], preset.io)).toBe(EXIT_BAD_INPUT);
		expect(preset.err()).toMatch(/did you mean presets\/render-like\?/);
	});

	it("calibrate --out into /proc is refused before anything is measured", async () => {
		const capture = captureIo();
		expect(await main(["calibrate", "--quick", "--out", "/proc/depin-twin/profile.json"], capture.io)).toBe(
			EXIT_BAD_INPUT,
		);
		expect(capture.err()).toBe(
			"error: --out /proc/depin-twin: /proc is a special filesystem, not a place for results\n",
		);
	});

	it("bench engine --json prints the documented JSON shape (child processes, quick sizes)", () => {
		const result = spawnSync(
			process.execPath,
			["--import", "tsx", "cli/main.ts", "bench", "engine", "--json", "--quick", "--repetitions", "1"],
			{ cwd: root, encoding: "utf8", timeout: 120_000 },
		);
		expect(result.status, result.stderr).toBe(0);
		const report = JSON.parse(result.stdout);
		for (const key of ["events", "eventsPerSec", "wallMs", "peakRssMiB", "referenceEventsPerSec", "ratio"]) {
			expect(typeof report.hold[key], `hold.${key}`).toBe("number");
			expect(typeof report.mmc[key], `mmc.${key}`).toBe("number");
		}
		for (const key of ["servers", "load", "jobs", "meanWait", "erlangCMeanWait"]) {
			expect(typeof report.mmc[key], `mmc.${key}`).toBe("number");
		}
		expect(report.mmc.meanWaitCi95).toHaveLength(2);
		expect(report.hold.events).toBe(QUICK_ENGINE_BENCH.hold.events);
		expect(report.mmc.erlangCMeanWait).toBeCloseTo(0.0206, 4);
		expect(report.hold.peakRssMiB).toBeGreaterThan(10);
	});

	it("benchEngine in-process reports positive throughput for both workloads", async () => {
		const report = await benchEngine({
			...QUICK_ENGINE_BENCH,
			repetitions: 1,
			hold: { processes: 100, events: 10_000 },
			mmc: { servers: 10, load: 0.9, jobs: 20_000, warmupJobs: 2_000, batches: 10 },
		});
		expect(report.hold.eventsPerSec).toBeGreaterThan(0);
		expect(report.mmc.events).toBe(44_000);
		expect(report.mmc.meanWaitPerRepetition).toHaveLength(1);
	});
});
