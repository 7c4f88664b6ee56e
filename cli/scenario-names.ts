/**
 * Scenario names: the scenarios and presets shipped in scenarios/, the check that a SCENARIO
 * argument names one (with the nearest name suggested when it does not), and their one-line
 * descriptions for `depin-twin scenarios`. Light on purpose: no scenario is parsed or checked
 * here, so an unknown name is reported without loading the model.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { InputError } from "./errors.js";

/** Names of the scenario files in `dir` and its `presets/` folder (`small`, `presets/akash-like`), sorted. */
export function scenarioNames(dir: string): string[] {
	const names: string[] = [];
	for (const sub of ["", "presets"]) {
		const folder = join(dir, sub);
		if (!existsSync(folder)) continue;
		for (const file of readdirSync(folder)) {
			if (!/\.ya?ml$/.test(file)) continue;
			names.push(`${sub === "" ? "" : `${sub}/`}${file.replace(/\.ya?ml$/, "")}`);
		}
	}
	return names.sort((a, b) => Number(a.includes("/")) - Number(b.includes("/")) || a.localeCompare(b));
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
	let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
			current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
		}
		previous = current;
	}
	return previous[b.length] as number;
}

/**
 * The known name nearest to `name` (compared whole and, for presets, by the part after
 * `presets/`) within a third of the name's length (at least 2 edits), else the one name that
 * starts with it, else undefined.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
	const wanted = name.replace(/\.ya?ml$/, "");
	let best: { name: string; distance: number } | undefined;
	for (const candidate of known) {
		const short = candidate.slice(candidate.lastIndexOf("/") + 1);
		const distance = Math.min(editDistance(wanted, candidate), editDistance(wanted, short));
		if (best === undefined || distance < best.distance) best = { name: candidate, distance };
	}
	const limit = Math.max(2, Math.floor(wanted.length / 3));
	if (best !== undefined && best.distance <= limit) return best.name;
	// A preset named by the start of its name (`akash` for presets/akash-like).
	const prefixed = known.filter((candidate) => candidate.slice(candidate.lastIndexOf("/") + 1).startsWith(wanted));
	return wanted.length >= 3 && prefixed.length === 1 ? prefixed[0] : undefined;
}

function isFile(path: string): boolean {
	return existsSync(path) && statSync(path).isFile();
}

/**
 * Throws InputError when `nameOrPath` is neither a file nor a scenario in `dir` (the same two
 * places the scenario loader looks), listing the scenarios and suggesting the nearest.
 */
export function assertScenarioExists(nameOrPath: string, dir: string): void {
	const withExtension = [".yaml", ".yml"].includes(extname(nameOrPath)) ? nameOrPath : `${nameOrPath}.yaml`;
	if (nameOrPath !== "" && (isFile(resolve(nameOrPath)) || isFile(join(resolve(dir), withExtension)))) return;
	const known = scenarioNames(dir);
	const nearest = nearestName(nameOrPath, known);
	const hint = nearest === undefined ? "" : ` — did you mean ${nearest}?`;
	throw new InputError(`no such scenario "${nameOrPath}"${hint} (scenarios: ${known.join(", ")})`);
}

/** A scenario file's one-line description: its `description` field, else the text after the dash of its first comment. */
export function scenarioDescription(text: string, parseYaml: (text: string) => unknown): string {
	try {
		const parsed = parseYaml(text) as { description?: unknown } | null;
		if (typeof parsed?.description === "string") return parsed.description.replace(/\s+/g, " ").trim();
	} catch {
		// A broken file still gets its header line.
	}
	const header = /^#\s*[\w./-]+\s+[—-]\s+(.*)$/m.exec(text);
	return header?.[1]?.trim() ?? "";
}

/** The table `depin-twin scenarios` prints: one line per scenario, name then description. */
export async function formatScenarioList(dir: string): Promise<string> {
	const { parse } = await import("yaml");
	const rows = scenarioNames(dir).map((name) => {
		const file = [".yaml", ".yml"].map((ext) => join(dir, `${name}${ext}`)).find(isFile) as string;
		return [name, scenarioDescription(readFileSync(file, "utf8"), parse)] as const;
	});
	const width = Math.max(...rows.map(([name]) => name.length));
	return rows.map(([name, description]) => `${name.padEnd(width)}  ${description}`.trimEnd()).join("\n");
}
