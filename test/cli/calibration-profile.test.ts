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

describe("calibration.apply: an explicit, recorded mapping of GPU classes to measured profiles", () => {
	const dir = mkdtempSync(join(tmpdir(), "depin-profile-apply-"));
	const csv = join(dir, "timings.csv");
	const rows = ["device,kernel,batch,latency_ms"];
	for (const batch of [1, 4, 16, 64]) rows.push(`h100-sxm,matmul-1024,${batch},${0.02 + batch * 0.004}`);
	writeFileSync(csv, `${rows.join("\n")}\n`);
	const profilePath = join(dir, "h100.json");
	const scenarioWith = (extra: string) => {
		const path = join(dir, `small-${createHash("sha256").update(extra).digest("hex").slice(0, 8)}.yaml`);
		writeFileSync(path, `${readFileSync(join(scenarios, "small.yaml"), "utf8")}\n${extra}\n`);
		return path;
	};

	it("an imported GPU measurement applies to its own class, and through calibration.apply to the mapped one; the manifest says which", async () => {
		const captured = captureIo();
		expect(
			await calibrateCommand({ backend: "auto", quick: false, importCsv: csv, out: profilePath }, captured.io),
		).toBe(0);
		const written = JSON.parse(readFileSync(profilePath, "utf8"));
		expect(written.measuredClass).toBe("h100-sxm");
		expect(written.measuredEfficiency).toBeDefined();
		// Every tenant of the real-time class on DePIN (as small's did before the tenant's switching
		// bias and SLA weight): full batches on the 4090 replicas, where the mapped efficiency shows.
		const allDepin = ["demand.classes[0].choice.bias=60"];
		const plain = executeRun(prepareRun("small", allDepin), { out: join(dir, "out-plain") }).summary;
		expect(plain.manifest).not.toHaveProperty("calibrationClasses");
		const own = executeRun(prepareRun(scenarioWith(`calibrationProfile: ./h100.json`)), { out: join(dir, "out-own") });
		expect(own.summary.manifest.calibrationClasses).toEqual({
			"h100-sxm": { profile: "./h100.json", measuredClass: "h100-sxm", hash: sha256(profilePath) },
		});
		const mapped = executeRun(prepareRun(scenarioWith("calibration:\n  apply:\n    rtx4090: ./h100.json"), allDepin), {
			out: join(dir, "out-mapped"),
		});
		expect(mapped.summary.manifest.calibrationClasses).toEqual({
			rtx4090: { profile: "./h100.json", measuredClass: "h100-sxm", hash: sha256(profilePath) },
		});
		expect(mapped.summary.kpis).not.toEqual(plain.kpis);
	});

	it("a mapping to an unknown class or to a profile without a measurement is bad input (exit 2)", async () => {
		const unknown = await runCli(["validate", scenarioWith("calibration:\n  apply:\n    rtx9999: measured-wasm")]);
		expect(unknown.code).toBe(EXIT_BAD_INPUT);
		expect(unknown.err).toContain("calibration.apply.rtx9999: rtx9999 is no GPU class of gpus.csv");
		const literature = await runCli(["validate", scenarioWith("calibration:\n  apply:\n    rtx4090: default")]);
		expect(literature.code).toBe(EXIT_BAD_INPUT);
		expect(literature.err).toContain(
			"calibration.apply.rtx4090: profile scenarios/calibration/default.json: has no measured efficiency",
		);
	});
});

describe("calibrate --validate", () => {
	// Hand-computed with the default profile (consumer mfu 0.25, mbu 0.65; datacenter 0.5, 0.7):
	// rtx4090 decode: 6.552 GB ÷ (1008 GB/s × 0.65) = 10 ms a token → 100 tok/s vs 50 published: +100%;
	// h100-sxm prefill: 4 × 494.7 GFLOP ÷ (989.4 TFLOP/s × 0.5) = 4 ms vs 5 published: −20%;
	// h100-sxm decode at batch 2: 2.345 GB ÷ (3350 × 0.7) = 1 ms → 2000 tok/s vs 1600: +25%.
	const table = [
		"gpu,workload,batch,metric,published,prefill_gflop,decode_steps,step_gflop,weights_gb,tokens_per_request,source_url,source_date,note,excluded",
		"rtx4090,decode,1,tokens_per_s,50,0,1,2,6.552,1,https://example.org/a,2024-01,,",
		"h100-sxm,prefill,4,latency_ms,5,494.7,0,0,0,,https://example.org/b,2024-02,,",
		"h100-sxm,decode b2,2,tokens_per_s,1600,0,1,1,2.345,1,https://example.org/c,2024-03,,",
		"rtx4090,decode odd,1,tokens_per_s,10,0,1,2,6.552,1,https://example.org/d,2024-04,,suspect session",
	].join("\n");
	const dir = mkdtempSync(join(tmpdir(), "depin-validate-"));
	const file = join(dir, "table.csv");
	writeFileSync(file, `${table}\n`);

	it("prints each prediction beside the published figure with the hand-computed error, and the median", async () => {
		const captured = captureIo();
		const report = join(dir, "validation.html");
		expect(await calibrateCommand({ backend: "auto", quick: false, validate: file, out: report }, captured.io)).toBe(0);
		const out = captured.out();
		expect(out).toMatch(/rtx4090 +decode +1 tokens_per_s +50\.00 +100\.0 +\+100\.0% +tier consumer/);
		expect(out).toMatch(/h100-sxm +prefill +4 latency_ms +5\.000 +4\.000 +-20\.0% +tier datacenter/);
		expect(out).toMatch(/h100-sxm +decode b2 +2 tokens_per_s +1600 +2000 +\+25\.0%/);
		expect(out).toMatch(
			/rtx4090 +decode odd +1 tokens_per_s +10\.00 +100\.0 +\+900\.0% +tier consumer +\[excluded: suspect session\]/,
		);
		expect(out).toContain("median |error| 25.0% over 3 published figures on 2 GPU classes (rtx4090, h100-sxm)");
		// All four: |errors| 20%, 25%, 100%, 900% → median 62.5%.
		expect(out).toContain("median |error| 62.5% over all 4 figures, the 1 excluded included");
		// No regime column: rows without decode steps are "prompt", the others "decode"; the excluded row is out.
		expect(out).toMatch(/decode +2 rows +median +\+62\.5% +range \+25\.0% to \+100\.0%/);
		expect(out).toMatch(/prompt +1 rows +median +-20\.0% +range -20\.0% to -20\.0%/);
		const html = readFileSync(report, "utf8");
		expect(html).toContain('data-chart="validation"');
		expect(html).toContain("Median |error| 25.0%");
		expect(html).toContain("<b>62.5%</b> over all 4 figures");
	});

	it("a row naming no GPU class is bad input (exit 2) with file, line and column", async () => {
		const bad = join(dir, "bad.csv");
		writeFileSync(bad, `${table.split("\n")[0]}\nrtx9999,x,1,latency_ms,1,1,0,0,0,,u,d,,\n`);
		const captured = captureIo();
		expect(await calibrateCommand({ backend: "auto", quick: false, validate: bad }, captured.io)).toBe(EXIT_BAD_INPUT);
		expect(captured.err()).toMatch(/bad\.csv.*2.*gpu.*"rtx9999" is no GPU class of gpus\.csv/);
	});

	it("the shipped table: ≥ 5 sourced figures on ≥ 3 GPU classes of the catalogue", async () => {
		const captured = captureIo();
		expect(await calibrateCommand({ backend: "auto", quick: false, validate: true }, captured.io)).toBe(0);
		const summary = /median \|error\| ([\d.]+)% over (\d+) published figures on (\d+) GPU classes/.exec(captured.out());
		expect(Number(summary?.[2])).toBeGreaterThanOrEqual(5);
		expect(Number(summary?.[3])).toBeGreaterThanOrEqual(3);
	});
});
