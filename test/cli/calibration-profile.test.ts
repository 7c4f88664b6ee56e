import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { calibrateCommand, profileReference } from "../../cli/calibrate.js";
import { EXIT_BAD_INPUT, main } from "../../cli/main.js";
import { executeRun, prepareRun } from "../../cli/run.js";
import { captureIo } from "../helpers/io.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const scenarios = join(root, "scenarios");
const measuredPath = join(scenarios, "calibration", "measured-wasm.json");
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** small.yaml in a fresh folder, with `calibrationProfile` set to `profile` (unset when undefined). */
function smallScenarioIn(dir: string, profile?: string): string {
	const text = readFileSync(join(scenarios, "small.yaml"), "utf8");
	const path = join(dir, "small.yaml");
	writeFileSync(path, profile === undefined ? text : `${text}\ncalibrationProfile: ${profile}\n`);
	return path;
}

async function runCli(args: string[]): Promise<{ code: number; err: string }> {
	const captured = captureIo();
	const code = await main(args, captured.io);
	return { code, err: captured.err() };
}

describe("calibrationProfile by path", () => {
	const dir = mkdtempSync(join(tmpdir(), "depin-profile-path-"));
	mkdirSync(join(dir, "profiles"));
	copyFileSync(measuredPath, join(dir, "profiles", "my-gpu.json"));

	it("reads a path relative to the scenario file: the same run as by id; the manifest records the path as written", () => {
		const byPath = prepareRun(smallScenarioIn(dir, "./profiles/my-gpu.json"));
		expect(byPath.inputs.calibration.profileHash).toBe(sha256(measuredPath));
		expect(byPath.inputs.calibration.source).toBe("./profiles/my-gpu.json");
		const byId = prepareRun("small", ["calibrationProfile=measured-wasm"]);
		const a = executeRun(byPath, { out: join(dir, "out-path") }).summary;
		const b = executeRun(byId, { out: join(dir, "out-id") }).summary;
		expect(a.manifest.calibrationProfile).toBe("./profiles/my-gpu.json");
		expect(b.manifest.calibrationProfile).toBe("measured-wasm");
		expect(a.manifest.calibrationHash).toBe(sha256(measuredPath));
		expect(a.manifest.calibrationHash).toBe(b.manifest.calibrationHash);
		expect(a.kpis).toEqual(b.kpis);
		// The measured profile is not the default: the path was really read.
		expect(prepareRun("small").inputs.calibration.profileHash).not.toBe(sha256(measuredPath));
	});

	it("takes an absolute path, and a path through --set", () => {
		const absolute = join(dir, "profiles", "my-gpu.json");
		const set = prepareRun(smallScenarioIn(dir), [`calibrationProfile=${absolute}`]);
		expect(set.inputs.calibration.profileHash).toBe(sha256(measuredPath));
		const relative = prepareRun(smallScenarioIn(dir), ["calibrationProfile=profiles/my-gpu.json"]);
		expect(relative.inputs.calibration.profileHash).toBe(sha256(measuredPath));
	});

	it("a missing file is bad input (exit 2) naming the field and the path", async () => {
		const { code, err } = await runCli(["validate", smallScenarioIn(dir, "./absent.json")]);
		expect(code).toBe(EXIT_BAD_INPUT);
		expect(err).toContain("calibrationProfile: no profile file ./absent.json (looked for ");
		const byId = await runCli(["validate", smallScenarioIn(dir), "--set", "calibrationProfile=no-such-profile"]);
		expect(byId.code).toBe(EXIT_BAD_INPUT);
		expect(byId.err).toContain("calibrationProfile: no profile file scenarios/calibration/no-such-profile.json");
	});

	it("a bad profile is bad input (exit 2), each problem with its field path", async () => {
		const bad = JSON.parse(readFileSync(measuredPath, "utf8"));
		bad.efficiency.edge.mfu = 1.5;
		bad.kernels[0].points[0].batch = 0;
		writeFileSync(join(dir, "bad.json"), JSON.stringify(bad));
		const { code, err } = await runCli(["run", smallScenarioIn(dir, "bad.json"), "--out", join(dir, "out-bad")]);
		expect(code).toBe(EXIT_BAD_INPUT);
		expect(err).toContain(
			"calibrationProfile: profile bad.json: efficiency.edge.mfu: expected a positive number ≤ 1, got 1.5",
		);
		expect(err).toContain(
			"calibrationProfile: profile bad.json: kernels[0].points[0].batch: expected an integer ≥ 1, got 0",
		);
		writeFileSync(join(dir, "broken.json"), "{ not json");
		const broken = await runCli(["validate", smallScenarioIn(dir, "./broken.json")]);
		expect(broken.code).toBe(EXIT_BAD_INPUT);
		expect(broken.err).toContain("calibrationProfile: profile ./broken.json: not valid JSON");
	});

	it("a value that is neither an id nor a path is refused by the schema", async () => {
		const { code, err } = await runCli(["validate", smallScenarioIn(dir), "--set", "calibrationProfile=My GPU"]);
		expect(code).toBe(EXIT_BAD_INPUT);
		expect(err).toMatch(/calibrationProfile: expected an id .* or a string matching/);
	});
});

describe("calibrate's hint names the profile in a form that works", () => {
	it("an id inside scenarios/calibration, else the absolute path (quoted for YAML when needed)", () => {
		const dir = join(root, "scenarios");
		expect(profileReference(join(dir, "calibration", "measured-wasm.json"), dir)).toBe("measured-wasm");
		expect(profileReference(join(dir, "calibration", "sub", "x.json"), dir)).toBe(
			join(dir, "calibration", "sub", "x.json"),
		);
		expect(profileReference("/data/profiles/a100.json", dir)).toBe("/data/profiles/a100.json");
		expect(profileReference("/data/my profiles/a: b.json", dir)).toBe('"/data/my profiles/a: b.json"');
		// A name that is no valid id goes by its path.
		expect(profileReference(join(dir, "calibration", "My GPU.json"), dir)).toBe(
			JSON.stringify(join(dir, "calibration", "My GPU.json")),
		);
	});

	it("the printed line, pasted into a scenario anywhere, loads the profile written with --out", async () => {
		const dir = mkdtempSync(join(tmpdir(), "depin-profile-hint-"));
		const csv = join(dir, "timings.csv");
		const rows = ["device,kernel,batch,latency_ms"];
		for (const batch of [1, 4, 16, 64]) rows.push(`h100-sxm,matmul-1024,${batch},${0.02 + batch * 0.004}`);
		writeFileSync(csv, `${rows.join("\n")}\n`);
		const out = join(dir, "elsewhere", "h100.json");
		const captured = captureIo();
		expect(await calibrateCommand({ backend: "auto", quick: false, importCsv: csv, out }, captured.io)).toBe(0);
		const hint = /^use it in a scenario with: calibrationProfile: (.+)$/m.exec(captured.out())?.[1];
		expect(hint).toBe(out);
		const other = mkdtempSync(join(tmpdir(), "depin-profile-scenario-"));
		const prepared = prepareRun(smallScenarioIn(other, hint));
		expect(prepared.inputs.calibration.profileHash).toBe(sha256(out));
	});
});
