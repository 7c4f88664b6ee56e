/**
 * Loading a scenario: YAML text → checked, defaulted `Scenario`, or a `ScenarioError` listing
 * every issue with its file, line, column and field path. Nothing large is built before the
 * size caps (file bytes, alias expansion) and the schema's limits have been checked.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, statSync } from "node:fs";
import { extname, isAbsolute, join, relative, resolve } from "node:path";
import { OVERRIDE_SOURCE, ScenarioError, type ScenarioIssue } from "./errors.js";
import { applyOverrides } from "./overrides.js";
import { formatPath, isPathPrefix, type PathSegment, parsePath } from "./paths.js";
import type { Scenario } from "./schema.js";
import { fillDefaults } from "./schema-walk.js";
import { checkScenarioValue, type IssueAnchor, SCENARIO_SCHEMA } from "./validate.js";
import {
	locateNearest,
	locatePath,
	MAX_ALIAS_USES,
	type ParsedYaml,
	parseYaml,
	syntaxIssues,
	treeIssues,
} from "./yaml-source.js";

export { canonicalJson, resolvedYaml, scenarioHash } from "./canonical.js";
export { formatIssue, OVERRIDE_SOURCE, ScenarioError, type ScenarioIssue } from "./errors.js";

/** Largest scenario file read, in bytes; checked before parsing. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

export interface LoadedScenario {
	readonly scenario: Scenario;
	/** The file name issues are reported against. */
	readonly source: string;
	readonly text: string;
	/** Line and column where a field path is written; undefined when it is not in the file (a default or a `--set`). */
	locate(path: string): { line: number; column: number } | undefined;
}

/** Where issues of one parse go: the file, or `--set` for fields an override set. */
class IssueLocator {
	constructor(
		readonly source: string,
		readonly parsed: ParsedYaml,
		readonly overridePaths: readonly (readonly PathSegment[])[],
	) {}

	isOverridden(path: readonly PathSegment[]): boolean {
		return this.overridePaths.some((overridePath) => isPathPrefix(overridePath, path));
	}

	issue(path: readonly PathSegment[], anchor: IssueAnchor, message: string): ScenarioIssue {
		const pathText = formatPath(path);
		if (this.isOverridden(path)) return { source: OVERRIDE_SOURCE, line: 0, column: 0, path: pathText, message };
		const { line, column } = locateNearest(this.parsed, path, anchor);
		return { source: this.source, line, column, path: pathText, message };
	}

	locate(pathText: string): { line: number; column: number } | undefined {
		const path = parsePath(pathText);
		if (path === undefined || this.isOverridden(path)) return undefined;
		const position = locatePath(this.parsed, path);
		return position === undefined ? undefined : { line: position.line, column: position.column };
	}
}

const locators = new WeakMap<LoadedScenario, IssueLocator>();

/**
 * An issue about a loaded scenario found later (a gpu id not in the catalogue, say), placed at
 * its field path — or at the nearest enclosing field written in the file, when the value is a default.
 */
export function issueAt(loaded: LoadedScenario, path: string, message: string): ScenarioIssue {
	const locator = locators.get(loaded);
	const segments = parsePath(path);
	if (segments === undefined) return { source: loaded.source, line: 0, column: 0, path, message };
	if (locator !== undefined) return locator.issue(segments, "value", message);
	// A copy of a loaded scenario: place the issue by its own locate().
	for (let length = segments.length; length >= 0; length--) {
		const position = loaded.locate(formatPath(segments.slice(0, length)));
		if (position !== undefined) return { source: loaded.source, ...position, path: formatPath(segments), message };
	}
	return { source: loaded.source, line: 0, column: 0, path: formatPath(segments), message };
}

function sizeIssue(source: string, bytes: number): ScenarioIssue {
	const mib = (bytes / (1024 * 1024)).toFixed(1);
	return {
		source,
		line: 0,
		column: 0,
		path: "",
		message: `the file is ${mib} MiB (${bytes} bytes), over the ${MAX_SCENARIO_BYTES / (1024 * 1024)} MiB limit`,
	};
}

/** Parses, overrides, fills defaults and checks a scenario; throws `ScenarioError` with every issue. */
export function parseScenario(text: string, sourceName: string, overrides: readonly string[] = []): LoadedScenario {
	const bytes = Buffer.byteLength(text, "utf8");
	if (bytes > MAX_SCENARIO_BYTES) throw new ScenarioError([sizeIssue(sourceName, bytes)]);

	const parsed = parseYaml(text);
	const fileIssues = (yamlIssues: ReturnType<typeof syntaxIssues>): ScenarioIssue[] =>
		yamlIssues.map(({ path, position, message }) => ({
			source: sourceName,
			line: position.line,
			column: position.column,
			path: formatPath(path),
			message,
		}));
	const yamlIssues = [...syntaxIssues(parsed)];
	// The tree of a document with syntax errors is a guess: report those alone.
	if (!yamlIssues.some((issue) => issue.fatal)) yamlIssues.push(...treeIssues(parsed));
	if (yamlIssues.some((issue) => issue.fatal)) throw new ScenarioError(fileIssues(yamlIssues));

	let value: unknown;
	try {
		value = parsed.document.toJS({ maxAliasCount: MAX_ALIAS_USES });
	} catch (error) {
		const issue = {
			source: sourceName,
			line: 1,
			column: 1,
			path: "",
			message: `cannot read: ${(error as Error).message}`,
		};
		throw new ScenarioError([...fileIssues(yamlIssues), issue]);
	}
	if (value === null || value === undefined) {
		throw new ScenarioError([
			...fileIssues(yamlIssues),
			{
				source: sourceName,
				line: 1,
				column: 1,
				path: "",
				message: "the file is empty: a scenario is a mapping with at least name and demand",
			},
		]);
	}

	const applied = applyOverrides(value, overrides);
	const locator = new IssueLocator(sourceName, parsed, applied.paths);
	const issues: ScenarioIssue[] = [
		...fileIssues(yamlIssues),
		...applied.issues.map(({ path, message }) => ({ source: OVERRIDE_SOURCE, line: 0, column: 0, path, message })),
	];
	const scenario = fillDefaults(SCENARIO_SCHEMA, value);
	// One issue per field: a non-finite number is not also "not a positive number".
	const reported = new Set(issues.map((issue) => `${issue.source}\u0000${issue.path}`));
	for (const { path, anchor, message } of checkScenarioValue(scenario)) {
		const issue = locator.issue(path, anchor, message);
		const key = `${issue.source}\u0000${issue.path}`;
		if (reported.has(key)) continue;
		reported.add(key);
		issues.push(issue);
	}
	if (issues.length > 0) throw new ScenarioError(issues);

	const loaded: LoadedScenario = {
		scenario: scenario as Scenario,
		source: sourceName,
		text,
		locate: (path) => locator.locate(path),
	};
	locators.set(loaded, locator);
	return loaded;
}

function isFile(path: string): boolean {
	return existsSync(path) && statSync(path).isFile();
}

/** How a path is shown in messages: relative to the working folder when inside it. */
function displayName(path: string): string {
	const shown = relative(process.cwd(), path);
	return shown === "" || shown.startsWith("..") || isAbsolute(shown) ? path : shown;
}

/** The file a SCENARIO argument names: a path, or a name in the scenarios folder (`small`, `presets/x`). */
export function resolveScenarioPath(nameOrPath: string, scenariosDir: string): { found?: string; tried: string[] } {
	const hasExtension = [".yaml", ".yml"].includes(extname(nameOrPath));
	const candidates = [
		resolve(nameOrPath),
		join(resolve(scenariosDir), hasExtension ? nameOrPath : `${nameOrPath}.yaml`),
	];
	const tried = [...new Set(candidates)];
	const found = nameOrPath === "" ? undefined : tried.find(isFile);
	return found === undefined ? { tried } : { found, tried };
}

/** Loads a scenario by path or by name in `scenariosDir`; throws `ScenarioError`. */
export function loadScenario(
	nameOrPath: string,
	options: { readonly overrides?: readonly string[]; readonly scenariosDir: string },
): LoadedScenario {
	const { found, tried } = resolveScenarioPath(nameOrPath, options.scenariosDir);
	if (found === undefined) {
		const looked = tried.map(displayName).join(" and ");
		throw new ScenarioError([
			{ source: nameOrPath, line: 0, column: 0, path: "", message: `no such scenario (looked for ${looked})` },
		]);
	}
	const source = displayName(found);
	// Check the size on the open file before reading it all.
	const descriptor = openSync(found, "r");
	let text: string;
	try {
		const bytes = fstatSync(descriptor).size;
		if (bytes > MAX_SCENARIO_BYTES) throw new ScenarioError([sizeIssue(source, bytes)]);
		text = readFileSync(descriptor, "utf8");
	} finally {
		closeSync(descriptor);
	}
	return parseScenario(text, source, options.overrides ?? []);
}
