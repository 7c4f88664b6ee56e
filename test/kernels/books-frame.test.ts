/**
 * kernels/books.ts reads its frames by slot numbers of its own: each must be the slot
 * models/provider-accounting.ts writes under the same name (UPPER_SNAKE there, camelCase here).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BOOKS_FLOATS, BOOKS_INTS } from "../../models/provider-accounting.js";

const source = readFileSync(new URL("../../kernels/books.ts", import.meta.url), "utf8");

/** The `const NAME = n;` lines between a section's heading comment and its slot count, by camelCase name. */
function slots(from: string, to: string): Record<string, number> {
	const section = source.slice(source.indexOf(from), source.indexOf(to));
	const table: Record<string, number> = {};
	for (const [, name, slot] of section.matchAll(/^const ([A-Z0-9_]+) = (\d+);/gm)) {
		const camel = (name as string).toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
		table[camel] = Number(slot);
	}
	return table;
}

describe("the books kernel's frames", () => {
	it("has the int slots of BOOKS_INTS, name for name", () => {
		expect(slots("// Int slots.", "const INT_SLOTS")).toEqual({ ...BOOKS_INTS });
	});

	it("has the float slots of BOOKS_FLOATS, name for name", () => {
		expect(slots("// Float slots.", "const FLOAT_SLOTS")).toEqual({ ...BOOKS_FLOATS });
	});
});
