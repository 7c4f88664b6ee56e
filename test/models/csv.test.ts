import { describe, expect, it } from "vitest";
import { CsvColumns, CsvError, parseCsv } from "../../models/csv.js";

describe("parseCsv (RFC 4180)", () => {
	it("reads a header and rows", () => {
		const t = parseCsv("a,b,c\n1,2,3\n4,5,6\n", "t.csv");
		expect(t.header).toEqual(["a", "b", "c"]);
		expect(t.rows).toEqual([
			["1", "2", "3"],
			["4", "5", "6"],
		]);
		expect(t.lines).toEqual([2, 3]);
	});

	it("handles quoted fields with commas, doubled quotes and line breaks", () => {
		const t = parseCsv('id,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\nlines"\r\n4,""\r\n', "q.csv");
		expect(t.rows).toEqual([
			["1", "a, b"],
			["2", 'say "hi"'],
			["3", "two\nlines"],
			["4", ""],
		]);
		// Row 4 starts on line 6: the embedded line break in row 3 moves it down one.
		expect(t.lines).toEqual([2, 3, 4, 6]);
	});

	it("keeps empty fields, drops blank lines, a BOM and a missing final newline", () => {
		const t = parseCsv("\ufeffa,b\n\n1,\n,2\n\n3,4", "e.csv");
		expect(t.header).toEqual(["a", "b"]);
		expect(t.rows).toEqual([
			["1", ""],
			["", "2"],
			["3", "4"],
		]);
		expect(t.lines).toEqual([3, 4, 6]);
	});

	it("reports malformed input with file and line", () => {
		expect(() => parseCsv("a,b\n1,2,3\n", "x.csv")).toThrow(/x\.csv:2: 3 fields, the header has 2/);
		expect(() => parseCsv('a,b\n1,"open\n', "x.csv")).toThrow(/x\.csv:2: quoted field is never closed/);
		expect(() => parseCsv('a,b\n1,"x"y\n', "x.csv")).toThrow(/x\.csv:2: unexpected character after a closing quote/);
		expect(() => parseCsv('a,b\n1,x"y\n', "x.csv")).toThrow(/x\.csv:2: a quote may only open a field/);
		expect(() => parseCsv("a,a\n1,2\n", "x.csv")).toThrow(/column "a" appears twice/);
		expect(() => parseCsv("", "x.csv")).toThrow(CsvError);
	});
});

describe("CsvColumns", () => {
	const table = parseCsv("id,x,y,flag,tier\nn1,1.5,,true,edge\nn2,abc,2e3,false,cloud\nn3,,7,yes,edge\n", "cols.csv");
	const c = new CsvColumns(table);

	it("reads typed values", () => {
		expect(c.rowCount).toBe(3);
		expect(c.string(0, "id")).toBe("n1");
		expect(c.number(0, "x")).toBe(1.5);
		expect(c.optionalNumber(0, "y")).toBeNaN();
		expect(c.optionalNumber(1, "y")).toBe(2000);
		expect(c.boolean(0, "flag")).toBe(true);
		expect(c.boolean(1, "flag")).toBe(false);
		expect(c.oneOf(0, "tier", ["edge", "consumer"] as const)).toBe("edge");
	});

	it("names file, line and column on a bad value", () => {
		expect(() => c.number(1, "x")).toThrow('cols.csv:3: column "x": expected a number, got "abc"');
		expect(() => c.number(2, "x")).toThrow('cols.csv:4: column "x": expected a number, the cell is empty');
		expect(() => c.boolean(2, "flag")).toThrow(/cols\.csv:4: column "flag": expected true or false/);
		expect(() => c.oneOf(1, "tier", ["edge"] as const)).toThrow(/cols\.csv:3: column "tier": expected one of edge/);
		expect(() => c.number(0, "missing")).toThrow(/cols\.csv: missing column "missing"/);
		try {
			c.number(1, "x");
		} catch (error) {
			expect(error).toBeInstanceOf(CsvError);
			expect((error as CsvError).line).toBe(3);
			expect((error as CsvError).column).toBe("x");
		}
	});

	it("rejects numbers that Number() would accept but a table should not", () => {
		const t = new CsvColumns(parseCsv("v\n0x10\nInfinity\n1_000\n", "n.csv"));
		for (let r = 0; r < 3; r++) expect(() => t.number(r, "v")).toThrow(/expected a number/);
	});
});
