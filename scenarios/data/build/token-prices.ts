/**
 * token-prices.csv: daily closes of the series in curated/token-series.csv (each from its first usable day), without
 * the rows of curated/token-exclusions.csv, rounded to TOKEN_PRICE_SIGNIFICANT_DIGITS.
 */
import { type CsvRecord, DATASETS, field, fmtSignificant, readDataset, toCsv } from "./common.js";
import { failAt, readCurated } from "./curated.js";

/** Significant digits of close_usd: the Yahoo series are float32 (about 7 digits). */
const TOKEN_PRICE_SIGNIFICANT_DIGITS = 8;

export const SERIES_SCHEMA = { symbol: "text", from_date: "optional-date" } as const;
export const EXCLUSION_SCHEMA = { symbol: "text", excluded_date: "date" } as const;
const TOKEN_PRICE_HEADER = ["symbol", "date", "close_usd", "source"] as const;

/** The output rows of one series, by ascending date; throws on a repeated or malformed date or a bad close. */
function seriesRows(symbol: string, kept: readonly CsvRecord[]): string[][] {
	let previousDate = "";
	return kept.map((r) => {
		const date = field(r, "date");
		if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date === previousDate) {
			throw new Error(`${symbol}: bad or repeated date ${JSON.stringify(date)}`);
		}
		previousDate = date;
		const closeUsd = Number(field(r, "close"));
		if (!(closeUsd > 0 && Number.isFinite(closeUsd))) throw new Error(`${symbol} ${date}: close ${closeUsd}`);
		const commit = field(r, "source_commit");
		if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`${symbol} ${date}: source_commit ${commit}`);
		const source = `${field(r, "source_repo")}@${commit.slice(0, 7)} ${field(r, "source_path")}`;
		return [symbol, date, fmtSignificant(closeUsd, TOKEN_PRICE_SIGNIFICANT_DIGITS), source];
	});
}

export function buildTokenPrices(dataDir: string, curatedDir: string): string {
	const records = readDataset(dataDir, DATASETS.tokenPrices.path);
	const series = readCurated(curatedDir, "token-series.csv", SERIES_SCHEMA);
	const excluded = new Set<string>();
	for (const e of readCurated(curatedDir, "token-exclusions.csv", EXCLUSION_SCHEMA)) {
		if (!series.some((s) => s.symbol === e.symbol)) failAt(e, "symbol", `${e.symbol} is not in token-series.csv`);
		excluded.add(`${e.symbol},${e.excluded_date}`);
	}
	const rows: string[][] = [];
	for (const s of series) {
		const fromDate = s.from_date ?? "";
		const kept = records
			.filter((r) => field(r, "symbol") === s.symbol && field(r, "date") >= fromDate)
			.filter((r) => !excluded.has(`${s.symbol},${field(r, "date")}`))
			.sort((a, b) => (field(a, "date") < field(b, "date") ? -1 : 1));
		if (kept.length === 0) failAt(s, "symbol", `${DATASETS.tokenPrices.path} has no rows for ${s.symbol}`);
		rows.push(...seriesRows(s.symbol, kept));
	}
	return toCsv(TOKEN_PRICE_HEADER, rows);
}
