/**
 * Reading the TypeBox scenario schema as plain JSON schema: which branch of a union a value
 * takes (by its discriminator, `kind` or `dist`), defaults, key order, and a human phrase for
 * what a field expects.
 */

/** The JSON-schema keywords the scenario schema uses. */
export interface SchemaNode {
	readonly type?: string;
	readonly properties?: Readonly<Record<string, SchemaNode>>;
	readonly required?: readonly string[];
	readonly additionalProperties?: boolean;
	readonly anyOf?: readonly SchemaNode[];
	readonly items?: SchemaNode;
	readonly const?: unknown;
	readonly default?: unknown;
	readonly minimum?: number;
	readonly maximum?: number;
	readonly exclusiveMinimum?: number;
	readonly exclusiveMaximum?: number;
	readonly minLength?: number;
	readonly maxLength?: number;
	readonly pattern?: string;
	readonly minItems?: number;
	readonly maxItems?: number;
	readonly description?: string;
}

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
	if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
	const prototype = Object.getPrototypeOf(value);
	return prototype === Object.prototype || prototype === null;
}

/** An own property, never one inherited (`constructor`, `__proto__`). */
export function ownValue(object: PlainObject, key: string): unknown {
	return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Sets an own property, safely even for keys like `__proto__`. */
export function setOwnValue(object: PlainObject, key: string, value: unknown): void {
	Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The allowed values of a literal or a union of literals; undefined for any other schema. */
export function literalOptions(schema: SchemaNode): readonly unknown[] | undefined {
	if (schema.const !== undefined) return [schema.const];
	if (schema.anyOf?.every((member) => member.const !== undefined)) return schema.anyOf.map((member) => member.const);
	return undefined;
}

export interface DiscriminatedUnion {
	/** The property that picks the branch: `kind`, `dist`. */
	readonly key: string;
	readonly branches: readonly { readonly schema: SchemaNode; readonly values: readonly unknown[] }[];
	/** Every discriminator value, in declaration order. */
	readonly values: readonly unknown[];
}

const discriminatedUnions = new WeakMap<SchemaNode, DiscriminatedUnion | null>();

/** A union of objects that all require one literal-valued property with disjoint values. */
export function discriminatedUnion(schema: SchemaNode): DiscriminatedUnion | undefined {
	const cached = discriminatedUnions.get(schema);
	if (cached !== undefined) return cached ?? undefined;
	let found: DiscriminatedUnion | null = null;
	const members = schema.anyOf;
	if (members !== undefined && members.length > 1 && members.every((member) => member.type === "object")) {
		const first = members[0];
		for (const key of first?.required ?? []) {
			const branches = members.map((member) => {
				const property = member.properties?.[key];
				const values = member.required?.includes(key) && property ? literalOptions(property) : undefined;
				return { schema: member, values };
			});
			if (branches.some((branch) => branch.values === undefined)) continue;
			const values = branches.flatMap((branch) => branch.values ?? []);
			if (new Set(values).size !== values.length) continue;
			found = { key, branches: branches.map(({ schema, values }) => ({ schema, values: values ?? [] })), values };
			break;
		}
	}
	discriminatedUnions.set(schema, found);
	return found ?? undefined;
}

/** The branch a value takes by its discriminator; undefined when it has none or an unknown one. */
export function chooseBranch(union: DiscriminatedUnion, value: unknown): SchemaNode | undefined {
	if (!isPlainObject(value)) return undefined;
	const tag = ownValue(value, union.key);
	return union.branches.find((branch) => branch.values.includes(tag))?.schema;
}

/**
 * The value with every missing default filled (in place, so clone first). Like `Value.Default`,
 * but a union follows the branch its discriminator names even when the value is invalid (so
 * errors are about what was written, not about defaults never filled), and an object's own
 * default also supplies the fields a partial object leaves out (`providers.failures`).
 */
export function fillDefaults(schema: SchemaNode, value: unknown): unknown {
	const union = discriminatedUnion(schema);
	if (union !== undefined) {
		const branch = chooseBranch(union, value);
		return branch === undefined ? value : fillDefaults(branch, value);
	}
	if (schema.type === "object" && isPlainObject(value)) {
		const objectDefault = isPlainObject(schema.default) ? schema.default : {};
		for (const [key, property] of Object.entries(schema.properties ?? {})) {
			let field = ownValue(value, key);
			if (field === undefined) {
				const fallback = ownValue(objectDefault, key) ?? property.default;
				if (fallback === undefined) continue;
				field = structuredClone(fallback);
			}
			setOwnValue(value, key, fillDefaults(property, field));
		}
		return value;
	}
	if (schema.type === "array" && Array.isArray(value) && schema.items !== undefined) {
		const items = schema.items;
		return value.map((item) => fillDefaults(items, item));
	}
	return value;
}

/** The value rebuilt with object keys in schema declaration order (unknown keys last, sorted). */
export function inSchemaOrder(schema: SchemaNode, value: unknown): unknown {
	const union = discriminatedUnion(schema);
	if (union !== undefined) {
		const branch = chooseBranch(union, value);
		return branch === undefined ? value : inSchemaOrder(branch, value);
	}
	if (schema.type === "object" && isPlainObject(value)) {
		const properties = schema.properties ?? {};
		const ordered: PlainObject = {};
		for (const [key, property] of Object.entries(properties)) {
			const field = ownValue(value, key);
			if (field !== undefined) setOwnValue(ordered, key, inSchemaOrder(property, field));
		}
		for (const key of Object.keys(value).sort()) {
			if (!Object.hasOwn(properties, key)) setOwnValue(ordered, key, value[key]);
		}
		return ordered;
	}
	if (schema.type === "array" && Array.isArray(value) && schema.items !== undefined) {
		const items = schema.items;
		return value.map((item) => inSchemaOrder(items, item));
	}
	return value;
}

export const ID_PATTERN = "^[a-z0-9][a-z0-9._-]*$";

function range(schema: SchemaNode): { lower?: string; upper?: string; between?: string } {
	const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
	if (minimum !== undefined && maximum !== undefined) return { between: `from ${minimum} to ${maximum}` };
	const lower =
		minimum !== undefined ? `≥ ${minimum}` : exclusiveMinimum !== undefined ? `> ${exclusiveMinimum}` : undefined;
	const upper =
		maximum !== undefined ? `≤ ${maximum}` : exclusiveMaximum !== undefined ? `< ${exclusiveMaximum}` : undefined;
	return { ...(lower === undefined ? {} : { lower }), ...(upper === undefined ? {} : { upper }) };
}

function describeNumber(schema: SchemaNode, noun: "number" | "integer"): string {
	const article = noun === "integer" ? "an" : "a";
	const { lower, upper, between } = range(schema);
	if (between !== undefined) return `${article} ${noun} ${between}`;
	if (schema.exclusiveMinimum === 0) return upper === undefined ? `a positive ${noun}` : `a positive ${noun} ${upper}`;
	const bounds = [lower, upper].filter((bound) => bound !== undefined).join(" and ");
	return bounds === "" ? `${article} ${noun}` : `${article} ${noun} ${bounds}`;
}

/** What a field expects, in words: "a positive number", "an integer ≥ 1", "one of a, b". */
export function describeExpected(schema: SchemaNode): string {
	const options = literalOptions(schema);
	if (options !== undefined) return options.length === 1 ? String(options[0]) : `one of ${options.join(", ")}`;
	const union = discriminatedUnion(schema);
	if (union !== undefined) return `a mapping with ${union.key}: one of ${union.values.join(", ")}`;
	switch (schema.type) {
		case "number":
			return describeNumber(schema, "number");
		case "integer":
			return describeNumber(schema, "integer");
		case "boolean":
			return "true or false";
		case "object":
			return "a mapping";
		case "array":
			return "a list";
		case "string":
			if (schema.pattern === ID_PATTERN)
				return `an id (lowercase letters, digits, ".", "_" and "-", starting with a letter or digit, at most ${schema.maxLength} characters)`;
			if (schema.pattern !== undefined) return `a string matching ${schema.pattern}`;
			return schema.minLength !== undefined && schema.minLength > 0 ? "a non-empty string" : "a string";
		default:
			return schema.anyOf !== undefined ? schema.anyOf.map(describeExpected).join(" or ") : "a valid value";
	}
}

/** A value as a message shows it: strings quoted and cut short, collections by kind. */
export function describeValue(value: unknown): string {
	if (value === undefined) return "nothing";
	if (value === null) return "null";
	if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
	if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
	if (isPlainObject(value)) return "a mapping";
	if (typeof value === "object") return "an unsupported value";
	return String(value);
}
