import { describe, expect, it, vi } from "vitest";
import {
	type BackendLoader,
	type BackendName,
	BackendUnavailableError,
	selectBackend,
	tfjsLoaders,
} from "../../../models/calibration/backends.js";
import type { TfModule } from "../../../models/calibration/kernels.js";

const ok: BackendLoader = async () => undefined;
const failing =
	(message: string): BackendLoader =>
	async () => {
		throw new Error(message);
	};

function loaders(overrides: Partial<Record<BackendName, BackendLoader>> = {}): Record<BackendName, BackendLoader> {
	return { tensorflow: ok, wasm: ok, cpu: ok, ...overrides };
}

describe("backend selection", () => {
	it("auto takes the best that loads and records why the better ones did not", async () => {
		const cpu = vi.fn(ok);
		const selection = await selectBackend(
			"auto",
			loaders({ tensorflow: failing("Cannot find package '@tensorflow/tfjs-node-gpu'"), cpu }),
		);
		expect(selection.backend).toBe("wasm");
		expect(selection.tried).toEqual([
			{ name: "tensorflow", ok: false, reason: "Cannot find package '@tensorflow/tfjs-node-gpu'" },
			{ name: "wasm", ok: true, reason: "first to load" },
			{ name: "cpu", ok: false, reason: "not tried: wasm loaded first" },
		]);
		expect(cpu).not.toHaveBeenCalled();
	});

	it("falls through to cpu on any kind of failure, including non-Error throws", async () => {
		const selection = await selectBackend(
			"auto",
			loaders({
				tensorflow: async () => {
					throw "libcudart.so.11.0: cannot open shared object file\nmore detail";
				},
				wasm: failing("WebAssembly.instantiate(): out of memory"),
			}),
		);
		expect(selection.backend).toBe("cpu");
		expect(selection.tried.map((t) => [t.name, t.ok, t.reason])).toEqual([
			["tensorflow", false, "libcudart.so.11.0: cannot open shared object file"],
			["wasm", false, "WebAssembly.instantiate(): out of memory"],
			["cpu", true, "first to load"],
		]);
	});

	it("the tensorflow backend reports the GPU it found", async () => {
		const selection = await selectBackend(
			"auto",
			loaders({ tensorflow: async () => ({ gpu: "NVIDIA H100 80GB HBM3" }) }),
		);
		expect(selection).toMatchObject({ backend: "tensorflow", gpu: "NVIDIA H100 80GB HBM3" });
	});

	it("a forced backend is the only one tried", async () => {
		const tensorflow = vi.fn(ok);
		const wasm = vi.fn(ok);
		const selection = await selectBackend("cpu", loaders({ tensorflow, wasm }));
		expect(selection.backend).toBe("cpu");
		expect(tensorflow).not.toHaveBeenCalled();
		expect(wasm).not.toHaveBeenCalled();
		expect(selection.tried[0]).toEqual({
			name: "tensorflow",
			ok: false,
			reason: "not tried: --backend cpu was asked for",
		});
		expect(selection.tried[2]).toEqual({ name: "cpu", ok: true, reason: "asked for" });
	});

	it("a forced backend that fails does not fall back", async () => {
		const error = await selectBackend("tensorflow", loaders({ tensorflow: failing("no CUDA") })).catch((e) => e);
		expect(error).toBeInstanceOf(BackendUnavailableError);
		expect((error as Error).message).toMatch(/tensorflow: no CUDA/);
		expect((error as BackendUnavailableError).tried.filter((t) => t.ok)).toEqual([]);
	});

	it("fails when nothing loads", async () => {
		const all = loaders({ tensorflow: failing("a"), wasm: failing("b"), cpu: failing("c") });
		await expect(selectBackend("auto", all)).rejects.toThrow(/no tfjs backend could be loaded/);
	});

	it("the real loaders: tfjs-node-gpu is absent here, wasm loads", async () => {
		const tf = (await import("@tensorflow/tfjs-core")) as TfModule;
		tf.enableProdMode();
		const real = tfjsLoaders(tf);
		const selection = await selectBackend("auto", {
			...real,
			// On a machine where tfjs-node-gpu does install, make it fail the same way.
			tensorflow: async () => {
				await import(["@tensorflow", "tfjs-node-gpu-absent-for-test"].join("/"));
				return undefined;
			},
		});
		expect(selection.backend).toBe("wasm");
		expect(tf.getBackend()).toBe("wasm");
		expect(selection.tried[0]?.ok).toBe(false);
		expect(selection.tried[0]?.reason).toMatch(/tfjs-node-gpu-absent-for-test/);
		// The real tensorflow loader rejects (rather than crashing) where the package is missing.
		const loaded = await real.tensorflow().then(
			() => true,
			() => false,
		);
		if (!loaded) expect(tf.getBackend()).toBe("wasm");
	});
});
