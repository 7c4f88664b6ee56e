/**
 * The reference catalogue: GPUs, metros and cloud regions read from the committed CSV tables
 * (scenarios/data/, described column by column in its README) into typed, frozen records,
 * with lookups by id and by position.
 *
 *   read files → parseCsv → typed rows (CsvColumns: errors name file, line, column)
 *   → check ids unique and cross-references (region → metro) → freeze → index maps
 *
 * An empty cell in the tables means "not applicable / not available"; it is read as NaN in
 * the fields documented below, never as zero.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CsvColumns, parseCsv } from "./csv.js";

export type GpuTier = "consumer" | "datacenter" | "edge";
export const GPU_TIERS: readonly GpuTier[] = ["consumer", "datacenter", "edge"];

/** One hardware class (a row of gpus.csv). Peaks are dense (no sparsity). */
export interface GpuSpec {
	readonly id: string;
	readonly name: string;
	readonly tier: GpuTier;
	/** Peak FP32 (non-tensor), TFLOP/s. */
	readonly fp32Tflops: number;
	/** Peak dense FP16/BF16 tensor, TFLOP/s (GeForce: the FP16-accumulate rate). */
	readonly fp16TensorTflops: number;
	/** Peak dense FP8 tensor, TFLOP/s; NaN where the hardware has no FP8. */
	readonly fp8TensorTflops: number;
	/** Peak dense INT8 tensor, TOP/s. */
	readonly int8Tops: number;
	/** Memory per board, GB (10⁹ bytes). */
	readonly memoryGb: number;
	/** Memory bandwidth, GB/s. */
	readonly memoryBandwidthGbps: number;
	/** Board power, W. */
	readonly tdpWatts: number;
	/** Purchase price per GPU, USD. */
	readonly capexUsd: number;
	/** Spot rental, USD per GPU-hour; NaN where there is no spot market. */
	readonly rentalSpotUsdPerGpuHour: number;
	/** On-demand rental, USD per GPU-hour; NaN where there is no rental market. */
	readonly rentalOnDemandUsdPerGpuHour: number;
	/** Akash weighted-average price, USD per GPU-hour; NaN if not in the snapshot. */
	readonly akashUsdPerGpuHour: number;
	/** Has an NVLink GPU-to-GPU link. */
	readonly nvlink: boolean;
	readonly source: string;
	readonly date: string;
}

/** A metro: a demand point and a place where providers run nodes (a row of metros.csv). */
export interface Metro {
	readonly id: string;
	readonly name: string;
	readonly countryIso2: string;
	/** Continent code: na, sa, eu, af, me, as, oc. */
	readonly region: string;
	/** Regulatory bloc (us, eu, uk, cn, …, other-xx). */
	readonly jurisdiction: string;
	/** Latitude, decimal degrees. */
	readonly lat: number;
	/** Longitude, decimal degrees. */
	readonly lon: number;
	/** People. */
	readonly population: number;
	/** Population ÷ the table's total (the demand weight). */
	readonly populationWeight: number;
	/** Industrial-level electricity price, USD/kWh. */
	readonly electricityUsdPerKwh: number;
	/** One-way access latency, ms. */
	readonly lastMileMs: number;
	readonly source: string;
	readonly date: string;
}

/** A hyperscaler region of the centralized baseline (a row of cloud-regions.csv). */
export interface CloudRegion {
	readonly id: string;
	/** aws, gcp or azure. */
	readonly provider: string;
	readonly regionCode: string;
	readonly city: string;
	readonly region: string;
	readonly jurisdiction: string;
	readonly lat: number;
	readonly lon: number;
	/** The metros.csv row of the region's city. */
	readonly metroId: string;
	/**
	 * List price per GPU-hour, USD, of each GPU class the cloud rents (CLOUD_GPU_IDS), on demand and
	 * spot; NaN where the provider has no such instance or the table has no such column.
	 */
	readonly onDemandUsdPerGpuHour: Readonly<Record<CloudGpuId, number>>;
	readonly spotUsdPerGpuHour: Readonly<Record<CloudGpuId, number>>;
	/** Discount off on-demand for a 1-year commitment (fraction); NaN where the table has none. */
	readonly commit1yDiscount: number;
	/** Internet egress, first paid tier, USD/GB. */
	readonly egressUsdPerGb: number;
	/** Transfer to the provider's other regions, USD/GB. */
	readonly interregionUsdPerGb: number;
	/** List SLA level (fraction). */
	readonly availability: number;
	readonly source: string;
	readonly date: string;
}

export interface CatalogPaths {
	readonly gpus: string;
	readonly metros: string;
	readonly cloudRegions: string;
}

export interface Catalog {
	readonly gpus: readonly GpuSpec[];
	readonly metros: readonly Metro[];
	readonly cloudRegions: readonly CloudRegion[];
	readonly gpuById: ReadonlyMap<string, GpuSpec>;
	readonly metroById: ReadonlyMap<string, Metro>;
	readonly cloudRegionById: ReadonlyMap<string, CloudRegion>;
	/** Position of each record in its array (for typed arrays indexed by metro / region / GPU). */
	readonly gpuIndexById: ReadonlyMap<string, number>;
	readonly metroIndexById: ReadonlyMap<string, number>;
	readonly cloudRegionIndexById: ReadonlyMap<string, number>;
}

/** The default table paths under a `scenarios/` folder (the scenario's `reference` block). */
export function referencePaths(
	scenariosDir: string,
	reference: { gpus?: string; metros?: string; cloudRegions?: string } = {},
): CatalogPaths {
	return {
		gpus: join(scenariosDir, reference.gpus ?? "data/gpus.csv"),
		metros: join(scenariosDir, reference.metros ?? "data/metros.csv"),
		cloudRegions: join(scenariosDir, reference.cloudRegions ?? "data/cloud-regions.csv"),
	};
}

/** Reads the three tables from disk. */
export function loadCatalog(paths: CatalogPaths): Catalog {
	return parseCatalog({
		gpus: { file: paths.gpus, text: readFileSync(paths.gpus, "utf8") },
		metros: { file: paths.metros, text: readFileSync(paths.metros, "utf8") },
		cloudRegions: { file: paths.cloudRegions, text: readFileSync(paths.cloudRegions, "utf8") },
	});
}

interface CsvSource {
	readonly file: string;
	readonly text: string;
}

/** Builds the catalogue from CSV texts (the file names are used in error messages). */
export function parseCatalog(sources: { gpus: CsvSource; metros: CsvSource; cloudRegions: CsvSource }): Catalog {
	const gpus = readGpus(new CsvColumns(parseCsv(sources.gpus.text, sources.gpus.file)));
	const metros = readMetros(new CsvColumns(parseCsv(sources.metros.text, sources.metros.file)));
	const regionColumns = new CsvColumns(parseCsv(sources.cloudRegions.text, sources.cloudRegions.file));
	const cloudRegions = readCloudRegions(regionColumns);
	const gpuIndexById = indexById(gpus, sources.gpus.file);
	const metroIndexById = indexById(metros, sources.metros.file);
	const cloudRegionIndexById = indexById(cloudRegions, sources.cloudRegions.file);
	cloudRegions.forEach((region, row) => {
		if (!metroIndexById.has(region.metroId)) {
			regionColumns.fail(row, "metro_id", `metro ${JSON.stringify(region.metroId)} is not in ${sources.metros.file}`);
		}
	});
	const byId = <T extends { id: string }>(records: readonly T[]) => new Map(records.map((r) => [r.id, r]));
	return Object.freeze({
		gpus: Object.freeze(gpus),
		metros: Object.freeze(metros),
		cloudRegions: Object.freeze(cloudRegions),
		gpuById: byId(gpus),
		metroById: byId(metros),
		cloudRegionById: byId(cloudRegions),
		gpuIndexById,
		metroIndexById,
		cloudRegionIndexById,
	});
}

/** Looks a record up by id; throws naming the table when it is missing. */
export function requireById<T>(map: ReadonlyMap<string, T>, id: string, what: string): T {
	const record = map.get(id);
	if (record === undefined) throw new Error(`unknown ${what} ${JSON.stringify(id)}`);
	return record;
}

/**
 * How the cloud twin pays for GPUs: list on-demand, a 1-year commitment, spot, or the market's
 * on-demand rent (the GPU class's figure on GPU clouds and marketplaces in gpus.csv, capped at the
 * region's list, in the regions whose provider lists that class).
 */
export type CloudPricing = "on-demand" | "commit-1y" | "spot" | "market";

/**
 * The GPU classes the cloud rents, each with the prefix of its price columns in cloud-regions.csv
 * (`<prefix>_usd_per_gpu_hour`, `<prefix>_spot_usd_per_gpu_hour`). The first three on-demand
 * columns every table has; the others may be absent from older tables.
 */
const CLOUD_GPU_COLUMNS = {
	"h100-sxm": "h100",
	"a100-80gb": "a100",
	l40s: "l40s",
	l4: "l4",
	t4: "t4",
} as const;
const ALWAYS_PRICED: readonly CloudGpuId[] = ["h100-sxm", "a100-80gb", "l40s"];

export type CloudGpuId = keyof typeof CLOUD_GPU_COLUMNS;
export const CLOUD_GPU_IDS = Object.keys(CLOUD_GPU_COLUMNS) as readonly CloudGpuId[];

/**
 * A cloud region's price for a GPU class, USD per GPU-hour: defined for the CLOUD_GPU_IDS; NaN for
 * any other GPU and where the region has no such instance. commit-1y is on-demand × (1 − the
 * provider's 1-year discount); market is `marketUsdPerGpuHour` (the class's on-demand rental
 * figure, gpus.csv), capped at the region's list, wherever the region lists the class on demand.
 */
export function cloudPriceUsdPerGpuHour(
	region: CloudRegion,
	gpuId: string,
	pricing: CloudPricing = "on-demand",
	marketUsdPerGpuHour = Number.NaN,
): number {
	const prices: Readonly<Record<string, number>> =
		pricing === "spot" ? region.spotUsdPerGpuHour : region.onDemandUsdPerGpuHour;
	const price = prices[gpuId];
	if (price === undefined || Number.isNaN(price)) return Number.NaN;
	// A tenant never pays the market more than the region's own list (the T4's market median is over larger instance sizes).
	if (pricing === "market") return Number.isNaN(marketUsdPerGpuHour) ? price : Math.min(marketUsdPerGpuHour, price);
	return pricing === "commit-1y" ? price * (1 - region.commit1yDiscount) : price;
}

function indexById(records: readonly { id: string }[], file: string): Map<string, number> {
	const index = new Map<string, number>();
	records.forEach((record, i) => {
		if (index.has(record.id)) throw new Error(`${file}: id ${JSON.stringify(record.id)} appears twice`);
		index.set(record.id, i);
	});
	return index;
}

function nonNegative(columns: CsvColumns, row: number, column: string): number {
	const x = columns.number(row, column);
	if (x < 0) columns.fail(row, column, `must be ≥ 0, got ${x}`);
	return x;
}

function positive(columns: CsvColumns, row: number, column: string): number {
	const x = columns.number(row, column);
	if (!(x > 0)) columns.fail(row, column, `must be > 0, got ${x}`);
	return x;
}

function optionalNonNegative(columns: CsvColumns, row: number, column: string): number {
	const x = columns.optionalNumber(row, column);
	if (x < 0) columns.fail(row, column, `must be ≥ 0, got ${x}`);
	return x;
}

/** Each cloud GPU's price column `<prefix>_<suffix>` of a row (an on-demand column of ALWAYS_PRICED must exist). */
function gpuPrices(columns: CsvColumns, row: number, suffix: string): Record<CloudGpuId, number> {
	const prices = {} as Record<CloudGpuId, number>;
	for (const id of CLOUD_GPU_IDS) {
		const column = `${CLOUD_GPU_COLUMNS[id]}_${suffix}`;
		const required = suffix === "usd_per_gpu_hour" && ALWAYS_PRICED.includes(id);
		prices[id] = required ? optionalNonNegative(columns, row, column) : optionalColumn(columns, row, column);
	}
	return Object.freeze(prices);
}

/** Like optionalNonNegative, and NaN when the table has no such column (older tables). */
function optionalColumn(columns: CsvColumns, row: number, column: string): number {
	return columns.table.header.includes(column) ? optionalNonNegative(columns, row, column) : Number.NaN;
}

function latitude(columns: CsvColumns, row: number, column: string): number {
	const x = columns.number(row, column);
	if (!(x >= -90 && x <= 90)) columns.fail(row, column, `latitude must be in [-90, 90], got ${x}`);
	return x;
}

function longitude(columns: CsvColumns, row: number, column: string): number {
	const x = columns.number(row, column);
	if (!(x >= -180 && x <= 180)) columns.fail(row, column, `longitude must be in [-180, 180], got ${x}`);
	return x;
}

function readGpus(c: CsvColumns): GpuSpec[] {
	const records: GpuSpec[] = [];
	for (let r = 0; r < c.rowCount; r++) {
		records.push(
			Object.freeze({
				id: c.requiredString(r, "id"),
				name: c.requiredString(r, "name"),
				tier: c.oneOf(r, "tier", GPU_TIERS),
				fp32Tflops: positive(c, r, "fp32_tflops"),
				fp16TensorTflops: positive(c, r, "fp16_tensor_tflops"),
				fp8TensorTflops: optionalNonNegative(c, r, "fp8_tensor_tflops"),
				int8Tops: positive(c, r, "int8_tops"),
				memoryGb: positive(c, r, "memory_gb"),
				memoryBandwidthGbps: positive(c, r, "memory_bandwidth_gbps"),
				tdpWatts: positive(c, r, "tdp_watts"),
				capexUsd: nonNegative(c, r, "capex_usd"),
				rentalSpotUsdPerGpuHour: optionalNonNegative(c, r, "rental_spot_usd_per_gpu_hour"),
				rentalOnDemandUsdPerGpuHour: optionalNonNegative(c, r, "rental_on_demand_usd_per_gpu_hour"),
				akashUsdPerGpuHour: optionalNonNegative(c, r, "akash_usd_per_gpu_hour"),
				nvlink: c.boolean(r, "nvlink"),
				source: c.string(r, "source"),
				date: c.string(r, "date"),
			}),
		);
	}
	return records;
}

function readMetros(c: CsvColumns): Metro[] {
	const records: Metro[] = [];
	for (let r = 0; r < c.rowCount; r++) {
		records.push(
			Object.freeze({
				id: c.requiredString(r, "id"),
				name: c.requiredString(r, "name"),
				countryIso2: c.requiredString(r, "country_iso2"),
				region: c.requiredString(r, "region"),
				jurisdiction: c.requiredString(r, "jurisdiction"),
				lat: latitude(c, r, "lat"),
				lon: longitude(c, r, "lon"),
				population: nonNegative(c, r, "population"),
				populationWeight: nonNegative(c, r, "population_weight"),
				electricityUsdPerKwh: nonNegative(c, r, "electricity_usd_per_kwh"),
				lastMileMs: nonNegative(c, r, "last_mile_ms"),
				source: c.string(r, "source"),
				date: c.string(r, "date"),
			}),
		);
	}
	return records;
}

function readCloudRegions(c: CsvColumns): CloudRegion[] {
	const records: CloudRegion[] = [];
	for (let r = 0; r < c.rowCount; r++) {
		const availability = c.number(r, "availability");
		if (!(availability >= 0 && availability <= 1)) c.fail(r, "availability", `must be in [0, 1], got ${availability}`);
		records.push(
			Object.freeze({
				id: c.requiredString(r, "id"),
				provider: c.requiredString(r, "provider"),
				regionCode: c.requiredString(r, "region_code"),
				city: c.requiredString(r, "city"),
				region: c.requiredString(r, "region"),
				jurisdiction: c.requiredString(r, "jurisdiction"),
				lat: latitude(c, r, "lat"),
				lon: longitude(c, r, "lon"),
				metroId: c.requiredString(r, "metro_id"),
				onDemandUsdPerGpuHour: gpuPrices(c, r, "usd_per_gpu_hour"),
				spotUsdPerGpuHour: gpuPrices(c, r, "spot_usd_per_gpu_hour"),
				commit1yDiscount: optionalColumn(c, r, "commit_1y_discount"),
				egressUsdPerGb: nonNegative(c, r, "egress_usd_per_gb"),
				interregionUsdPerGb: nonNegative(c, r, "interregion_usd_per_gb"),
				availability,
				source: c.string(r, "source"),
				date: c.string(r, "date"),
			}),
		);
	}
	return records;
}
