/**
 * gpus.csv: hardware classes (curated/gpus.csv) with Epoch AI's peaks, vendor figures where Epoch lacks one, capex,
 * rental prices and the Akash price (curated/gpu-figures.csv, the price catalogs, the Akash snapshot).
 */
import { type CsvRecord, DATASETS, field, fmt, maxDate, readDataset, toCsv } from "./common.js";
import { type CuratedRow, failAt, readCurated } from "./curated.js";
import { marketMedian, type PriceCatalogs, type PriceRow } from "./prices.js";

/** The spec columns of gpus.csv, in output order. */
const SPEC_FIELDS = [
	"fp32_tflops",
	"fp16_tensor_tflops",
	"fp8_tensor_tflops",
	"int8_tops",
	"memory_gb",
	"memory_bandwidth_gbps",
	"tdp_watts",
] as const;
type SpecField = (typeof SPEC_FIELDS)[number];

const EPOCH_COLUMNS: Readonly<Record<SpecField, { column: string; scale: number }>> = {
	fp32_tflops: { column: "FP32 (single precision) performance (FLOP/s)", scale: 1e-12 },
	fp16_tensor_tflops: { column: "Tensor-FP16/BF16 performance (FLOP/s)", scale: 1e-12 },
	fp8_tensor_tflops: { column: "FP8 performance (FLOP/s)", scale: 1e-12 },
	int8_tops: { column: "INT8 performance (OP/s)", scale: 1e-12 },
	memory_gb: { column: "Memory size per board (Byte)", scale: 1e-9 },
	memory_bandwidth_gbps: { column: "Memory bandwidth (byte/s)", scale: 1e-9 },
	tdp_watts: { column: "TDP (W)", scale: 1 },
};

/** Decimals printed per spec column (trailing zeros trimmed). */
const SPEC_DECIMALS: Readonly<Record<SpecField, number>> = {
	fp32_tflops: 2,
	fp16_tensor_tflops: 2,
	fp8_tensor_tflops: 2,
	int8_tops: 2,
	memory_gb: 1,
	memory_bandwidth_gbps: 1,
	tdp_watts: 0,
};

export const CLASS_SCHEMA = {
	id: "text",
	name: "text",
	tier: ["consumer", "datacenter", "edge"],
	epoch_name: "optional-text",
	rental: ["fixed", "market-median", "none"],
	catalog_gpu_names: "optional-text",
	akash_model: "optional-text",
} as const;

const FIGURES = [
	...SPEC_FIELDS,
	"capex_usd",
	"capex_epoch_release_price",
	"rental_spot_usd_per_gpu_hour",
	"rental_on_demand_usd_per_gpu_hour",
	"nvlink",
] as const;
type FigureName = (typeof FIGURES)[number];
export const FIGURE_SCHEMA = { gpu_id: "text", figure: FIGURES, value: "optional-text" } as const;
type FigureRow = CuratedRow<typeof FIGURE_SCHEMA>;
type GpuClass = CuratedRow<typeof CLASS_SCHEMA>;

const GPU_HEADER = [
	"id",
	"name",
	"tier",
	...SPEC_FIELDS,
	"capex_usd",
	"rental_spot_usd_per_gpu_hour",
	"rental_on_demand_usd_per_gpu_hour",
	"akash_usd_per_gpu_hour",
	"nvlink",
	"source",
	"date",
] as const;

/** One GPU's curated figures by name; a figure absent from the file is undefined. */
type Figures = ReadonlyMap<FigureName, FigureRow>;

/** A curated figure's value as a number (empty = null, "not supported"). */
function numberOf(row: FigureRow): number | null {
	if (row.value === null) return null;
	const x = Number(row.value);
	if (!Number.isFinite(x) || !/^[-+]?(\d+\.?\d*|\.\d+)$/.test(row.value)) failAt(row, "value", "expected a number");
	return x;
}

function requiredNumber(row: FigureRow): number {
	const x = numberOf(row);
	if (x === null) failAt(row, "value", `${row.figure} needs a number`);
	return x;
}

function loadGpuCurated(curatedDir: string): { classes: GpuClass[]; figures: ReadonlyMap<string, Figures> } {
	const classes = readCurated(curatedDir, "gpus.csv", CLASS_SCHEMA);
	const figures = new Map<string, Map<FigureName, FigureRow>>(classes.map((c) => [c.id, new Map()]));
	for (const row of readCurated(curatedDir, "gpu-figures.csv", FIGURE_SCHEMA)) {
		const own = figures.get(row.gpu_id);
		if (own === undefined) failAt(row, "gpu_id", `no GPU ${row.gpu_id} in gpus.csv`);
		if (own.has(row.figure)) failAt(row, "figure", `${row.gpu_id} ${row.figure} is listed twice`);
		if (row.figure === "nvlink" && row.value !== "true" && row.value !== "false") {
			failAt(row, "value", "expected true or false");
		}
		own.set(row.figure, row);
	}
	return { classes, figures };
}

interface Cell {
	readonly sources: string[];
	readonly dates: string[];
}

/** Epoch's figure for each spec column, else the curated vendor figure (noted "[Epoch lacks it]"). */
function specValues(gpu: GpuClass, epoch: CsvRecord | null, figures: Figures, out: Cell): (number | null)[] {
	return SPEC_FIELDS.map((f) => {
		const raw = epoch === null ? "" : field(epoch, EPOCH_COLUMNS[f].column);
		const epochValue = raw === "" ? Number.NaN : Number(raw) * EPOCH_COLUMNS[f].scale;
		if (Number.isFinite(epochValue) && epochValue > 0) return epochValue;
		const v = figures.get(f);
		if (v === undefined) throw new Error(`${gpu.id}: no figure for ${f} (Epoch lacks it, none in gpu-figures.csv)`);
		out.dates.push(v.date);
		out.sources.push(`${v.source}${epoch === null ? "" : " [Epoch lacks it]"}`);
		return numberOf(v);
	});
}

/** A declared capex, or Epoch's release price of the named row. */
function capexUsd(gpu: GpuClass, figures: Figures, epochRow: (name: string) => CsvRecord, out: Cell): number {
	const declared = figures.get("capex_usd");
	const proxy = figures.get("capex_epoch_release_price");
	if ((declared === undefined) === (proxy === undefined)) {
		throw new Error(`${gpu.id}: gpu-figures.csv needs exactly one of capex_usd, capex_epoch_release_price`);
	}
	if (declared !== undefined) {
		out.sources.push(declared.source);
		out.dates.push(declared.date);
		return requiredNumber(declared);
	}
	const p = proxy as FigureRow;
	const priceRow = epochRow(p.value ?? failAt(p, "value", "name the Epoch row"));
	const usd = Number(field(priceRow, "Release price (USD)"));
	if (!(usd > 0)) failAt(p, "value", `Epoch has no release price for ${p.value}`);
	out.sources.push(`${p.source} (Epoch)`);
	out.dates.push(field(priceRow, "Last modified").slice(0, 10));
	return usd;
}

function rental(gpu: GpuClass, figures: Figures, prices: readonly PriceRow[], out: Cell): (number | null)[] {
	if (gpu.rental === "fixed") {
		const spot = figures.get("rental_spot_usd_per_gpu_hour");
		const onDemand = figures.get("rental_on_demand_usd_per_gpu_hour");
		if (spot === undefined || onDemand === undefined)
			throw new Error(`${gpu.id}: fixed rental needs spot and on-demand`);
		out.sources.push(`rental ${spot.source}`, `rental ${onDemand.source}`);
		out.dates.push(spot.date, onDemand.date);
		return [requiredNumber(spot), requiredNumber(onDemand)];
	}
	if (gpu.rental === "none") {
		out.sources.push("rental: no rental market in the price snapshots");
		return [null, null];
	}
	const names = (gpu.catalog_gpu_names ?? failAt(gpu, "catalog_gpu_names", "market-median needs names")).split("|");
	const s = marketMedian(prices, names, "spot");
	const o = marketMedian(prices, names, "on_demand");
	out.sources.push(
		`rental median across providers (${DATASETS.getdeploying.label} + ${DATASETS.skypilot.label}): ` +
			`on-demand ${o === null ? "none" : `${o.providers} providers`}, ` +
			`spot ${s === null ? "none listed" : `${s.providers} providers`}`,
	);
	out.dates.push(DATASETS.getdeploying.date, DATASETS.skypilot.date);
	return [s?.valueUsd ?? null, o?.valueUsd ?? null];
}

function akashWeightedPrices(dataDir: string): ReadonlyMap<string, number> {
	return new Map(
		readDataset(dataDir, DATASETS.akash.path)
			.filter((r) => field(r, "instance_type").endsWith("_weightedAverage"))
			.map((r) => [field(r, "instance_type").replace(/_weightedAverage$/, ""), Number(field(r, "price_per_gpu_hour"))]),
	);
}

export function buildGpus(dataDir: string, curatedDir: string, prices: PriceCatalogs): string {
	const { classes, figures } = loadGpuCurated(curatedDir);
	const epochByName = new Map(readDataset(dataDir, DATASETS.epoch.path).map((r) => [field(r, "Hardware name"), r]));
	const epochRow = (name: string): CsvRecord => {
		const r = epochByName.get(name);
		if (r === undefined) throw new Error(`Epoch has no row '${name}'`);
		return r;
	};
	const akash = akashWeightedPrices(dataDir);
	const allPrices = [...prices.getdeploying, ...prices.skypilot];
	const rows = classes.map((gpu) => {
		const own = figures.get(gpu.id) as Figures;
		const out: Cell = { sources: [], dates: [] };
		const epoch = gpu.epoch_name === null ? null : epochRow(gpu.epoch_name);
		if (epoch !== null) {
			out.sources.push(`${DATASETS.epoch.label} row '${gpu.epoch_name}'`);
			out.dates.push(field(epoch, "Last modified").slice(0, 10));
		} else out.sources.push("specs from vendor documents (Epoch AI's table has no row for this device)");
		const specs = specValues(gpu, epoch, own, out);
		const capex = capexUsd(gpu, own, epochRow, out);
		const [spot, onDemand] = rental(gpu, own, allPrices, out);
		let akashUsd: number | null = null;
		if (gpu.akash_model !== null) {
			akashUsd = akash.get(gpu.akash_model) ?? failAt(gpu, "akash_model", `${gpu.akash_model} not in the snapshot`);
			out.sources.push(`Akash ${gpu.akash_model} weightedAverage, ${DATASETS.akash.label} ${DATASETS.akash.date}`);
			out.dates.push(DATASETS.akash.date);
		}
		const nvlink = own.get("nvlink") ?? failAt(gpu, "id", `${gpu.id} has no nvlink figure`);
		out.sources.push(nvlink.source);
		return [
			gpu.id,
			gpu.name,
			gpu.tier,
			...specs.map((v, i) => fmt(v, SPEC_DECIMALS[SPEC_FIELDS[i] as SpecField])),
			fmt(capex, 0),
			fmt(spot ?? null, 4),
			fmt(onDemand ?? null, 4),
			fmt(akashUsd, 4),
			nvlink.value as string,
			out.sources.join("; "),
			maxDate(out.dates),
		];
	});
	return toCsv(GPU_HEADER, rows);
}
