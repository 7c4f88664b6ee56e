import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calibrateCommand } from "../../../cli/calibrate.js";
import { findKernel, kernelFlops } from "../../../models/calibration/kernels.js";
import { type CalibrationProfile, parseCalibrationProfile } from "../../../models/latency.js";
import { captureIo } from "../../helpers/io.js";

const dir = mkdtempSync(join(tmpdir(), "depin-calibrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function findSpec(name: string) {
	const spec = findKernel(name);
	if (spec === undefined) throw new Error(`no kernel ${name}`);
	return spec;
}

describe("calibrate --quick on the wasm backend", () => {
	const out = join(dir, "quick.json");
	let code = -1;
	let stdout = "";
	let text = "";
	let profile: CalibrationProfile;

	beforeAll(async () => {
		const captured = captureIo();
		code = await calibrateCommand({ backend: "wasm", quick: true, out }, captured.io);
		stdout = captured.out();
		text = readFileSync(out, "utf8");
		profile = parseCalibrationProfile(text, out);
	});

	it("really runs wasm kernels, with positive, finite achieved FLOP/s", () => {
		expect(code).toBe(0);
		expect(stdout).toMatch(/backend wasm/);
		expect(stdout).toContain(`profile: ${out}`);
		const { measurement, kernels } = profile;
		expect(measurement?.backend).toBe("wasm");
		expect(measurement?.quick).toBe(true);
		expect(measurement?.backendsTried.find((t) => t.name === "wasm")?.ok).toBe(true);
		expect(measurement?.versions.tfjs).toBe("4.22.0");
		expect(measurement?.machinePeak.gflops).toBeGreaterThan(0);
		expect(kernels?.map((k) => k.kind).sort()).toEqual(["conv2d", "matmul", "mlp", "transformer"]);
		for (const kernel of kernels ?? []) {
			expect(kernel.points.length).toBeGreaterThanOrEqual(3);
			for (const point of kernel.points) {
				expect(Number.isFinite(point.achievedGflops) && point.achievedGflops > 0).toBe(true);
				expect(point.samplesMs.length).toBeGreaterThanOrEqual(3);
				expect(point.p10Ms).toBeLessThanOrEqual(point.medianMs);
				expect(point.flops).toBe(kernelFlops(findSpec(kernel.name), point.batch));
			}
			expect(kernel.fit.effectiveGflops).toBeGreaterThan(0);
			expect(kernel.fit.rSquared).toBeLessThanOrEqual(1);
		}
		for (const tier of ["consumer", "datacenter", "edge"] as const) {
			expect(profile.efficiency[tier].mfu).toBeGreaterThan(0);
			expect(profile.efficiency[tier].mbu).toBeLessThanOrEqual(1);
		}
	});

	it("round-trips through parseCalibrationProfile", () => {
		const json = JSON.parse(text);
		expect(profile.profile).toBe("quick");
		expect(profile.profileHash).toBe(createHash("sha256").update(text).digest("hex"));
		expect(JSON.parse(JSON.stringify(profile.kernels))).toEqual(json.kernels);
		expect(JSON.parse(JSON.stringify(profile.measurement))).toEqual(json.measurement);
		expect(JSON.parse(JSON.stringify(profile.gpuPredictions))).toEqual(json.gpuPredictions);
		expect(profile.efficiency.edge.mfu).toBe(json.efficiency.edge.mfu);
		// Every GPU class gets every kernel, at batches 1..256.
		expect(Object.keys(profile.gpuPredictions ?? {})).toContain("h100-sxm");
		expect(profile.gpuPredictions?.["h100-sxm"]?.["matmul-256"]?.length).toBe(9);
		// A measured profile with a broken field is refused with the field's path.
		const broken = (edit: (j: typeof json) => void) => {
			const copy = structuredClone(json);
			edit(copy);
			return () => parseCalibrationProfile(JSON.stringify(copy), "x.json");
		};
		expect(
			broken((j) => {
				j.kernels[0].points[0].medianMs = -1;
			}),
		).toThrow("profile x.json: kernels[0].points[0].medianMs: expected a positive number, got -1");
		expect(
			broken((j) => {
				j.kernels[1].fit.speed = 1;
			}),
		).toThrow(/x\.json: kernels\[1\]\.fit\.speed: unknown field/);
		expect(
			broken((j) => {
				j.gpuPredictions.l40s.resnet = [];
			}),
		).toThrow("profile x.json: gpuPredictions.l40s.resnet: names no kernel of this profile");
		expect(
			broken((j) => {
				j.measurement.backendsTried[0].ok = "no";
			}),
		).toThrow('profile x.json: measurement.backendsTried[0].ok: expected true or false, got "no"');
		expect(
			broken((j) => {
				j.kernels[0].kind = "fft";
			}),
		).toThrow(/kernels\[0\]\.kind: expected one of matmul, conv2d, mlp, transformer, model, got "fft"/);
		expect(
			broken((j) => {
				j.kernels[2].name = j.kernels[0].name;
			}),
		).toThrow(`profile x.json: kernels[2].name: "${json.kernels[0].name}" appears twice (also kernels[0])`);
		expect(
			broken((j) => {
				j.kernels[0].points[0].p10Ms = j.kernels[0].points[0].medianMs * 2;
			}),
		).toThrow(/profile x\.json: kernels\[0\]\.points\[0\]: expected p10Ms ≤ medianMs ≤ p90Ms/);
		expect(
			broken((j) => {
				j.measurement.date = "yesterday";
			}),
		).toThrow('profile x.json: measurement.date: expected an ISO 8601 date, got "yesterday"');
	});
});

describe("calibrate --import", () => {
	it("turns external GPU measurements into the same profile format and fit", async () => {
		const csv = join(dir, "rtx4090.csv");
		const rows = ["device,kernel,batch,latency_ms,flops,bytes"];
		// A decode-like step: 16 GB of weights read once a batch, 160 GFLOP a request; memory-bound
		// up to batch ~20, compute-bound above.
		for (const batch of [1, 2, 4, 8, 16, 32, 64, 128]) {
			const flops = 160e9 * batch;
			const bytes = 16e9;
			const ms = 0.3 + Math.max(flops / (165e3 * 1e6), bytes / (800 * 1e6));
			for (const jitter of [0.99, 1, 1.01])
				rows.push(`NVIDIA GeForce RTX 4090,llama-8b-decode,${batch},${ms * jitter},${flops},${bytes}`);
		}
		for (const batch of [1, 4, 16]) rows.push(`NVIDIA GeForce RTX 4090,matmul-1024,${batch},${0.02 + batch * 0.01},,`);
		writeFileSync(csv, `${rows.join("\n")}\n`);
		const out = join(dir, "imported.json");
		const captured = captureIo();
		expect(await calibrateCommand({ backend: "auto", quick: false, importCsv: csv, out }, captured.io)).toBe(0);
		const profile = parseCalibrationProfile(readFileSync(out), out);
		expect(profile.measurement?.backend).toBe("import");
		expect(profile.measurement?.device.gpu).toBe("NVIDIA GeForce RTX 4090");
		expect(profile.measurement?.machinePeak.gflops).toBe(330e3);
		expect(profile.measurement?.samplesPerPoint).toBe(3);
		const decode = profile.kernels?.find((k) => k.name === "llama-8b-decode");
		expect(decode?.kind).toBe("model");
		expect(decode?.points.map((p) => p.batch)).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
		expect(decode?.fit.effectiveGbps).toBeCloseTo(800, -1);
		expect(decode?.fit.effectiveGflops).toBeCloseTo(165e3, -3);
		expect(decode?.fit.mbu).toBeCloseTo(800 / 1008, 1);
		// Known kernels get their FLOPs and bytes counted when the CSV leaves them empty.
		expect(profile.kernels?.find((k) => k.name === "matmul-1024")?.points[0]?.flops).toBe(2 * 1024 ** 3);
		// Measured on an RTX 4090: its predictions are the fit itself; others scale by spec peaks.
		const own = profile.gpuPredictions?.rtx4090?.["llama-8b-decode"]?.[0]?.predictedMs ?? 0;
		expect(own).toBeCloseTo(decode?.points[0]?.medianMs ?? 0, 1);
		const h100 = profile.gpuPredictions?.["h100-sxm"]?.["llama-8b-decode"]?.[0]?.predictedMs ?? 0;
		expect(h100).toBeLessThan(own);
	});

	it("a bad row is refused with file, line and column (exit 2)", async () => {
		const csv = join(dir, "bad.csv");
		// An --out in the temporary folder: were a bad file ever accepted, its profile lands there, not in scenarios/.
		const out = join(dir, "refused.json");
		writeFileSync(csv, "device,kernel,batch,latency_ms\nrtx4090,matmul-256,1,0.5\nrtx4090,matmul-256,2,abc\n");
		const captured = captureIo();
		expect(await calibrateCommand({ backend: "auto", quick: false, importCsv: csv, out }, captured.io)).toBe(2);
		expect(captured.err()).toContain(`${csv}:3: column "latency_ms": expected a number, got "abc"`);

		writeFileSync(csv, "device,kernel,batch,latency_ms\nTesla V100,matmul-256,1,0.5\n");
		const unknownDevice = captureIo();
		expect(await calibrateCommand({ backend: "auto", quick: false, importCsv: csv, out }, unknownDevice.io)).toBe(2);
		expect(unknownDevice.err()).toMatch(/bad\.csv:2: column "device": "Tesla V100" is no GPU class/);

		writeFileSync(csv, "device,kernel,batch,latency_ms\nrtx4090,resnet50,1,0.5\n");
		const unknownKernel = captureIo();
		expect(await calibrateCommand({ backend: "auto", quick: false, importCsv: csv, out }, unknownKernel.io)).toBe(2);
		expect(unknownKernel.err()).toMatch(/bad\.csv:2: column "kernel": "resnet50" is not a depin-twin kernel/);

		const missing = captureIo();
		expect(
			await calibrateCommand({ backend: "auto", quick: false, importCsv: join(dir, "absent.csv"), out }, missing.io),
		).toBe(2);
		expect(missing.err()).toMatch(/absent\.csv: cannot read/);
		expect(() => readFileSync(out)).toThrow();
	});

	it("a forced backend that does not load fails the run (exit 1), saying why", async () => {
		const captured = captureIo();
		const out = join(dir, "never.json");
		expect(await calibrateCommand({ backend: "tensorflow", quick: true, out }, captured.io)).toBe(1);
		expect(captured.err()).toMatch(/no tfjs backend could be loaded \(tensorflow: .*tfjs-node-gpu/);
		expect(() => readFileSync(out)).toThrow();
	});

	it("an unknown --backend is bad input", async () => {
		const captured = captureIo();
		expect(await calibrateCommand({ backend: "webgpu", quick: true }, captured.io)).toBe(2);
		expect(captured.err()).toMatch(/--backend must be one of auto, tensorflow, wasm, cpu/);
	});
});
