/**
 * metros.csv: the metro selection from world-cities, each metro's electricity price (green-dcc wholesale + an
 * industrial adder calibrated on EIA's US range, or a documented fallback) and its last-mile latency.
 */
import { median } from "../../../sim/stats.js";
import {
	DATASETS,
	field,
	fmt,
	maxDate,
	mean,
	REGION_CODES,
	type RegionCode,
	readDataset,
	slug,
	toCsv,
} from "./common.js";
import { failAt, readCurated } from "./curated.js";
import { byPopulation, type City, type CityKey, findCity, type Geography } from "./geography.js";

/**
 * Metro selection: the most populous cities, at most METRO_PER_COUNTRY_CAP per country, until METRO_TOP_N; then the
 * next most populous (same cap) of any region with fewer than METRO_MIN_PER_REGION; then every cloud-region city.
 */
const METRO_TOP_N = 80;
const METRO_PER_COUNTRY_CAP = 3;
const METRO_MIN_PER_REGION = 4;

/** The wholesale regions whose mean calibrates the industrial adder, and the year averaged. */
const US_WHOLESALE_GRIDS = ["US-CAL-CISO", "US-MIDA-PJM", "US-NY-NYIS", "US-TEX-ERCO"] as const;
const ELECTRICITY_YEAR = "2024";

/** Top-N by population with a per-country cap, a per-region minimum, then every cloud-region city. */
export function selectMetros(cities: readonly City[], cloudCities: readonly CityKey[], geo: Geography): City[] {
	const ranked = [...cities].filter((c) => c.population > 0).sort(byPopulation);
	const chosen = new Map<string, City>();
	const perCountry = new Map<string, number>();
	const perRegion = new Map<RegionCode, number>();
	const take = (c: City): void => {
		perCountry.set(c.iso2, (perCountry.get(c.iso2) ?? 0) + 1);
		perRegion.set(geo.regionOf(c.iso2), (perRegion.get(geo.regionOf(c.iso2)) ?? 0) + 1);
		chosen.set(c.simplemapsId, c);
	};
	const underCap = (c: City) => !chosen.has(c.simplemapsId) && (perCountry.get(c.iso2) ?? 0) < METRO_PER_COUNTRY_CAP;
	for (const c of ranked) {
		if (chosen.size >= METRO_TOP_N) break;
		if (underCap(c)) take(c);
	}
	for (const region of REGION_CODES) {
		for (const c of ranked) {
			if ((perRegion.get(region) ?? 0) >= METRO_MIN_PER_REGION) break;
			if (geo.regionOf(c.iso2) === region && underCap(c)) take(c);
		}
	}
	for (const key of cloudCities) {
		const c = findCity(cities, key);
		chosen.set(c.simplemapsId, c);
	}
	const ordered = [...chosen.values()].sort(byPopulation);
	const slugCounts = new Map<string, number>();
	for (const c of ordered) slugCounts.set(slug(c.ascii), (slugCounts.get(slug(c.ascii)) ?? 0) + 1);
	return ordered.map((c) => {
		const s = slug(c.ascii);
		return { ...c, id: (slugCounts.get(s) ?? 0) > 1 ? `${s}-${c.iso2.toLowerCase()}` : s };
	});
}

interface Electricity {
	readonly usdPerKwh: number;
	readonly rule: string;
	readonly source: string;
	readonly date: string;
}

/** A green-dcc grid region and where it is the local market: `localAdmins` null = the whole country. */
interface GridRule {
	readonly grid: string;
	readonly iso2: string;
	readonly localAdmins: readonly string[] | null;
	/** When true, other states of the country use this series as a proxy; when false they fall back. */
	readonly proxyRestOfCountry: boolean;
}

export const GRID_SCHEMA = {
	grid: "text",
	iso2: "text",
	local_admins: "optional-text",
	proxy_rest_of_country: "boolean",
} as const;
export const ELECTRICITY_SCHEMA = {
	figure: ["us_industrial_low_usd_per_kwh", "us_industrial_high_usd_per_kwh"],
	value: "number",
} as const;

function loadGridRules(curatedDir: string): GridRule[] {
	return readCurated(curatedDir, "grid-rules.csv", GRID_SCHEMA).map((r) => ({
		grid: r.grid,
		iso2: r.iso2,
		// "*" = the whole country; empty = no state (a proxy only); else the states, separated by "|".
		localAdmins: r.local_admins === "*" ? null : r.local_admins === null ? [] : r.local_admins.split("|"),
		proxyRestOfCountry: r.proxy_rest_of_country,
	}));
}

/** EIA's US industrial price range, USD/kWh, with its source and date. */
function loadEiaRange(curatedDir: string): { low: number; high: number; source: string; date: string } {
	const rows = readCurated(curatedDir, "electricity.csv", ELECTRICITY_SCHEMA);
	const get = (figure: (typeof ELECTRICITY_SCHEMA.figure)[number]) => {
		const found = rows.filter((r) => r.figure === figure);
		if (found.length !== 1) throw new Error(`curated/electricity.csv needs one ${figure} row`);
		return found[0] as (typeof rows)[number];
	};
	const low = get("us_industrial_low_usd_per_kwh");
	const high = get("us_industrial_high_usd_per_kwh");
	if (!(low.value < high.value)) failAt(high, "value", "the high end must exceed the low end");
	return { low: low.value, high: high.value, source: low.source, date: maxDate([low.date, high.date]) };
}

/** Mean of each grid region's daily series over ELECTRICITY_YEAR, USD/kWh. */
function wholesaleMeans(dataDir: string): Map<string, number> {
	const byGrid = new Map<string, number[]>();
	for (const r of readDataset(dataDir, DATASETS.electricity.path)) {
		if (!field(r, "date_utc").startsWith(ELECTRICITY_YEAR)) continue;
		const list = byGrid.get(field(r, "region")) ?? [];
		list.push(Number(field(r, "mean_usd_per_mwh")));
		byGrid.set(field(r, "region"), list);
	}
	return new Map([...byGrid].map(([grid, v]) => [grid, mean(v) / 1000]));
}

/** The pieces every electricity rule shares: wholesale means, the calibrated adder and its text. */
interface ElectricityBasis {
	readonly wholesale: ReadonlyMap<string, number>;
	readonly rules: readonly GridRule[];
	readonly adder: number;
	readonly adderText: string;
	readonly eiaMid: number;
	readonly eia: { readonly source: string; readonly date: string };
	readonly dateWithAdder: string;
}

function electricityBasis(dataDir: string, curatedDir: string): ElectricityBasis {
	const wholesale = wholesaleMeans(dataDir);
	const eia = loadEiaRange(curatedDir);
	const usWholesale = US_WHOLESALE_GRIDS.map((g) => {
		const v = wholesale.get(g);
		if (v === undefined) throw new Error(`no ${ELECTRICITY_YEAR} series for ${g}`);
		return v;
	});
	const eiaMid = (eia.low + eia.high) / 2;
	// Adder calibrated so that the US wholesale regions average the EIA industrial midpoint.
	const adder = eiaMid - mean(usWholesale);
	const adderText =
		`industrial adder ${fmt(adder, 4)} USD/kWh (EIA US industrial midpoint ${fmt(eiaMid, 4)}, ${eia.date.slice(0, 7)} − ` +
		`${ELECTRICITY_YEAR} US wholesale mean ${fmt(mean(usWholesale), 4)})`;
	const dateWithAdder = maxDate([`${ELECTRICITY_YEAR}-12-31`, eia.date]);
	return { wholesale, rules: loadGridRules(curatedDir), adder, adderText, eiaMid, eia, dateWithAdder };
}

/** The metro's own grid series (or its country's proxy series), or null when none applies. */
function gridElectricity(b: ElectricityBasis, city: City): Electricity | null {
	const rules = b.rules.filter((r) => r.iso2 === city.iso2);
	const exact = rules.find((r) => r.localAdmins === null || r.localAdmins.includes(city.admin));
	const rule = exact ?? rules.find((r) => r.proxyRestOfCountry);
	if (rule === undefined) return null;
	const w = b.wholesale.get(rule.grid);
	if (w === undefined) throw new Error(`no ${ELECTRICITY_YEAR} series for ${rule.grid}`);
	return {
		usdPerKwh: w + b.adder,
		rule: `${exact !== undefined ? "wholesale" : "wholesale-proxy"}:${rule.grid}+adder`,
		source:
			`electricity ${ELECTRICITY_YEAR} mean of daily ${rule.grid} ${fmt(w * 1000, 2)} USD/MWh` +
			`${exact === undefined ? " as country proxy" : ""} (${DATASETS.electricity.label}) + ${b.adderText}`,
		date: b.dateWithAdder,
	};
}

function electricityModel(dataDir: string, curatedDir: string, geo: Geography): (city: City) => Electricity {
	const b = electricityBasis(dataDir, curatedDir);
	const retail = new Map([...b.wholesale].map(([grid, v]) => [grid, v + b.adder]));
	const gridRegion = (grid: string): RegionCode => {
		const rule = b.rules.find((r) => r.grid === grid);
		if (rule === undefined) throw new Error(`grid ${grid} has no rule`);
		return geo.regionOf(rule.iso2);
	};
	const regionMedian = (region: RegionCode): { value: number; grids: string[] } | null => {
		const grids = [...retail.keys()].filter((g) => b.rules.some((r) => r.grid === g) && gridRegion(g) === region);
		return grids.length === 0 ? null : { value: median(grids.map((g) => retail.get(g) as number)), grids };
	};
	const globalMedian = median([...retail.values()]);
	const wholesaleText = `${ELECTRICITY_YEAR} wholesale mean`;
	return (city) => {
		const own = gridElectricity(b, city);
		if (own !== null) return own;
		if (city.iso2 === "US") {
			return {
				usdPerKwh: b.eiaMid,
				rule: "fallback:eia-us-industrial-midpoint",
				source: `electricity ${b.eia.source}, midpoint (state not in a covered ISO)`,
				date: b.eia.date,
			};
		}
		const region = geo.regionOf(city.iso2);
		const rm = regionMedian(region);
		const over =
			rm === null
				? `median over all ${retail.size} covered grids of ${wholesaleText}, none in ${region}`
				: `median over covered grids in ${region} (${rm.grids.join(" ")}) of ${wholesaleText}`;
		return {
			usdPerKwh: rm === null ? globalMedian : rm.value,
			rule: rm === null ? "fallback:global-median" : `fallback:region-median:${region}`,
			source: `electricity ${over} (${DATASETS.electricity.label}) + ${b.adderText}`,
			date: b.dateWithAdder,
		};
	};
}

const METRO_HEADER = [
	"id",
	"name",
	"country_iso2",
	"region",
	"jurisdiction",
	"lat",
	"lon",
	"population",
	"population_weight",
	"electricity_usd_per_kwh",
	"electricity_source",
	"last_mile_ms",
	"source",
	"date",
] as const;

export function buildMetros(dataDir: string, curatedDir: string, metros: readonly City[], geo: Geography): string {
	const electricityOf = electricityModel(dataDir, curatedDir, geo);
	const total = metros.reduce((a, c) => a + c.population, 0);
	const rows = metros.map((c) => {
		const e = electricityOf(c);
		const lm = geo.lastMileMs(c.iso2);
		return [
			c.id,
			c.name,
			c.iso2,
			geo.regionOf(c.iso2),
			geo.jurisdictionOf(c.iso2),
			fmt(c.lat, 4),
			fmt(c.lon, 4),
			fmt(c.population, 0),
			(c.population / total).toFixed(6),
			fmt(e.usdPerKwh, 4),
			e.rule,
			fmt(lm.value, 1),
			`${DATASETS.cities.label} id ${c.simplemapsId}; ${e.source}; last mile ${lm.source}`,
			maxDate([DATASETS.cities.date, e.date, lm.date]),
		];
	});
	return toCsv(METRO_HEADER, rows);
}
