import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { benchStartup } from "../../cli/bench-startup.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

describe("bench startup", () => {
	it("--json prints the medians of --help and validate small, one sample per repetition", () => {
		const result = spawnSync(
			process.execPath,
			["--import", "tsx", "cli/main.ts", "bench", "startup", "--json", "--repetitions", "1"],
			{ cwd: root, encoding: "utf8", timeout: 120_000 },
		);
		expect(result.status, result.stderr).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.startup.repetitions).toBe(1);
		expect(report.startup.samplesMs.help).toHaveLength(1);
		expect(report.startup.samplesMs.validateSmall).toHaveLength(1);
		// With one repetition the median is that sample.
		expect(report.startup.helpMs).toBe(report.startup.samplesMs.help[0]);
		expect(report.startup.validateSmallMs).toBe(report.startup.samplesMs.validateSmall[0]);
		expect(report.startup.helpMs).toBeGreaterThan(0);
		expect(report.environment.node).toBe(process.version);
	});

	it("fails when a command fails (a broken entry is not timed as fast)", () => {
		expect(() => benchStartup(join(root, "no-such-entry.js"), 1)).toThrow(/--help exited with 1/);
	});
});
