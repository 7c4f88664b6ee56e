/**
 * The README's sample of `npm start` is the closing table of a real run of scenarios/base.yaml
 * (one year, ~6,500 nodes: some 15–30 s), so it cannot drift from what the command prints.
 * UPDATE_README=1 rewrites the block between the two markers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatKpiTable } from "../cli/kpi-table.js";
import { executeRun, prepareRun } from "../cli/run.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const readmePath = join(root, "README.md");
const START = "<!-- kpi-table:start (test/readme.test.ts writes this block: UPDATE_README=1) -->";
const END = "<!-- kpi-table:end -->";

/** The README block for a table: a fenced code block, trailing spaces dropped. */
function tableBlock(table: string): string {
	const lines = table.split("\n").map((line) => line.trimEnd());
	return ["```", ...lines, "```"].join("\n");
}

/** The text between the markers, or an error naming what is missing. */
function blockOf(readme: string): { before: string; block: string; after: string } {
	const start = readme.indexOf(START);
	const end = readme.indexOf(END);
	if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${START} … ${END}`);
	return {
		before: readme.slice(0, start + START.length),
		block: readme.slice(start + START.length, end).trim(),
		after: readme.slice(end),
	};
}

describe("README.md", () => {
	it("finds the block between its markers", () => {
		expect(blockOf(`a\n${START}\nx\ny\n${END}\nb`).block).toBe("x\ny");
		expect(() => blockOf("no markers")).toThrow(/lacks the markers/);
		expect(tableBlock("a  \n b ")).toBe("```\na\n b\n```");
	});

	it("shows the closing table of `npm start` (scenarios/base.yaml) as a real run prints it", () => {
		const out = mkdtempSync(join(tmpdir(), "depin-twin-readme-"));
		const outcome = executeRun(prepareRun("base"), { out });
		const expected = tableBlock(formatKpiTable(outcome.summary));
		const readme = readFileSync(readmePath, "utf8");
		const { before, block, after } = blockOf(readme);
		if (process.env.UPDATE_README === "1") {
			writeFileSync(readmePath, `${before}\n${expected}\n${after}`);
			expect(blockOf(readFileSync(readmePath, "utf8")).block).toBe(expected);
		} else expect(block).toBe(expected);
	}, 300_000);
});
