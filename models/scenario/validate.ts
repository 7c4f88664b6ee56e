/**
 * Checks a scenario value (defaults already filled) against the schema and against the rules
 * the schema cannot express. Every issue, not just the first; each names its field path and
 * what it is anchored to in the file: the value, the key (unknown fields) or the parent mapping
 * (missing fields).
 */
import Value from "typebox/value";
import type { PathSegment } from "./paths.js";
import { formatPath } from "./paths.js";
import { DistributionSpec, Scenario } from "./schema.js";
import {
	chooseBranch,
	type DiscriminatedUnion,
	describeExpected,
	describeValue,
	discriminatedUnion,
	isPlainObject,
	literalOptions,
	ownValue,
	type PlainObject,
	type SchemaNode,
} from "./schema-walk.js";

export type IssueAnchor = "value" | "key" | "parent";

/** An issue before it has a place in a file. */
export interface ValueIssue {
	readonly path: readonly PathSegment[];
	readonly anchor: IssueAnchor;
	readonly message: string;
}

export const SCENARIO_SCHEMA = Scenario as unknown as SchemaNode;
const DISTRIBUTION_SCHEMA = DistributionSpec as unknown as SchemaNode;

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
	let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
			current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
		}
		previous = current;
	}
	return previous[b.length] ?? 0;
}

/** The allowed key closest to a misspelt one, if any is close enough. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
	const lowerKey = key.toLowerCase();
	let best: string | undefined;
	let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
	for (const candidate of allowed) {
		const distance = editDistance(lowerKey, candidate.toLowerCase());
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}
	// A name without its unit (`horizon` for `horizonDays`) is a near miss too.
	return (
		best ??
		(lowerKey.length >= 4 ? allowed.find((candidate) => candidate.toLowerCase().startsWith(lowerKey)) : undefined)
	);
}

interface BranchContext {
	readonly union: DiscriminatedUnion;
	readonly tag: unknown;
}

class ValueChecker {
	readonly issues: ValueIssue[] = [];

	private add(path: readonly PathSegment[], anchor: IssueAnchor, message: string): void {
		this.issues.push({ path, anchor, message });
	}

	check(schema: SchemaNode, value: unknown, path: readonly PathSegment[]): void {
		const union = discriminatedUnion(schema);
		if (union !== undefined) this.checkDiscriminated(schema, union, value, path);
		else if (schema.type === "object" && schema.properties !== undefined) this.checkObject(schema, value, path);
		else if (schema.type === "array" && schema.items !== undefined) this.checkArray(schema, schema.items, value, path);
		else this.checkLeaf(schema, value, path);
	}

	private checkDiscriminated(
		schema: SchemaNode,
		union: DiscriminatedUnion,
		value: unknown,
		path: readonly PathSegment[],
	): void {
		if (!isPlainObject(value)) {
			this.add(path, "value", `expected ${describeExpected(schema)}, got ${describeValue(value)}`);
			return;
		}
		const tag = ownValue(value, union.key);
		const tagPath = [...path, union.key];
		if (tag === undefined) {
			this.add(tagPath, "parent", `required field is missing: one of ${union.values.join(", ")}`);
			return;
		}
		const branch = chooseBranch(union, value);
		if (branch === undefined) {
			this.add(tagPath, "value", `expected one of ${union.values.join(", ")}, got ${describeValue(tag)}`);
			return;
		}
		this.checkObject(branch, value, path, { union, tag });
		if (schema === DISTRIBUTION_SCHEMA || (schema.anyOf !== undefined && schema.anyOf === DISTRIBUTION_SCHEMA.anyOf))
			this.checkDistribution(value, path);
	}

	private checkObject(schema: SchemaNode, value: unknown, path: readonly PathSegment[], branch?: BranchContext): void {
		if (!isPlainObject(value)) {
			this.add(path, "value", `expected a mapping, got ${describeValue(value)}`);
			return;
		}
		const properties = schema.properties ?? {};
		const allowed = Object.keys(properties);
		if (schema.additionalProperties === false) {
			for (const key of Object.keys(value)) {
				if (!Object.hasOwn(properties, key)) this.add([...path, key], "key", unknownFieldMessage(key, allowed, branch));
			}
		}
		for (const key of schema.required ?? []) {
			if (ownValue(value, key) !== undefined) continue;
			const description = properties[key]?.description;
			this.add([...path, key], "parent", `required field is missing${description ? `: ${description}` : ""}`);
		}
		for (const [key, property] of Object.entries(properties)) {
			const field = ownValue(value, key);
			if (field !== undefined) this.check(property, field, [...path, key]);
		}
	}

	private checkArray(schema: SchemaNode, items: SchemaNode, value: unknown, path: readonly PathSegment[]): void {
		if (!Array.isArray(value)) {
			this.add(path, "value", `expected a list, got ${describeValue(value)}`);
			return;
		}
		if (schema.maxItems !== undefined && value.length > schema.maxItems) {
			// Too long: say so and do not look at every item.
			this.add(path, "value", `too many items: ${value.length} (at most ${schema.maxItems})`);
			return;
		}
		if (schema.minItems !== undefined && value.length < schema.minItems)
			this.add(
				path,
				"value",
				`expected at least ${schema.minItems} item${schema.minItems === 1 ? "" : "s"}, got ${value.length}`,
			);
		value.forEach((item, index) => {
			this.check(items, item, [...path, index]);
		});
	}

	private checkLeaf(schema: SchemaNode, value: unknown, path: readonly PathSegment[]): void {
		const valid: boolean = Value.Check(schema, value);
		if (valid) return;
		if (typeof value === "string" && schema.type === "string" && literalOptions(schema) === undefined) {
			if (schema.maxLength !== undefined && value.length > schema.maxLength) {
				this.add(path, "value", `too long: ${value.length} characters (at most ${schema.maxLength})`);
				return;
			}
		}
		this.add(path, "value", `expected ${describeExpected(schema)}, got ${describeValue(value)}`);
	}

	private checkDistribution(spec: PlainObject, path: readonly PathSegment[]): void {
		const number = (key: string) => {
			const field = ownValue(spec, key);
			return typeof field === "number" ? field : undefined;
		};
		if (spec.dist === "lognormal") {
			const median = number("median");
			const p95 = number("p95");
			if (median !== undefined && p95 !== undefined && !(p95 > median))
				this.add([...path, "p95"], "value", `p95 must exceed the median (${median}), got ${p95}`);
		}
		if (spec.dist === "uniform") {
			const min = number("min");
			const max = number("max");
			if (min !== undefined && max !== undefined && max < min)
				this.add([...path, "max"], "value", `max must be at least min (${min}), got ${max}`);
		}
	}
}

function unknownFieldMessage(key: string, allowed: readonly string[], branch: BranchContext | undefined): string {
	const suggestion = closestKey(key, allowed);
	if (suggestion !== undefined) return `unknown field "${key}" (did you mean "${suggestion}"?)`;
	if (branch !== undefined) {
		const owners = branch.union.branches
			.filter((other) => other.schema.properties !== undefined && Object.hasOwn(other.schema.properties, key))
			.flatMap((other) => other.values);
		if (owners.length > 0)
			return `unknown field "${key}" for ${branch.union.key} ${String(branch.tag)} (it belongs to ${branch.union.key} ${owners.join(", ")})`;
	}
	return `unknown field "${key}"`;
}

/** The first repeat of each value in a list: a duplicate id, gpu, metro. */
function checkUnique(
	list: unknown,
	listPath: readonly PathSegment[],
	field: string | undefined,
	noun: string,
	issues: ValueIssue[],
): void {
	if (!Array.isArray(list)) return;
	const firstIndex = new Map<unknown, number>();
	list.forEach((item, index) => {
		const key = field === undefined ? item : isPlainObject(item) ? ownValue(item, field) : undefined;
		if (typeof key !== "string") return;
		const first = firstIndex.get(key);
		const path = field === undefined ? [...listPath, index] : [...listPath, index, field];
		if (first === undefined) firstIndex.set(key, index);
		else
			issues.push({
				path,
				anchor: "value",
				message: `duplicate ${noun} "${key}" (also ${formatPath([...listPath, first])})`,
			});
	});
}

/** The rules the schema cannot express. Written defensively: the value may have schema errors too. */
function checkRelations(scenario: PlainObject, issues: ValueIssue[]): void {
	const section = (key: string): PlainObject => {
		const value = ownValue(scenario, key);
		return isPlainObject(value) ? value : {};
	};
	const demand = section("demand");
	const nodes = section("nodes");
	const providers = section("providers");
	const requests = section("requests");
	checkUnique(ownValue(demand, "classes"), ["demand", "classes"], "id", "class id", issues);
	checkUnique(ownValue(nodes, "mix"), ["nodes", "mix"], "gpu", "gpu", issues);
	checkUnique(ownValue(section("geography"), "metros"), ["geography", "metros"], undefined, "metro", issues);
	checkUnique(ownValue(section("cloud"), "regions"), ["cloud", "regions"], undefined, "cloud region", issues);

	const horizonDays = ownValue(scenario, "horizonDays");
	const outages = ownValue(providers, "outages");
	if (typeof horizonDays === "number" && Array.isArray(outages)) {
		outages.forEach((outage, index) => {
			if (!isPlainObject(outage)) return;
			const { startDay, durationHours } = outage;
			const path = ["providers", "outages", index];
			if (typeof startDay !== "number") return;
			if (startDay >= horizonDays) {
				issues.push({
					path: [...path, "startDay"],
					anchor: "value",
					message: `the outage starts on day ${startDay}, at or after the horizon (${horizonDays} days)`,
				});
			} else if (typeof durationHours === "number" && startDay + durationHours / 24 > horizonDays) {
				issues.push({
					path: [...path, "durationHours"],
					anchor: "value",
					message: `the outage ends on day ${startDay + durationHours / 24}, after the horizon (${horizonDays} days)`,
				});
			}
		});
	}

	checkTokenomics(section("tokenomics"), issues);

	const epochHours = ownValue(scenario, "epochHours");
	const sampleWindowSeconds = ownValue(requests, "sampleWindowSeconds");
	if (
		typeof epochHours === "number" &&
		typeof sampleWindowSeconds === "number" &&
		sampleWindowSeconds > epochHours * 3600
	)
		issues.push({
			path: ["requests", "sampleWindowSeconds"],
			anchor: "value",
			message: `the sample window (${sampleWindowSeconds} s) is longer than an epoch (${epochHours * 3600} s)`,
		});
}

/** Token amounts are integer base units in doubles: they must stay below 2^53. */
const MAX_SAFE_UNITS = Number.MAX_SAFE_INTEGER;

function checkTokenomics(tokenomics: PlainObject, issues: ValueIssue[]): void {
	const at = (...path: PathSegment[]) => ["tokenomics", ...path];
	const number = (object: PlainObject, key: string) => {
		const value = ownValue(object, key);
		return typeof value === "number" ? value : undefined;
	};
	const decimals = number(tokenomics, "decimals");
	const initial = number(tokenomics, "initialSupplyTokens");
	const max = number(tokenomics, "maxSupplyTokens");
	const treasury = number(tokenomics, "treasuryTokens");
	if (initial !== undefined && max !== undefined && max < initial) {
		issues.push({
			path: at("maxSupplyTokens"),
			anchor: "value",
			message: `the cap (${max}) is below the initial supply (${initial})`,
		});
	}
	if (decimals !== undefined) {
		const largest = Math.max(initial ?? 0, max ?? 0);
		if (largest * 10 ** decimals > MAX_SAFE_UNITS) {
			issues.push({
				path: at("decimals"),
				anchor: "value",
				message: `${largest} tokens × 10^${decimals} base units exceed 2^53 (exact integer accounting): use at most ${Math.max(0, Math.floor(Math.log10(MAX_SAFE_UNITS / Math.max(1, largest))))} decimals`,
			});
		}
	}
	const vesting = ownValue(tokenomics, "vesting");
	let allocated = treasury ?? 0;
	if (Array.isArray(vesting))
		for (const entry of vesting) if (isPlainObject(entry)) allocated += number(entry, "tokens") ?? 0;
	if (initial !== undefined && allocated > initial) {
		issues.push({
			path: at("treasuryTokens"),
			anchor: "value",
			message: `treasury and vesting allocate ${allocated} tokens, more than the initial supply (${initial})`,
		});
	}
	const rewards = ownValue(tokenomics, "rewards");
	if (isPlainObject(rewards)) {
		const providersShare = number(rewards, "providersShare") ?? 0;
		const validatorsShare = number(rewards, "validatorsShare") ?? 0;
		if (providersShare + validatorsShare > 1) {
			issues.push({
				path: at("rewards", "validatorsShare"),
				anchor: "value",
				message: `providers (${providersShare}) and validators (${validatorsShare}) get more than the whole emission`,
			});
		}
	}
	const emission = ownValue(tokenomics, "emission");
	if (isPlainObject(emission) && emission.kind === "piecewise") {
		const points = Array.isArray(emission.points) ? emission.points.length : 0;
		const csv = typeof emission.csv === "string";
		if (points === 0 && !csv) {
			issues.push({ path: at("emission"), anchor: "value", message: "piecewise emission needs points or a csv" });
		} else if (points > 0 && csv) {
			issues.push({ path: at("emission", "csv"), anchor: "value", message: "give points or a csv, not both" });
		}
	}
	if (isPlainObject(emission) && emission.kind === "piecewise" && Array.isArray(emission.points)) {
		let previous = Number.NEGATIVE_INFINITY;
		emission.points.forEach((point, index) => {
			const fromDay = isPlainObject(point) ? number(point, "fromDay") : undefined;
			if (fromDay === undefined) return;
			if (fromDay <= previous) {
				issues.push({
					path: at("emission", "points", index, "fromDay"),
					anchor: "value",
					message: `segments must start on ascending days (${fromDay} after ${previous})`,
				});
			}
			previous = fromDay;
		});
	}
}

/** Every issue of a scenario value whose defaults are filled. */
export function checkScenarioValue(value: unknown): ValueIssue[] {
	const checker = new ValueChecker();
	checker.check(SCENARIO_SCHEMA, value, []);
	const issues = checker.issues;
	if (isPlainObject(value)) checkRelations(value, issues);
	if (issues.length === 0 && !Value.Check(Scenario, value)) {
		// A safety net: the walk above should find everything TypeBox does.
		for (const error of Value.Errors(Scenario, value)) {
			const path = error.instancePath
				.split("/")
				.slice(1)
				.map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
				.map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
			issues.push({ path, anchor: "value", message: error.message });
		}
	}
	return issues;
}
