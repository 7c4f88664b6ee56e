/**
 * Checks a calibration profile against its schema (./schema.ts) and against the rules the schema
 * cannot express. Every issue names its field path (`efficiency.edge.mfu`), so a run, `validate`
 * and the calibration report all say the same thing about the same file.
 */
import Value from "typebox/value";
import { formatPath, type PathSegment } from "../scenario/paths.js";
import { describeExpected, describeValue, isPlainObject, ownValue, type SchemaNode } from "../scenario/schema-walk.js";
import { closestKey } from "../scenario/validate.js";
import { type CalibrationProfileJson, CalibrationProfileSchema } from "./schema.js";

/** One problem of a profile: where (path segments) and what. */
export interface ProfileIssue {
	readonly path: readonly PathSegment[];
	readonly message: string;
}

/** The JSON-schema keywords the profile schema uses beyond the scenario's. */
interface Node extends SchemaNode {
	readonly properties?: Readonly<Record<string, Node>>;
	readonly patternProperties?: Readonly<Record<string, Node>>;
	readonly items?: Node;
}

const PROFILE_SCHEMA = CalibrationProfileSchema as unknown as Node;

/** Every issue of a parsed profile JSON value; none means it is a `CalibrationProfileJson`. */
export function checkProfileValue(value: unknown): ProfileIssue[] {
	const issues: ProfileIssue[] = [];
	checkNode(PROFILE_SCHEMA, value, [], issues);
	if (issues.length === 0) checkRelations(value as CalibrationProfileJson, issues);
	return issues;
}

/** `path: message`, or the message alone at the root. */
export function formatIssue(issue: ProfileIssue): string {
	return issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`;
}

/** Whether `path` lies at or under `prefix`. */
export function isUnder(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
	return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

/** A JSON value in a message: arrays and objects by kind, the rest as the scenario shows them. */
function describeJson(value: unknown): string {
	if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
	if (isPlainObject(value)) return "an object";
	return describeValue(value);
}

function checkNode(schema: Node, value: unknown, path: readonly PathSegment[], issues: ProfileIssue[]): void {
	if (schema.type === "object" && schema.properties !== undefined) checkObject(schema, value, path, issues);
	else if (schema.type === "object" && schema.patternProperties !== undefined) checkRecord(schema, value, path, issues);
	else if (schema.type === "array" && schema.items !== undefined) checkArray(schema, schema.items, value, path, issues);
	else if (!Value.Check(schema, value)) {
		issues.push({ path, message: `expected ${describeExpected(schema)}, got ${describeJson(value)}` });
	}
}

function checkObject(schema: Node, value: unknown, path: readonly PathSegment[], issues: ProfileIssue[]): void {
	const properties = schema.properties ?? {};
	const allowed = Object.keys(properties);
	if (!isPlainObject(value)) {
		issues.push({ path, message: `expected an object {${allowed.join(", ")}}, got ${describeJson(value)}` });
		return;
	}
	for (const key of Object.keys(value)) {
		if (Object.hasOwn(properties, key)) continue;
		const suggestion = closestKey(key, allowed);
		const hint = suggestion === undefined ? `expected ${allowed.join(", ")}` : `did you mean "${suggestion}"?`;
		issues.push({ path: [...path, key], message: `unknown field (${hint})` });
	}
	for (const key of schema.required ?? []) {
		if (ownValue(value, key) !== undefined) continue;
		const description = properties[key]?.description;
		issues.push({ path: [...path, key], message: `required field is missing${description ? `: ${description}` : ""}` });
	}
	for (const [key, property] of Object.entries(properties)) {
		const field = ownValue(value, key);
		if (field !== undefined) checkNode(property, field, [...path, key], issues);
	}
}

function checkRecord(schema: Node, value: unknown, path: readonly PathSegment[], issues: ProfileIssue[]): void {
	if (!isPlainObject(value)) {
		issues.push({ path, message: `expected an object, got ${describeJson(value)}` });
		return;
	}
	const entry = Object.values(schema.patternProperties ?? {})[0] ?? {};
	for (const key of Object.keys(value)) checkNode(entry, ownValue(value, key), [...path, key], issues);
}

function checkArray(
	schema: Node,
	items: Node,
	value: unknown,
	path: readonly PathSegment[],
	issues: ProfileIssue[],
): void {
	if (!Array.isArray(value)) {
		issues.push({ path, message: `expected an array, got ${describeJson(value)}` });
		return;
	}
	if (schema.minItems !== undefined && value.length < schema.minItems) {
		issues.push({ path, message: `expected at least ${schema.minItems} item(s), got ${value.length}` });
	}
	value.forEach((item, index) => {
		checkNode(items, item, [...path, index], issues);
	});
}

/** What the schema cannot say; run on a schema-valid profile. */
function checkRelations(profile: CalibrationProfileJson, issues: ProfileIssue[]): void {
	const date = profile.measurement?.date;
	if (date !== undefined && Number.isNaN(Date.parse(date))) {
		issues.push({ path: ["measurement", "date"], message: `expected an ISO 8601 date, got ${describeValue(date)}` });
	}
	// A measurement without its class would be applied nowhere, or (before issue 14) everywhere.
	if (profile.measurement !== undefined && profile.measuredClass === undefined) {
		issues.push({
			path: ["measuredClass"],
			message: 'a measured profile must name the class it measured ("cpu-wasm", "cpu" or a GPU class id)',
		});
	}
	if (profile.measuredEfficiency !== undefined && profile.measuredClass === undefined) {
		issues.push({ path: ["measuredEfficiency"], message: "needs measuredClass (the class it applies to)" });
	}
	const firstIndex = new Map<string, number>();
	(profile.kernels ?? []).forEach((kernel, i) => {
		const first = firstIndex.get(kernel.name);
		if (first !== undefined) {
			issues.push({
				path: ["kernels", i, "name"],
				message: `${describeValue(kernel.name)} appears twice (also kernels[${first}])`,
			});
		} else firstIndex.set(kernel.name, i);
		kernel.points.forEach((p, j) => {
			if (p.p10Ms <= p.medianMs && p.medianMs <= p.p90Ms) return;
			issues.push({
				path: ["kernels", i, "points", j],
				message: `expected p10Ms ≤ medianMs ≤ p90Ms, got ${p.p10Ms}, ${p.medianMs}, ${p.p90Ms}`,
			});
		});
	});
	if (profile.gpuPredictions === undefined) return;
	if (profile.kernels === undefined) {
		issues.push({ path: ["gpuPredictions"], message: "needs kernels (its predictions are per kernel)" });
		return;
	}
	for (const [gpu, byKernel] of Object.entries(profile.gpuPredictions)) {
		for (const kernel of Object.keys(byKernel)) {
			if (!firstIndex.has(kernel))
				issues.push({ path: ["gpuPredictions", gpu, kernel], message: "names no kernel of this profile" });
		}
	}
}
