/**
 * Curated figures: the rows of scenarios/data/curated/*.csv, each with its own `source` and `date`, checked against a
 * small column schema when read. A bad cell (an empty source, a date that is not YYYY-MM-DD, a number that is not one)
 * throws a CsvError naming the file, the line and the column.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CsvColumns, CsvError, parseCsv } from "../../../models/csv.js";

/** How a column is read: text (non-empty), optional text, a number, a boolean, a date, or one of a list. */
export type ColumnKind =
	| "text"
	| "optional-text"
	| "number"
	| "optional-number"
	| "boolean"
	| "date"
	| "optional-date"
	| readonly string[];

export type CuratedSchema = Readonly<Record<string, ColumnKind>>;

type ValueOf<K extends ColumnKind> = K extends readonly (infer E)[]
	? E
	: K extends "number"
		? number
		: K extends "optional-number"
			? number | null
			: K extends "boolean"
				? boolean
				: K extends "optional-text" | "optional-date"
					? string | null
					: string;

/** One validated row: the schema's columns, its source and date, and where it was read. */
export type CuratedRow<S extends CuratedSchema> = { readonly [C in keyof S]: ValueOf<S[C]> } & {
	readonly source: string;
	readonly date: string;
	readonly file: string;
	readonly line: number;
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(s: string): boolean {
	if (!ISO_DATE.test(s)) return false;
	const d = new Date(`${s}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function readDate(cols: CsvColumns, row: number, column: string, optional: boolean): string | null {
	const value = cols.string(row, column);
	if (value === "" && optional) return null;
	if (!isIsoDate(value)) cols.fail(row, column, `expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
	return value;
}

function readCell(cols: CsvColumns, row: number, column: string, kind: ColumnKind): unknown {
	if (typeof kind !== "string") return cols.oneOf(row, column, kind);
	switch (kind) {
		case "text":
			return cols.requiredString(row, column);
		case "optional-text":
			return cols.string(row, column) === "" ? null : cols.string(row, column);
		case "number":
			return cols.number(row, column);
		case "optional-number": {
			const x = cols.optionalNumber(row, column);
			return Number.isNaN(x) ? null : x;
		}
		case "boolean":
			return cols.boolean(row, column);
		case "date":
			return readDate(cols, row, column, false);
		case "optional-date":
			return readDate(cols, row, column, true);
	}
}

/** Parses and validates curated CSV text; `file` names it in errors. The header must be the schema + source, date. */
export function parseCurated<S extends CuratedSchema>(text: string, file: string, schema: S): CuratedRow<S>[] {
	const table = parseCsv(text, file);
	const expected = [...Object.keys(schema), "source", "date"];
	for (const column of table.header) {
		if (!expected.includes(column)) {
			throw new CsvError(`${file}:1: unknown column "${column}"`, file, 1, column);
		}
	}
	const cols = new CsvColumns(table);
	cols.require(...expected);
	const rows: CuratedRow<S>[] = [];
	for (let r = 0; r < cols.rowCount; r++) {
		const row: Record<string, unknown> = { file, line: cols.line(r) };
		for (const [column, kind] of Object.entries(schema)) row[column] = readCell(cols, r, column, kind);
		const source = cols.requiredString(r, "source");
		if (source.trim() === "") cols.fail(r, "source", "must not be blank");
		row.source = source;
		row.date = readDate(cols, r, "date", false);
		rows.push(row as CuratedRow<S>);
	}
	return rows;
}

/** Reads and validates one curated file of `curatedDir`. */
export function readCurated<S extends CuratedSchema>(curatedDir: string, name: string, schema: S): CuratedRow<S>[] {
	const path = join(curatedDir, name);
	return parseCurated(readFileSync(path, "utf8"), path, schema);
}

/** Throws a CsvError at a curated row (for a rule the schema alone cannot check). */
export function failAt(row: { readonly file: string; readonly line: number }, column: string, problem: string): never {
	throw new CsvError(`${row.file}:${row.line}: column "${column}": ${problem}`, row.file, row.line, column);
}
