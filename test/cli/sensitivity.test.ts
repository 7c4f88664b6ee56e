/** `depin-twin sensitivity` on small.yaml cut to 3 hours, through the built command line (`npm run build` first). */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const cli = join(root, "dist", "cli", "main.js");

describe("depin-twin sensitivity", () => {
	it("tornado and Morris: nodes at the end move by exactly the range of initialCount, not with demand", () => {
		if (!existsSync(cli)) throw new Error("dist/cli/main.js is missing: run npm run build first");
		const out = mkdtempSync(join(tmpdir(), "depin-twin-sensitivity-"));
		const args = ["sensitivity", "small", "--params", "nodes.initialCount,demand.classes[0].requestsPerSecond"];
		args.push("--runs", "2", "--trajectories", "2", "--set", "horizonDays=0.125", "--workers", "2");
		// Patience long past the 3 hours: no provider leaves, so nodes at the end are the starting fleet.
		args.push("--set", "providers.exit.consecutiveEpochs=1000");
		args.push("--outputs", "kpis.nodes.end,kpis.requests.arrived", "--out", out, "--force");
		const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", timeout: 240_000 });
		expect(result.status, result.stderr).toBe(0);
		const tornado = readFileSync(join(out, "tornado.csv"), "utf8").trim().split("\n");
		expect(tornado[0]).toBe("output,param,low,high,base,outputAtLow,outputAtHigh,outputAtBase,swing");
		// Default range: base 300 ± 20% → 240..360; nodes at the end follow (no entry or exit).
		expect(tornado[1]).toBe("kpis.nodes.end,nodes.initialCount,240,360,300,240,360,300,120");
		expect(tornado[2]).toBe("kpis.nodes.end,demand.classes[0].requestsPerSecond,16,24,20,300,300,300,0");
		const morris = readFileSync(join(out, "morris.csv"), "utf8").trim().split("\n");
		expect(morris[1]).toBe("kpis.nodes.end,nodes.initialCount,120,120,0,2");
		expect(morris[2]).toBe("kpis.nodes.end,demand.classes[0].requestsPerSecond,0,0,0,2");
		// Requests arrive with the rate: demand ranks first for that output.
		expect(morris[3]).toMatch(/^kpis\.requests\.arrived,demand\.classes\[0\]\.requestsPerSecond,/);
		expect(result.stdout).toMatch(/Morris elementary effects/);
		rmSync(out, { recursive: true, force: true });
	});
});
