/**
 * Writing result files so that a crash never leaves a half-written one: each file goes to a
 * temporary name in the same folder and is renamed over the final name (atomic on POSIX).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeAtomic } from "../sim/experiment/store.js";

export function writeFileAtomic(path: string, contents: string): void {
	writeAtomic(path, contents);
}

/** Writes every file of a result folder atomically (creating the folder). */
export function writeResultFiles(dir: string, files: Readonly<Record<string, string>>): void {
	mkdirSync(dir, { recursive: true });
	for (const [name, contents] of Object.entries(files)) writeFileAtomic(join(dir, name), contents);
}

/** A number as the terminal shows it: integers as is, others to 6 significant digits; NaN empty. */
export function formatNumber(value: number): string {
	if (!Number.isFinite(value)) return "";
	if (Number.isInteger(value)) return String(value);
	return String(Number(value.toPrecision(6)));
}

/**
 * A number as a result table writes it: the shortest decimal that reads back as the same
 * double (so sums over rows recompute exactly); NaN and infinities empty.
 */
export function formatExact(value: number): string {
	return Number.isFinite(value) ? String(value) : "";
}

/**
 * Integer base units as tokens, exactly: units ÷ 10^decimals written out in full, trailing
 * zeros of the fraction dropped ("530000000.000007"); non-finite → empty.
 */
export function formatUnitsAsTokens(units: number, decimals: number): string {
	if (!Number.isFinite(units)) return "";
	if (!Number.isSafeInteger(units)) throw new RangeError(`token amount ${units} is not an exact integer of base units`);
	const negative = units < 0;
	const digits = String(Math.abs(units)).padStart(decimals + 1, "0");
	const whole = digits.slice(0, digits.length - decimals);
	const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
	return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}

/** A CSV of numeric columns (header, then one row per index), each cell written by `format`. */
export function numericCsv(
	columns: readonly string[],
	values: (column: string, row: number) => number,
	rows: number,
	format: (column: string, value: number) => string = (_column, value) => formatExact(value),
): string {
	const lines = [columns.join(",")];
	for (let row = 0; row < rows; row++) {
		lines.push(columns.map((column) => format(column, values(column, row))).join(","));
	}
	return `${lines.join("\n")}\n`;
}

/** Rounds every non-integer number in a JSON-able value to 6 significant digits (stable, readable files). */
export function roundForJson(value: unknown): unknown {
	if (typeof value === "number")
		return Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value;
	if (Array.isArray(value)) return value.map(roundForJson);
	if (value !== null && typeof value === "object") {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundForJson(v)]));
	}
	return value;
}
