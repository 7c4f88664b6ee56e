/**
 * The committed reference tables (scenarios/data/*.csv) and the curated figures they are built from
 * (scenarios/data/curated/*.csv): shape, provenance, plausible ranges, and — when the public datasets are present
 * beside the checkout — that the builder reproduces the tables byte for byte.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CsvError, parseCsv } from "../../models/csv.js";
import { csvRecords } from "../../scenarios/data/build/common.js";
import { parseCurated } from "../../scenarios/data/build/curated.js";
import { CURATED_SCHEMAS } from "../../scenarios/data/build/schemas.js";
import { buildReferenceTables, writeReferenceTables } from "../../scenarios/data/build-reference-tables.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dataDir = join(root, "scenarios", "data");
const curatedDir = join(dataDir, "curated");
const sharedDataDir = resolve(root, "..", "shared", "data");
const hasShared = existsSync(sharedDataDir);
const TABLES = ["gpus.csv", "metros.csv", "cloud-regions.csv", "token-prices.csv"] as const;

type Row = Readonly<Record<string, string>>;

function load(name: string): Row[] {
	return csvRecords(readFileSync(join(dataDir, name), "utf8"), name);
}

function col(row: Row, name: string): string {
	const v = row[name];
	if (v === undefined) throw new Error(`missing column ${name}`);
	return v;
}

function num(row: Row, name: string): number {
	const v = col(row, name);
	if (v === "") throw new Error(`${col(row, "id")}: ${name} is empty`);
	return Number(v);
}

function optionalNum(row: Row, name: string): number | null {
	return col(row, name) === "" ? null : Number(col(row, name));
}

function isIsoDate(s: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
	const d = new Date(`${s}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function expectProvenance(rows: readonly Row[]): void {
	for (const r of rows) {
		expect(col(r, "source").trim(), `${col(r, "id")} source`).not.toBe("");
		expect(isIsoDate(col(r, "date")), `${col(r, "id")} date ${col(r, "date")}`).toBe(true);
	}
}

function expectUniqueIds(rows: readonly Row[]): void {
	const ids = rows.map((r) => col(r, "id"));
	expect(new Set(ids).size).toBe(ids.length);
	for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
}

describe("gpus.csv", () => {
	const gpus = load("gpus.csv");
	const byId = new Map(gpus.map((g) => [col(g, "id"), g]));
	const gpu = (id: string): Row => {
		const g = byId.get(id);
		if (g === undefined) throw new Error(`no gpu ${id}`);
		return g;
	};

	it("holds the required hardware classes once each, with provenance", () => {
		const required = ["rtx3090", "rtx4090", "l40s", "a100-80gb", "h100-sxm", "h200", "b200", "jetson-agx-orin"];
		for (const id of required) expect(byId.has(id), id).toBe(true);
		expectUniqueIds(gpus);
		expectProvenance(gpus);
	});

	it("has positive specs in plausible ranges", () => {
		for (const g of gpus) {
			expect(["consumer", "datacenter", "edge"]).toContain(col(g, "tier"));
			expect(["true", "false"]).toContain(col(g, "nvlink"));
			expect(num(g, "fp32_tflops")).toBeGreaterThan(1);
			expect(num(g, "fp32_tflops")).toBeLessThan(200);
			expect(num(g, "fp16_tensor_tflops")).toBeGreaterThan(num(g, "fp32_tflops"));
			expect(num(g, "fp16_tensor_tflops")).toBeLessThan(5000);
			const fp8 = optionalNum(g, "fp8_tensor_tflops");
			if (fp8 !== null) expect(fp8).toBeGreaterThanOrEqual(num(g, "fp16_tensor_tflops"));
			expect(num(g, "int8_tops")).toBeGreaterThan(0);
			expect(num(g, "memory_gb")).toBeGreaterThanOrEqual(8);
			expect(num(g, "memory_gb")).toBeLessThanOrEqual(300);
			expect(num(g, "memory_bandwidth_gbps")).toBeGreaterThan(100);
			expect(num(g, "memory_bandwidth_gbps")).toBeLessThan(10_000);
			expect(num(g, "tdp_watts")).toBeGreaterThan(5);
			expect(num(g, "tdp_watts")).toBeLessThanOrEqual(1500);
			expect(num(g, "capex_usd")).toBeGreaterThan(100);
			expect(num(g, "capex_usd")).toBeLessThan(100_000);
			for (const c of ["rental_spot_usd_per_gpu_hour", "rental_on_demand_usd_per_gpu_hour", "akash_usd_per_gpu_hour"]) {
				const p = optionalNum(g, c);
				if (p !== null) {
					expect(p, `${col(g, "id")} ${c}`).toBeGreaterThan(0.01);
					expect(p, `${col(g, "id")} ${c}`).toBeLessThan(50);
				}
			}
		}
	});

	it("matches the published peaks and the curated rental and capex figures", () => {
		// H100 SXM dense FP16/BF16 tensor ≈ 989 TFLOP/s, FP8 ≈ 1979, 3.35 TB/s, 700 W.
		expect(num(gpu("h100-sxm"), "fp16_tensor_tflops")).toBeGreaterThan(989 * 0.95);
		expect(num(gpu("h100-sxm"), "fp16_tensor_tflops")).toBeLessThan(989 * 1.05);
		expect(num(gpu("h100-sxm"), "fp8_tensor_tflops")).toBeCloseTo(1979, 0);
		expect(num(gpu("h100-sxm"), "memory_bandwidth_gbps")).toBeCloseTo(3350, 0);
		expect(num(gpu("h100-sxm"), "tdp_watts")).toBe(700);
		expect(num(gpu("rtx4090"), "tdp_watts")).toBe(450);
		expect(num(gpu("a100-80gb"), "tdp_watts")).toBe(400);
		expect(num(gpu("a100-80gb"), "fp16_tensor_tflops")).toBeCloseTo(312, 0);
		expect(num(gpu("h200"), "memory_gb")).toBe(141);
		// RunPod, March 2026 (curated/gpu-figures.csv); A100 and H100: RunPod's secure-cloud rows of the skypilot
		// catalog, 2026-03-21 (1x_A100-80GB-SXM_SECURE $1.89, 1x_H100-SXM_SECURE $2.99 on demand, $2.69 spot).
		expect(num(gpu("rtx4090"), "rental_spot_usd_per_gpu_hour")).toBe(0.34);
		expect(num(gpu("rtx4090"), "rental_on_demand_usd_per_gpu_hour")).toBe(0.6);
		expect(num(gpu("a100-80gb"), "rental_spot_usd_per_gpu_hour")).toBe(1.19);
		expect(num(gpu("a100-80gb"), "rental_on_demand_usd_per_gpu_hour")).toBe(1.89);
		expect(num(gpu("h100-sxm"), "rental_spot_usd_per_gpu_hour")).toBe(2.69);
		expect(num(gpu("h100-sxm"), "rental_on_demand_usd_per_gpu_hour")).toBe(2.99);
		// Inference GPUs of the cloud twin (NVIDIA L4 and T4 datasheets): 24 and 16 GB, 72 and 70 W.
		expect(num(gpu("l4"), "memory_gb")).toBe(24);
		expect(num(gpu("l4"), "tdp_watts")).toBe(72);
		expect(num(gpu("t4"), "memory_gb")).toBe(16);
		expect(num(gpu("t4"), "fp16_tensor_tflops")).toBe(65);
		expect(col(gpu("t4"), "fp8_tensor_tflops")).toBe("");
		// Capex: midpoints of the street-price ranges (curated/gpu-figures.csv).
		expect(num(gpu("h100-sxm"), "capex_usd")).toBe(27_500);
		expect(num(gpu("rtx4090"), "capex_usd")).toBe(1700);
		// C8: consumer cards have no NVLink on the 4090; Ampere has no FP8.
		expect(col(gpu("rtx4090"), "nvlink")).toBe("false");
		expect(col(gpu("h100-sxm"), "nvlink")).toBe("true");
		expect(col(gpu("a100-80gb"), "fp8_tensor_tflops")).toBe("");
		expect(col(gpu("jetson-agx-orin"), "tier")).toBe("edge");
	});
});

describe("metros.csv", () => {
	const metros = load("metros.csv");
	const regions = ["na", "sa", "eu", "af", "me", "as", "oc"];

	it("holds at least 60 metros on every continent, once each, with provenance", () => {
		expect(metros.length).toBeGreaterThanOrEqual(60);
		expectUniqueIds(metros);
		expectProvenance(metros);
		for (const region of regions) {
			expect(metros.filter((m) => col(m, "region") === region).length, region).toBeGreaterThanOrEqual(3);
		}
		// South, East and Southeast Asia are all present.
		for (const id of ["mumbai", "tokyo", "jakarta", "singapore", "sydney", "lagos", "sao-paulo", "london"]) {
			expect(
				metros.some((m) => col(m, "id") === id),
				id,
			).toBe(true);
		}
	});

	it("has coordinates, populations, prices and latencies in range", () => {
		for (const m of metros) {
			expect(regions).toContain(col(m, "region"));
			expect(col(m, "country_iso2")).toMatch(/^[A-Z]{2}$/);
			expect(col(m, "jurisdiction")).toMatch(/^(us|eu|uk|cn|ru|in|br|jp|kr|sg|au|ca|other-[a-z]{2})$/);
			expect(num(m, "lat")).toBeGreaterThanOrEqual(-90);
			expect(num(m, "lat")).toBeLessThanOrEqual(90);
			expect(num(m, "lon")).toBeGreaterThanOrEqual(-180);
			expect(num(m, "lon")).toBeLessThanOrEqual(180);
			expect(num(m, "population")).toBeGreaterThan(0);
			expect(num(m, "population_weight")).toBeGreaterThan(0);
			expect(col(m, "population_weight")).toMatch(/^0\.\d{6}$/);
			expect(num(m, "electricity_usd_per_kwh")).toBeGreaterThan(0.02);
			expect(num(m, "electricity_usd_per_kwh")).toBeLessThan(0.6);
			expect(col(m, "electricity_source")).toMatch(/^(wholesale|wholesale-proxy|fallback):/);
			expect(num(m, "last_mile_ms")).toBeGreaterThan(0);
			expect(num(m, "last_mile_ms")).toBeLessThanOrEqual(50);
		}
	});

	it("has population weights that sum to 1", () => {
		const sum = metros.reduce((a, m) => a + num(m, "population_weight"), 0);
		expect(Math.abs(sum - 1)).toBeLessThan(1e-4);
	});
});

describe("cloud-regions.csv", () => {
	const regions = load("cloud-regions.csv");
	const metroIds = new Set(load("metros.csv").map((m) => col(m, "id")));

	it("holds at least 25 hyperscaler regions including the named ones, with provenance", () => {
		expect(regions.length).toBeGreaterThanOrEqual(25);
		expectUniqueIds(regions);
		expectProvenance(regions);
		const ids = new Set(regions.map((r) => col(r, "id")));
		for (const id of [
			"aws-us-east-1",
			"aws-us-west-2",
			"aws-eu-west-1",
			"aws-eu-central-1",
			"aws-ap-northeast-1",
			"aws-ap-southeast-1",
			"aws-ap-south-1",
			"aws-sa-east-1",
			"aws-me-central-1",
			"aws-af-south-1",
		]) {
			expect(ids.has(id), id).toBe(true);
		}
		for (const provider of ["aws", "gcp", "azure"]) {
			expect(
				regions.some((r) => col(r, "provider") === provider),
				provider,
			).toBe(true);
		}
	});

	it("has prices, costs and availability in range, and sits in a listed metro", () => {
		for (const r of regions) {
			expect(col(r, "id")).toBe(`${col(r, "provider")}-${col(r, "region_code")}`);
			expect(metroIds.has(col(r, "metro_id")), col(r, "metro_id")).toBe(true);
			expect(num(r, "lat")).toBeGreaterThanOrEqual(-90);
			expect(num(r, "lat")).toBeLessThanOrEqual(90);
			expect(num(r, "lon")).toBeGreaterThanOrEqual(-180);
			expect(num(r, "lon")).toBeLessThanOrEqual(180);
			expect(num(r, "h100_usd_per_gpu_hour")).toBeGreaterThan(1);
			expect(num(r, "h100_usd_per_gpu_hour")).toBeLessThan(30);
			expect(num(r, "a100_usd_per_gpu_hour")).toBeGreaterThan(0.5);
			expect(num(r, "a100_usd_per_gpu_hour")).toBeLessThan(20);
			const l40s = optionalNum(r, "l40s_usd_per_gpu_hour");
			if (l40s !== null) expect(l40s).toBeGreaterThan(0.3);
			expect(num(r, "egress_usd_per_gb")).toBeGreaterThan(0);
			expect(num(r, "egress_usd_per_gb")).toBeLessThan(0.5);
			expect(num(r, "interregion_usd_per_gb")).toBeGreaterThan(0);
			expect(num(r, "interregion_usd_per_gb")).toBeLessThan(0.5);
			expect(num(r, "availability")).toBeGreaterThan(0.99);
			expect(num(r, "availability")).toBeLessThanOrEqual(1);
		}
		const useast1 = regions.find((r) => col(r, "id") === "aws-us-east-1");
		expect(useast1 === undefined ? null : num(useast1, "egress_usd_per_gb")).toBe(0.09);
		// AWS g6.xlarge (1 L4) $0.8048/h and g4dn.xlarge (1 T4) $0.526/h on demand, skypilot 2026-03-21.
		expect(useast1 === undefined ? null : num(useast1, "l4_usd_per_gpu_hour")).toBe(0.8048);
		expect(useast1 === undefined ? null : num(useast1, "t4_usd_per_gpu_hour")).toBe(0.526);
	});
});

describe("token-prices.csv", () => {
	const prices = load("token-prices.csv");
	const close = (symbol: string, date: string): number => {
		const row = prices.find((r) => col(r, "symbol") === symbol && col(r, "date") === date);
		if (row === undefined) throw new Error(`no ${symbol} ${date}`);
		return num(row, "close_usd");
	};

	it("holds the seven series, each by ascending unique date, with provenance", () => {
		const symbols = [...new Set(prices.map((r) => col(r, "symbol")))];
		expect(symbols).toEqual(["HNT", "RNDR", "TAO", "AKT", "FIL", "ETH", "BTC"]);
		for (const symbol of symbols) {
			const dates = prices.filter((r) => col(r, "symbol") === symbol).map((r) => col(r, "date"));
			for (let i = 1; i < dates.length; i++) expect((dates[i - 1] as string) < (dates[i] as string)).toBe(true);
		}
		for (const r of prices) {
			expect(isIsoDate(col(r, "date")), col(r, "date")).toBe(true);
			expect(col(r, "source")).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{7} \S+\.csv$/);
			expect(num(r, "close_usd")).toBeGreaterThan(0);
		}
	});

	it("starts and ends each series where the upstream files do, FIL at mainnet, BTC/ETH in 2020", () => {
		const span = (symbol: string) => {
			const dates = prices.filter((r) => col(r, "symbol") === symbol).map((r) => col(r, "date"));
			return [dates[0], dates.at(-1)];
		};
		expect(span("HNT")).toEqual(["2020-07-01", "2025-01-16"]);
		expect(span("RNDR")).toEqual(["2020-07-01", "2024-07-21"]);
		expect(span("TAO")).toEqual(["2023-03-05", "2025-01-16"]);
		expect(span("AKT")).toEqual(["2020-10-20", "2022-09-27"]);
		expect(span("FIL")).toEqual(["2020-10-15", "2022-02-14"]);
		expect(span("ETH")).toEqual(["2020-01-01", "2025-01-16"]);
		expect(span("BTC")).toEqual(["2020-01-01", "2025-01-16"]);
	});

	it("replays the Helium 2022 crash (2021 peak, 2022 and 2023 closes)", () => {
		expect(close("HNT", "2021-11-15")).toBeCloseTo(52.7, 2);
		expect(close("HNT", "2022-06-30")).toBeCloseTo(9.59, 2);
		expect(close("HNT", "2022-12-31")).toBeCloseTo(1.58, 2);
		expect(close("HNT", "2023-12-31")).toBeCloseTo(6.8, 2);
	});
});

describe("reference-table build", () => {
	it.skipIf(!hasShared)(
		"reproduces the committed files byte for byte (needs the public datasets beside the checkout; skipped without them)",
		() => {
			const out = mkdtempSync(join(tmpdir(), "depin-twin-reference-"));
			try {
				writeReferenceTables(buildReferenceTables(sharedDataDir), out);
				for (const name of TABLES) {
					const built = readFileSync(join(out, name));
					const committed = readFileSync(join(dataDir, name));
					expect(
						built.equals(committed),
						`${name} differs; rebuild with npx tsx scenarios/data/build-reference-tables.ts`,
					).toBe(true);
				}
			} finally {
				rmSync(out, { recursive: true, force: true });
			}
		},
	);
});

describe("curated figures (scenarios/data/curated)", () => {
	const files = readdirSync(curatedDir)
		.filter((f) => f.endsWith(".csv"))
		.sort();

	it("has one schema per file and every row is schema-valid, with a source and a date", () => {
		expect(files).toEqual(Object.keys(CURATED_SCHEMAS).sort());
		for (const name of files) {
			const schema = CURATED_SCHEMAS[name];
			if (schema === undefined) throw new Error(`no schema for ${name}`);
			const rows = parseCurated(readFileSync(join(curatedDir, name), "utf8"), name, schema);
			expect(rows.length, name).toBeGreaterThan(0);
			for (const r of rows) {
				expect(r.source.trim(), `${name}:${r.line} source`).not.toBe("");
				expect(isIsoDate(r.date), `${name}:${r.line} date ${r.date}`).toBe(true);
			}
		}
	});

	it("marks a figure without a document as an assumption, with its reason", () => {
		const figures = csvRecords(readFileSync(join(curatedDir, "gpu-figures.csv"), "utf8"));
		const capex = (id: string) => figures.find((r) => r.gpu_id === id && r.figure === "capex_usd")?.source ?? "";
		expect(capex("rtx4090")).toMatch(/assumption: \S/);
		expect(capex("h100-sxm")).toMatch(/assumption: \S/);
		// The 13 vendor figures of the two devices Epoch lacks each cite their own document.
		const vendor = figures.filter((r) => ["l40s", "jetson-agx-orin"].includes(r.gpu_id ?? "") && r.value !== "");
		const specs = vendor.filter((r) => !["capex_usd", "capex_epoch_release_price", "nvlink"].includes(r.figure ?? ""));
		expect(specs.length).toBe(13);
		for (const r of specs)
			expect(r.source, `${r.gpu_id} ${r.figure}`).toMatch(/(datasheet|Technical Brief|data sheet)/);
	});

	it("uses every curated GPU figure: each one's source is cited in its gpus.csv row", () => {
		const gpus = new Map(load("gpus.csv").map((g) => [col(g, "id"), col(g, "source")]));
		for (const r of csvRecords(readFileSync(join(curatedDir, "gpu-figures.csv"), "utf8"))) {
			expect(gpus.get(r.gpu_id ?? "") ?? "", `${r.gpu_id} ${r.figure}`).toContain(r.source ?? "?");
		}
	});

	const schema = { name: "text", value: "number" } as const;
	const parseError = (text: string): CsvError => {
		try {
			parseCurated(text, "figures.csv", schema);
		} catch (e) {
			if (e instanceof CsvError) return e;
			throw e;
		}
		throw new Error("no error");
	};

	it("rejects a row without a source, naming file, line and column", () => {
		const e = parseError("name,value,source,date\na,1,vendor page,2024-01-01\nb,2,,2024-01-01\n");
		expect([e.file, e.line, e.column]).toEqual(["figures.csv", 3, "source"]);
		expect(e.message).toBe('figures.csv:3: column "source": must not be empty');
		expect(parseError("name,value,source,date\nb,2,   ,2024-01-01\n").column).toBe("source");
	});

	it("rejects a bad date, a bad number, a missing or an unknown column", () => {
		const badDate = parseError("name,value,source,date\na,1,vendor,2024-13-01\n");
		expect([badDate.line, badDate.column]).toEqual([2, "date"]);
		const badNumber = parseError("name,value,source,date\na,1,vendor,2024-01-01\nb,x,vendor,2024-01-01\n");
		expect([badNumber.line, badNumber.column]).toEqual([3, "value"]);
		expect(parseError("name,value,date\na,1,2024-01-01\n").column).toBe("source");
		expect(parseError("name,value,extra,source,date\na,1,2,s,2024-01-01\n").column).toBe("extra");
	});

	it("stops the build at a curated row without a source, naming file, line and column", () => {
		const copy = mkdtempSync(join(tmpdir(), "depin-twin-curated-"));
		try {
			cpSync(curatedDir, copy, { recursive: true });
			const path = join(copy, "countries.csv");
			const table = parseCsv(readFileSync(path, "utf8"), path);
			// Blank the source of the third country (file line 4) and write the file back.
			const rows = table.rows.map((r, i) => (i === 2 ? r.map((c, j) => (table.header[j] === "source" ? "" : c)) : r));
			const quote = (c: string) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
			writeFileSync(path, `${[table.header, ...rows].map((r) => r.map(quote).join(",")).join("\n")}\n`);
			let error: unknown;
			try {
				buildReferenceTables(join(copy, "no-datasets-needed"), copy);
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(CsvError);
			expect([(error as CsvError).file, (error as CsvError).line, (error as CsvError).column]).toEqual([
				path,
				4,
				"source",
			]);
		} finally {
			rmSync(copy, { recursive: true, force: true });
		}
	});
});
