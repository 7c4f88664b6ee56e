/**
 * GPU price catalogs (getdeploying, skypilot): rows normalised to one provider name each, per-GPU prices corrected
 * where the catalog's GPU count is wrong (curated/gpu-count-corrections.csv, curated/provider-aliases.csv).
 */
import { median } from "../../../sim/stats.js";
import { DATASETS, field, readDataset } from "./common.js";
import { failAt, readCurated } from "./curated.js";

export interface PriceRow {
	readonly provider: string;
	readonly gpuName: string;
	readonly pricingType: string;
	readonly region: string;
	/** Instance type; empty for a price of the accelerator alone (skypilot's GCP rows, no host VM). */
	readonly instanceType: string;
	/** Memory per GPU in GB where the catalog says it, else null. */
	readonly gpuMemoryGb: number | null;
	readonly pricePerGpuHourUsd: number;
}

/** Memory per GPU from the catalogs' mixed formats: `80.0`, `A100-80GB`, or AWS/GCP `{'SizeInMiB': 81920}` blobs. */
function gpuMemoryGbOf(raw: string): number | null {
	const mib = /'SizeInMiB': (\d+)/.exec(raw);
	if (mib !== null) return Number(mib[1]) / 1024;
	const gb = /(\d+)GB/.exec(raw);
	if (gb !== null) return Number(gb[1]);
	const n = Number(raw);
	return raw !== "" && Number.isFinite(n) && n > 0 ? n : null;
}

export interface PriceCatalogs {
	readonly getdeploying: readonly PriceRow[];
	readonly skypilot: readonly PriceRow[];
}

export const ALIAS_SCHEMA = { catalog_name: "text", provider: "text" } as const;
export const CORRECTION_SCHEMA = { instance_type: "text", gpu_count: "number" } as const;

function loadAliases(curatedDir: string): ReadonlyMap<string, string> {
	const aliases = new Map<string, string>();
	for (const row of readCurated(curatedDir, "provider-aliases.csv", ALIAS_SCHEMA)) {
		if (aliases.has(row.catalog_name)) failAt(row, "catalog_name", `${row.catalog_name} is listed twice`);
		aliases.set(row.catalog_name, row.provider);
	}
	return aliases;
}

function loadGpuCountCorrections(curatedDir: string): ReadonlyMap<string, number> {
	const corrections = new Map<string, number>();
	for (const row of readCurated(curatedDir, "gpu-count-corrections.csv", CORRECTION_SCHEMA)) {
		if (!(Number.isInteger(row.gpu_count) && row.gpu_count > 0))
			failAt(row, "gpu_count", "expected a positive integer");
		corrections.set(row.instance_type, row.gpu_count);
	}
	return corrections;
}

export function loadPriceRows(dataDir: string, curatedDir: string): PriceCatalogs {
	const aliases = loadAliases(curatedDir);
	const corrections = loadGpuCountCorrections(curatedDir);
	const normaliseProvider = (p: string) => {
		const base = p.replace(/_sponsored$/, "");
		return aliases.get(base) ?? base;
	};
	const getdeploying = readDataset(dataDir, DATASETS.getdeploying.path)
		// "cheapest_*" rows are index summaries that repeat a listing.
		.filter((r) => !field(r, "instance_type").startsWith("cheapest_"))
		.map((r) => ({
			provider: normaliseProvider(field(r, "provider")),
			gpuName: field(r, "gpu_name"),
			pricingType: field(r, "pricing_type"),
			region: field(r, "region"),
			instanceType: field(r, "instance_type"),
			gpuMemoryGb: gpuMemoryGbOf(field(r, "gpu_memory_gb")),
			pricePerGpuHourUsd: Number(field(r, "price_per_gpu_hour")),
		}));
	const skypilot = readDataset(dataDir, DATASETS.skypilot.path).map((r) => {
		const gpuCount = corrections.get(field(r, "instance_type"));
		return {
			provider: normaliseProvider(field(r, "provider")),
			gpuName: field(r, "gpu_name"),
			pricingType: field(r, "pricing_type"),
			region: field(r, "region"),
			instanceType: field(r, "instance_type"),
			gpuMemoryGb: gpuMemoryGbOf(field(r, "gpu_memory_gb")),
			pricePerGpuHourUsd:
				gpuCount === undefined ? Number(field(r, "price_per_gpu_hour")) : Number(field(r, "price_per_hour")) / gpuCount,
		};
	});
	const valid = (r: PriceRow) => Number.isFinite(r.pricePerGpuHourUsd) && r.pricePerGpuHourUsd > 0;
	return { getdeploying: getdeploying.filter(valid), skypilot: skypilot.filter(valid) };
}

/** Median over providers of each provider's median price (both catalogs pooled); null when no provider lists it. */
export function marketMedian(
	rows: readonly PriceRow[],
	gpuNames: readonly string[],
	pricingType: "spot" | "on_demand",
): { valueUsd: number; providers: number } | null {
	const byProvider = new Map<string, number[]>();
	for (const r of rows) {
		if (r.pricingType !== pricingType || !gpuNames.includes(r.gpuName)) continue;
		const list = byProvider.get(r.provider) ?? [];
		list.push(r.pricePerGpuHourUsd);
		byProvider.set(r.provider, list);
	}
	if (byProvider.size === 0) return null;
	return { valueUsd: median([...byProvider.values()].map(median)), providers: byProvider.size };
}
