/**
 * Builds the project's reference tables (gpus.csv, metros.csv, cloud-regions.csv, token-prices.csv) from the shared
 * public datasets.
 *
 *   read shared CSVs → parse (RFC 4180) → derive (peaks, medians, fallbacks) → format (fixed decimals) → write
 *
 * Usage: npx tsx scenarios/data/build-reference-tables.ts [SHARED_DATA_DIR] [OUT_DIR]
 * Defaults: SHARED_DATA_DIR = <repo>/../shared/data, OUT_DIR = this script's folder.
 * Same input → byte-identical output: rows in declared or sorted order, numbers via toFixed, no locale, "\n" endings.
 * Every figure that is not in the datasets is declared below as a typed constant with its source text and date.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------------------------------------------------------
// Types

/** A curated figure: value, where it comes from, and the date it describes (YYYY-MM-DD; month/year precision = 1st). */
interface Figure<T> {
	readonly value: T;
	readonly source: string;
	readonly date: string;
}

type CsvRecord = Readonly<Record<string, string>>;

type RegionCode = "na" | "sa" | "eu" | "af" | "me" | "as" | "oc";

type Provider = "aws" | "gcp" | "azure";

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

// ---------------------------------------------------------------------------------------------------------------
// Upstream datasets (paths under SHARED_DATA_DIR) and their attribution, from each folder's SOURCES.md.

const DATASETS = {
	epoch: {
		path: "gpu-specs-epoch/ml_hardware.csv",
		label: "Epoch AI ML hardware (CC-BY 4.0) via talmolab/lablink-paper-figures@a2616dd",
	},
	cities: {
		path: "world-cities/worldcities_simplemaps_basic.csv",
		label: "simplemaps World Cities Basic (CC-BY 4.0) via AJ-FC/ReferenceData@dc1444a",
		// simplemaps basic v1.x vintage, early 2020 (SOURCES.md)
		date: "2020-03-01",
	},
	electricity: {
		path: "electricity-prices/daily_mean_2020_2024_all_regions.csv",
		label: "HewlettPackard/green-dcc@3f6ea95 (MIT) wholesale prices",
	},
	transfer: {
		path: "electricity-prices/cloud_interregion_transfer_cost_usd_per_gb.csv",
		label: "HewlettPackard/green-dcc@3f6ea95 (MIT) transfer-cost matrices",
		// commit date of green-dcc HEAD (SOURCES.md)
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

// ---------------------------------------------------------------------------------------------------------------
// Curated figures (not in the datasets)

const CLAIMS_RUNPOD_DATE = "2026-03-01";
const CLAIMS_RUNPOD = "RunPod via CLAIMS.md (2026-03)";
/** CLAIMS.md "Hardware" defaults are undated; they belong to the March 2026 figure set. */
const CLAIMS_HARDWARE_DATE = "2026-03-01";

/** Street prices with no list price; NVIDIA publishes none for data-centre parts. */
const STREET_PRICE_2026 = "aiinframap.com H100/H200/B200 TCO tool, 'rough public estimates, mid-2026' (±20–40%)";

/** US industrial electricity price range (CLAIMS.md: EIA, April 2025), USD/kWh. */
const EIA_US_INDUSTRIAL_USD_PER_KWH: Figure<{ low: number; high: number }> = {
	value: { low: 0.087, high: 0.173 },
	source: "EIA US industrial 8.7–17.3 ¢/kWh via CLAIMS.md (2025-04)",
	date: "2025-04-01",
};

/** Internet egress list prices (first pricing tier, North America/Europe), USD/GB. */
const INTERNET_EGRESS_USD_PER_GB: Readonly<Record<Provider, Figure<number>>> = {
	aws: { value: 0.09, source: "AWS internet egress $0.09/GB via CLAIMS.md (2026)", date: "2026-01-01" },
	gcp: {
		value: 0.12,
		source:
			"GCP Premium Tier internet egress to North America 1–1024 GiB $0.12/GiB " +
			"(cloud.google.com/vpc/network-pricing, read 2026-09-20)",
		date: "2026-09-20",
	},
	azure: {
		value: 0.087,
		source:
			"Azure internet egress ~$0.087/GB after 100 GB free, first 10 TB " +
			"(Azure bandwidth pricing as summarised by c3x.dev, 2026)",
		date: "2026-01-01",
	},
};

/** CLAIMS.md cross-region figure, used when green-dcc has no row for a provider at all. */
const CLAIMS_INTERREGION_USD_PER_GB: Figure<number> = {
	value: 0.02,
	source: "AWS cross-region $0.02/GB via CLAIMS.md (2026)",
	date: "2026-01-01",
};

const LIST_SLA_AVAILABILITY: Figure<number> = {
	value: 0.9999,
	source:
		"list SLA level 99.99% (multi-zone compute SLAs of AWS EC2 / Azure VMs / GCP Compute Engine; " +
		"CLAIMS.md C6 'cloud 99.99%')",
	date: "2026-01-01",
};

/** Catalog rows whose gpu_count is wrong in the skypilot file; per-GPU price = price per hour ÷ true GPU count. */
const GPU_COUNT_CORRECTIONS: Readonly<Record<string, Figure<number>>> = {
	Standard_ND96isr_H100_v5: {
		value: 8,
		source: "Azure ND H100 v5 series: 8× H100 per VM (catalog says 12)",
		date: "2023-08-07",
	},
};

/**
 * Last-mile (one-way access) latency by access class, ms. Modelling defaults, not measurements:
 * FCC Measuring Broadband America (13th report, 2024) puts US fixed-line latency to nearby test servers at roughly
 * 10–30 ms RTT depending on technology (fibre lowest); Ookla market reports list lowest fixed multi-server latencies
 * of 12 ms (Argentina, Q1 2023) and 16 ms (Mozambique, Q4 2023) but 70–90 ms for leading ISPs in Côte d'Ivoire and
 * Senegal (Q4 2023, incl. transit). One-way ≈ RTT / 2.
 */
const LAST_MILE_MS: Readonly<Record<"advanced" | "emerging" | "limited", Figure<number>>> = {
	advanced: {
		value: 5,
		source: "last-mile class advanced: 5 ms one-way (~10 ms fixed RTT; FCC MBA 2024 fibre/cable)",
		date: "2024-01-16",
	},
	emerging: {
		value: 10,
		source: "last-mile class emerging: 10 ms one-way (~20 ms fixed RTT; FCC MBA 2024 / Ookla 2023 reports)",
		date: "2024-01-16",
	},
	limited: {
		value: 20,
		source:
			"last-mile class limited: 20 ms one-way (~40 ms fixed RTT; Ookla Q4 2023 West Africa 70–90 ms incl. transit)",
		date: "2024-01-16",
	},
};

const ADVANCED_ACCESS_ISO2 = new Set(
	(
		"US CA GB IE FR DE NL BE LU AT CH IT ES PT DK SE NO FI IS PL CZ SK SI HU RO BG HR GR EE LV LT MT CY " +
		"JP KR SG TW HK MO CN AU NZ IL AE QA BH KW SA"
	).split(" "),
);
const NOT_LIMITED_IN_AFRICA = new Set(["ZA", "EG", "MA", "TN", "DZ", "MU"]);
const LIMITED_ACCESS_OUTSIDE_AFRICA = new Set(["AF", "KP", "YE", "SY", "IQ", "MM", "HT"]);

// ---------------------------------------------------------------------------------------------------------------
// Geography

/** Continent-level region of each ISO 3166 alpha-2 code present in world-cities (Turkey and Russia → eu). */
const REGION_OF_ISO2: ReadonlyMap<string, RegionCode> = (() => {
	const lists: Readonly<Record<RegionCode, string>> = {
		na: "AG AW BB BM BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MQ MX NI PA PR SV SX TC TT US VC",
		sa: "AR BO BR CL CO EC FK GF GS GY PE PY SR UY VE",
		eu:
			"AD AL AT BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GI GR HR HU IE IM IS IT LI LT LU LV MC MD ME MK MT " +
			"NL NO PL PT RO RS RU SE SI SK SM TR UA XK",
		af:
			"AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA " +
			"NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW",
		me: "AE BH IL IQ IR JO KW LB OM QA SA SY XW YE",
		as: "AF AM AZ BD BN BT CN GE HK ID IN JP KG KH KP KR KZ LA LK MM MN MO MV MY NP PH PK SG TH TJ TL TM TW UZ VN",
		oc: "AS AU CK FJ FM GU KI MH MP NC NZ PF PG PW SB TO TV VU WF WS",
	};
	const map = new Map<string, RegionCode>();
	for (const [region, codes] of Object.entries(lists) as [RegionCode, string][]) {
		for (const iso2 of codes.split(" ")) {
			if (map.has(iso2)) throw new Error(`ISO2 ${iso2} listed in two regions`);
			map.set(iso2, region);
		}
	}
	return map;
})();

/** EU member states plus EEA (IS, LI, NO): the GDPR area. */
const EU_EEA_ISO2 = new Set(
	"AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split(" "),
);
const NAMED_JURISDICTIONS: Readonly<Record<string, string>> = {
	US: "us",
	PR: "us",
	GU: "us",
	AS: "us",
	MP: "us",
	GB: "uk",
	CN: "cn",
	RU: "ru",
	IN: "in",
	BR: "br",
	JP: "jp",
	KR: "kr",
	SG: "sg",
	AU: "au",
	CA: "ca",
};

function jurisdictionOf(iso2: string): string {
	if (EU_EEA_ISO2.has(iso2)) return "eu";
	return NAMED_JURISDICTIONS[iso2] ?? `other-${iso2.toLowerCase()}`;
}

function regionOf(iso2: string): RegionCode {
	const region = REGION_OF_ISO2.get(iso2);
	if (region === undefined) throw new Error(`no region for ISO2 ${iso2}`);
	return region;
}

/**
 * Metro selection: the most populous cities, at most METRO_PER_COUNTRY_CAP per country, until METRO_TOP_N; then the
 * next most populous (same cap) of any region with fewer than METRO_MIN_PER_REGION; then every cloud-region city.
 */
const METRO_TOP_N = 80;
const METRO_PER_COUNTRY_CAP = 3;
const METRO_MIN_PER_REGION = 4;

/** A world-cities row, named by ASCII name and country (and state where the name repeats). */
interface CityKey {
	readonly ascii: string;
	readonly iso2: string;
	readonly admin?: string;
}

interface CloudRegionSpec {
	readonly provider: Provider;
	readonly code: string;
	/** Key of this region in the green-dcc transfer matrix, when different from `code`. */
	readonly transferKey?: string;
	readonly city: CityKey;
	/** Why this city, when the provider publishes only a state or the site is not in world-cities. */
	readonly placement?: string;
}

const CLOUD_REGIONS: readonly CloudRegionSpec[] = [
	{ provider: "aws", code: "us-east-1", city: { ascii: "Ashburn", iso2: "US" }, placement: "N. Virginia hub" },
	{ provider: "aws", code: "us-east-2", city: { ascii: "Columbus", iso2: "US", admin: "Ohio" } },
	{ provider: "aws", code: "us-west-1", city: { ascii: "San Francisco", iso2: "US" }, placement: "N. California" },
	{
		provider: "aws",
		code: "us-west-2",
		city: { ascii: "Hermiston", iso2: "US" },
		placement: "Oregon; Boardman-area sites, nearest listed city",
	},
	{ provider: "aws", code: "ca-central-1", city: { ascii: "Montreal", iso2: "CA" } },
	{ provider: "aws", code: "sa-east-1", city: { ascii: "Sao Paulo", iso2: "BR" } },
	{ provider: "aws", code: "eu-west-1", city: { ascii: "Dublin", iso2: "IE" } },
	{ provider: "aws", code: "eu-west-2", city: { ascii: "London", iso2: "GB" } },
	{ provider: "aws", code: "eu-west-3", city: { ascii: "Paris", iso2: "FR" } },
	{ provider: "aws", code: "eu-central-1", city: { ascii: "Frankfurt", iso2: "DE" } },
	{ provider: "aws", code: "eu-north-1", city: { ascii: "Stockholm", iso2: "SE" } },
	{ provider: "aws", code: "eu-south-1", city: { ascii: "Milan", iso2: "IT" } },
	{ provider: "aws", code: "me-central-1", city: { ascii: "Dubai", iso2: "AE" }, placement: "UAE" },
	{ provider: "aws", code: "me-south-1", city: { ascii: "Manama", iso2: "BH" } },
	{ provider: "aws", code: "af-south-1", city: { ascii: "Cape Town", iso2: "ZA" } },
	{ provider: "aws", code: "ap-south-1", city: { ascii: "Mumbai", iso2: "IN" } },
	{ provider: "aws", code: "ap-southeast-1", city: { ascii: "Singapore", iso2: "SG" } },
	{ provider: "aws", code: "ap-southeast-2", city: { ascii: "Sydney", iso2: "AU" } },
	{ provider: "aws", code: "ap-southeast-3", city: { ascii: "Jakarta", iso2: "ID" } },
	{ provider: "aws", code: "ap-northeast-1", city: { ascii: "Tokyo", iso2: "JP" } },
	{ provider: "aws", code: "ap-northeast-2", city: { ascii: "Seoul", iso2: "KR" } },
	{ provider: "aws", code: "ap-northeast-3", city: { ascii: "Osaka", iso2: "JP" } },
	{ provider: "aws", code: "ap-east-1", city: { ascii: "Hong Kong", iso2: "HK" } },
	{ provider: "gcp", code: "us-central1", city: { ascii: "Council Bluffs", iso2: "US" } },
	{ provider: "gcp", code: "us-east1", city: { ascii: "Moncks Corner", iso2: "US" } },
	{ provider: "gcp", code: "us-east4", city: { ascii: "Ashburn", iso2: "US" } },
	{ provider: "gcp", code: "us-west1", city: { ascii: "The Dalles", iso2: "US" } },
	{ provider: "gcp", code: "northamerica-northeast1", city: { ascii: "Montreal", iso2: "CA" } },
	{ provider: "gcp", code: "southamerica-east1", city: { ascii: "Sao Paulo", iso2: "BR" }, placement: "Osasco" },
	{
		provider: "gcp",
		code: "europe-west1",
		city: { ascii: "Mons", iso2: "BE" },
		placement: "St. Ghislain, nearest listed city",
	},
	{ provider: "gcp", code: "europe-west3", city: { ascii: "Frankfurt", iso2: "DE" } },
	{
		provider: "gcp",
		code: "europe-west4",
		city: { ascii: "Groningen", iso2: "NL" },
		placement: "Eemshaven, nearest listed city",
	},
	{ provider: "gcp", code: "asia-east1", city: { ascii: "Changhua", iso2: "TW" } },
	{ provider: "gcp", code: "asia-northeast1", city: { ascii: "Tokyo", iso2: "JP" } },
	{ provider: "gcp", code: "asia-south1", city: { ascii: "Mumbai", iso2: "IN" } },
	{ provider: "gcp", code: "asia-southeast1", city: { ascii: "Singapore", iso2: "SG" } },
	{ provider: "gcp", code: "australia-southeast1", city: { ascii: "Sydney", iso2: "AU" } },
	{ provider: "gcp", code: "me-west1", city: { ascii: "Tel Aviv-Yafo", iso2: "IL" } },
	{ provider: "gcp", code: "africa-south1", city: { ascii: "Johannesburg", iso2: "ZA" } },
	{
		provider: "azure",
		code: "eastus",
		transferKey: "East US",
		city: { ascii: "Ashburn", iso2: "US" },
		placement: "Virginia (state only published)",
	},
	{
		provider: "azure",
		code: "westus",
		transferKey: "West US",
		city: { ascii: "San Francisco", iso2: "US" },
		placement: "California (state only published)",
	},
	{
		provider: "azure",
		code: "westus2",
		transferKey: "West US 2",
		city: { ascii: "Wenatchee", iso2: "US" },
		placement: "Washington; Quincy sites, nearest listed city",
	},
	{
		provider: "azure",
		code: "southcentralus",
		transferKey: "South Central US",
		city: { ascii: "San Antonio", iso2: "US" },
	},
	{
		provider: "azure",
		code: "centralus",
		transferKey: "Central US",
		city: { ascii: "Des Moines", iso2: "US", admin: "Iowa" },
		placement: "Iowa",
	},
	{ provider: "azure", code: "northeurope", transferKey: "North Europe", city: { ascii: "Dublin", iso2: "IE" } },
	{ provider: "azure", code: "westeurope", transferKey: "West Europe", city: { ascii: "Amsterdam", iso2: "NL" } },
	{ provider: "azure", code: "uksouth", transferKey: "UK South", city: { ascii: "London", iso2: "GB" } },
	{
		provider: "azure",
		code: "germanywestcentral",
		transferKey: "Germany West Central",
		city: { ascii: "Frankfurt", iso2: "DE" },
	},
	{
		provider: "azure",
		code: "southeastasia",
		transferKey: "Southeast Asia",
		city: { ascii: "Singapore", iso2: "SG" },
	},
	{ provider: "azure", code: "japaneast", transferKey: "Japan East", city: { ascii: "Tokyo", iso2: "JP" } },
	{ provider: "azure", code: "koreacentral", transferKey: "Korea Central", city: { ascii: "Seoul", iso2: "KR" } },
	{ provider: "azure", code: "centralindia", transferKey: "Central India", city: { ascii: "Pune", iso2: "IN" } },
	{ provider: "azure", code: "australiaeast", transferKey: "Australia East", city: { ascii: "Sydney", iso2: "AU" } },
	{
		provider: "azure",
		code: "brazilsouth",
		transferKey: "Brazil South",
		city: { ascii: "Sao Paulo", iso2: "BR" },
		placement: "São Paulo state",
	},
	{
		provider: "azure",
		code: "southafricanorth",
		transferKey: "South Africa North",
		city: { ascii: "Johannesburg", iso2: "ZA" },
	},
	{ provider: "azure", code: "uaenorth", transferKey: "UAE North", city: { ascii: "Dubai", iso2: "AE" } },
];

// ---------------------------------------------------------------------------------------------------------------
// Electricity: wholesale grid region of a metro, else a documented fallback

/** green-dcc grid region → the countries (and states) it stands for; `exact` lists where it is the local market. */
interface GridRule {
	readonly grid: string;
	readonly iso2: string;
	/** admin_name values for which the series is the local market; absent = the whole country. */
	readonly exactAdmins?: readonly string[];
	/** When true, other states of the country use this series as a proxy; when false they fall back. */
	readonly proxyRestOfCountry: boolean;
}

const GRID_RULES: readonly GridRule[] = [
	{ grid: "AT", iso2: "AT", proxyRestOfCountry: false },
	{ grid: "BE", iso2: "BE", proxyRestOfCountry: false },
	{ grid: "CH", iso2: "CH", proxyRestOfCountry: false },
	{ grid: "DE-LU", iso2: "DE", proxyRestOfCountry: false },
	{ grid: "DE-LU", iso2: "LU", proxyRestOfCountry: false },
	{ grid: "ES", iso2: "ES", proxyRestOfCountry: false },
	{ grid: "FR", iso2: "FR", proxyRestOfCountry: false },
	{ grid: "NL", iso2: "NL", proxyRestOfCountry: false },
	{ grid: "PT", iso2: "PT", proxyRestOfCountry: false },
	{ grid: "KR", iso2: "KR", proxyRestOfCountry: false },
	{ grid: "SG", iso2: "SG", proxyRestOfCountry: false },
	{ grid: "ZA", iso2: "ZA", proxyRestOfCountry: false },
	{ grid: "IN-WE", iso2: "IN", exactAdmins: [], proxyRestOfCountry: true },
	{ grid: "JP-TK", iso2: "JP", exactAdmins: ["Tōkyō", "Kanagawa", "Chiba", "Saitama"], proxyRestOfCountry: true },
	{ grid: "BR-SP", iso2: "BR", exactAdmins: ["São Paulo"], proxyRestOfCountry: true },
	{ grid: "CL-SIC", iso2: "CL", exactAdmins: ["Región Metropolitana", "Valparaíso"], proxyRestOfCountry: true },
	{ grid: "AU-NSW", iso2: "AU", exactAdmins: ["New South Wales"], proxyRestOfCountry: true },
	{ grid: "AU-VIC", iso2: "AU", exactAdmins: ["Victoria"], proxyRestOfCountry: false },
	{ grid: "CA-ON", iso2: "CA", exactAdmins: ["Ontario"], proxyRestOfCountry: false },
	{ grid: "US-CAL-CISO", iso2: "US", exactAdmins: ["California"], proxyRestOfCountry: false },
	{ grid: "US-TEX-ERCO", iso2: "US", exactAdmins: ["Texas"], proxyRestOfCountry: false },
	{ grid: "US-NY-NYIS", iso2: "US", exactAdmins: ["New York"], proxyRestOfCountry: false },
	{
		grid: "US-MIDA-PJM",
		iso2: "US",
		// PJM footprint states; Illinois because the ComEd zone (Chicago) is in PJM.
		exactAdmins: [
			"Pennsylvania",
			"New Jersey",
			"Maryland",
			"Delaware",
			"District of Columbia",
			"Virginia",
			"Ohio",
			"West Virginia",
			"Illinois",
		],
		proxyRestOfCountry: false,
	},
];

const US_WHOLESALE_GRIDS = ["US-CAL-CISO", "US-MIDA-PJM", "US-NY-NYIS", "US-TEX-ERCO"] as const;
const ELECTRICITY_YEAR = "2024";

// ---------------------------------------------------------------------------------------------------------------
// GPUs

interface MarketMedianRule {
	readonly kind: "market-median";
	/** gpu_name values in the price catalogs. */
	readonly gpuNames: readonly string[];
}
interface ClaimsRentalRule {
	readonly kind: "claims";
	readonly spot: number;
	readonly onDemand: number;
	readonly what: string;
}
interface NoRentalRule {
	readonly kind: "none";
	readonly why: string;
}

interface GpuSpec {
	readonly id: string;
	readonly name: string;
	readonly tier: "consumer" | "datacenter" | "edge";
	/** Hardware name in Epoch's table; null when Epoch lacks the device. */
	readonly epochName: string | null;
	/** Vendor figures for fields Epoch lacks (null = unsupported). Epoch wins where it has a figure. */
	readonly vendor: Partial<Record<SpecField, Figure<number | null>>>;
	readonly nvlink: Figure<boolean>;
	/** Declared capex, or "epoch" to use Epoch's release price of `epochPriceName` (default: epochName). */
	readonly capex: Figure<number> | { readonly kind: "epoch"; readonly epochPriceName?: string; readonly note: string };
	readonly rental: ClaimsRentalRule | MarketMedianRule | NoRentalRule;
	/** Akash model key (instance_type prefix), null when absent from the snapshot. */
	readonly akashModel: string | null;
}

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

const NO_FP8_AMPERE: Figure<null> = {
	value: null,
	source: "no FP8 tensor cores (Ampere)",
	date: "2020-05-14",
};

const GPU_SPECS: readonly GpuSpec[] = [
	{
		id: "rtx3090",
		name: "NVIDIA GeForce RTX 3090",
		tier: "consumer",
		epochName: "NVIDIA GeForce RTX 3090",
		vendor: {
			fp16_tensor_tflops: {
				value: 142,
				source:
					"FP16 tensor 142 TFLOPS dense, FP16 accumulate (NVIDIA GA102 whitepaper v2.0 App. A; 71 with FP32 accumulate)",
				date: "2021-01-01",
			},
			fp8_tensor_tflops: NO_FP8_AMPERE,
		},
		nvlink: { value: true, source: "NVLink: 2-way bridge only (GA102 whitepaper)", date: "2021-01-01" },
		capex: { kind: "epoch", note: "Epoch release price" },
		rental: { kind: "market-median", gpuNames: ["RTX 3090"] },
		// The Akash snapshot lists only rtx3090ti, a different card.
		akashModel: null,
	},
	{
		id: "rtx4090",
		name: "NVIDIA GeForce RTX 4090",
		tier: "consumer",
		epochName: "NVIDIA GeForce RTX 4090",
		vendor: {
			fp8_tensor_tflops: {
				value: 660.6,
				source:
					"FP8 tensor 660.6 TFLOPS dense, FP16 accumulate (NVIDIA Ada Lovelace whitepaper; 330.3 with FP32 accumulate)",
				date: "2022-09-20",
			},
		},
		nvlink: { value: false, source: "no NVLink (Ada GeForce)", date: "2022-09-20" },
		capex: { value: 1700, source: "capex CLAIMS.md midpoint of ~$1.6–1.8k", date: CLAIMS_HARDWARE_DATE },
		rental: { kind: "claims", spot: 0.34, onDemand: 0.6, what: "RTX 4090" },
		akashModel: "rtx4090_PCIe",
	},
	{
		id: "l40s",
		name: "NVIDIA L40S",
		tier: "datacenter",
		epochName: null,
		vendor: {
			fp32_tflops: { value: 91.6, source: "", date: "2023-08-01" },
			fp16_tensor_tflops: { value: 362.05, source: "", date: "2023-08-01" },
			fp8_tensor_tflops: { value: 733, source: "", date: "2023-08-01" },
			int8_tops: { value: 733, source: "", date: "2023-08-01" },
			memory_gb: { value: 48, source: "", date: "2023-08-01" },
			memory_bandwidth_gbps: { value: 864, source: "", date: "2023-08-01" },
			tdp_watts: { value: 350, source: "", date: "2023-08-01" },
		},
		nvlink: { value: false, source: "no NVLink (PCIe Gen4 only)", date: "2023-08-01" },
		capex: {
			kind: "epoch",
			epochPriceName: "NVIDIA RTX 6000 Ada Generation",
			note: "proxy: Epoch release price of RTX 6000 Ada (same AD102 die and 48 GB; no L40S list price)",
		},
		rental: { kind: "market-median", gpuNames: ["L40S"] },
		akashModel: null,
	},
	{
		id: "a100-80gb",
		name: "NVIDIA A100 SXM4 80GB",
		tier: "datacenter",
		epochName: "NVIDIA A100 SXM4 80 GB",
		vendor: { fp8_tensor_tflops: NO_FP8_AMPERE },
		nvlink: { value: true, source: "NVLink 3 (SXM4)", date: "2020-11-16" },
		capex: {
			kind: "epoch",
			epochPriceName: "NVIDIA A100 SXM4 40 GB",
			note: "proxy: Epoch release price of A100 SXM4 40 GB (80 GB price not in Epoch)",
		},
		rental: { kind: "claims", spot: 1.39, onDemand: 2.45, what: "A100 SXM" },
		akashModel: "a100_SXM4",
	},
	{
		id: "h100-sxm",
		name: "NVIDIA H100 SXM5 80GB",
		tier: "datacenter",
		epochName: "NVIDIA H100 SXM5 80GB",
		vendor: {
			fp8_tensor_tflops: {
				value: 1979,
				source: "FP8 1979 TFLOPS dense (NVIDIA H100 datasheet 3958 with sparsity)",
				date: "2022-09-20",
			},
		},
		nvlink: { value: true, source: "NVLink 4 (SXM5)", date: "2022-09-20" },
		capex: { value: 27500, source: "capex CLAIMS.md midpoint of ~$25–30k", date: CLAIMS_HARDWARE_DATE },
		rental: { kind: "claims", spot: 2.69, onDemand: 4.76, what: "H100 SXM" },
		akashModel: "h100_SXM5",
	},
	{
		id: "h200",
		name: "NVIDIA H200 SXM 141GB",
		tier: "datacenter",
		epochName: "NVIDIA H200 SXM",
		vendor: {
			fp8_tensor_tflops: {
				value: 1979,
				source: "FP8 1979 TFLOPS dense (NVIDIA H200 datasheet 3958 with sparsity)",
				date: "2023-11-13",
			},
			memory_gb: { value: 141, source: "memory 141 GB HBM3e (NVIDIA H200 datasheet)", date: "2023-11-13" },
		},
		nvlink: { value: true, source: "NVLink 4 (SXM)", date: "2023-11-13" },
		capex: { value: 35000, source: `capex ~$35k (${STREET_PRICE_2026})`, date: "2026-06-01" },
		rental: { kind: "market-median", gpuNames: ["H200"] },
		akashModel: "h200_SXM5",
	},
	{
		id: "b200",
		name: "NVIDIA B200",
		tier: "datacenter",
		epochName: "NVIDIA B200",
		vendor: {},
		nvlink: { value: true, source: "NVLink 5 (HGX B200)", date: "2024-03-18" },
		capex: { value: 40000, source: `capex ~$40k (${STREET_PRICE_2026})`, date: "2026-06-01" },
		rental: { kind: "market-median", gpuNames: ["B200"] },
		akashModel: null,
	},
	{
		id: "jetson-agx-orin",
		name: "NVIDIA Jetson AGX Orin 64GB",
		tier: "edge",
		epochName: null,
		vendor: {
			fp32_tflops: { value: 5.3, source: "", date: "2022-03-22" },
			// GPU only (DLAs excluded): 170 sparse INT8 TOPS → 85 dense; Ampere tensor FP16 = INT8 / 2.
			fp16_tensor_tflops: { value: 42.5, source: "", date: "2022-03-22" },
			fp8_tensor_tflops: NO_FP8_AMPERE,
			int8_tops: { value: 85, source: "", date: "2022-03-22" },
			memory_gb: { value: 64, source: "", date: "2022-03-22" },
			memory_bandwidth_gbps: { value: 204.8, source: "", date: "2022-03-22" },
			tdp_watts: { value: 60, source: "", date: "2022-03-22" },
		},
		nvlink: { value: false, source: "no NVLink (SoC)", date: "2022-03-22" },
		capex: { value: 1999, source: "capex $1,999 developer kit (NVIDIA GTC 2022 launch price)", date: "2022-03-22" },
		rental: { kind: "none", why: "no rental market in the snapshots" },
		akashModel: null,
	},
];

/** Source text for devices whose whole spec comes from one vendor document (fields above with empty source). */
const VENDOR_SPEC_DOCS: Readonly<Record<string, string>> = {
	l40s: "specs: NVIDIA L40S datasheet, dense figures (Epoch lacks the L40S)",
	"jetson-agx-orin":
		"specs: NVIDIA Jetson AGX Orin technical brief/module datasheet, GPU only (DLAs excluded), " +
		"dense = sparse / 2, FP16 tensor = INT8 / 2 (Epoch lacks Jetson)",
};

/** Catalog provider names → one name per provider, so both price files count a provider once. */
const PROVIDER_ALIASES: Readonly<Record<string, string>> = {
	google_cloud: "gcp",
	lambda_labs: "lambda",
	oracle_cloud: "oci",
	digitalocean: "do",
};

/**
 * Token price series kept in token-prices.csv, in output order, each from its first usable day. BTC and ETH stand for
 * the crypto market factor, so only the years the DePIN tokens cover are kept.
 */
const TOKEN_PRICE_SERIES: readonly { readonly symbol: string; readonly fromDate?: Figure<string> }[] = [
	{ symbol: "HNT" },
	{ symbol: "RNDR" },
	{ symbol: "TAO" },
	{ symbol: "AKT" },
	{
		symbol: "FIL",
		fromDate: {
			value: "2020-10-15",
			source: "Filecoin mainnet launch; earlier Yahoo 'FIL' rows are pre-launch/IOU quotes (token-prices/SOURCES.md)",
			date: "2020-10-15",
		},
	},
	{ symbol: "ETH", fromDate: { value: "2020-01-01", source: "crypto market factor: 2020 on", date: "2020-01-01" } },
	{ symbol: "BTC", fromDate: { value: "2020-01-01", source: "crypto market factor: 2020 on", date: "2020-01-01" } },
];

/** Rows of the merged file that are not daily closes. */
const TOKEN_PRICE_EXCLUSIONS: readonly Figure<{ symbol: string; date: string }>[] = [
	{
		value: { symbol: "AKT", date: "2022-09-28" },
		source: "intraday 09:01 partial bar, not a daily close (token-prices/SOURCES.md)",
		date: "2022-09-28",
	},
];

/** Significant digits of close_usd: the Yahoo series are float32 (about 7 digits). */
const TOKEN_PRICE_SIGNIFICANT_DIGITS = 8;

// ---------------------------------------------------------------------------------------------------------------
// CSV and number helpers

/** RFC 4180 parser: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = "";
	let inQuotes = false;
	let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
	for (; i < text.length; i++) {
		const c = text.charAt(i);
		if (inQuotes) {
			if (c === '"') {
				if (text.charAt(i + 1) === '"') {
					field += '"';
					i++;
				} else inQuotes = false;
			} else field += c;
		} else if (c === '"') inQuotes = true;
		else if (c === ",") {
			row.push(field);
			field = "";
		} else if (c === "\n" || c === "\r") {
			if (c === "\r" && text.charAt(i + 1) === "\n") i++;
			row.push(field);
			rows.push(row);
			row = [];
			field = "";
		} else field += c;
	}
	if (field !== "" || row.length > 0) {
		row.push(field);
		rows.push(row);
	}
	return rows;
}

/** Rows as records keyed by the header; blank lines dropped. */
export function parseCsvRecords(text: string): CsvRecord[] {
	const [header, ...body] = parseCsv(text);
	if (header === undefined) return [];
	return body
		.filter((r) => !(r.length === 1 && r[0] === ""))
		.map((r) => {
			if (r.length !== header.length) throw new Error(`CSV row has ${r.length} fields, header ${header.length}`);
			const rec: Record<string, string> = {};
			header.forEach((h, j) => {
				rec[h] = r[j] ?? "";
			});
			return rec;
		});
}

function field(rec: CsvRecord, column: string): string {
	const v = rec[column];
	if (v === undefined) throw new Error(`missing column ${column}`);
	return v;
}

function csvEscape(value: string): string {
	return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
	return `${[header, ...rows].map((r) => r.map(csvEscape).join(",")).join("\n")}\n`;
}

/** Fixed-point, locale-free; trailing zeros trimmed; null → empty cell. */
function fmt(x: number | null, maxDecimals: number): string {
	if (x === null) return "";
	if (!Number.isFinite(x)) throw new Error(`non-finite number ${x}`);
	let s = x.toFixed(maxDecimals);
	if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
	return s === "-0" ? "0" : s;
}

/** `significant` significant digits, plain notation, trailing zeros trimmed. */
function fmtSignificant(x: number, significant: number): string {
	if (!Number.isFinite(x)) throw new Error(`non-finite number ${x}`);
	let s = x.toPrecision(significant);
	if (s.includes("e")) throw new Error(`${x} needs exponent notation at ${significant} digits`);
	if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
	return s;
}

function median(values: readonly number[]): number {
	if (values.length === 0) throw new Error("median of nothing");
	const s = [...values].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	const hi = s[mid] as number;
	return s.length % 2 === 1 ? hi : ((s[mid - 1] as number) + hi) / 2;
}

function mean(values: readonly number[]): number {
	if (values.length === 0) throw new Error("mean of nothing");
	return values.reduce((a, b) => a + b, 0) / values.length;
}

function maxDate(dates: readonly string[]): string {
	const valid = dates.filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d));
	if (valid.length === 0) throw new Error("no date");
	return [...valid].sort().at(-1) as string;
}

function slug(s: string): string {
	return s
		.normalize("NFKD")
		.replace(/[\u0300-\u036f]/g, "")
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, "-")
		.replace(/^-|-$/g, "");
}

// ---------------------------------------------------------------------------------------------------------------
// Price catalogs

interface PriceRow {
	readonly provider: string;
	readonly gpuName: string;
	readonly pricingType: string;
	readonly region: string;
	readonly pricePerGpuHourUsd: number;
}

function loadPriceRows(sharedDir: string): { getdeploying: PriceRow[]; skypilot: PriceRow[] } {
	const read = (p: string) => parseCsvRecords(readFileSync(join(sharedDir, p), "utf8"));
	const normaliseProvider = (p: string) => {
		const base = p.replace(/_sponsored$/, "");
		return PROVIDER_ALIASES[base] ?? base;
	};
	const getdeploying = read(DATASETS.getdeploying.path)
		// "cheapest_*" rows are index summaries that repeat a listing.
		.filter((r) => !field(r, "instance_type").startsWith("cheapest_"))
		.map((r) => ({
			provider: normaliseProvider(field(r, "provider")),
			gpuName: field(r, "gpu_name"),
			pricingType: field(r, "pricing_type"),
			region: field(r, "region"),
			pricePerGpuHourUsd: Number(field(r, "price_per_gpu_hour")),
		}));
	const skypilot = read(DATASETS.skypilot.path).map((r) => {
		const correction = GPU_COUNT_CORRECTIONS[field(r, "instance_type")];
		const perGpu =
			correction === undefined
				? Number(field(r, "price_per_gpu_hour"))
				: Number(field(r, "price_per_hour")) / correction.value;
		return {
			provider: normaliseProvider(field(r, "provider")),
			gpuName: field(r, "gpu_name"),
			pricingType: field(r, "pricing_type"),
			region: field(r, "region"),
			pricePerGpuHourUsd: perGpu,
		};
	});
	const valid = (r: PriceRow) => Number.isFinite(r.pricePerGpuHourUsd) && r.pricePerGpuHourUsd > 0;
	return { getdeploying: getdeploying.filter(valid), skypilot: skypilot.filter(valid) };
}

/** Median over providers of each provider's median price (both catalogs pooled); null when no provider lists it. */
function marketMedian(
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

// ---------------------------------------------------------------------------------------------------------------
// gpus.csv

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

function buildGpus(sharedDir: string, prices: { getdeploying: PriceRow[]; skypilot: PriceRow[] }): string {
	const epochRows = parseCsvRecords(readFileSync(join(sharedDir, DATASETS.epoch.path), "utf8"));
	const epochByName = new Map(epochRows.map((r) => [field(r, "Hardware name"), r]));
	const epochRow = (name: string): CsvRecord => {
		const r = epochByName.get(name);
		if (r === undefined) throw new Error(`Epoch has no row '${name}'`);
		return r;
	};
	const epochDate = (r: CsvRecord) => field(r, "Last modified").slice(0, 10);

	const akashRows = parseCsvRecords(readFileSync(join(sharedDir, DATASETS.akash.path), "utf8"));
	const akashWeighted = new Map(
		akashRows
			.filter((r) => field(r, "instance_type").endsWith("_weightedAverage"))
			.map((r) => [field(r, "instance_type").replace(/_weightedAverage$/, ""), Number(field(r, "price_per_gpu_hour"))]),
	);
	const allPrices = [...prices.getdeploying, ...prices.skypilot];

	const rows = GPU_SPECS.map((gpu) => {
		const sources: string[] = [];
		const dates: string[] = [];
		const values = {} as Record<SpecField, number | null>;
		const epoch = gpu.epochName === null ? null : epochRow(gpu.epochName);
		if (epoch !== null) {
			sources.push(`${DATASETS.epoch.label} row '${gpu.epochName}'`);
			dates.push(epochDate(epoch));
		}
		const vendorDoc = VENDOR_SPEC_DOCS[gpu.id];
		if (vendorDoc !== undefined) sources.push(vendorDoc);
		for (const f of SPEC_FIELDS) {
			const raw = epoch === null ? "" : field(epoch, EPOCH_COLUMNS[f].column);
			const epochValue = raw === "" ? Number.NaN : Number(raw) * EPOCH_COLUMNS[f].scale;
			if (Number.isFinite(epochValue) && epochValue > 0) {
				values[f] = epochValue;
				continue;
			}
			const v = gpu.vendor[f];
			if (v === undefined) throw new Error(`${gpu.id}: no figure for ${f} (Epoch lacks it, no vendor figure declared)`);
			values[f] = v.value;
			dates.push(v.date);
			if (v.source !== "") sources.push(`${v.source}${epoch === null ? "" : " [Epoch lacks it]"}`);
			else if (vendorDoc === undefined) throw new Error(`${gpu.id}: ${f} has no source`);
		}

		let capexUsd: number;
		if ("kind" in gpu.capex) {
			const priceRow = epochRow(gpu.capex.epochPriceName ?? (gpu.epochName as string));
			capexUsd = Number(field(priceRow, "Release price (USD)"));
			if (!(capexUsd > 0)) throw new Error(`${gpu.id}: Epoch has no release price`);
			sources.push(`capex ${gpu.capex.note} (Epoch)`);
			dates.push(epochDate(priceRow));
		} else {
			capexUsd = gpu.capex.value;
			sources.push(gpu.capex.source);
			dates.push(gpu.capex.date);
		}

		let spot: number | null = null;
		let onDemand: number | null = null;
		const rental = gpu.rental;
		if (rental.kind === "claims") {
			spot = rental.spot;
			onDemand = rental.onDemand;
			sources.push(`rental ${CLAIMS_RUNPOD} ${rental.what}`);
			dates.push(CLAIMS_RUNPOD_DATE);
		} else if (rental.kind === "market-median") {
			const s = marketMedian(allPrices, rental.gpuNames, "spot");
			const o = marketMedian(allPrices, rental.gpuNames, "on_demand");
			spot = s?.valueUsd ?? null;
			onDemand = o?.valueUsd ?? null;
			sources.push(
				`rental median across providers (${DATASETS.getdeploying.label} + ${DATASETS.skypilot.label}): ` +
					`on-demand ${o === null ? "none" : `${o.providers} providers`}, ` +
					`spot ${s === null ? "none listed" : `${s.providers} providers`}`,
			);
			dates.push(DATASETS.getdeploying.date, DATASETS.skypilot.date);
		} else {
			sources.push(`rental: ${rental.why}`);
		}

		let akash: number | null = null;
		if (gpu.akashModel !== null) {
			const p = akashWeighted.get(gpu.akashModel);
			if (p === undefined) throw new Error(`${gpu.id}: Akash model ${gpu.akashModel} not in snapshot`);
			akash = p;
			sources.push(`Akash ${gpu.akashModel} weightedAverage, ${DATASETS.akash.label} ${DATASETS.akash.date}`);
			dates.push(DATASETS.akash.date);
		}
		sources.push(gpu.nvlink.source);

		return [
			gpu.id,
			gpu.name,
			gpu.tier,
			...SPEC_FIELDS.map((f) => fmt(values[f], SPEC_DECIMALS[f])),
			fmt(capexUsd, 0),
			fmt(spot, 4),
			fmt(onDemand, 4),
			fmt(akash, 4),
			String(gpu.nvlink.value),
			sources.join("; "),
			maxDate(dates),
		];
	});
	return toCsv(GPU_HEADER, rows);
}

// ---------------------------------------------------------------------------------------------------------------
// metros.csv

interface City {
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

function loadCities(sharedDir: string): City[] {
	return parseCsvRecords(readFileSync(join(sharedDir, DATASETS.cities.path), "utf8")).map((r) => ({
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

const byPopulation = (a: City, b: City) =>
	b.population - a.population || (a.simplemapsId < b.simplemapsId ? -1 : a.simplemapsId > b.simplemapsId ? 1 : 0);

function findCity(cities: readonly City[], key: CityKey): City {
	const matches = cities
		.filter((c) => c.ascii === key.ascii && c.iso2 === key.iso2 && (key.admin === undefined || c.admin === key.admin))
		.sort(byPopulation);
	const best = matches[0];
	if (best === undefined) throw new Error(`world-cities has no ${key.ascii}, ${key.iso2}`);
	return best;
}

/** Top-N by population with a per-country cap, a per-region minimum, then every cloud-region city. */
function selectMetros(cities: readonly City[]): City[] {
	const ranked = [...cities].filter((c) => c.population > 0).sort(byPopulation);
	const chosen = new Map<string, City>();
	const perCountry = new Map<string, number>();
	const perRegion = new Map<RegionCode, number>();
	const take = (c: City): void => {
		perCountry.set(c.iso2, (perCountry.get(c.iso2) ?? 0) + 1);
		perRegion.set(regionOf(c.iso2), (perRegion.get(regionOf(c.iso2)) ?? 0) + 1);
		chosen.set(c.simplemapsId, c);
	};
	const underCap = (c: City) => !chosen.has(c.simplemapsId) && (perCountry.get(c.iso2) ?? 0) < METRO_PER_COUNTRY_CAP;
	for (const c of ranked) {
		if (chosen.size >= METRO_TOP_N) break;
		if (underCap(c)) take(c);
	}
	for (const region of new Set(REGION_OF_ISO2.values())) {
		for (const c of ranked) {
			if ((perRegion.get(region) ?? 0) >= METRO_MIN_PER_REGION) break;
			if (regionOf(c.iso2) === region && underCap(c)) take(c);
		}
	}
	for (const region of CLOUD_REGIONS) {
		const c = findCity(cities, region.city);
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

/** 2024 mean of each grid region's daily series, USD/kWh. */
function wholesale2024(sharedDir: string): Map<string, number> {
	const byGrid = new Map<string, number[]>();
	for (const r of parseCsvRecords(readFileSync(join(sharedDir, DATASETS.electricity.path), "utf8"))) {
		if (!field(r, "date_utc").startsWith(ELECTRICITY_YEAR)) continue;
		const list = byGrid.get(field(r, "region")) ?? [];
		list.push(Number(field(r, "mean_usd_per_mwh")));
		byGrid.set(field(r, "region"), list);
	}
	return new Map([...byGrid].map(([grid, v]) => [grid, mean(v) / 1000]));
}

function electricityModel(sharedDir: string): (city: City) => Electricity {
	const wholesale = wholesale2024(sharedDir);
	const usWholesale = US_WHOLESALE_GRIDS.map((g) => {
		const v = wholesale.get(g);
		if (v === undefined) throw new Error(`no ${ELECTRICITY_YEAR} series for ${g}`);
		return v;
	});
	const eiaMid = (EIA_US_INDUSTRIAL_USD_PER_KWH.value.low + EIA_US_INDUSTRIAL_USD_PER_KWH.value.high) / 2;
	// Adder calibrated so that the US wholesale regions average the EIA industrial midpoint.
	const adder = eiaMid - mean(usWholesale);
	const adderText =
		`industrial adder ${fmt(adder, 4)} USD/kWh (EIA midpoint ${fmt(eiaMid, 4)} via CLAIMS.md 2025-04 − ` +
		`${ELECTRICITY_YEAR} US wholesale mean ${fmt(mean(usWholesale), 4)})`;
	const wholesaleDate = `${ELECTRICITY_YEAR}-12-31`;
	const dateWithAdder = maxDate([wholesaleDate, EIA_US_INDUSTRIAL_USD_PER_KWH.date]);

	const retail = new Map([...wholesale].map(([grid, v]) => [grid, v + adder]));
	const gridRegion = (grid: string): RegionCode => {
		const rule = GRID_RULES.find((r) => r.grid === grid);
		if (rule === undefined) throw new Error(`grid ${grid} has no rule`);
		return regionOf(rule.iso2);
	};
	const regionMedian = (region: RegionCode): { value: number; grids: string[] } | null => {
		const grids = [...retail.keys()].filter((g) => GRID_RULES.some((r) => r.grid === g) && gridRegion(g) === region);
		return grids.length === 0 ? null : { value: median(grids.map((g) => retail.get(g) as number)), grids };
	};
	const globalMedian = median([...retail.values()]);

	return (city) => {
		const rules = GRID_RULES.filter((r) => r.iso2 === city.iso2);
		const exact = rules.find((r) => r.exactAdmins === undefined || r.exactAdmins.includes(city.admin));
		const proxy = exact === undefined ? rules.find((r) => r.proxyRestOfCountry) : undefined;
		const rule = exact ?? proxy;
		if (rule !== undefined) {
			const w = wholesale.get(rule.grid);
			if (w === undefined) throw new Error(`no ${ELECTRICITY_YEAR} series for ${rule.grid}`);
			const kind = exact !== undefined ? "wholesale" : "wholesale-proxy";
			return {
				usdPerKwh: w + adder,
				rule: `${kind}:${rule.grid}+adder`,
				source:
					`electricity ${ELECTRICITY_YEAR} mean of daily ${rule.grid} ${fmt(w * 1000, 2)} USD/MWh` +
					`${exact === undefined ? " as country proxy" : ""} (${DATASETS.electricity.label}) + ${adderText}`,
				date: dateWithAdder,
			};
		}
		if (city.iso2 === "US") {
			return {
				usdPerKwh: eiaMid,
				rule: "fallback:eia-us-industrial-midpoint",
				source: `electricity ${EIA_US_INDUSTRIAL_USD_PER_KWH.source}, midpoint (state not in a covered ISO)`,
				date: EIA_US_INDUSTRIAL_USD_PER_KWH.date,
			};
		}
		const region = regionOf(city.iso2);
		const rm = regionMedian(region);
		if (rm !== null) {
			return {
				usdPerKwh: rm.value,
				rule: `fallback:region-median:${region}`,
				source:
					`electricity median over covered grids in ${region} (${rm.grids.join(" ")}) of ${ELECTRICITY_YEAR} ` +
					`wholesale mean (${DATASETS.electricity.label}) + ${adderText}`,
				date: dateWithAdder,
			};
		}
		return {
			usdPerKwh: globalMedian,
			rule: "fallback:global-median",
			source:
				`electricity median over all ${retail.size} covered grids of ${ELECTRICITY_YEAR} wholesale mean, ` +
				`none in ${region} (${DATASETS.electricity.label}) + ${adderText}`,
			date: dateWithAdder,
		};
	};
}

function lastMileClass(iso2: string): keyof typeof LAST_MILE_MS {
	if (ADVANCED_ACCESS_ISO2.has(iso2)) return "advanced";
	if (LIMITED_ACCESS_OUTSIDE_AFRICA.has(iso2)) return "limited";
	if (regionOf(iso2) === "af" && !NOT_LIMITED_IN_AFRICA.has(iso2)) return "limited";
	return "emerging";
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

function buildMetros(metros: readonly City[], electricityOf: (c: City) => Electricity): string {
	const total = metros.reduce((a, c) => a + c.population, 0);
	const rows = metros.map((c) => {
		const e = electricityOf(c);
		const lm = LAST_MILE_MS[lastMileClass(c.iso2)];
		return [
			c.id,
			c.name,
			c.iso2,
			regionOf(c.iso2),
			jurisdictionOf(c.iso2),
			fmt(c.lat, 4),
			fmt(c.lon, 4),
			fmt(c.population, 0),
			(c.population / total).toFixed(6),
			fmt(e.usdPerKwh, 4),
			e.rule,
			fmt(lm.value, 1),
			`${DATASETS.cities.label} id ${c.simplemapsId}; ${e.source}; ${lm.source}`,
			maxDate([DATASETS.cities.date, e.date, lm.date]),
		];
	});
	return toCsv(METRO_HEADER, rows);
}

// ---------------------------------------------------------------------------------------------------------------
// cloud-regions.csv

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
	"egress_usd_per_gb",
	"interregion_usd_per_gb",
	"availability",
	"source",
	"date",
] as const;

function buildCloudRegions(
	sharedDir: string,
	cities: readonly City[],
	metros: readonly City[],
	skypilot: readonly PriceRow[],
): string {
	const metroIdBySimplemaps = new Map(metros.map((m) => [m.simplemapsId, m.id]));
	const onDemand = skypilot.filter((r) => r.pricingType === "on_demand");

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

	const transfer = parseCsvRecords(readFileSync(join(sharedDir, DATASETS.transfer.path), "utf8")).filter(
		(r) => field(r, "from_region") !== field(r, "to_region"),
	);
	/** Median transfer price from one region to the provider's other regions; null when the matrix lacks the region. */
	const ownInterregion = (spec: CloudRegionSpec): number | null => {
		const key = spec.transferKey ?? spec.code;
		const own = transfer
			.filter((r) => field(r, "cloud") === spec.provider && field(r, "from_region") === key)
			.map((r) => Number(field(r, "usd_per_gb")));
		return own.length === 0 ? null : median(own);
	};
	const continentOf = (spec: CloudRegionSpec) => regionOf(spec.city.iso2);
	/** Own figure, else the median over this provider's listed regions on the same continent, else over all of them. */
	const interregion = (spec: CloudRegionSpec): { value: number; how: string; date: string } => {
		const own = ownInterregion(spec);
		const key = spec.transferKey ?? spec.code;
		if (own !== null) return { value: own, how: `median from ${key}`, date: DATASETS.transfer.date };
		const peers = (sameContinent: boolean) =>
			CLOUD_REGIONS.filter(
				(o) => o.provider === spec.provider && (!sameContinent || continentOf(o) === continentOf(spec)),
			)
				.map(ownInterregion)
				.filter((v): v is number => v !== null);
		const continental = peers(true);
		if (continental.length > 0) {
			return {
				value: median(continental),
				how: `${key} not in matrix: median of ${continental.length} ${spec.provider} regions in ${continentOf(spec)}`,
				date: DATASETS.transfer.date,
			};
		}
		const all = peers(false);
		if (all.length > 0) {
			return {
				value: median(all),
				how: `${key} not in matrix: median of ${all.length} ${spec.provider} regions`,
				date: DATASETS.transfer.date,
			};
		}
		return {
			value: CLAIMS_INTERREGION_USD_PER_GB.value,
			how: CLAIMS_INTERREGION_USD_PER_GB.source,
			date: CLAIMS_INTERREGION_USD_PER_GB.date,
		};
	};

	const rows = CLOUD_REGIONS.map((spec) => {
		const city = findCity(cities, spec.city);
		const metroId = metroIdBySimplemaps.get(city.simplemapsId);
		if (metroId === undefined) throw new Error(`cloud city ${city.ascii} is not a metro`);
		const sources = [
			`${DATASETS.cities.label} id ${city.simplemapsId}${spec.placement === undefined ? "" : ` (${spec.placement})`}`,
		];
		const dates: string[] = [DATASETS.cities.date, DATASETS.skypilot.date];

		const gpuNotes: string[] = [];
		const gpuCells = CLOUD_GPUS.map((g) => {
			const own = regionPrice(spec.provider, spec.code, g.gpuName);
			if (own !== null) {
				gpuNotes.push(`${g.gpuName} region median`);
				return fmt(own, 4);
			}
			const pm = providerMedian(spec.provider, g.gpuName);
			if (pm !== null) {
				gpuNotes.push(`${g.gpuName} no row for region, ${spec.provider} median of ${pm.regions} regions`);
				return fmt(pm.value, 4);
			}
			gpuNotes.push(`${g.gpuName} not offered`);
			return "";
		});
		sources.push(
			`on-demand list prices (${DATASETS.skypilot.label} ${DATASETS.skypilot.date}): ${gpuNotes.join(", ")}`,
		);

		const egress = INTERNET_EGRESS_USD_PER_GB[spec.provider];
		sources.push(`egress ${egress.source}`);
		dates.push(egress.date);
		const inter = interregion(spec);
		sources.push(`interregion ${inter.how} (${DATASETS.transfer.label})`);
		dates.push(inter.date);
		sources.push(`availability ${LIST_SLA_AVAILABILITY.source}`);
		dates.push(LIST_SLA_AVAILABILITY.date);

		return [
			`${spec.provider}-${spec.code}`,
			spec.provider,
			spec.code,
			city.name,
			city.iso2,
			regionOf(city.iso2),
			jurisdictionOf(city.iso2),
			fmt(city.lat, 4),
			fmt(city.lon, 4),
			metroId,
			...gpuCells,
			fmt(egress.value, 4),
			fmt(inter.value, 4),
			fmt(LIST_SLA_AVAILABILITY.value, 6),
			sources.join("; "),
			maxDate(dates),
		];
	});
	return toCsv(CLOUD_HEADER, rows);
}

// ---------------------------------------------------------------------------------------------------------------
// token-prices.csv

const TOKEN_PRICE_HEADER = ["symbol", "date", "close_usd", "source"] as const;

function buildTokenPrices(sharedDir: string): string {
	const records = parseCsvRecords(readFileSync(join(sharedDir, DATASETS.tokenPrices.path), "utf8"));
	const excluded = new Set(TOKEN_PRICE_EXCLUSIONS.map((e) => `${e.value.symbol},${e.value.date}`));
	const rows: string[][] = [];
	for (const series of TOKEN_PRICE_SERIES) {
		const fromDate = series.fromDate?.value ?? "";
		const kept = records
			.filter((r) => field(r, "symbol") === series.symbol && field(r, "date") >= fromDate)
			.filter((r) => !excluded.has(`${series.symbol},${field(r, "date")}`))
			.sort((a, b) => (field(a, "date") < field(b, "date") ? -1 : 1));
		if (kept.length === 0) throw new Error(`${DATASETS.tokenPrices.path}: no rows for ${series.symbol}`);
		let previousDate = "";
		for (const r of kept) {
			const date = field(r, "date");
			if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date === previousDate) {
				throw new Error(`${series.symbol}: bad or repeated date ${JSON.stringify(date)}`);
			}
			previousDate = date;
			const closeUsd = Number(field(r, "close"));
			if (!(closeUsd > 0 && Number.isFinite(closeUsd))) throw new Error(`${series.symbol} ${date}: close ${closeUsd}`);
			const commit = field(r, "source_commit");
			if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`${series.symbol} ${date}: source_commit ${commit}`);
			const source = `${field(r, "source_repo")}@${commit.slice(0, 7)} ${field(r, "source_path")}`;
			rows.push([series.symbol, date, fmtSignificant(closeUsd, TOKEN_PRICE_SIGNIFICANT_DIGITS), source]);
		}
	}
	return toCsv(TOKEN_PRICE_HEADER, rows);
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

/** File name → CSV text of every reference table, built from the shared datasets. */
export function buildReferenceTables(sharedDataDir: string): Record<string, string> {
	const prices = loadPriceRows(sharedDataDir);
	const cities = loadCities(sharedDataDir);
	const metros = selectMetros(cities);
	return {
		"gpus.csv": buildGpus(sharedDataDir, prices),
		"metros.csv": buildMetros(metros, electricityModel(sharedDataDir)),
		"cloud-regions.csv": buildCloudRegions(sharedDataDir, cities, metros, prices.skypilot),
		"token-prices.csv": buildTokenPrices(sharedDataDir),
	};
}

export function writeReferenceTables(tables: Readonly<Record<string, string>>, outDir: string): void {
	mkdirSync(outDir, { recursive: true });
	for (const [name, text] of Object.entries(tables)) writeFileSync(join(outDir, name), text, "utf8");
}

/** <repo>/scenarios/data → <repo>/../shared/data */
export const SCRIPT_DIR = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_SHARED_DATA_DIR = resolve(SCRIPT_DIR, "..", "..", "..", "shared", "data");

function main(argv: readonly string[]): void {
	const sharedDir = resolve(argv[0] ?? DEFAULT_SHARED_DATA_DIR);
	const outDir = resolve(argv[1] ?? SCRIPT_DIR);
	const tables = buildReferenceTables(sharedDir);
	writeReferenceTables(tables, outDir);
	for (const [name, text] of Object.entries(tables)) {
		process.stdout.write(`${join(outDir, name)}: ${text.split("\n").length - 2} rows\n`);
	}
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main(process.argv.slice(2));
}
