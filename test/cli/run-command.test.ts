/**
 * `depin-twin run` end to end, in real child processes: the checks on --out, the interrupt
 * (SIGINT, SIGTERM), --json, the refusal to overwrite another run's results, and the default
 * folder names.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { overridesHash } from "../../cli/out-dir.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const entry = join(root, "cli", "main.ts");
// By URL, so that a child started in another folder finds tsx too.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const scratch = () => mkdtempSync(join(tmpdir(), "depin-twin-runcmd-"));
/** small over ten years: long enough (tens of seconds) to be interrupted. */
const LONG = ["--set", "horizonDays=3650"];
const SHORT = ["--set", "horizonDays=0.25"];

interface Finished {
	readonly code: number | null;
	readonly stdout: string;
	readonly stderr: string;
}

function start(args: readonly string[], cwd = root): { child: ChildProcess; done: Promise<Finished> } {
	const child = spawn(process.execPath, ["--import", tsx, entry, ...args], { cwd });
	let stdout = "";
	let stderr = "";
	child.stdout?.on("data", (chunk) => (stdout += chunk));
	child.stderr?.on("data", (chunk) => (stderr += chunk));
	const done = new Promise<Finished>((resolveDone) => {
		child.on("close", (code) => resolveDone({ code, stdout, stderr }));
	});
	return { child, done };
}

const cli = (args: readonly string[], cwd = root) => start(args, cwd).done;

/** Waits (bounded) until `path` exists. */
async function waitFor(path: string, timeoutMs = 60_000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!existsSync(path)) {
		if (Date.now() > until) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

describe("run --out is checked before the run", () => {
	it("a path under /proc or under a file: one line naming the path and why, exit 2, no stack", async () => {
		const dir = scratch();
		const file = join(dir, "a-file");
		writeFileSync(file, "x");
		for (const [out, why] of [
			["/proc/depin-twin/out", "/proc is a special filesystem"],
			[join(file, "out"), `${file} is a file, not a folder`],
		] as const) {
			const result = await cli(["run", "small", "--out", out]);
			expect(result.code, result.stderr).toBe(2);
			expect(result.stderr).toMatch(/^error: --out /);
			expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
			expect(result.stderr).toContain(`--out ${out}: ${why}`);
			expect(result.stderr).not.toMatch(/\n\s+at /);
		}
		expect(readdirSync(dir)).toEqual(["a-file"]);
	});
});

describe("run interrupted", () => {
	it("by SIGINT: exit 130, 'interrupted', the previous results intact, no temporary folder left", async () => {
		const dir = scratch();
		const out = join(dir, "out");
		const first = await cli(["run", "small", ...SHORT, "--out", out]);
		expect(first.code, first.stderr).toBe(0);
		const before = readFileSync(join(out, "summary.json"), "utf8");
		const { child, done } = start(["run", "small", ...LONG, "--out", out, "--force"]);
		await waitFor(`${out}.tmp-${child.pid}`);
		child.kill("SIGINT");
		const result = await done;
		expect(result.code, result.stderr).toBe(130);
		expect(result.stderr).toMatch(/^interrupted$/m);
		expect(result.stderr).toContain(`no results written: ${out} still holds the previous run's results, unchanged`);
		expect(result.stdout).toBe("");
		expect(readFileSync(join(out, "summary.json"), "utf8")).toBe(before);
		expect(readdirSync(dir)).toEqual(["out"]);
	});

	it("by SIGTERM on a first run: no results folder at all", async () => {
		const dir = scratch();
		const out = join(dir, "out");
		const { child, done } = start(["run", "small", ...LONG, "--out", out]);
		await waitFor(`${out}.tmp-${child.pid}`);
		child.kill("SIGTERM");
		const result = await done;
		expect(result.code, result.stderr).toBe(130);
		expect(result.stderr).toMatch(/^interrupted\nno results written\n$/m);
		expect(readdirSync(dir)).toEqual([]);
	});

	// util-linux `script` gives the child a terminal: Ctrl-C arrives as SIGINT from the line discipline.
	const hasScript = spawnSync("script", ["--version"]).status === 0;
	it.skipIf(!hasScript)(
		"by Ctrl-C on a terminal: the progress bar stops, cursor and line wrap are restored",
		async () => {
			const out = join(scratch(), "out");
			const command = [process.execPath, "--import", tsx, entry, "run", "small", ...LONG, "--out", out].join(" ");
			const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: root });
			let screen = "";
			child.stdout.on("data", (chunk) => (screen += chunk));
			const exited = new Promise<number | null>((r) => child.on("close", r));
			const until = Date.now() + 60_000;
			while (!screen.includes("simulating") && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
			expect(screen).toContain("simulating");
			child.stdin.write("\x03");
			expect(await exited).toBe(130);
			const afterBar = screen.slice(screen.lastIndexOf("simulating"));
			expect(afterBar).toContain("\x1b[?25h");
			expect(afterBar).toContain("\x1b[?7h");
			expect(afterBar).toMatch(/interrupted\r?\nno results written\r?\n$/);
			expect(existsSync(out)).toBe(false);
		},
	);
});

describe("run results", () => {
	it("--json prints summary.json on stdout and nothing else", async () => {
		const out = join(scratch(), "out");
		const result = await cli(["run", "small", ...SHORT, "--out", out, "--json"]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toBe(readFileSync(join(out, "summary.json"), "utf8"));
		expect(JSON.parse(result.stdout).manifest.scenario).toBe("small");
		expect(result.stderr).toMatch(/^results: /m);
	});

	it("--table prints the KPI table off a terminal, with the token rows", async () => {
		const out = join(scratch(), "out");
		const result = await cli(["run", "small", ...SHORT, "--set", "tokenomics.enabled=true", "--out", out, "--table"]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toMatch(/^jobs served ÷ \(served \+ rejected\) +\d/m);
		expect(result.stdout).toMatch(/^tokens minted, \w+ +[\d,.]+$/m);
		expect(result.stdout).toMatch(/^results: /m);
	});

	it("refuse to overwrite another seed's results without --force; the same run replaces its own", async () => {
		const out = join(scratch(), "out");
		expect((await cli(["run", "small", ...SHORT, "--out", out])).code).toBe(0);
		const first = readFileSync(join(out, "summary.json"), "utf8");
		const other = await cli(["run", "small", ...SHORT, "--out", out, "--seed", "9"]);
		expect(other.code).toBe(2);
		expect(other.stderr).toMatch(/holds results of another run .*seed 7; this run: .*seed 9\); use --force/);
		expect(readFileSync(join(out, "summary.json"), "utf8")).toBe(first);
		expect((await cli(["run", "small", ...SHORT, "--out", out])).code).toBe(0);
		expect(readFileSync(join(out, "summary.json"), "utf8")).toBe(first);
		const forced = await cli(["run", "small", ...SHORT, "--out", out, "--seed", "9", "--force"]);
		expect(forced.code, forced.stderr).toBe(0);
		expect(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).manifest.seed).toBe(9);
	});

	it("default folders: out/<name>/, with a foreign seed and a hash of --set in the name", async () => {
		const cwd = scratch();
		expect((await cli(["run", "small", ...SHORT, "--seed", "9"], cwd)).code).toBe(0);
		expect((await cli(["run", "small", ...SHORT, "--seed", "7"], cwd)).code).toBe(0);
		const hash = overridesHash(["horizonDays=0.25"]);
		expect(readdirSync(join(cwd, "out")).sort()).toEqual([`small-seed9-set-${hash}`, `small-set-${hash}`]);
	});
});
