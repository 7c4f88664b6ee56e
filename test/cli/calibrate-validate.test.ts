import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { calibrateCommand } from "../../cli/calibrate.js";
import { familyOf, parseValidationCsv } from "../../models/calibration/validation.js";
import { loadCatalog, referencePaths } from "../../models/catalog.js";
import { captureIo } from "../helpers/io.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const tablePath = join(root, "scenarios", "calibration", "validation.csv");
const gpus = loadCatalog(referencePaths(join(root, "scenarios"))).gpus;

describe("calibrate --validate: batched rows and families", () => {
	it("a batched fixture row with a KV cache and fp8 reproduces the hand-computed error", async () => {
		// h100-sxm, default profile (datacenter mfu 0.5, mbu 0.7): FP8 peak 1979 × 0.5 = 989.5 TFLOP/s,
		// 3350 × 0.7 = 2345 GB/s. b = 8, prompt 1000 tokens, 1 step, weights 4.69 GB (2 ms),
		// KV 293,125 bytes per token (8 × 1000 × 293,125 B = 2.345 GB: 1 ms); step compute
		// 8 × 10 ÷ 989.5 < 3 ms of memory; prefill 8 × 1979 GFLOP ÷ 989.5 = 16 ms → 19 ms.
		// Published 20 ms: −5%.
		const dir = mkdtempSync(join(tmpdir(), "depin-validate-batch-"));
		const file = join(dir, "t.csv");
		writeFileSync(
			file,
			[
				"gpu,workload,batch,metric,published,prefill_gflop,decode_steps,step_gflop,weights_gb,tokens_per_request,source_url,source_date,note,regime,excluded,prompt_tokens,kv_bytes_per_token,precision",
				"h100-sxm,batched fp8,8,latency_ms,20,1979,1,10,4.69,1,https://example.org,2024,,,,1000,293125,fp8",
			].join("\n"),
		);
		const captured = captureIo();
		expect(await calibrateCommand({ backend: "auto", quick: false, validate: file }, captured.io)).toBe(0);
		expect(captured.out()).toMatch(/h100-sxm +batched fp8 +8 latency_ms +20\.00 +19\.00 +-5\.0% +tier datacenter/);
		expect(captured.out()).toMatch(/batched +1 rows +median \|error\| +5\.0%/);
	});

	it("the shipped table covers decode, prompt, batched (≥ 5 rows on ≥ 3 classes), image and vision, every row sourced", async () => {
		const rows = parseValidationCsv(readFileSync(tablePath, "utf8"), tablePath, gpus);
		const batched = rows.filter((r) => familyOf(r) === "batched" && r.excluded === "");
		expect(batched.length).toBeGreaterThanOrEqual(5);
		expect(new Set(batched.map((r) => r.gpu)).size).toBeGreaterThanOrEqual(3);
		expect(new Set(rows.map(familyOf))).toEqual(new Set(["decode", "prompt", "batched", "image", "vision"]));
		for (const r of rows) {
			// A permalink pinned to a commit, a date, and a note saying where in the page the figure is.
			expect(r.sourceUrl).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/[0-9a-f]{7,40}\//);
			expect(r.sourceDate).toMatch(/^\d{4}(-\d{2}){0,2}$/);
			expect(r.note.length).toBeGreaterThan(50);
		}
		const captured = captureIo();
		expect(await calibrateCommand({ backend: "auto", quick: false, validate: true }, captured.io)).toBe(0);
		for (const family of ["decode", "prompt", "batched", "image", "vision"]) {
			expect(captured.out()).toMatch(new RegExp(`\\n  ${family} +\\d+ rows +median \\|error\\| +[\\d.]+%`));
		}
	});
});
