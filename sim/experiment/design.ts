/**
 * The design of an experiment: the points (each a set of `path=value` settings) and, for each,
 * the same Monte Carlo runs. Domain-free: a path and a value are text the model reads.
 */

/** One `--vary`: a path and the values it takes, in order. */
export interface VarySpec {
	readonly path: string;
	readonly values: readonly string[];
}

/** A design point: its index and the value of every varied path (text, as given). */
export interface DesignPoint {
	readonly index: number;
	readonly values: Readonly<Record<string, string>>;
}

export class DesignError extends Error {}

/** Splits on commas outside brackets and braces (a value may be a YAML flow list). */
function splitTopLevel(text: string): string[] {
	const parts: string[] = [];
	let depth = 0;
	let start = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === "[" || c === "{") depth++;
		else if (c === "]" || c === "}") depth--;
		else if (c === "," && depth === 0) {
			parts.push(text.slice(start, i).trim());
			start = i + 1;
		}
	}
	parts.push(text.slice(start).trim());
	return parts;
}

const NUMBER = "[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?";
const RANGE = new RegExp(`^(${NUMBER})\\.\\.(${NUMBER}):(\\d+)$`);

/** `steps` evenly spaced values from lo to hi inclusive, rounded to 12 significant digits (no 0.30000000000000004). */
export function rangeValues(lo: number, hi: number, steps: number): number[] {
	if (!Number.isInteger(steps) || steps < 1) throw new DesignError(`steps must be an integer ≥ 1, got ${steps}`);
	if (steps === 1) return [lo];
	return Array.from({ length: steps }, (_, i) => Number((lo + ((hi - lo) * i) / (steps - 1)).toPrecision(12)));
}

/** Parses `path=v1,v2,…` or `path=lo..hi:steps`. */
export function parseVary(text: string): VarySpec {
	const equals = text.indexOf("=");
	const path = equals < 0 ? "" : text.slice(0, equals).trim();
	if (path === "") throw new DesignError(`--vary ${text}: expected path=v1,v2,… or path=lo..hi:steps`);
	const rhs = text.slice(equals + 1).trim();
	const range = RANGE.exec(rhs);
	if (range !== null) {
		const values = rangeValues(Number(range[1]), Number(range[2]), Number(range[3])).map(String);
		return { path, values };
	}
	const values = splitTopLevel(rhs);
	if (values.some((v) => v === "")) throw new DesignError(`--vary ${text}: an empty value`);
	return { path, values };
}

/** Every combination of the varied values, the first path varying slowest; one point with no --vary. */
export function gridPoints(specs: readonly VarySpec[]): DesignPoint[] {
	const seen = new Set<string>();
	for (const spec of specs) {
		if (seen.has(spec.path)) throw new DesignError(`--vary ${spec.path} is given twice`);
		seen.add(spec.path);
	}
	let combos: Record<string, string>[] = [{}];
	for (const spec of specs) {
		combos = combos.flatMap((combo) => spec.values.map((value) => ({ ...combo, [spec.path]: value })));
	}
	return combos.map((values, index) => ({ index, values }));
}

/** A point's settings as `path=value` overrides, in the order of its paths. */
export function pointOverrides(point: DesignPoint): string[] {
	return Object.entries(point.values).map(([path, value]) => `${path}=${value}`);
}
