/**
 * cloud-regions.csv: hyperscaler regions (curated/cloud-regions.csv) with their city, on-demand GPU list prices
 * (skypilot catalog), egress and availability (curated/cloud-providers.csv) and inter-region transfer price (green-dcc).
 */
import { median } from "../../../sim/stats.js";
import { DATASETS, type Figure, field, fmt, maxDate, PROVIDERS, type Provider, readDataset, toCsv } from "./common.js";
import { type CuratedRow, failAt, readCurated } from "./curated.js";
import { type City, type CityKey, findCity, type Geography } from "./geography.js";
import type { PriceRow } from "./prices.js";

export const REGION_SCHEMA = {
	provider: PROVIDERS,
	region_code: "text",
	transfer_key: "optional-text",
	city: "text",
	iso2: "text",
	admin: "optional-text",
	placement: "optional-text",
} as const;
export type CloudRegionSpec = CuratedRow<typeof REGION_SCHEMA>;

const PROVIDER_FIGURES = [
	"egress_usd_per_gb",
	"availability",
	"commit_1y_discount",
	"h100_on_demand_multiplier",
] as const;
type ProviderFigure = (typeof PROVIDER_FIGURES)[number];
export const PROVIDER_SCHEMA = { provider: PROVIDERS, figure: PROVIDER_FIGURES, value: "number" } as const;

export function loadCloudRegionSpecs(curatedDir: string): CloudRegionSpec[] {
	const specs = readCurated(curatedDir, "cloud-regions.csv", REGION_SCHEMA);
	const ids = new Set<string>();
	for (const s of specs) {
		const id = `${s.provider}-${s.region_code}`;
		if (ids.has(id)) failAt(s, "region_code", `${id} is listed twice`);
		ids.add(id);
	}
	return specs;
}

export function cityKeyOf(spec: CloudRegionSpec): CityKey {
	return { ascii: spec.city, iso2: spec.iso2, admin: spec.admin };
}

function loadProviderFigures(curatedDir: string): (provider: Provider, figure: ProviderFigure) => Figure<number> {
	const figures = new Map<string, Figure<number>>();
	for (const row of readCurated(curatedDir, "cloud-providers.csv", PROVIDER_SCHEMA)) {
		const key = `${row.provider} ${row.figure}`;
		if (figures.has(key)) failAt(row, "figure", `${key} is listed twice`);
		figures.set(key, { value: row.value, source: row.source, date: row.date });
	}
	return (provider, figure) => {
		const f = figures.get(`${provider} ${figure}`);
		if (f !== undefined) return f;
		// A list-price correction is optional: without a row the catalog's price stands.
		if (figure === "h100_on_demand_multiplier") return { value: 1, source: "", date: DATASETS.skypilot.date };
		throw new Error(`curated/cloud-providers.csv has no ${figure} for ${provider}`);
	};
}

const CLOUD_GPUS = [
	{ column: "h100_usd_per_gpu_hour", gpuName: "H100" },
	{ column: "a100_usd_per_gpu_hour", gpuName: "A100" },
	{ column: "l40s_usd_per_gpu_hour", gpuName: "L40S" },
] as const;

const CLOUD_HEADER = [
	"id",
	"provider",
	"region_code",
	"city",
	"country_iso2",
	"region",
	"jurisdiction",
	"lat",
	"lon",
	"metro_id",
	...CLOUD_GPUS.map((g) => g.column),
	...CLOUD_GPUS.map((g) => g.column.replace("_usd_", "_spot_usd_")),
	"commit_1y_discount",
	"egress_usd_per_gb",
	"interregion_usd_per_gb",
	"availability",
	"source",
	"date",
] as const;

/** List price cells of a region (on-demand or spot): its own median, else the provider's median over its regions. */
function gpuPrices(
	skypilot: readonly PriceRow[],
	pricingType: "on_demand" | "spot",
): (spec: CloudRegionSpec) => { cells: string[]; notes: string[] } {
	const onDemand = skypilot.filter((r) => r.pricingType === pricingType);
	/** Median of the distinct per-GPU list prices of a provider's instances for one GPU in one region. */
	const regionPrice = (provider: string, region: string, gpuName: string): number | null => {
		const prices = new Set(
			onDemand
				.filter((r) => r.provider === provider && r.region === region && r.gpuName === gpuName)
				.map((r) => Math.round(r.pricePerGpuHourUsd * 1e4) / 1e4),
		);
		return prices.size === 0 ? null : median([...prices]);
	};
	const providerMedian = (provider: string, gpuName: string): { value: number; regions: number } | null => {
		const regions = [
			...new Set(onDemand.filter((r) => r.provider === provider && r.gpuName === gpuName).map((r) => r.region)),
		];
		const perRegion = regions.map((reg) => regionPrice(provider, reg, gpuName)).filter((v): v is number => v !== null);
		return perRegion.length === 0 ? null : { value: median(perRegion), regions: perRegion.length };
	};
	return (spec) => {
		const notes: string[] = [];
		const cells = CLOUD_GPUS.map((g) => {
			const own = regionPrice(spec.provider, spec.region_code, g.gpuName);
			if (own !== null) {
				notes.push(`${g.gpuName} region median`);
				return fmt(own, 4);
			}
			const pm = providerMedian(spec.provider, g.gpuName);
			notes.push(
				pm === null
					? `${g.gpuName} not offered`
					: `${g.gpuName} no row for region, ${spec.provider} median of ${pm.regions} regions`,
			);
			return pm === null ? "" : fmt(pm.value, 4);
		});
		return { cells, notes };
	};
}

/**
 * Inter-region transfer price: the median from the region to the provider's other regions in green-dcc's matrix;
 * for a region not in it, the median over the provider's listed regions on the same continent, else over all.
 */
function interregionModel(
	dataDir: string,
	specs: readonly CloudRegionSpec[],
	geo: Geography,
): (spec: CloudRegionSpec) => { value: number; how: string } {
	const transfer = readDataset(dataDir, DATASETS.transfer.path).filter(
		(r) => field(r, "from_region") !== field(r, "to_region"),
	);
	const keyOf = (spec: CloudRegionSpec) => spec.transfer_key ?? spec.region_code;
	const ownInterregion = (spec: CloudRegionSpec): number | null => {
		const own = transfer
			.filter((r) => field(r, "cloud") === spec.provider && field(r, "from_region") === keyOf(spec))
			.map((r) => Number(field(r, "usd_per_gb")));
		return own.length === 0 ? null : median(own);
	};
	const continentOf = (spec: CloudRegionSpec) => geo.regionOf(spec.iso2);
	return (spec) => {
		const own = ownInterregion(spec);
		if (own !== null) return { value: own, how: `median from ${keyOf(spec)}` };
		const peers = (sameContinent: boolean) =>
			specs
				.filter((o) => o.provider === spec.provider && (!sameContinent || continentOf(o) === continentOf(spec)))
				.map(ownInterregion)
				.filter((v): v is number => v !== null);
		const continental = peers(true);
		const all = peers(false);
		if (all.length === 0) throw new Error(`green-dcc's transfer matrix has no ${spec.provider} region`);
		const [values, where] = continental.length > 0 ? [continental, ` in ${continentOf(spec)}`] : ([all, ""] as const);
		return {
			value: median(values),
			how: `${keyOf(spec)} not in matrix: median of ${values.length} ${spec.provider} regions${where}`,
		};
	};
}

export function buildCloudRegions(
	dataDir: string,
	curatedDir: string,
	context: {
		readonly specs: readonly CloudRegionSpec[];
		readonly cities: readonly City[];
		readonly metros: readonly City[];
		readonly skypilot: readonly PriceRow[];
		readonly geo: Geography;
	},
): string {
	const { specs, cities, metros, geo } = context;
	const metroIdBySimplemaps = new Map(metros.map((m) => [m.simplemapsId, m.id]));
	const pricesOf = gpuPrices(context.skypilot, "on_demand");
	const spotPricesOf = gpuPrices(context.skypilot, "spot");
	const interregion = interregionModel(dataDir, specs, geo);
	const providerFigure = loadProviderFigures(curatedDir);
	const rows = specs.map((spec) => {
		const city = findCity(cities, cityKeyOf(spec));
		const metroId = metroIdBySimplemaps.get(city.simplemapsId);
		if (metroId === undefined) throw new Error(`cloud city ${city.ascii} is not a metro`);
		const gpu = pricesOf(spec);
		const spot = spotPricesOf(spec);
		// A dated list-price cut the catalog snapshot has not caught up with (AWS P5, June 2025).
		const h100Cut = providerFigure(spec.provider, "h100_on_demand_multiplier");
		const h100Cell = gpu.cells[0] as string;
		if (h100Cut.value !== 1 && h100Cell !== "") gpu.cells[0] = fmt(Number(h100Cell) * h100Cut.value, 4);
		const commit = providerFigure(spec.provider, "commit_1y_discount");
		const egress = providerFigure(spec.provider, "egress_usd_per_gb");
		const availability = providerFigure(spec.provider, "availability");
		const inter = interregion(spec);
		const sources = [
			`${DATASETS.cities.label} id ${city.simplemapsId}${spec.placement === null ? "" : ` (${spec.placement})`}`,
			`on-demand list prices (${DATASETS.skypilot.label} ${DATASETS.skypilot.date}): ${gpu.notes.join(", ")}`,
			...(h100Cut.value === 1 ? [] : [`H100 on-demand × ${h100Cut.value}: ${h100Cut.source}`]),
			`spot prices (same catalog): ${spot.notes.join(", ")}`,
			`1-year commitment discount ${commit.source}`,
			`egress ${egress.source}`,
			`interregion ${inter.how} (${DATASETS.transfer.label})`,
			`availability ${availability.source}`,
		];
		const dates = [DATASETS.cities.date, DATASETS.skypilot.date, egress.date, DATASETS.transfer.date, commit.date];
		if (h100Cut.value !== 1) dates.push(h100Cut.date);
		return [
			`${spec.provider}-${spec.region_code}`,
			spec.provider,
			spec.region_code,
			city.name,
			city.iso2,
			geo.regionOf(city.iso2),
			geo.jurisdictionOf(city.iso2),
			fmt(city.lat, 4),
			fmt(city.lon, 4),
			metroId,
			...gpu.cells,
			...spot.cells,
			fmt(commit.value, 4),
			fmt(egress.value, 4),
			fmt(inter.value, 4),
			fmt(availability.value, 6),
			sources.join("; "),
			maxDate([...dates, availability.date]),
		];
	});
	return toCsv(CLOUD_HEADER, rows);
}
