/**
 * timeseries.csv keeps every figure exact: token amounts written from integer base units, the
 * other columns as the shortest decimal that reads back as the same double, so a reader can
 * follow token supply epoch by epoch and recompute totals from the rows.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatExact, formatUnitsAsTokens } from "../../cli/output.js";
import { executeRun, prepareRun } from "../../cli/run.js";

/** A decimal token string → integer base units (exact, BigInt). */
function unitsOf(tokens: string, decimals: number): bigint {
	const [whole = "0", fraction = ""] = tokens.split(".");
	return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
}

describe("formatUnitsAsTokens", () => {
	it("writes units ÷ 10^decimals in full, trailing zeros of the fraction dropped", () => {
		expect(formatUnitsAsTokens(530_000_000_000_007, 6)).toBe("530000000.000007");
		expect(formatUnitsAsTokens(7, 6)).toBe("0.000007");
		expect(formatUnitsAsTokens(1_500_000, 6)).toBe("1.5");
		expect(formatUnitsAsTokens(2_000_000, 6)).toBe("2");
		expect(formatUnitsAsTokens(-25, 1)).toBe("-2.5");
		expect(formatUnitsAsTokens(42, 0)).toBe("42");
		expect(formatUnitsAsTokens(Number.NaN, 6)).toBe("");
		expect(() => formatUnitsAsTokens(0.5, 6)).toThrow(/not an exact integer/);
	});

	it("round-trips every amount of base units it is given", () => {
		for (const units of [0, 1, 9, 10, 123_456_789, 2 ** 53 - 1]) {
			for (const decimals of [0, 1, 6, 8, 18]) {
				expect(unitsOf(formatUnitsAsTokens(units, decimals), decimals)).toBe(BigInt(units));
			}
		}
	});
});

describe("formatExact", () => {
	it("reads back as the same double", () => {
		for (const x of [0.1 + 0.2, 1 / 3, 5.3e8 + 7e-6, -2.5e-12, 123456789.12345679]) {
			expect(Number(formatExact(x))).toBe(x);
		}
		expect(formatExact(Number.POSITIVE_INFINITY)).toBe("");
	});
});

describe("timeseries.csv of a token run", () => {
	it("follows supply exactly: supply(t) − supply(t−1) = minted(t) − burned(t), to the base unit", () => {
		const out = mkdtempSync(join(tmpdir(), "depin-twin-timeseries-"));
		const prepared = prepareRun("presets/helium-like", ["horizonDays=3"]);
		const outcome = executeRun(prepared, { out });
		const decimals = outcome.result.tokenDecimals;
		expect(decimals).not.toBeNull();
		const [header = "", ...rows] = readFileSync(join(out, "timeseries.csv"), "utf8").trimEnd().split("\n");
		const at = (name: string) => header.split(",").indexOf(name);
		const cells = rows.map((row) => row.split(","));
		let previous = unitsOf(prepared.inputs.scenario.tokenomics.initialSupplyTokens.toString(), decimals as number);
		let minted = 0n;
		for (const row of cells) {
			const supply = unitsOf(row[at("tokenSupply")] as string, decimals as number);
			const delta = unitsOf(row[at("tokensMinted")] as string, decimals as number);
			const burned = unitsOf(row[at("tokensBurned")] as string, decimals as number);
			expect(supply - previous).toBe(delta - burned);
			minted += delta;
			previous = supply;
		}
		expect(minted).toBeGreaterThan(0n);
		// Other columns recompute their totals exactly from the written rows.
		const revenue = outcome.result.timeseries.column("providerRevenueUsd");
		cells.forEach((row, i) => {
			expect(Number(row[at("providerRevenueUsd")])).toBe(revenue[i]);
		});
	}, 120_000);
});
