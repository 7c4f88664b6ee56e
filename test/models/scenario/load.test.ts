import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
	canonicalJson,
	formatIssue,
	issueAt,
	type LoadedScenario,
	loadScenario,
	MAX_SCENARIO_BYTES,
	parseScenario,
	resolvedYaml,
	ScenarioError,
	type ScenarioIssue,
	scenarioHash,
} from "../../../models/scenario/load.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const invalidDir = join(here, "invalid");

const MINIMAL = `# a chat service and a training queue
name: minimal
horizonDays: 30
demand:
  classes:
    - id: chat
      kind: realtime
      requestsPerSecond: 50
      slaP95Ms: 150
    - id: tune
      kind: training
      ordersPerHour: 2
      workH100Hours: {dist: lognormal, median: 8, p95: 40}
market:
  mechanism: auction
`;

/** The same scenario with keys in another order and other formatting. */
const MINIMAL_REORDERED = `market: {mechanism: auction}
demand:
  classes:
    - {kind: realtime, requestsPerSecond: 50, id: chat, slaP95Ms: 150}
    - workH100Hours:
        p95: 40
        median: 8
        dist: lognormal
      ordersPerHour: 2
      kind: training
      id: tune
horizonDays: 30
name: minimal
`;

/** The issues of a scenario that must not load. */
function issuesOf(load: () => unknown): ScenarioIssue[] {
	try {
		load();
	} catch (error) {
		if (error instanceof ScenarioError) return error.issues;
		throw error;
	}
	throw new Error("expected a ScenarioError, but the scenario loaded");
}

function yamlFilesUnder(dir: string): string[] {
	try {
		return readdirSync(dir, { withFileTypes: true, recursive: true })
			.filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
			.map((entry) => join(entry.parentPath, entry.name))
			.sort();
	} catch {
		return [];
	}
}

describe("parseScenario", () => {
	it("loads a minimal scenario and fills every default", () => {
		const { scenario, source, text } = parseScenario(MINIMAL, "minimal.yaml");
		expect(source).toBe("minimal.yaml");
		expect(text).toBe(MINIMAL);
		expect(scenario.name).toBe("minimal");
		expect(scenario.seed).toBe(1);
		expect(scenario.epochHours).toBe(1);
		expect(scenario.horizonDays).toBe(30);
		expect(scenario.nodes.initialCount).toBe(10_000);
		expect(scenario.nodes.mix.length).toBeGreaterThan(0);
		expect(scenario.providers.failures.repairHours).toEqual({ dist: "lognormal", median: 24, p95: 120 });
		const [chat, tune] = scenario.demand.classes;
		expect(chat?.kind).toBe("realtime");
		if (chat?.kind !== "realtime") throw new Error("unreachable");
		expect(chat.slaP95Ms).toBe(150);
		expect(chat.batching.maxBatch).toBe(8);
		expect(chat.arrival.diurnalAmplitude).toBe(0.3);
		expect(tune?.kind).toBe("training");
		if (tune === undefined || tune.kind === "realtime") throw new Error("unreachable");
		expect(tune.gpusPerJob).toBe(1);
		expect(tune.choice.priceWeight).toBe(4);
	});

	it("fills the fields a partial object leaves out from that object's default", () => {
		const { scenario } = parseScenario(`${MINIMAL}providers:\n  failures: {mtbfHours: 1000}\n`, "partial.yaml");
		expect(scenario.providers.failures.mtbfHours).toBe(1000);
		expect(scenario.providers.failures.repairHours).toEqual({ dist: "lognormal", median: 24, p95: 120 });
	});

	it("does not change its input between loads (defaults are copies)", () => {
		const first = parseScenario(MINIMAL, "a.yaml").scenario;
		first.nodes.mix.push({ gpu: "extra", share: 1 });
		const second = parseScenario(MINIMAL, "a.yaml").scenario;
		expect(second.nodes.mix.some((entry) => entry.gpu === "extra")).toBe(false);
	});

	it("reports every issue, sorted by line, one line each", () => {
		const text = `name: Bad Name
seed: -3
demand:
  classes:
    - id: chat
      kind: realtime
      requestsPerSecond: fast
market: {mechanism: lottery, maxCandidate: 3}
`;
		const error = (() => {
			try {
				parseScenario(text, "scenarios/bad.yaml");
			} catch (caught) {
				return caught;
			}
			return undefined;
		})();
		expect(error).toBeInstanceOf(ScenarioError);
		const lines = String(error).split("\n");
		expect(lines).toEqual([
			expect.stringMatching(/^scenarios\/bad\.yaml:1:7 name: expected an id/),
			"scenarios/bad.yaml:2:7 seed: expected an integer from 0 to 9007199254740991, got -3",
			'scenarios/bad.yaml:7:26 demand.classes[0].requestsPerSecond: expected a positive number ≤ 1000000, got "fast"',
			'scenarios/bad.yaml:8:21 market.mechanism: expected one of auction, posted, routing, got "lottery"',
			'scenarios/bad.yaml:8:30 market.maxCandidate: unknown field "maxCandidate" (did you mean "maxCandidates"?)',
		]);
		expect((error as ScenarioError).message).toBe(lines.join("\n"));
	});

	it("rejects a text over the size cap before parsing it", () => {
		const big = `${MINIMAL}description: "${"x".repeat(MAX_SCENARIO_BYTES)}"\n`;
		const issues = issuesOf(() => parseScenario(big, "big.yaml"));
		expect(issues).toHaveLength(1);
		expect(issues[0]?.line).toBe(0);
		expect(formatIssue(issues[0] as ScenarioIssue)).toMatch(
			/^big\.yaml: the file is 1\.0 MiB .* over the 1 MiB limit$/,
		);
	});
});

describe("invalid scenarios (test/models/scenario/invalid)", () => {
	const files = readdirSync(invalidDir)
		.filter((name) => name.endsWith(".yaml"))
		.sort();

	it("has at least 30 of them", () => {
		expect(files.length).toBeGreaterThanOrEqual(30);
	});

	for (const file of files) {
		it(file, () => {
			const text = readFileSync(join(invalidDir, file), "utf8");
			const expectation = /^# expect: (\d+):(\d+)(?: (\S+))?: (.+)$/.exec(text.split("\n")[0] ?? "");
			if (expectation === null)
				throw new Error(`${file}: the first line must be "# expect: LINE:COLUMN PATH: MESSAGE"`);
			const [, line, column, path = "", message = ""] = expectation;
			const issues = issuesOf(() => parseScenario(text, file));
			const wanted = { source: file, line: Number(line), column: Number(column), path };
			const match = issues.find(
				(issue) =>
					issue.source === wanted.source &&
					issue.line === wanted.line &&
					issue.column === wanted.column &&
					issue.path === wanted.path &&
					issue.message.includes(message),
			);
			expect(
				match,
				`want ${line}:${column} ${path}: ${message}\ngot:\n${issues.map(formatIssue).join("\n")}`,
			).toBeDefined();
		});
	}
});

describe("--set overrides", () => {
	it("apply before defaults and validation", () => {
		const { scenario } = parseScenario(MINIMAL, "minimal.yaml", [
			"market.mechanism=posted",
			"demand.classes[0].requestsPerSecond=75",
			"providers.exit.consecutiveEpochs=12",
			"nodes.mix=[{gpu: rtx4090, share: 1}]",
			"geography.metros=[lagos, nairobi]",
			"description='a test: with a colon'",
		]);
		expect(scenario.market.mechanism).toBe("posted");
		expect(scenario.demand.classes[0]).toMatchObject({ requestsPerSecond: 75, slaP95Ms: 150 });
		expect(scenario.providers.exit.consecutiveEpochs).toBe(12);
		expect(scenario.providers.exit.ewmaHalfLifeEpochs).toBe(168);
		expect(scenario.nodes.mix).toEqual([{ gpu: "rtx4090", share: 1 }]);
		expect(scenario.geography.metros).toEqual(["lagos", "nairobi"]);
		expect(scenario.description).toBe("a test: with a colon");
	});

	it("can append a class at the end of the list, and a later override wins", () => {
		const { scenario } = parseScenario(MINIMAL, "minimal.yaml", [
			"demand.classes[2]={id: art, kind: render, ordersPerHour: 5, workH100Hours: {dist: exponential, mean: 0.5}}",
			"seed=7",
			"seed=8",
		]);
		expect(scenario.demand.classes.map((c) => c.id)).toEqual(["chat", "tune", "art"]);
		expect(scenario.seed).toBe(8);
	});

	it("report their issues against --set, without a line", () => {
		const issues = issuesOf(() =>
			parseScenario(MINIMAL, "minimal.yaml", [
				"demand.classes[0].slaP95Ms=fast",
				"market.mechanisms=posted",
				"seed=.inf",
				"nodes.mix=[{gpu: rtx4090}]",
				"demand.classes[1].id=chat",
			]),
		);
		const lines = issues.map(formatIssue);
		expect(lines).toContain('--set demand.classes[0].slaP95Ms: expected a positive number, got "fast"');
		expect(lines).toContain('--set market.mechanisms: unknown field "mechanisms" (did you mean "mechanism"?)');
		expect(lines).toContain("--set seed: expected a finite number, got .inf");
		expect(lines).toContain("--set nodes.mix[0].share: required field is missing: relative weight");
		expect(lines).toContain('--set demand.classes[1].id: duplicate class id "chat" (also demand.classes[0])');
		for (const issue of issues) expect(issue).toMatchObject({ source: "--set", line: 0, column: 0 });
	});

	it("report malformed overrides", () => {
		const lines = issuesOf(() =>
			parseScenario(MINIMAL, "minimal.yaml", [
				"market.mechanism",
				"market..mechanism=posted",
				"=3",
				"demand.classes[5].id=x",
				"name.first=x",
				"market.mechanism=[unclosed",
			]),
		).map(formatIssue);
		expect(lines).toEqual([
			"--set market.mechanism: expected path=value",
			"--set market..mechanism=posted: malformed path: expected a field path like demand.classes[0].id",
			"--set =3: malformed path: expected a field path like demand.classes[0].id",
			"--set demand.classes[5].id: cannot set: index 5 is out of range: demand.classes has 2 items",
			"--set name.first: cannot set: name is not a mapping",
			expect.stringMatching(/^--set market\.mechanism: /),
		]);
	});

	it("leave file issues at their lines", () => {
		const issues = issuesOf(() => parseScenario(`${MINIMAL}seed: x\n`, "minimal.yaml", ["market.mechanism=posted"]));
		expect(issues.map(formatIssue)).toEqual([
			'minimal.yaml:16:7 seed: expected an integer from 0 to 9007199254740991, got "x"',
		]);
	});
});

describe("locating fields", () => {
	const loaded: LoadedScenario = parseScenario(MINIMAL, "minimal.yaml", ["market.mechanism=routing"]);

	it("finds the line and column of a value written in the file", () => {
		expect(loaded.locate("name")).toEqual({ line: 2, column: 7 });
		expect(loaded.locate("demand.classes[0].requestsPerSecond")).toEqual({ line: 8, column: 26 });
		expect(loaded.locate("demand.classes[1].workH100Hours.p95")).toEqual({ line: 13, column: 56 });
	});

	it("finds nothing for defaults, overrides and malformed paths", () => {
		expect(loaded.locate("seed")).toBeUndefined();
		expect(loaded.locate("market.mechanism")).toBeUndefined();
		expect(loaded.locate("demand.classes[9]")).toBeUndefined();
		expect(loaded.locate("demand..classes")).toBeUndefined();
	});

	it("places a later issue at the field, its nearest written ancestor, or --set", () => {
		expect(formatIssue(issueAt(loaded, "demand.classes[0].id", 'no class "chat" here'))).toBe(
			'minimal.yaml:6:11 demand.classes[0].id: no class "chat" here',
		);
		// nodes.mix is a default: the issue points at the top of the file.
		expect(issueAt(loaded, "nodes.mix[0].gpu", "not in the catalogue")).toMatchObject({
			source: "minimal.yaml",
			line: 2,
			column: 1,
			path: "nodes.mix[0].gpu",
		});
		expect(issueAt(loaded, "demand.classes[0].hardware.minVramGb", "no GPU has that much memory")).toMatchObject({
			line: 6,
			column: 7,
		});
		expect(formatIssue(issueAt(loaded, "market.mechanism", "not supported yet"))).toBe(
			"--set market.mechanism: not supported yet",
		);
	});

	it("places issues on a copy of a loaded scenario too", () => {
		const copy: LoadedScenario = { ...loaded };
		expect(issueAt(copy, "demand.classes[0].id", "x")).toMatchObject({ line: 6, column: 11 });
		expect(issueAt(copy, "nodes.mix[0].gpu", "x")).toMatchObject({ line: 2, column: 1 });
	});

	it("makes a ScenarioError from issues found later", () => {
		const error = new ScenarioError([
			issueAt(loaded, "demand.classes[1].workH100Hours", "b"),
			issueAt(loaded, "name", "a"),
		]);
		expect(error.message).toBe("minimal.yaml:2:7 name: a\nminimal.yaml:13:22 demand.classes[1].workH100Hours: b");
	});
});

describe("canonical forms", () => {
	it("canonical JSON and hash are stable and independent of key order and formatting", () => {
		const a = parseScenario(MINIMAL, "a.yaml").scenario;
		const b = parseScenario(MINIMAL_REORDERED, "b.yaml").scenario;
		expect(canonicalJson(a)).toBe(canonicalJson(b));
		expect(scenarioHash(a)).toBe(scenarioHash(b));
		expect(scenarioHash(a)).toMatch(/^[0-9a-f]{64}$/);
		expect(Object.keys(JSON.parse(canonicalJson(b)))).toEqual(Object.keys(JSON.parse(canonicalJson(a))));
		expect(canonicalJson(a).startsWith('{"name":"minimal","description":"","seed":1,')).toBe(true);
	});

	it("the hash changes when the scenario does", () => {
		const a = parseScenario(MINIMAL, "a.yaml").scenario;
		const b = parseScenario(MINIMAL, "a.yaml", ["seed=2"]).scenario;
		expect(scenarioHash(a)).not.toBe(scenarioHash(b));
	});

	it("resolved YAML has a header, every default, and round-trips", () => {
		const loaded = parseScenario(MINIMAL, "a.yaml", ['description="multi\\nline: text"', "seed=9007199254740991"]);
		expect(loaded.scenario.description).toBe("multi\nline: text");
		const yaml = resolvedYaml(loaded.scenario);
		expect(yaml.split("\n")[0]).toMatch(/^# .*generated/i);
		expect(yaml).toMatch(/reproduces/);
		expect(yaml).toMatch(/consecutiveEpochs:\s+dist: lognormal\s+median: 336/);
		const again = parseScenario(yaml, "resolved.yaml").scenario;
		expect(again).toEqual(loaded.scenario);
		expect(canonicalJson(again)).toBe(canonicalJson(loaded.scenario));
		expect(resolvedYaml(again)).toBe(yaml);
	});
});

describe("hostile input", () => {
	it("refuses deep nesting without overflowing the stack", () => {
		const deep = `name: x\ndemand: ${"[".repeat(100)}${"]".repeat(100)}\n`;
		const issues = issuesOf(() => parseScenario(deep, "deep.yaml"));
		expect(issues[0]?.message).toMatch(/nested too deeply/);
		expect(issuesOf(() => parseScenario("[".repeat(100_000), "deeper.yaml")).length).toBeGreaterThan(0);
	});

	it("reads YAML 1.2 core whatever a %YAML directive says (no merge keys, yes is a string)", () => {
		const text = `%YAML 1.1\n---\n${MINIMAL.replace("name: minimal", "name: minimal\n<<: {seed: 3}")}`;
		const issues = issuesOf(() => parseScenario(text, "old.yaml"));
		expect(issues.map((issue) => issue.path)).toEqual(['["<<"]']);
		const yes = issuesOf(() =>
			parseScenario(`%YAML 1.1\n---\n${MINIMAL}geography: {zeroNetworkLatency: yes}\n`, "old.yaml"),
		);
		expect(yes[0]?.message).toBe('expected true or false, got "yes"');
	});

	it("sets no prototype through a key or an override", () => {
		const issues = issuesOf(() =>
			parseScenario(`${MINIMAL}__proto__: {polluted: 1}\n`, "proto.yaml", ["constructor.polluted=1", "__proto__.x=1"]),
		);
		expect(issues.map(formatIssue)).toEqual([
			'proto.yaml:16:1 __proto__: unknown field "__proto__"',
			'--set constructor: unknown field "constructor"',
		]);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(({} as Record<string, unknown>).x).toBeUndefined();
	});

	it("throws nothing but ScenarioError on arbitrary text", () => {
		const fragment = fc.constantFrom(
			...["name: x\n", "demand:\n", "  classes:\n", "    - id: a\n", "      kind: realtime\n", "&a ", "*a", "[", "]"],
			...["{", "}", ": ", "- ", "\t", "!!set ", "? ", ".inf", '"', "#", "\n", "<<: ", "__proto__: ", "---\n"],
			...["%YAML 1.1\n", "1e999", "~"],
		);
		fc.assert(
			fc.property(
				fc.array(fragment, { maxLength: 30 }),
				fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 }),
				(parts, sets) => {
					try {
						parseScenario(parts.join(""), "fuzz.yaml", sets);
					} catch (error) {
						if (!(error instanceof ScenarioError)) throw error;
					}
				},
			),
			{ numRuns: 2000, seed: 42 },
		);
	});

	it("resolved YAML round-trips any description, seed and number", () => {
		const scenarioArbitrary = fc.record({
			name: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
			description: fc.string({ unit: "binary", maxLength: 60 }),
			seed: fc.maxSafeNat(),
			horizonDays: fc.double({ min: 1, max: 3650, noNaN: true }),
			requestsPerSecond: fc.double({ min: Number.MIN_VALUE, max: 1e6, noNaN: true }),
		});
		fc.assert(
			fc.property(scenarioArbitrary, ({ requestsPerSecond, ...top }) => {
				const text = stringify({ ...top, demand: { classes: [{ id: "c", kind: "realtime", requestsPerSecond }] } });
				const loaded = parseScenario(text, "any.yaml");
				expect(loaded.scenario.description).toBe(top.description);
				expect(canonicalJson(parseScenario(resolvedYaml(loaded.scenario), "r.yaml").scenario)).toBe(
					canonicalJson(loaded.scenario),
				);
			}),
			{ numRuns: 300, seed: 42 },
		);
	});
});

describe("loadScenario", () => {
	const withScenarios = (run: (dir: string) => void) => {
		const dir = mkdtempSync(join(tmpdir(), "depin-twin-scenarios-"));
		try {
			mkdirSync(join(dir, "presets"));
			writeFileSync(join(dir, "small.yaml"), MINIMAL);
			writeFileSync(join(dir, "presets", "tiny.yaml"), MINIMAL.replace("name: minimal", "name: tiny"));
			run(dir);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	};

	it("finds a scenario by path, by name and by name under a folder", () => {
		withScenarios((dir) => {
			expect(loadScenario("small", { scenariosDir: dir }).scenario.name).toBe("minimal");
			expect(loadScenario("presets/tiny", { scenariosDir: dir }).scenario.name).toBe("tiny");
			expect(loadScenario("presets/tiny.yaml", { scenariosDir: dir }).scenario.name).toBe("tiny");
			expect(loadScenario(join(dir, "small.yaml"), { scenariosDir: "/nowhere" }).scenario.name).toBe("minimal");
			const loaded = loadScenario("small", { scenariosDir: dir, overrides: ["seed=5"] });
			expect(loaded.scenario.seed).toBe(5);
			expect(loaded.source.endsWith("small.yaml")).toBe(true);
		});
	});

	it("says clearly when there is no such scenario", () => {
		withScenarios((dir) => {
			const issues = issuesOf(() => loadScenario("nope", { scenariosDir: dir }));
			expect(issues).toHaveLength(1);
			expect(formatIssue(issues[0] as ScenarioIssue)).toMatch(/^nope: no such scenario \(looked for .*nope\.yaml\)$/);
			expect(issuesOf(() => loadScenario("presets", { scenariosDir: dir }))[0]?.message).toMatch(/no such scenario/);
		});
	});

	it("refuses a file over the size cap without parsing it", () => {
		withScenarios((dir) => {
			writeFileSync(join(dir, "huge.yaml"), `${MINIMAL}# ${"x".repeat(MAX_SCENARIO_BYTES)}\n`);
			const issues = issuesOf(() => loadScenario("huge", { scenariosDir: dir }));
			expect(issues).toHaveLength(1);
			expect(issues[0]?.message).toMatch(/over the 1 MiB limit/);
		});
	});
});

describe("the scenarios folder", () => {
	const scenariosDir = join(root, "scenarios");
	const files = yamlFilesUnder(scenariosDir);

	it("every scenario file validates, and its resolved YAML round-trips", () => {
		const failures: string[] = [];
		for (const file of files) {
			try {
				const { scenario } = loadScenario(file, { scenariosDir });
				expect(parseScenario(resolvedYaml(scenario), "resolved.yaml").scenario, file).toEqual(scenario);
			} catch (error) {
				if (!(error instanceof ScenarioError)) throw error;
				failures.push(`${relative(root, file)}:\n${error.message}`);
			}
		}
		expect(failures).toEqual([]);
	});
});
