/**
 * Builds the reference tables (gpus.csv, metros.csv, cloud-regions.csv, token-prices.csv) from the public datasets
 * folder and the curated figures in curated/*.csv, one module per table under build/.
 *
 *   read datasets + curated rows (validated) → derive (peaks, medians, fallbacks) → format (fixed decimals) → write
 *
 * Usage: npx tsx scenarios/data/build-reference-tables.ts [DATA_DIR] [OUT_DIR]
 * Defaults: DATA_DIR = the public datasets folder beside the checkout, OUT_DIR = this script's folder.
 * Same input → byte-identical output: rows in declared or sorted order, numbers via toFixed, no locale, "\n" endings.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildCloudRegions, cityKeyOf, loadCloudRegionSpecs } from "./build/cloud-regions.js";
import { loadCities, loadGeography } from "./build/geography.js";
import { buildGpus } from "./build/gpus.js";
import { buildMetros, selectMetros } from "./build/metros.js";
import { loadPriceRows } from "./build/prices.js";
import { buildTokenPrices } from "./build/token-prices.js";

export const SCRIPT_DIR = dirname(fileURLToPath(import.meta.url));
/** The public datasets folder beside the checkout. */
export const DEFAULT_DATA_DIR = resolve(SCRIPT_DIR, "..", "..", "..", "shared", "data");
export const DEFAULT_CURATED_DIR = join(SCRIPT_DIR, "curated");

/** File name → CSV text of every reference table. */
export function buildReferenceTables(dataDir: string, curatedDir = DEFAULT_CURATED_DIR): Record<string, string> {
	const geo = loadGeography(curatedDir);
	const specs = loadCloudRegionSpecs(curatedDir);
	const prices = loadPriceRows(dataDir, curatedDir);
	const cities = loadCities(dataDir);
	const metros = selectMetros(cities, specs.map(cityKeyOf), geo);
	return {
		"gpus.csv": buildGpus(dataDir, curatedDir, prices),
		"metros.csv": buildMetros(dataDir, curatedDir, metros, geo),
		"cloud-regions.csv": buildCloudRegions(dataDir, curatedDir, {
			specs,
			cities,
			metros,
			skypilot: prices.skypilot,
			geo,
		}),
		"token-prices.csv": buildTokenPrices(dataDir, curatedDir),
	};
}

export function writeReferenceTables(tables: Readonly<Record<string, string>>, outDir: string): void {
	mkdirSync(outDir, { recursive: true });
	for (const [name, text] of Object.entries(tables)) writeFileSync(join(outDir, name), text, "utf8");
}

function main(argv: readonly string[]): void {
	const dataDir = resolve(argv[0] ?? DEFAULT_DATA_DIR);
	const outDir = resolve(argv[1] ?? SCRIPT_DIR);
	const tables = buildReferenceTables(dataDir);
	writeReferenceTables(tables, outDir);
	for (const [name, text] of Object.entries(tables)) {
		process.stdout.write(`${join(outDir, name)}: ${text.split("\n").length - 2} rows\n`);
	}
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main(process.argv.slice(2));
}
