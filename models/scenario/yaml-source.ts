/**
 * The YAML side of a scenario: parsing with positions, the checks made on the syntax tree
 * before any value is built (aliases, tags, non-finite numbers, odd keys), and finding the
 * line and column of a field path.
 */
import {
	type Document,
	isAlias,
	isMap,
	isPair,
	isScalar,
	isSeq,
	LineCounter,
	type Node,
	type Pair,
	type ParsedNode,
	parseDocument,
} from "yaml";
import type { PathSegment } from "./paths.js";
import type { IssueAnchor } from "./validate.js";

/** Uses of one anchor, at most (YAML's own guard against alias bombs uses the same figure). */
export const MAX_ALIAS_USES = 100;
/** Nodes that all aliases together may expand to (a billion-laughs file stops here). */
export const MAX_ALIAS_EXPANSION = 10_000;
/** Nesting depth of mappings and lists; a scenario needs fewer than 10. */
export const MAX_NESTING_DEPTH = 64;

/** Tags that name only the plain JSON-like kinds; any other (`!!binary`, `!!set`, `!foo`) is refused. */
const PLAIN_TAGS = new Set(
	["str", "int", "float", "bool", "null", "map", "seq"].map((name) => `tag:yaml.org,2002:${name}`),
);

export interface ParsedYaml {
	readonly document: Document.Parsed;
	readonly lineCounter: LineCounter;
}

export interface Position {
	readonly line: number;
	readonly column: number;
}

/** A problem found in the YAML text, located already. */
export interface YamlIssue {
	readonly path: readonly PathSegment[];
	readonly position: Position;
	readonly message: string;
	/** Whether the document cannot be turned into a value at all. */
	readonly fatal: boolean;
}

export function parseYaml(text: string): ParsedYaml {
	const lineCounter = new LineCounter();
	const document = parseDocument(text, {
		lineCounter,
		uniqueKeys: true,
		prettyErrors: true,
		// YAML 1.2 core whatever a %YAML directive says: no merge keys, no yes/no booleans.
		version: "1.2",
		schema: "core",
		merge: false,
	});
	return { document, lineCounter };
}

function positionAt(parsed: ParsedYaml, offset: number): Position {
	const { line, col } = parsed.lineCounter.linePos(offset);
	return { line, column: col };
}

/** The parser's message without the position and source excerpt that `prettyErrors` appends. */
function plainMessage(code: string, message: string): string {
	if (code === "MULTIPLE_DOCS") return "a scenario file holds one YAML document, and this one has more (a second ---)";
	const plain = message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").trim();
	return plain.charAt(0).toLowerCase() + plain.slice(1);
}

/** Syntax errors and warnings. Duplicate keys are not fatal: the value is still well defined. */
export function syntaxIssues(parsed: ParsedYaml): YamlIssue[] {
	const issues: YamlIssue[] = [];
	for (const error of parsed.document.errors) {
		const path = pathAtOffset(parsed, error.pos[0]);
		const duplicate = error.code === "DUPLICATE_KEY";
		const key = path[path.length - 1];
		issues.push({
			path,
			position: positionAt(parsed, error.pos[0]),
			message: duplicate && key !== undefined ? `duplicate key "${key}"` : plainMessage(error.code, error.message),
			fatal: !duplicate,
		});
	}
	for (const warning of parsed.document.warnings) {
		issues.push({
			path: pathAtOffset(parsed, warning.pos[0]),
			position: positionAt(parsed, warning.pos[0]),
			message: plainMessage(warning.code, warning.message),
			fatal: true,
		});
	}
	return issues;
}

function keyText(pair: Pair): string {
	const key = pair.key;
	if (isScalar(key)) return typeof key.value === "object" && key.value !== null ? "?" : String(key.value);
	// A mapping or list as a key is refused later; never stringify it (that can throw).
	return key === null ? "" : "?";
}

function startOf(node: unknown): number | undefined {
	const range = (node as Partial<ParsedNode> | null)?.range;
	return range?.[0];
}

/** The field path of the innermost node that holds a source offset (for syntax errors). */
export function pathAtOffset(parsed: ParsedYaml, offset: number): PathSegment[] {
	const path: PathSegment[] = [];
	let node: unknown = parsed.document.contents;
	while (path.length < MAX_NESTING_DEPTH) {
		if (isMap(node)) {
			const pair = node.items.find((item) => {
				const start = startOf(item.key) ?? startOf(item.value);
				const end = (item.value as ParsedNode | null)?.range?.[2] ?? (item.key as ParsedNode | null)?.range?.[2];
				return start !== undefined && end !== undefined && start <= offset && offset < end;
			});
			if (pair === undefined) return path;
			path.push(keyText(pair));
			const keyRange = (pair.key as ParsedNode | null)?.range;
			if (keyRange !== undefined && offset < keyRange[2]) return path;
			node = pair.value;
		} else if (isSeq(node)) {
			const index = node.items.findIndex((item) => {
				const range = (item as ParsedNode | null)?.range;
				return range !== undefined && range[0] <= offset && offset < range[2];
			});
			if (index < 0) return path;
			path.push(index);
			node = node.items[index];
		} else {
			return path;
		}
	}
	return path;
}

/**
 * Checks made on the tree before a value is built: keys must be plain scalars, tags plain,
 * numbers finite, aliases resolvable and few (no alias bombs, no cycles).
 */
export function treeIssues(parsed: ParsedYaml): YamlIssue[] {
	const issues: YamlIssue[] = [];
	const { document } = parsed;
	const expandedSizes = new Map<Node, number>();
	const expanding = new Set<Node>();
	const usesByAnchor = new Map<Node, number>();
	let aliasExpansion = 0;
	let stopped = false;

	const add = (path: readonly PathSegment[], node: unknown, message: string, fatal: boolean) => {
		issues.push({ path, position: positionAt(parsed, startOf(node) ?? 0), message, fatal });
	};

	/** Nodes a subtree stands for once its aliases are expanded; Infinity for a cycle. */
	const expandedSize = (node: unknown): number => {
		if (isAlias(node)) {
			const target = node.resolve(document);
			if (target === undefined) return 1;
			if (expanding.has(target)) return Number.POSITIVE_INFINITY;
			const known = expandedSizes.get(target);
			if (known !== undefined) return known;
			expanding.add(target);
			const size = expandedSize(target);
			expanding.delete(target);
			expandedSizes.set(target, size);
			return size;
		}
		if (isMap(node))
			return node.items.reduce((sum, pair) => sum + expandedSize(pair.key) + expandedSize(pair.value), 1);
		if (isSeq(node)) return node.items.reduce((sum: number, item) => sum + expandedSize(item), 1);
		return 1;
	};

	const visit = (node: unknown, path: readonly PathSegment[]): void => {
		if (stopped || node === null || node === undefined) return;
		if (path.length > MAX_NESTING_DEPTH) {
			add(path.slice(0, MAX_NESTING_DEPTH), node, `nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`, true);
			stopped = true;
			return;
		}
		if (isAlias(node)) {
			const target = node.resolve(document);
			if (target === undefined) {
				add(path, node, `unknown alias *${node.source}`, true);
				return;
			}
			const uses = (usesByAnchor.get(target) ?? 0) + 1;
			usesByAnchor.set(target, uses);
			const size = expandedSize(node);
			aliasExpansion += size;
			if (size === Number.POSITIVE_INFINITY) {
				add(path, node, `alias *${node.source} refers to a mapping or list that contains it`, true);
				stopped = true;
			} else if (uses > MAX_ALIAS_USES || aliasExpansion > MAX_ALIAS_EXPANSION) {
				const why =
					uses > MAX_ALIAS_USES
						? `anchor &${node.source} is used more than ${MAX_ALIAS_USES} times`
						: `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes`;
				add(path, node, `too many aliases: ${why} (an alias bomb?)`, true);
				stopped = true;
			}
			return;
		}
		const tag = (node as { tag?: string }).tag;
		if (tag !== undefined && !PLAIN_TAGS.has(tag)) add(path, node, `unsupported YAML tag ${tag}`, true);
		if (isScalar(node)) {
			if (typeof node.value === "number" && !Number.isFinite(node.value))
				add(path, node, `expected a finite number, got ${node.source ?? String(node.value)}`, false);
			return;
		}
		if (isMap(node)) {
			for (const pair of node.items) {
				if (!isPair(pair)) continue;
				if (pair.key !== null && !isScalar(pair.key)) {
					add(path, pair.key, "a key must be a plain name, not a mapping, list or alias", true);
					continue;
				}
				if (isScalar(pair.key) && typeof pair.key.value === "object" && pair.key.value !== null) {
					add(path, pair.key, "a key must be a plain name", true);
					continue;
				}
				visit(pair.value, [...path, keyText(pair)]);
			}
			return;
		}
		if (isSeq(node)) {
			node.items.forEach((item, index) => {
				visit(item, [...path, index]);
			});
		}
	};

	visit(document.contents, []);
	return issues;
}

interface Located {
	readonly node: unknown;
	readonly pair?: Pair;
}

/** The node at a field path (following aliases), and the pair that holds it when in a mapping. */
function nodeAtPath(parsed: ParsedYaml, path: readonly PathSegment[]): Located | undefined {
	let located: Located = { node: parsed.document.contents };
	for (const segment of path) {
		let node = located.node;
		if (isAlias(node)) node = node.resolve(parsed.document);
		if (typeof segment === "string" && isMap(node)) {
			// The last of duplicate keys wins, as in the value.
			const pair = node.items.findLast((item) => keyText(item) === segment);
			if (pair === undefined) return undefined;
			located = { node: pair.value, pair };
		} else if (typeof segment === "number" && isSeq(node)) {
			if (segment >= node.items.length) return undefined;
			located = { node: node.items[segment] };
		} else {
			return undefined;
		}
	}
	return located;
}

/**
 * Where a field path is written: its value, its key or its parent mapping. An empty value
 * (`key:`) is shown at its key. Undefined when the path is not in the file.
 */
export function locatePath(
	parsed: ParsedYaml,
	path: readonly PathSegment[],
	anchor: IssueAnchor = "value",
): Position | undefined {
	if (anchor === "parent") return locatePath(parsed, path.slice(0, -1), "value");
	const located = nodeAtPath(parsed, path);
	if (located === undefined) return undefined;
	const { node, pair } = located;
	const keyStart = startOf(pair?.key);
	if (anchor === "key" && keyStart !== undefined) return positionAt(parsed, keyStart);
	const range = (node as Partial<ParsedNode> | null)?.range;
	if ((range === undefined || range[0] === range[1]) && keyStart !== undefined) return positionAt(parsed, keyStart);
	if (range === undefined) return path.length === 0 ? { line: 1, column: 1 } : undefined;
	return positionAt(parsed, range[0]);
}

/** The position of a path, or of its nearest ancestor written in the file. */
export function locateNearest(parsed: ParsedYaml, path: readonly PathSegment[], anchor: IssueAnchor): Position {
	const exact = locatePath(parsed, path, anchor);
	if (exact !== undefined) return exact;
	for (let length = path.length - 1; length >= 0; length--) {
		const position = locatePath(parsed, path.slice(0, length), "value");
		if (position !== undefined) return position;
	}
	return { line: 1, column: 1 };
}
