/**
 * `--set path=value` overrides, applied to the parsed value before defaults and validation.
 * The value is YAML (a flow scalar or collection): `--set nodes.mix=[{gpu: rtx4090, share: 1}]`.
 */
import { formatPath, type PathSegment, parsePath } from "./paths.js";
import { isPlainObject, ownValue, setOwnValue } from "./schema-walk.js";
import { MAX_ALIAS_USES, parseYaml, syntaxIssues, treeIssues } from "./yaml-source.js";

/** A problem with an override: its path (or its raw text when malformed) and what is wrong. */
export interface OverrideIssue {
	readonly path: string;
	readonly message: string;
}

export interface AppliedOverrides {
	/** The field paths the overrides set, for telling their issues from the file's. */
	readonly paths: readonly (readonly PathSegment[])[];
	readonly issues: readonly OverrideIssue[];
}

function parseOverrideValue(text: string, path: string, issues: OverrideIssue[]): { value: unknown } | undefined {
	const parsed = parseYaml(text);
	const problems = [...syntaxIssues(parsed), ...treeIssues(parsed)];
	for (const problem of problems) {
		const inner = formatPath(problem.path);
		const where = inner === "" ? path : inner.startsWith("[") ? `${path}${inner}` : `${path}.${inner}`;
		issues.push({ path: where, message: problem.message });
	}
	if (problems.length > 0) return undefined;
	try {
		return { value: parsed.document.toJS({ maxAliasCount: MAX_ALIAS_USES }) };
	} catch (error) {
		issues.push({ path, message: `cannot read the value: ${(error as Error).message}` });
		return undefined;
	}
}

/**
 * Sets one value at a path, creating missing mappings on the way. Returns the path the override
 * now owns (up to the first mapping it created), or a message when it cannot set the value.
 */
function setAtPath(
	root: unknown,
	path: readonly PathSegment[],
	value: unknown,
): { owned: readonly PathSegment[] } | string {
	if (!isPlainObject(root)) return "the scenario is not a mapping";
	let owned: readonly PathSegment[] | undefined;
	let container: unknown = root;
	for (let depth = 0; depth < path.length; depth++) {
		const segment = path[depth] as PathSegment;
		const last = depth === path.length - 1;
		const here = formatPath(path.slice(0, depth));
		if (typeof segment === "number") {
			if (!Array.isArray(container)) return `${here} is not a list`;
			if (segment > container.length) return `index ${segment} is out of range: ${here} has ${container.length} items`;
			if (last) {
				container[segment] = value;
				return { owned: owned ?? path };
			}
			if (segment === container.length)
				return `index ${segment} is out of range: ${here} has ${container.length} items`;
			container = container[segment];
		} else {
			if (!isPlainObject(container)) return here === "" ? "the scenario is not a mapping" : `${here} is not a mapping`;
			if (last) {
				setOwnValue(container, segment, value);
				return { owned: owned ?? path };
			}
			let next = ownValue(container, segment);
			if (next === undefined || next === null) {
				if (typeof path[depth + 1] === "number") return `${formatPath(path.slice(0, depth + 1))} is not a list`;
				next = {};
				setOwnValue(container, segment, next);
				owned ??= path.slice(0, depth + 1);
			}
			container = next;
		}
	}
	return "an override needs a field path";
}

/** Applies `path=value` overrides to a scenario value, in order (a later one wins). */
export function applyOverrides(scenario: unknown, overrides: readonly string[]): AppliedOverrides {
	const paths: (readonly PathSegment[])[] = [];
	const issues: OverrideIssue[] = [];
	for (const override of overrides) {
		const equals = override.indexOf("=");
		if (equals < 0) {
			issues.push({ path: override, message: "expected path=value" });
			continue;
		}
		const pathText = override.slice(0, equals).trim();
		const path = parsePath(pathText);
		if (path === undefined || path.length === 0) {
			issues.push({ path: override, message: "malformed path: expected a field path like demand.classes[0].id" });
			continue;
		}
		const parsed = parseOverrideValue(override.slice(equals + 1), formatPath(path), issues);
		if (parsed === undefined) continue;
		const outcome = setAtPath(scenario, path, parsed.value);
		if (typeof outcome === "string") issues.push({ path: formatPath(path), message: `cannot set: ${outcome}` });
		else paths.push(outcome.owned);
	}
	return { paths, issues };
}
