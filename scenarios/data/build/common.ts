/**
 * Shared pieces of the reference-table build: the upstream datasets, CSV reading (models/csv.ts) and writing, and the
 * number formats that keep the output byte-stable.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../../../models/csv.js";

export type CsvRecord = Readonly<Record<string, string>>;

/** A curated figure as the tables cite it. */
export interface Figure<T> {
	readonly value: T;
	readonly source: string;
	readonly date: string;
}

export type RegionCode = "na" | "sa" | "eu" | "af" | "me" | "as" | "oc";
export const REGION_CODES: readonly RegionCode[] = ["na", "sa", "eu", "af", "me", "as", "oc"];

export type Provider = "aws" | "gcp" | "azure";
export const PROVIDERS: readonly Provider[] = ["aws", "gcp", "azure"];

/** Upstream datasets (paths under the data folder) and their attribution. */
export const DATASETS = {
	epoch: {
		path: "gpu-specs-epoch/ml_hardware.csv",
		label: "Epoch AI ML hardware (CC-BY 4.0) via talmolab/lablink-paper-figures@a2616dd",
	},
	cities: {
		path: "world-cities/worldcities_simplemaps_basic.csv",
		label: "simplemaps World Cities Basic (CC-BY 4.0) via AJ-FC/ReferenceData@dc1444a",
		// simplemaps basic v1.x vintage, early 2020
		date: "2020-03-01",
	},
	electricity: {
		path: "electricity-prices/daily_mean_2020_2024_all_regions.csv",
		label: "HewlettPackard/green-dcc@3f6ea95 (MIT) wholesale prices",
	},
	transfer: {
		path: "electricity-prices/cloud_interregion_transfer_cost_usd_per_gb.csv",
		label: "HewlettPackard/green-dcc@3f6ea95 (MIT) transfer-cost matrices",
		// commit date of green-dcc@3f6ea95
		date: "2025-06-04",
	},
	skypilot: {
		path: "cloud-gpu-prices/skypilot_catalog_2026-03-21.csv",
		label: "OpenComputePrices skypilot catalog @26428de (MIT)",
		date: "2026-03-21",
	},
	getdeploying: {
		path: "cloud-gpu-prices/getdeploying_2026-03-22.csv",
		label: "OpenComputePrices getdeploying @42f4277 (MIT)",
		date: "2026-03-22",
	},
	akash: {
		path: "akash-gpu-market/akash_gpu_prices_2026-03-22.csv",
		label: "Akash Console gpu-prices snapshot via OpenComputePrices @42f4277 (MIT)",
		date: "2026-03-22",
	},
	// Merged long file; each row names its own repo, path and commit (source_repo, source_path, source_commit).
	tokenPrices: { path: "token-prices/token_prices_daily_usd.csv" },
} as const;

/** Rows of a CSV text as records keyed by the header (blank lines dropped; errors name the file and line). */
export function csvRecords(text: string, file = "<csv>"): CsvRecord[] {
	const table = parseCsv(text, file);
	return table.rows.map((row) => {
		const rec: Record<string, string> = {};
		table.header.forEach((h, j) => {
			rec[h] = row[j] ?? "";
		});
		return rec;
	});
}

/** Records of one upstream dataset file. */
export function readDataset(dataDir: string, path: string): CsvRecord[] {
	return csvRecords(readFileSync(join(dataDir, path), "utf8"), path);
}

export function field(rec: CsvRecord, column: string): string {
	const v = rec[column];
	if (v === undefined) throw new Error(`missing column ${column}`);
	return v;
}

function csvEscape(value: string): string {
	return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** RFC 4180 text with "\n" line endings and a final newline. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
	return `${[header, ...rows].map((r) => r.map(csvEscape).join(",")).join("\n")}\n`;
}

/** Fixed-point, locale-free; trailing zeros trimmed; null → empty cell. */
export function fmt(x: number | null, maxDecimals: number): string {
	if (x === null) return "";
	if (!Number.isFinite(x)) throw new Error(`non-finite number ${x}`);
	let s = x.toFixed(maxDecimals);
	if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
	return s === "-0" ? "0" : s;
}

/** `significant` significant digits, plain notation, trailing zeros trimmed. */
export function fmtSignificant(x: number, significant: number): string {
	if (!Number.isFinite(x)) throw new Error(`non-finite number ${x}`);
	let s = x.toPrecision(significant);
	if (s.includes("e")) throw new Error(`${x} needs exponent notation at ${significant} digits`);
	if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
	return s;
}

export function mean(values: readonly number[]): number {
	if (values.length === 0) throw new Error("mean of nothing");
	return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The latest of the YYYY-MM-DD dates (others ignored). */
export function maxDate(dates: readonly string[]): string {
	const valid = dates.filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d));
	if (valid.length === 0) throw new Error("no date");
	return [...valid].sort().at(-1) as string;
}

export function slug(s: string): string {
	return s
		.normalize("NFKD")
		.replace(/[\u0300-\u036f]/g, "")
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, "-")
		.replace(/^-|-$/g, "");
}
