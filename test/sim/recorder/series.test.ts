import { describe, expect, it } from "vitest";
import { EpochSeries } from "../../../sim/recorder/series.js";

describe("EpochSeries", () => {
	it("records rows column by column and hands them to arquero", () => {
		const series = new EpochSeries(["epoch", "activeNodes", "priceUsd"] as const, 2);
		for (let epoch = 0; epoch < 5; epoch++)
			series.append({ epoch, activeNodes: 100 + epoch, priceUsd: 1 / (epoch + 1) });
		series.beginRow();
		series.set("epoch", 5);
		series.endRow();
		expect(series.length).toBe(6);
		expect([...series.column("activeNodes")]).toEqual([100, 101, 102, 103, 104, Number.NaN]);
		const table = series.toTable();
		expect(table.numRows()).toBe(6);
		expect(table.columnNames()).toEqual(["epoch", "activeNodes", "priceUsd"]);
		expect(table.get("priceUsd", 1)).toBe(0.5);
	});

	it("refuses misuse", () => {
		const series = new EpochSeries(["a"] as const);
		expect(() => series.set("a", 1)).toThrow(/beginRow/);
		series.beginRow();
		expect(() => series.beginRow()).toThrow(/not ended/);
		expect(() => new EpochSeries(["a", "a"])).toThrow(/unique/);
	});
});
