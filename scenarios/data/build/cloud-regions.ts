/**
 * cloud-regions.csv: hyperscaler regions (curated/cloud-regions.csv) with their city, on-demand GPU list prices
 * (skypilot catalog), egress and availability (curated/cloud-providers.csv) and inter-region transfer price (green-dcc).
 */
import { median } from "../../../sim/stats.js";
import { DATASETS, type Figure, field, fmt, maxDate, PROVIDERS, type Provider, readDataset, toCsv } from "./common.js";
import { type CuratedRow, failAt, readCurated } from "./curated.js";
import { type City, type CityKey, findCity, type Geography } from "./geography.js";
import { loadPriceRows, type PriceRow } from "./prices.js";

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
	// Inference GPUs (AWS g6 / g4dn, GCP g2 / n1 + T4, Azure NCasT4_v3): the cloud's cheapest fit for small models.
	{ column: "l4_usd_per_gpu_hour", gpuName: "L4" },
	{ column: "t4_usd_per_gpu_hour", gpuName: "T4" },
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

type CloudGpuName = (typeof CLOUD_GPUS)[number]["gpuName"];
type PricingType = "on_demand" | "spot";
const is80Gb = (r: PriceRow) => r.gpuMemoryGb !== null && r.gpuMemoryGb >= 80;
/** Cheapest per-GPU price among rows: a tenant rents the cheapest instance size that holds the GPU. */
const cheapest = (rows: readonly PriceRow[]): number | null =>
	rows.length === 0 ? null : Math.min(...rows.map((r) => Math.round(r.pricePerGpuHourUsd * 1e4) / 1e4));

/**
 * Provider-level corrections measured in the catalogs: the A100 80 GB / 40 GB price ratio (for regions that list only
 * the 40 GB SKU), and, for a provider whose skypilot rows price the accelerator alone (no instance type: GCP), the host
 * VM's price per GPU-hour: getdeploying's full 1-GPU instance price (VM included) less the cheapest accelerator-only
 * price of the same SKU. It is added, not multiplied, because the host VM's price does not scale with the GPU's.
 */
function priceFactors(skypilot: readonly PriceRow[], getdeploying: readonly PriceRow[]) {
	const onDemand = skypilot.filter((r) => r.pricingType === "on_demand");
	const a100Ratio = (provider: string): { value: number; regions: number } | null => {
		const rows = onDemand.filter((r) => r.provider === provider && r.gpuName === "A100");
		const ratios = [...new Set(rows.map((r) => r.region))].flatMap((region) => {
			const own = rows.filter((r) => r.region === region);
			const big = cheapest(own.filter(is80Gb));
			const small = cheapest(own.filter((r) => !is80Gb(r)));
			return big === null || small === null ? [] : [big / small];
		});
		return ratios.length === 0 ? null : { value: median(ratios), regions: ratios.length };
	};
	const vmPartOf = (provider: string, gpuName: string): { value: number; how: string } | null => {
		const sku = (rows: readonly PriceRow[]) => (gpuName === "A100" ? rows.filter(is80Gb) : rows);
		const full = getdeploying.filter(
			(r) => r.provider === provider && r.gpuName === gpuName && r.pricingType === "on_demand" && r.instanceType !== "",
		);
		const accel = sku(
			onDemand.filter((r) => r.provider === provider && r.gpuName === gpuName && r.instanceType === ""),
		);
		const fullUsd = cheapest(sku(full));
		const accelUsd = cheapest(accel);
		if (fullUsd === null || accelUsd === null) return null;
		const where = accel.find((r) => Math.round(r.pricePerGpuHourUsd * 1e4) / 1e4 === accelUsd)?.region ?? "";
		const vm = fullUsd - accelUsd;
		return {
			value: vm,
			how: `+ $${fmt(vm, 4)} host VM per GPU-hour (${DATASETS.getdeploying.label} full 1-GPU ${gpuName}${gpuName === "A100" ? " 80 GB" : ""} instance $${fullUsd}/h − cheapest accelerator-only price $${accelUsd}/h, ${where})`,
		};
	};
	/** Host-VM part for a GPU: zero where the catalog prices whole instances; null where it is unknown. */
	const vmPart = (provider: string, gpuName: CloudGpuName): { value: number; how: string } | null => {
		const accelOnly = onDemand.some((r) => r.provider === provider && r.gpuName === gpuName && r.instanceType === "");
		if (!accelOnly) return { value: 0, how: "" };
		const own = vmPartOf(provider, gpuName);
		if (own !== null) return own;
		const proxy = vmPartOf(provider, "A100");
		return proxy === null
			? null
			: { value: proxy.value, how: `${proxy.how}; no full ${gpuName} instance listed, A100 host VM used` };
	};
	return { a100Ratio, vmPart };
}

/** Cheapest per-GPU price of a GPU in one region (A100: the 80 GB SKU, else the 40 GB one × the 80/40 ratio). */
function regionGpuPrice(
	rows: readonly PriceRow[],
	gpuName: CloudGpuName,
	a100Ratio: { value: number; regions: number } | null,
): { value: number; how: string } | null {
	if (gpuName !== "A100") {
		const own = cheapest(rows);
		return own === null ? null : { value: own, how: "cheapest instance" };
	}
	const big = cheapest(rows.filter(is80Gb));
	if (big !== null) return { value: big, how: "cheapest 80 GB instance" };
	const small = cheapest(rows);
	if (small === null || a100Ratio === null) return null;
	return {
		value: small * a100Ratio.value,
		how: `cheapest 40 GB instance × ${fmt(a100Ratio.value, 4)} (median 80/40 GB ratio of ${a100Ratio.regions} regions listing both)`,
	};
}

/**
 * List price cells of a region (on-demand or spot): the cheapest instance per GPU-hour in the region, else the
 * provider's median over its regions. An accelerator-only price gets its host VM: on demand the VM's price is added;
 * spot, the spot price is scaled by the region's on-demand (accelerator + VM) / accelerator ratio.
 */
function gpuPrices(
	skypilot: readonly PriceRow[],
	getdeploying: readonly PriceRow[],
	pricingType: PricingType,
): (spec: CloudRegionSpec) => { cells: string[]; notes: string[] } {
	const factors = priceFactors(skypilot, getdeploying);
	const basePrice = (type: PricingType, spec: CloudRegionSpec, gpuName: CloudGpuName) => {
		const rows = skypilot.filter(
			(r) => r.pricingType === type && r.provider === spec.provider && r.gpuName === gpuName,
		);
		const inRegion = (region: string) =>
			regionGpuPrice(
				rows.filter((r) => r.region === region),
				gpuName,
				factors.a100Ratio(spec.provider),
			);
		const own = inRegion(spec.region_code);
		if (own !== null) return { value: own.value, how: `${gpuName} region ${own.how}` };
		const perRegion = [...new Set(rows.map((r) => r.region))].flatMap((reg) => inRegion(reg)?.value ?? []);
		if (perRegion.length === 0) return null;
		const how = `${gpuName} no row for region, ${spec.provider} median of ${perRegion.length} regions' cheapest`;
		return { value: median(perRegion), how };
	};
	return (spec) => {
		const notes: string[] = [];
		const cells = CLOUD_GPUS.map((g) => {
			const base = basePrice(pricingType, spec, g.gpuName);
			const vm = factors.vmPart(spec.provider, g.gpuName);
			if (base === null || vm === null) {
				notes.push(`${g.gpuName} not offered${base !== null ? " with a known host-VM price" : ""}`);
				return "";
			}
			if (vm.how === "") {
				notes.push(base.how);
				return fmt(base.value, 4);
			}
			const onDemand = pricingType === "on_demand" ? base : basePrice("on_demand", spec, g.gpuName);
			if (onDemand === null) {
				notes.push(`${g.gpuName} not offered on demand, no host-VM price for spot`);
				return "";
			}
			const scale = (onDemand.value + vm.value) / onDemand.value;
			notes.push(
				pricingType === "on_demand"
					? `${base.how} ${vm.how}`
					: `${base.how} × ${fmt(scale, 4)} (on-demand accelerator + host VM ÷ accelerator, VM as in the on-demand note)`,
			);
			return fmt(base.value * scale, 4);
		});
		return { cells, notes };
	};
}

const AWS_P4_NOTE =
	"A100 (P4d/P4de) on-demand as the catalog lists it: AWS's 2025-06-05 cut named P4 instances besides P5, but no citable P4 percentage was found, so no correction is applied (the A100 price may be pre-cut)";

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
	// The full-instance GCP prices (VM included) are in the getdeploying catalog.
	const { getdeploying } = loadPriceRows(dataDir, curatedDir);
	const pricesOf = gpuPrices(context.skypilot, getdeploying, "on_demand");
	const spotPricesOf = gpuPrices(context.skypilot, getdeploying, "spot");
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
			...(spec.provider === "aws" ? [AWS_P4_NOTE] : []),
			`spot prices (same catalog): ${spot.notes.join(", ")}`,
			`1-year commitment discount ${commit.source}`,
			`egress ${egress.source}`,
			`interregion ${inter.how} (${DATASETS.transfer.label})`,
			`availability ${availability.source}`,
		];
		const dates = [DATASETS.cities.date, DATASETS.skypilot.date, egress.date, DATASETS.transfer.date, commit.date];
		if (h100Cut.value !== 1) dates.push(h100Cut.date);
		if ([...gpu.notes, ...spot.notes].some((n) => n.includes(DATASETS.getdeploying.label)))
			dates.push(DATASETS.getdeploying.date);
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
