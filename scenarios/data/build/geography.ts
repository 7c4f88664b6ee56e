/**
 * Country facts (curated/countries.csv, curated/last-mile.csv) and the world-cities rows: continent region,
 * regulatory jurisdiction and last-mile latency class of each ISO 3166 alpha-2 code.
 */

import { type CsvRecord, DATASETS, type Figure, field, REGION_CODES, type RegionCode, readDataset } from "./common.js";
import { type CuratedRow, failAt, readCurated } from "./curated.js";

export const ACCESS_CLASSES = ["advanced", "emerging", "limited"] as const;
export type AccessClass = (typeof ACCESS_CLASSES)[number];

export const COUNTRY_SCHEMA = {
	iso2: "text",
	region: REGION_CODES,
	jurisdiction: "text",
	access_class: ACCESS_CLASSES,
} as const;
export const LAST_MILE_SCHEMA = { access_class: ACCESS_CLASSES, last_mile_ms: "number" } as const;

const JURISDICTION = /^(us|eu|uk|cn|ru|in|br|jp|kr|sg|au|ca|other-[a-z]{2})$/;

export interface Geography {
	regionOf(iso2: string): RegionCode;
	jurisdictionOf(iso2: string): string;
	/** Last-mile (one-way access) latency of the country's access class, ms. */
	lastMileMs(iso2: string): Figure<number>;
}

export function loadGeography(curatedDir: string): Geography {
	const countries = new Map<string, CuratedRow<typeof COUNTRY_SCHEMA>>();
	for (const row of readCurated(curatedDir, "countries.csv", COUNTRY_SCHEMA)) {
		if (!/^[A-Z]{2}$/.test(row.iso2)) failAt(row, "iso2", `expected two capital letters, got ${row.iso2}`);
		if (countries.has(row.iso2)) failAt(row, "iso2", `${row.iso2} is listed twice`);
		if (!JURISDICTION.test(row.jurisdiction)) failAt(row, "jurisdiction", `unknown jurisdiction ${row.jurisdiction}`);
		countries.set(row.iso2, row);
	}
	const lastMile = new Map<AccessClass, Figure<number>>();
	for (const row of readCurated(curatedDir, "last-mile.csv", LAST_MILE_SCHEMA)) {
		if (lastMile.has(row.access_class)) failAt(row, "access_class", `${row.access_class} is listed twice`);
		lastMile.set(row.access_class, { value: row.last_mile_ms, source: row.source, date: row.date });
	}
	const country = (iso2: string) => {
		const c = countries.get(iso2);
		if (c === undefined) throw new Error(`curated/countries.csv has no ISO2 ${iso2}`);
		return c;
	};
	return {
		regionOf: (iso2) => country(iso2).region,
		jurisdictionOf: (iso2) => country(iso2).jurisdiction,
		lastMileMs: (iso2) => {
			const figure = lastMile.get(country(iso2).access_class);
			if (figure === undefined) throw new Error(`curated/last-mile.csv has no class ${country(iso2).access_class}`);
			return figure;
		},
	};
}

/** A world-cities row. `id` is the metro slug once selected (empty before). */
export interface City {
	readonly id: string;
	readonly name: string;
	readonly ascii: string;
	readonly iso2: string;
	readonly admin: string;
	readonly lat: number;
	readonly lon: number;
	readonly population: number;
	readonly simplemapsId: string;
}

/** A world-cities row named by ASCII name and country (and state where the name repeats). */
export interface CityKey {
	readonly ascii: string;
	readonly iso2: string;
	readonly admin: string | null;
}

export function loadCities(dataDir: string): City[] {
	return readDataset(dataDir, DATASETS.cities.path).map((r: CsvRecord) => ({
		id: "",
		name: field(r, "city"),
		ascii: field(r, "city_ascii"),
		iso2: field(r, "iso2"),
		admin: field(r, "admin_name"),
		lat: Number(field(r, "lat")),
		lon: Number(field(r, "lng")),
		population: field(r, "population") === "" ? 0 : Math.round(Number(field(r, "population"))),
		simplemapsId: field(r, "id"),
	}));
}

/** Most populous first; ties by simplemaps id. */
export const byPopulation = (a: City, b: City): number =>
	b.population - a.population || (a.simplemapsId < b.simplemapsId ? -1 : a.simplemapsId > b.simplemapsId ? 1 : 0);

export function findCity(cities: readonly City[], key: CityKey): City {
	const matches = cities
		.filter((c) => c.ascii === key.ascii && c.iso2 === key.iso2 && (key.admin === null || c.admin === key.admin))
		.sort(byPopulation);
	const best = matches[0];
	if (best === undefined) throw new Error(`world-cities has no ${key.ascii}, ${key.iso2}`);
	return best;
}
