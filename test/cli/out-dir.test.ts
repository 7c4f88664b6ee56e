import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../cli/errors.js";
import {
	checkOutDir,
	checkReplaceable,
	cleanLeftovers,
	defaultOutDir,
	makeTemporarySibling,
	overridesHash,
	swapIntoPlace,
} from "../../cli/out-dir.js";

const scratch = () => mkdtempSync(join(tmpdir(), "depin-twin-outdir-"));

function results(dir: string, scenarioHash: string, seed: number, extra: Record<string, string> = {}): void {
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, "summary.json"), JSON.stringify({ manifest: { scenarioHash, seed } }));
	writeFileSync(join(dir, "timeseries.csv"), "epoch\n0\n");
	for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
}

/** The error checkOutDir throws for `path` (fails the test when it throws nothing). */
function refusal(path: string): string {
	try {
		checkOutDir(path);
	} catch (error) {
		expect(error).toBeInstanceOf(InputError);
		return (error as Error).message;
	}
	throw new Error(`checkOutDir accepted ${path}`);
}

describe("checkOutDir", () => {
	it("accepts a new folder under a writable one without creating it, and an existing folder", () => {
		const dir = scratch();
		const out = join(dir, "a", "b");
		expect(checkOutDir(out)).toBe(out);
		expect(existsSync(join(dir, "a"))).toBe(false);
		expect(readdirSync(dir)).toEqual([]);
		expect(checkOutDir(dir)).toBe(dir);
	});

	it("refuses special filesystems, a file in the way, and a path under a file, naming the path", () => {
		expect(refusal("/proc/depin-twin/out")).toMatch(/^--out \/proc\/depin-twin\/out: \/proc is a special filesystem/);
		expect(refusal("/sys/x")).toMatch(/\/sys is a special filesystem/);
		expect(refusal("/dev/x")).toMatch(/\/dev is a special filesystem/);
		const dir = scratch();
		const file = join(dir, "file");
		writeFileSync(file, "x");
		expect(refusal(file)).toBe(`--out ${file}: a file is in the way (not a folder)`);
		expect(refusal(join(file, "out", "deeper"))).toBe(
			`--out ${join(file, "out", "deeper")}: ${file} is a file, not a folder`,
		);
	});

	it("refuses a folder on a pseudo-filesystem reached through a link (statfs, not only the path)", () => {
		const dir = scratch();
		const link = join(dir, "proc-link");
		spawnSync("ln", ["-s", "/proc/self", link]);
		expect(refusal(join(link, "out"))).toMatch(/is on procfs, a special filesystem/);
	});
});

describe("checkReplaceable", () => {
	const run = { scenarioHash: "a".repeat(64), seed: 7 };

	it("lets a missing or empty folder and the same scenario and seed through", () => {
		const dir = scratch();
		checkReplaceable(join(dir, "missing"), run, false);
		checkReplaceable(dir, run, false);
		results(join(dir, "same"), run.scenarioHash, 7);
		checkReplaceable(join(dir, "same"), run, false);
	});

	it("refuses results of another seed or scenario unless forced", () => {
		const dir = scratch();
		results(join(dir, "seed"), run.scenarioHash, 8);
		expect(() => checkReplaceable(join(dir, "seed"), run, false)).toThrow(/results of another run .*seed 8.*--force/);
		checkReplaceable(join(dir, "seed"), run, true);
		results(join(dir, "hash"), "b".repeat(64), 7);
		expect(() => checkReplaceable(join(dir, "hash"), run, false)).toThrow(/scenario hash bbbbbbbbbbbb/);
	});

	it("never replaces a folder holding anything but results, even forced", () => {
		const dir = scratch();
		results(join(dir, "notes"), run.scenarioHash, 7, { "notes.txt": "mine" });
		expect(() => checkReplaceable(join(dir, "notes"), run, true)).toThrow(/not a results folder \(it holds notes\.txt/);
		mkdirSync(join(dir, "other"));
		writeFileSync(join(dir, "other", "timeseries.csv"), "x");
		expect(() => checkReplaceable(join(dir, "other"), run, true)).toThrow(/not a results folder/);
	});
});

describe("folders of a run", () => {
	it("are named after the scenario, a foreign seed and a hash of the overrides", () => {
		expect(defaultOutDir("small", undefined, [])).toBe(join("out", "small"));
		expect(defaultOutDir("small", 7, [])).toBe(join("out", "small-seed7"));
		const hash = overridesHash(["horizonDays=1"]);
		expect(hash).toMatch(/^[0-9a-f]{8}$/);
		expect(overridesHash(["horizonDays=2"])).not.toBe(hash);
		expect(defaultOutDir("small", 3, ["horizonDays=1"])).toBe(join("out", `small-seed3-set-${hash}`));
	});

	it("swap a complete temporary folder in place of the previous results", () => {
		const dir = scratch();
		const out = join(dir, "nested", "out");
		const first = makeTemporarySibling(out);
		expect(first).toBe(`${out}.tmp-${process.pid}`);
		writeFileSync(join(first, "summary.json"), "first");
		swapIntoPlace(first, out);
		const second = makeTemporarySibling(out);
		writeFileSync(join(second, "summary.json"), "second");
		expect(readFileSync(join(out, "summary.json"), "utf8")).toBe("first");
		swapIntoPlace(second, out);
		expect(readFileSync(join(out, "summary.json"), "utf8")).toBe("second");
		expect(readdirSync(join(dir, "nested"))).toEqual(["out"]);
	});

	it("leftovers of a dead process are cleaned (an .old- folder put back when results are missing); a live one's are kept", () => {
		const dir = scratch();
		const out = join(dir, "out");
		const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
			encoding: "utf8",
		});
		const deadPid = Number(child.stdout);
		mkdirSync(`${out}.tmp-${deadPid}`);
		mkdirSync(`${out}.old-${deadPid}`);
		writeFileSync(join(`${out}.old-${deadPid}`, "summary.json"), "previous");
		mkdirSync(`${out}.tmp-${process.pid}`);
		mkdirSync(join(dir, "unrelated.tmp-1"));
		cleanLeftovers(out);
		expect(readdirSync(dir).sort()).toEqual(["out", `out.tmp-${process.pid}`, "unrelated.tmp-1"]);
		expect(readFileSync(join(out, "summary.json"), "utf8")).toBe("previous");
	});
});
