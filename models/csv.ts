/**
 * A small RFC 4180 CSV reader for the reference tables and node snapshots.
 *
 *   text → parseCsv (header + rows, each row's line number) → CsvColumns (typed readers)
 *
 * Fields are separated by commas and records by LF or CRLF (a lone CR also ends a record);
 * a field in double quotes may hold commas, line breaks and doubled quotes (`""` → `"`).
 * A leading byte-order mark is dropped, and so are blank lines. Every record must have as many
 * fields as the header. Errors name the file, the line and, for a bad value, the column.
 */

/** A parsed table: header, rows of raw strings, and the line each row starts on (1-based). */
export interface CsvTable {
	/** Name used in error messages (usually the path). */
	readonly file: string;
	readonly header: readonly string[];
	readonly rows: readonly (readonly string[])[];
	/** `lines[i]` = the line of the file where row i starts (the header is on line 1 or later). */
	readonly lines: readonly number[];
}

/** Thrown for malformed CSV and for bad values read through `CsvColumns`. */
export class CsvError extends Error {
	constructor(
		message: string,
		readonly file: string,
		readonly line: number,
		readonly column?: string,
	) {
		super(message);
		this.name = "CsvError";
	}
}

/** Parses CSV text. The first non-blank record is the header. */
export function parseCsv(text: string, file = "<csv>"): CsvTable {
	const records: string[][] = [];
	const recordLines: number[] = [];
	let record: string[] = [];
	let field = "";
	let inQuotes = false;
	let quoteLine = 0;
	let line = 1;
	let recordLine = 1;
	/** Whether the current record has any content (a blank line has none). */
	let started = false;
	const endRecord = () => {
		if (started) {
			record.push(field);
			records.push(record);
			recordLines.push(recordLine);
		}
		record = [];
		field = "";
		started = false;
	};
	let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
	for (; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inQuotes) {
			if (c === 0x22 /* " */) {
				const next = text.charCodeAt(i + 1);
				if (next === 0x22) {
					field += '"';
					i++;
				} else if (Number.isNaN(next) || next === 0x2c || next === 0x0a || next === 0x0d) {
					inQuotes = false;
				} else {
					throw new CsvError(`${file}:${line}: unexpected character after a closing quote`, file, line);
				}
			} else {
				if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) line++;
				field += text.charAt(i);
			}
			continue;
		}
		if (c === 0x22) {
			if (field !== "") {
				throw new CsvError(
					`${file}:${line}: a quote may only open a field (write "" inside a quoted field)`,
					file,
					line,
				);
			}
			if (!started) recordLine = line;
			started = true;
			inQuotes = true;
			quoteLine = line;
		} else if (c === 0x2c /* , */) {
			if (!started) recordLine = line;
			started = true;
			record.push(field);
			field = "";
		} else if (c === 0x0a || c === 0x0d) {
			if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
			endRecord();
			line++;
		} else {
			if (!started) recordLine = line;
			started = true;
			field += text.charAt(i);
		}
	}
	if (inQuotes) throw new CsvError(`${file}:${quoteLine}: quoted field is never closed`, file, quoteLine);
	endRecord();

	const header = records[0];
	if (header === undefined) throw new CsvError(`${file}: no header (the file is empty)`, file, 1);
	const seen = new Set<string>();
	for (const name of header) {
		if (seen.has(name)) throw new CsvError(`${file}:${recordLines[0]}: column "${name}" appears twice`, file, 1);
		seen.add(name);
	}
	const rows = records.slice(1);
	const lines = recordLines.slice(1);
	rows.forEach((row, r) => {
		if (row.length !== header.length) {
			const at = lines[r] as number;
			throw new CsvError(`${file}:${at}: ${row.length} fields, the header has ${header.length}`, file, at);
		}
	});
	return { file, header, rows, lines };
}

/**
 * Typed access to a table's columns by name. Each reader takes a row index and a column
 * name and throws a `CsvError` naming file, line and column when the value is not what it
 * should be.
 */
export class CsvColumns {
	private readonly index = new Map<string, number>();

	constructor(readonly table: CsvTable) {
		table.header.forEach((name, i) => {
			this.index.set(name, i);
		});
	}

	get rowCount(): number {
		return this.table.rows.length;
	}

	/** Line of the file where row `row` starts. */
	line(row: number): number {
		return this.table.lines[row] ?? 0;
	}

	/** Throws unless every named column is present. */
	require(...columns: string[]): void {
		for (const column of columns) this.columnIndex(column);
	}

	/** The raw cell (possibly empty). */
	string(row: number, column: string): string {
		const cells = this.table.rows[row];
		if (cells === undefined) throw new RangeError(`${this.table.file}: no row ${row}`);
		return cells[this.columnIndex(column)] as string;
	}

	/** A non-empty cell. */
	requiredString(row: number, column: string): string {
		const value = this.string(row, column);
		if (value === "") this.fail(row, column, "must not be empty");
		return value;
	}

	/** A finite number; an empty cell is an error. */
	number(row: number, column: string): number {
		const value = this.string(row, column);
		if (value.trim() === "") this.fail(row, column, "expected a number, the cell is empty");
		return this.parseNumber(row, column, value);
	}

	/** A finite number, or NaN for an empty cell (the tables' "not applicable"). */
	optionalNumber(row: number, column: string): number {
		const value = this.string(row, column);
		if (value.trim() === "") return Number.NaN;
		return this.parseNumber(row, column, value);
	}

	/** `true` or `false`. */
	boolean(row: number, column: string): boolean {
		const value = this.string(row, column);
		if (value === "true") return true;
		if (value === "false") return false;
		return this.fail(row, column, `expected true or false, got ${JSON.stringify(value)}`);
	}

	/** One of the allowed strings. */
	oneOf<T extends string>(row: number, column: string, allowed: readonly T[]): T {
		const value = this.string(row, column);
		if ((allowed as readonly string[]).includes(value)) return value as T;
		return this.fail(row, column, `expected one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
	}

	/** Throws a `CsvError` for a bad value in (row, column). */
	fail(row: number, column: string, problem: string): never {
		const line = this.line(row);
		throw new CsvError(`${this.table.file}:${line}: column "${column}": ${problem}`, this.table.file, line, column);
	}

	private columnIndex(column: string): number {
		const i = this.index.get(column);
		if (i === undefined) {
			throw new CsvError(
				`${this.table.file}: missing column "${column}" (header: ${this.table.header.join(", ")})`,
				this.table.file,
				1,
				column,
			);
		}
		return i;
	}

	private parseNumber(row: number, column: string, value: string): number {
		const x = Number(value);
		if (!Number.isFinite(x) || !/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) {
			this.fail(row, column, `expected a number, got ${JSON.stringify(value)}`);
		}
		return x;
	}
}
