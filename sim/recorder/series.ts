/**
 * Per-epoch columnar time series: columns are declared by name up front (what is recorded is
 * named, as in Mesa's data collector), each held in a growable Float64Array, one row per
 * epoch. `toTable()` hands the columns to arquero without copying row objects.
 */
import { createRequire } from "node:module";
import type { ColumnTable } from "arquero";

// arquero takes ~0.2 s to import and only `toTable()` needs it: it is loaded on first use.
let arquero: typeof import("arquero") | undefined;

export class EpochSeries<Column extends string = string> {
	readonly columns: readonly Column[];
	private readonly data = new Map<Column, Float64Array>();
	private capacity: number;
	private rows = 0;
	private open = false;

	constructor(columns: readonly Column[], initialCapacity = 64) {
		if (new Set(columns).size !== columns.length) throw new RangeError("column names must be unique");
		this.columns = [...columns];
		this.capacity = Math.max(1, initialCapacity);
		for (const column of columns) this.data.set(column, new Float64Array(this.capacity));
	}

	/** Number of completed rows. */
	get length(): number {
		return this.rows;
	}

	/** Starts a new row with every column at NaN (a missing value), to be filled with `set`. */
	beginRow(): void {
		if (this.open) throw new Error("previous row not ended");
		if (this.rows === this.capacity) this.grow();
		for (const values of this.data.values()) values[this.rows] = Number.NaN;
		this.open = true;
	}

	set(column: Column, value: number): void {
		if (!this.open) throw new Error("set() outside a row: call beginRow() first");
		const values = this.data.get(column);
		if (values === undefined) throw new RangeError(`unknown column ${column}`);
		values[this.rows] = value;
	}

	endRow(): void {
		if (!this.open) throw new Error("endRow() without beginRow()");
		this.open = false;
		this.rows++;
	}

	/** Appends one whole row at once. */
	append(row: Readonly<Record<Column, number>>): void {
		this.beginRow();
		for (const column of this.columns) this.set(column, row[column]);
		this.endRow();
	}

	/** A column's values for the completed rows (a view, not a copy). */
	column(column: Column): Float64Array {
		const values = this.data.get(column);
		if (values === undefined) throw new RangeError(`unknown column ${column}`);
		return values.subarray(0, this.rows);
	}

	/** The series as an arquero table (columns in declaration order). */
	toTable(): ColumnTable {
		const columns: Record<string, Float64Array> = {};
		for (const column of this.columns) columns[column] = this.column(column);
		arquero ??= createRequire(import.meta.url)("arquero") as typeof import("arquero");
		return arquero.table(columns);
	}

	private grow(): void {
		this.capacity *= 2;
		for (const [column, values] of this.data) {
			const bigger = new Float64Array(this.capacity);
			bigger.set(values);
			this.data.set(column, bigger);
		}
	}
}
