/**
 * docs/results.md must document every summary.json key and every timeseries.csv column a run
 * writes, and nothing else: runs of small.yaml with tokenomics off and on supply the real keys.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { executeRun, prepareRun } from "../../cli/run.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SUMMARY_SECTIONS = ["manifest", "kpis", "baseline", "comparison"] as const;

/** Dotted paths of the leaves of a JSON value (null and arrays are leaves). */
function leafPaths(value: unknown, prefix = ""): string[] {
	if (value === null || typeof value !== "object" || Array.isArray(value)) return [prefix];
	return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix === "" ? key : `${prefix}.${key}`));
}

/**
 * The text of a markdown section: from its heading (the line, or the line and words after it)
 * to the next heading of the same or a higher level.
 */
function section(markdown: string, heading: string): string {
	const lines = markdown.split("\n");
	const start = lines.findIndex((line) => line.trim() === heading || line.startsWith(`${heading} `));
	if (start < 0) throw new Error(`docs/results.md has no heading "${heading}"`);
	const level = heading.indexOf(" ");
	const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(" ") <= level);
	return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** The names a table documents: every `code` span in the first cell of its body rows. */
function documentedNames(text: string): string[] {
	const names: string[] = [];
	for (const line of text.split("\n")) {
		if (!line.startsWith("|") || /^\|\s*(key|column|-)/.test(line)) continue;
		const firstCell = line.split("|")[1] ?? "";
		for (const match of firstCell.matchAll(/`([^`]+)`/g)) names.push(match[1] as string);
	}
	return names;
}

describe("docs/results.md, the data dictionary", () => {
	const doc = readFileSync(join(root, "docs", "results.md"), "utf8");
	const summaries: Record<string, unknown>[] = [];
	let header: string[] = [];

	beforeAll(() => {
		for (const overrides of [[], ["tokenomics.enabled=true"]]) {
			const out = mkdtempSync(join(tmpdir(), "depin-twin-docs-"));
			executeRun(prepareRun("small", overrides), { out });
			summaries.push(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")));
			header = (readFileSync(join(out, "timeseries.csv"), "utf8").split("\n")[0] ?? "").split(",");
		}
	}, 120_000);

	it("the helpers find names in tables and leaves in JSON", () => {
		expect(leafPaths({ a: { b: 1, c: null }, d: [1] })).toEqual(["a.b", "a.c", "d"]);
		expect(documentedNames("| key | unit |\n|---|---|\n| `a.b`, `c` | `x` |\ntext `d`")).toEqual(["a.b", "c"]);
		expect(section("# A\n## B (x)\nb\n### C\nc\n## D\nd", "## B")).toBe("b\n### C\nc");
	});

	for (const name of SUMMARY_SECTIONS) {
		it(`documents every key of summary.json's ${name}, and no key it lacks`, () => {
			const documented = documentedNames(section(doc, `### ${name}`));
			const written = new Set(summaries.flatMap((summary) => leafPaths(summary[name])));
			// A leaf that is null in one run (tokens with tokenomics off) is documented through its children.
			const missing = [...written].filter((path) => !documented.some((d) => d === path || d.startsWith(`${path}.`)));
			expect(missing, `keys of ${name} missing from docs/results.md`).toEqual([]);
			const unknown = documented.filter((d) => !written.has(d));
			expect(unknown, `keys in docs/results.md that ${name} does not have`).toEqual([]);
		});
	}

	it("documents every timeseries.csv column, in the file's order", () => {
		expect(header.length).toBeGreaterThan(20);
		expect(documentedNames(section(doc, "## timeseries.csv"))).toEqual(header);
	});
});
