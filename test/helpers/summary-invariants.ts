import { parseCsv } from "../../models/csv.js";

/**
 * Invariants any summary.json must keep, whatever the scenario, each found by the shape of an
 * object rather than its path, so a KPI added later is checked too. Returns one line per
 * violation, naming its path.
 *
 * - An object with `min` and `max`: its `start`, `end`, `mean` and quantiles lie between them.
 * - Quantiles rise: p50 ≤ p90 ≤ p95 ≤ p99.
 * - Shares and fractions (keys ending in Share, Fraction; `utilisation`, `availability`,
 *   `demandShare`) lie in [0, 1].
 * - Counts of work are never negative, and `served` never exceeds `arrived`.
 */
export function summaryViolations(summary: unknown): string[] {
	const found: string[] = [];
	visit(summary, "", found);
	return found;
}

const BETWEEN_MIN_AND_MAX = ["start", "end", "mean", "p50", "p90", "p95", "p99"] as const;
const QUANTILES = ["p50", "p90", "p95", "p99"] as const;
const SHARE_KEY = /(Share|Fraction)$|^(utilisation|availability|share|fraction)$/;
const COUNT_KEY = /^(arrived|served|rejected|failed|interrupted|inFlight|slaMissed)$/;

function isNumber(value: unknown): value is number {
	return typeof value === "number" && Number.isFinite(value);
}

function visit(value: unknown, path: string, found: string[]): void {
	if (value === null || typeof value !== "object") return;
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) visit(value[i], `${path}[${i}]`, found);
		return;
	}
	const record = value as Record<string, unknown>;
	const { min, max } = record;
	if (isNumber(min) && isNumber(max)) {
		for (const key of BETWEEN_MIN_AND_MAX) {
			const x = record[key];
			if (isNumber(x) && (x < min || x > max)) found.push(`${path}.${key} = ${x} outside [${min}, ${max}]`);
		}
	}
	const quantiles = QUANTILES.filter((key) => isNumber(record[key]));
	for (let i = 1; i < quantiles.length; i++) {
		const [lower, upper] = [quantiles[i - 1] as string, quantiles[i] as string];
		if ((record[upper] as number) < (record[lower] as number)) {
			found.push(`${path}.${upper} = ${record[upper]} < ${lower} = ${record[lower]}`);
		}
	}
	for (const [key, x] of Object.entries(record)) {
		if (!isNumber(x)) continue;
		if (SHARE_KEY.test(key) && (x < 0 || x > 1)) found.push(`${path}.${key} = ${x} outside [0, 1]`);
		if (COUNT_KEY.test(key) && x < 0) found.push(`${path}.${key} = ${x} < 0`);
	}
	const { arrived, served } = record;
	if (isNumber(arrived) && isNumber(served) && served > arrived) {
		found.push(`${path}: served ${served} > arrived ${arrived}`);
	}
	for (const [key, child] of Object.entries(record)) visit(child, `${path}.${key}`, found);
}

const SHARE_COLUMN = /(Share|share)$|^utilisation$/;
const COUNT_COLUMN = /(Nodes|^joins|^exits|^orders[A-Z]\w*|^requests[A-Z]\w*|^replicas)$/;

/**
 * The same for a timeseries.csv: share columns in [0, 1] (empty or NaN allowed: nothing to
 * share that epoch), count columns whole and not negative, and no more serving nodes than
 * active ones. One line per violation, naming the row's epoch and the column.
 */
export function timeseriesViolations(csv: string): string[] {
	const { header, rows } = parseCsv(csv, "timeseries.csv");
	// Each checked column once, in header order, with what it must hold.
	const checked = header.flatMap((name, c) =>
		SHARE_COLUMN.test(name) ? [{ c, share: true }] : COUNT_COLUMN.test(name) ? [{ c, share: false }] : [],
	);
	const serving = header.indexOf("servingNodes");
	const active = header.indexOf("activeNodes");
	const found: string[] = [];
	for (const cells of rows) {
		const value = (c: number) => (cells[c] === "" ? Number.NaN : Number(cells[c]));
		for (const { c, share } of checked) {
			const x = value(c);
			if (share && (x < 0 || x > 1)) found.push(`epoch ${cells[0]}: ${header[c]} = ${x} outside [0, 1]`);
			if (!share && (x < 0 || (!Number.isNaN(x) && !Number.isInteger(x)))) {
				found.push(`epoch ${cells[0]}: ${header[c]} = ${x}`);
			}
		}
		if (value(serving) > value(active)) found.push(`epoch ${cells[0]}: servingNodes > activeNodes`);
	}
	return found;
}
