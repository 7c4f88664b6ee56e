import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { InputError } from "../../cli/errors.js";
import {
	assertScenarioExists,
	editDistance,
	formatScenarioList,
	nearestName,
	scenarioDescription,
	scenarioNames,
} from "../../cli/scenario-names.js";

const scenarios = join(resolve(dirname(fileURLToPath(import.meta.url)), "../.."), "scenarios");

describe("scenario names", () => {
	it("edit distance counts insertions, deletions and substitutions", () => {
		expect(editDistance("smal", "small")).toBe(1);
		expect(editDistance("small", "small")).toBe(0);
		expect(editDistance("kitten", "sitting")).toBe(3);
		expect(editDistance("", "base")).toBe(4);
	});

	it("lists the shipped scenarios, then presets", () => {
		const names = scenarioNames(scenarios);
		expect(names.slice(0, 3)).toEqual(["base", "base-fiat", "small"]);
		expect(names).toContain("presets/akash-like");
		expect(names.every((name) => !name.endsWith(".yaml"))).toBe(true);
	});

	it("suggests the nearest name, also across presets/, and nothing for a far one", () => {
		const known = scenarioNames(scenarios);
		expect(nearestName("smal", known)).toBe("small");
		expect(nearestName("bsae", known)).toBe("base");
		expect(nearestName("render-lik", known)).toBe("presets/render-like");
		expect(nearestName("presets/helium-lik", known)).toBe("presets/helium-like");
		expect(nearestName("akash", known)).toBe("presets/akash-like");
		expect(nearestName("quantum-annealer", known)).toBeUndefined();
	});

	it("an unknown name is an input error listing the scenarios with the suggestion", () => {
		expect(() => assertScenarioExists("small", scenarios)).not.toThrow();
		expect(() => assertScenarioExists("presets/ionet-like", scenarios)).not.toThrow();
		expect(() => assertScenarioExists(join(scenarios, "base.yaml"), scenarios)).not.toThrow();
		let message = "";
		try {
			assertScenarioExists("smal", scenarios);
		} catch (error) {
			expect(error).toBeInstanceOf(InputError);
			message = (error as Error).message;
		}
		expect(message).toMatch(
			/^no such scenario "smal" — did you mean small\? \(scenarios: base, base-fiat, small, presets\/akash-like/,
		);
	});

	it("descriptions come from the description field, else the header line", () => {
		const parse = (text: string) => (text.includes("description") ? { description: "  Two\n  lines. " } : {});
		expect(scenarioDescription("description: >\n  Two\n  lines.\n", parse)).toBe("Two lines.");
		expect(scenarioDescription("# tiny — a one-node network.\nname: tiny\n", parse)).toBe("a one-node network.");
		expect(scenarioDescription("name: bare\n", parse)).toBe("");
	});

	it("the list shows every scenario with its one-line description", async () => {
		const lines = (await formatScenarioList(scenarios)).split("\n");
		expect(lines).toHaveLength(scenarioNames(scenarios).length);
		expect(lines[2]).toMatch(/^small {2,}Two days, 300 nodes/);
		expect(lines.find((line) => line.startsWith("base"))).toMatch(
			/6,500 provider GPUs in 101 metros for one year \(about what its demand keeps busy/,
		);
		for (const line of lines) expect(line).toMatch(/^\S+ {2,}\S/);
	});
});
