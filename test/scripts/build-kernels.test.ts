/**
 * The compiled kernels travel as base64 in models/kernels/*-wasm.ts: each must be what the
 * compiler makes of its AssemblyScript source today (`npm run kernels` rewrites them).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileKernel, kernelModuleText, kernelNames, MODULE_DIR } from "../../scripts/build-kernels.mjs";

describe("compiled kernels", () => {
	const names = kernelNames();

	it("finds the kernels", () => {
		expect(names).toContain("books");
	});

	for (const name of names) {
		it(`models/kernels/${name}-wasm.ts is kernels/${name}.ts compiled now (else run npm run kernels)`, async () => {
			const binary = await compileKernel(name);
			const committed = readFileSync(join(MODULE_DIR, `${name}-wasm.ts`), "utf8");
			expect(committed).toBe(kernelModuleText(name, binary));
		});
	}
});
