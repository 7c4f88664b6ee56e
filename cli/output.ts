/**
 * Writing result files so that a crash never leaves a half-written one: each file goes to a
 * temporary name in the same folder and is renamed over the final name (atomic on POSIX).
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeFileAtomic(path: string, contents: string): void {
	const temporary = `${path}.tmp-${process.pid}`;
	try {
		writeFileSync(temporary, contents);
		renameSync(temporary, path);
	} catch (error) {
		rmSync(temporary, { force: true });
		throw error;
	}
}

/** Writes every file of a result folder atomically (creating the folder). */
export function writeResultFiles(dir: string, files: Readonly<Record<string, string>>): void {
	mkdirSync(dir, { recursive: true });
	for (const [name, contents] of Object.entries(files)) writeFileAtomic(join(dir, name), contents);
}

/** A number as result files print it: integers as is, others to 6 significant digits; NaN empty. */
export function formatNumber(value: number): string {
	if (!Number.isFinite(value)) return "";
	if (Number.isInteger(value)) return String(value);
	return String(Number(value.toPrecision(6)));
}

/** A CSV of numeric columns (header, then one row per index). */
export function numericCsv(
	columns: readonly string[],
	values: (column: string, row: number) => number,
	rows: number,
): string {
	const lines = [columns.join(",")];
	for (let row = 0; row < rows; row++) lines.push(columns.map((column) => formatNumber(values(column, row))).join(","));
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
