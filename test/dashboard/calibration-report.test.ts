import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
	CalibrationReportError,
	calibrationReportHtml,
	escapeHtml,
	formatNumber,
	readCalibrationReportData,
} from "../../dashboard/calibration-report.js";
import {
	achievedVsPeakChart,
	efficiencyChart,
	kernelFitChart,
	predictedLatencyChart,
	renderSvg,
	rooflineCurve,
	rooflineMs,
} from "../../dashboard/charts.js";
import { loadCatalog, referencePaths } from "../../models/catalog.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixtureText = readFileSync(resolve(root, "test/fixtures/calibration-profile.json"), "utf8");
const defaultText = readFileSync(resolve(root, "scenarios/calibration/default.json"), "utf8");
const fixture = () => JSON.parse(fixtureText) as FixtureProfile;
const gpus = loadCatalog(referencePaths(resolve(root, "scenarios"))).gpus;

interface FixturePoint {
	batch: number;
	flops: number;
	bytes: number;
	medianMs: number;
	p10Ms: number;
	p90Ms: number;
}
interface FixtureProfile {
	provenance: Record<string, unknown>;
	measurement: { device: { cpu: string }; backendsTried: { reason: string }[] };
	kernels: {
		name: string;
		params: Record<string, unknown>;
		points: FixturePoint[];
		fit: { overheadMs: number; effectiveGflops: number; effectiveGbps: number };
	}[];
	gpuPredictions: Record<string, Record<string, unknown>>;
}

/** The inner HTML of `<section id="…">`. */
function section(html: string, id: string): string {
	const start = html.indexOf(`<section id="${id}">`);
	expect(start, `section #${id}`).toBeGreaterThanOrEqual(0);
	return html.slice(start, html.indexOf("</section>", start));
}

function count(text: string, pattern: RegExp): number {
	return [...text.matchAll(pattern)].length;
}

describe("calibration report from a measured profile", async () => {
	const html = await calibrationReportHtml(fixture(), { gpus });

	it("names every kernel", () => {
		for (const kernel of fixture().kernels) expect(html).toContain(kernel.name);
	});

	it("has the fit table values, one row per kernel", () => {
		const fit = section(html, "fit");
		const rows = fit.split("<tr>").slice(2);
		expect(rows).toHaveLength(3);
		const cells = (row: string) => [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]);
		// kernel, kind, overhead ms, GFLOP/s, GB/s, mfu, mbu, R², max relative error, points
		expect(cells(rows[0] as string)).toEqual([
			"<code>matmul-512</code>",
			"matmul",
			"0.05",
			"60",
			"12",
			"0.0488",
			"0.3",
			"0.9999",
			"4.59%",
			"9",
		]);
		expect(cells(rows[1] as string).slice(2)).toEqual(["0.08", "40", "10", "0.0326", "0.25", "0.9984", "3.13%", "4"]);
		expect(cells(rows[2] as string).slice(2)).toEqual(["0.3", "45", "15", "0.0366", "0.375", "0.9980", "3.63%", "6"]);
	});

	it("draws one inline SVG per chart: a fit per kernel, efficiency, GFLOP/s, GB/s and per-GPU predictions", () => {
		const figures = html.split('<figure class="chart"').slice(1);
		expect(figures.map((f) => /data-chart="([\w-]+)"/.exec(f)?.[1])).toEqual([
			"efficiency",
			"kernel-fit",
			"kernel-fit",
			"kernel-fit",
			"achieved-gflops",
			"achieved-gbps",
			"gpu-predictions",
		]);
		for (const figure of figures) expect(count(figure.slice(0, figure.indexOf("</figure>")), /<svg/g)).toBe(1);
		expect(count(html, /<svg/g)).toBe(7);
		// Inline SVGs share the page's ids: every clip path must stay unique and resolvable.
		const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
		expect(new Set(ids).size).toBe(ids.length);
		for (const ref of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref[1]);
	});

	it("is self-contained: no script, no URL, no external reference", () => {
		expect(html).not.toMatch(/<script/i);
		expect(html).not.toMatch(/https?:/i);
		expect(html).not.toMatch(/\ssrc=|<link|@import|url\((?!#)/i);
		for (const href of html.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^#/);
	});

	it("shows provenance: backend, backends tried and why, device, versions, date, samples, peak", () => {
		const provenance = section(html, "provenance");
		for (const text of [
			"<code>wasm</code>",
			"not available",
			"@tensorflow/tfjs-node-gpu is not installed (Cannot find module)",
			"Synthetic Xeon 8480 @ 2.40GHz",
			"tfjs 4.22.0",
			"2026-09-21T10:00:00.000Z",
			"7 (quick run",
			"1,229 GFLOP/s, 40 GB/s",
		]) {
			expect(provenance).toContain(text);
		}
	});

	it("tabulates per-GPU predictions with catalog names, and charts the transformer kernel", () => {
		const predictions = section(html, "predictions");
		expect(predictions).toContain("NVIDIA H100 SXM5 80GB (datacenter)");
		expect(predictions).toContain("Predicted latency vs batch per GPU class: transformer-block-d256");
		expect(count(predictions, /<h3>Predicted ms per batch/g)).toBe(3);
		expect(html).not.toContain("No measurements are included");
	});

	it("charts another kernel's predictions when asked", async () => {
		const other = await calibrationReportHtml(fixture(), { predictionKernel: "matmul-512" });
		expect(other).toContain("Predicted latency vs batch per GPU class: matmul-512");
		// Without the catalog, GPUs go by their ids.
		expect(section(other, "predictions")).toContain("h100-sxm");
	});

	it("escapes every string taken from the profile", async () => {
		const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>&';
		const profile = fixture();
		(profile.kernels[0] as FixtureProfile["kernels"][number]).name = hostile;
		(profile.kernels[1] as FixtureProfile["kernels"][number]).params = { [hostile]: hostile };
		profile.provenance.note = hostile;
		profile.provenance[hostile] = [hostile, { [hostile]: hostile }];
		profile.measurement.device.cpu = hostile;
		(profile.measurement.backendsTried[0] as { reason: string }).reason = hostile;
		profile.gpuPredictions[hostile] = { [hostile]: [{ batch: 1, predictedMs: 1 }] };
		const page = await calibrationReportHtml(profile, { title: hostile, source: hostile });
		expect(page).not.toMatch(/<script|<img/i);
		expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;");
		// Charts carry the name as SVG text, escaped by vega.
		expect(section(page, "measured")).toContain("&lt;script&gt;");
	});
});

describe("calibration report from the literature-default profile", async () => {
	const html = await calibrationReportHtml(JSON.parse(defaultText));

	it("says plainly that no measurements are included, and shows what it has", () => {
		expect(html).toContain("No measurements are included in this profile");
		expect(html).toContain("<title>Calibration report: default</title>");
		const efficiency = section(html, "efficiency");
		for (const share of ["0.25", "0.65", "0.5", "0.7", "0.3"]) expect(efficiency).toContain(`>${share}<`);
		expect(section(html, "provenance")).toContain("literature-defaults");
		expect(section(html, "predictions")).toContain("no per-GPU predictions");
		expect(count(html, /<svg/g)).toBe(1);
		expect(html).not.toMatch(/<script|https?:/i);
		expect(html).not.toContain("could not be read");
	});
});

describe("reading a profile leniently, through the profile schema", () => {
	it("rejects what is not a profile at all", async () => {
		await expect(calibrationReportHtml([1, 2])).rejects.toThrow(CalibrationReportError);
		expect(() => readCalibrationReportData("text")).toThrow(/JSON root must be an object/);
	});

	it("lists malformed parts on the page, with their field paths, instead of dropping them silently", async () => {
		const profile = fixture() as unknown as Record<string, unknown>;
		(profile.kernels as unknown[]).push({ kind: "mlp" });
		((profile.kernels as FixtureProfile["kernels"])[0] as { points: unknown[] }).points.push({ batch: "two" });
		profile.gpuPredictions = 7;
		const html = await calibrationReportHtml(profile);
		expect(html).toContain("Parts of this profile could not be read");
		expect(html).toContain("kernels[3].name: required field is missing");
		expect(html).toContain("kernels[0].points[9].batch: expected an integer ≥ 1, got &quot;two&quot;");
		expect(html).toContain("gpuPredictions: expected an object, got 7");
		// The bad point, the bad kernel and the predictions are left out; the rest stays.
		const data = readCalibrationReportData(profile);
		expect(data.kernels.map((k) => [k.name, k.points.length])).toEqual([
			["matmul-512", 9],
			["conv2d-3x3-32x32x16", 4],
			["transformer-block-d256", 6],
		]);
		expect(data.predictions).toEqual([]);
		expect(data.efficiency).toHaveLength(3);
	});

	it("leaves out a tier whose shares fail the schema, and says why as a run would", () => {
		const profile = fixture() as unknown as { efficiency: Record<string, { mfu: number }> };
		(profile.efficiency.edge as { mfu: number }).mfu = 1.5;
		const data = readCalibrationReportData(profile);
		expect(data.efficiency.map((e) => e.tier)).toEqual(["consumer", "datacenter"]);
		expect(data.problems).toEqual(["efficiency.edge.mfu: expected a positive number ≤ 1, got 1.5"]);
	});
});

describe("charts", () => {
	it("render to the same SVG bytes every time", async () => {
		const kernel = fixture().kernels[0] as FixtureProfile["kernels"][number];
		const spec = kernelFitChart({ kernel: kernel.name, points: kernel.points, fit: kernel.fit });
		const first = await renderSvg(spec);
		expect(first).toMatch(/^<svg/);
		expect(await renderSvg(structuredClone(spec))).toBe(first);
		const again = await calibrationReportHtml(fixture(), { gpus });
		expect(await calibrationReportHtml(fixture(), { gpus })).toBe(again);
	});

	it("draws the fitted roofline in ms: overhead + max(FLOP ÷ GFLOP/s, bytes ÷ GB/s)", () => {
		const fit = { overheadMs: 0.5, effectiveGflops: 100, effectiveGbps: 10 };
		// 10⁹ FLOP at 100 GFLOP/s = 10 ms; 5·10⁷ bytes at 10 GB/s = 5 ms.
		expect(rooflineMs(fit, 1e9, 5e7)).toBeCloseTo(10.5, 12);
		expect(rooflineMs(fit, 1e6, 5e7)).toBeCloseTo(5.5, 12);
		for (const kernel of fixture().kernels) {
			const curve = rooflineCurve(kernel.points, kernel.fit);
			expect(curve.length).toBeGreaterThan(kernel.points.length);
			for (const point of kernel.points) {
				const onCurve = curve.find((c) => c.batch === point.batch);
				// The synthetic timings scatter ±8% around the roofline they were drawn from.
				expect(Math.abs((onCurve?.ms ?? 0) / point.medianMs - 1)).toBeLessThan(0.1);
			}
		}
	});

	it("builds every chart kind, with data that a log scale can place", async () => {
		const profile = fixture();
		const series = profile.kernels.map((k) => ({
			kernel: k.name,
			points: k.points.map((p) => ({ ...p, achievedGflops: p.flops / p.medianMs / 1e6 })),
		}));
		const specs = [
			achievedVsPeakChart({ metric: "gflops", series, peak: { value: 1000, label: "peak" } }),
			predictedLatencyChart({
				kernel: "k",
				gpus: [
					{
						label: "g",
						points: [
							{ batch: 1, predictedMs: 1 },
							{ batch: 0, predictedMs: 1 },
							{ batch: 2, predictedMs: Number.NaN },
						],
					},
				],
			}),
			efficiencyChart({ tiers: [{ tier: "edge", mfu: 0.3, mbu: 0.5 }] }),
		];
		for (const spec of specs) expect(await renderSvg(spec)).toMatch(/^<svg[\s\S]*<\/svg>$/);
		const predicted = JSON.stringify(specs[1]);
		expect(predicted).not.toContain('"batch":0');
		expect(predicted).not.toContain("null");
	});
});

describe("formatting", () => {
	it("formats numbers the same way on every machine", () => {
		expect(formatNumber(1228.8)).toBe("1,229");
		expect(formatNumber(0.048828)).toBe("0.0488");
		expect(formatNumber(60)).toBe("60");
		expect(formatNumber(2.5e-5)).toBe("2.50e-5");
		expect(formatNumber(undefined)).toBe("—");
		expect(formatNumber(Number.NaN)).toBe("—");
		expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	});
});

describe("where the measurement applies, flagged kernels and the validation section", () => {
	it("a CPU profile says no GPU class uses it; a GPU profile names its class", async () => {
		const cpu = await calibrationReportHtml(fixture(), { gpus });
		expect(cpu).toContain("This profile measured <b>cpu-wasm</b>");
		expect(cpu).toContain("is no GPU class of the catalogue, so no GPU class uses it");
		const gpu = { ...fixture(), measuredClass: "rtx3090", measuredEfficiency: { mfu: 0.4, mbu: 0.6 } };
		const html = await calibrationReportHtml(gpu, { gpus });
		expect(html).toContain("It applies to <b>rtx3090</b> only");
		expect(html).toContain("mfu 0.4, mbu 0.6");
	});

	it("lists flagged kernels with their reason, and marks cache-roof kernels", async () => {
		const profile = fixture() as unknown as { kernels: { fit: Record<string, unknown> }[] };
		(profile.kernels[0] as { fit: Record<string, unknown> }).fit.flag = "mbu 1.75 > 1 of the DRAM copy bandwidth";
		(profile.kernels[1] as { fit: Record<string, unknown> }).fit.memoryRoof = "cache";
		const html = await calibrationReportHtml(profile, { gpus });
		expect(html).toContain("Left out of the measured efficiency:");
		expect(html).toContain("mbu 1.75 &gt; 1 of the DRAM copy bandwidth");
		expect(html).toContain("(cache roof)");
	});

	it("charts and tables the validation against published figures, with the median", async () => {
		const row = {
			gpu: "rtx4090",
			workload: "decode",
			batch: 1,
			metric: "tokens_per_s" as const,
			published: 50,
			compute: { prefillGflop: 0, decodeSteps: 1, stepGflop: 2, weightsGb: 6.552, overheadMs: 0 },
			tokensPerRequest: 1,
			sourceUrl: "https://example.org/a",
			sourceDate: "2024-01",
			note: "",
			excluded: "",
			regime: "decode",
			predicted: 100,
			relativeError: 1,
			efficiencySource: "tier consumer",
		};
		const left = { ...row, published: 10, predicted: 100, relativeError: 9, excluded: "suspect session" };
		const validation = {
			rows: [row, left],
			medianAbsError: 1,
			medianAbsErrorAll: 5,
			includedCount: 1,
			regimes: [{ regime: "decode", count: 1, medianError: 1, minError: 1, maxError: 1 }],
			families: [{ family: "decode" as const, count: 1, medianAbsError: 1 }],
			gpuClasses: ["rtx4090"],
		};
		const html = await calibrationReportHtml(fixture(), { gpus, validation });
		expect(html).toContain("<b>500.0%</b> over all 2 figures, the 1 excluded");
		expect(html).toContain("tier consumer; excluded: suspect session");
		expect(html).toContain("decode +100.0% (+100.0% to +100.0%, 1 rows)");
		expect(html).toContain("Median |error| by workload family, included rows: decode 100.0% (1 rows).");
		expect(html).toContain('<section id="validation">');
		expect(html).toContain('data-chart="validation"');
		expect(html).toContain("<b>Median |error| 100.0%</b> over 1 figures on 1 GPU classes (rtx4090)");
		expect(html).toContain('<a href="https://example.org/a">');
		expect(await calibrationReportHtml(fixture(), { gpus })).not.toContain('id="validation"');
	});
});
