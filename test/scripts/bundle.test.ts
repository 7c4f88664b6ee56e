/**
 * The bundled command line (scripts/bundle.mjs, what `npm run build` leaves in dist/cli/ and
 * package.json's bin runs) works like the sources: built into a scratch folder inside the
 * package, it validates, and its run worker reproduces the small golden summary byte for byte.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// Inside the package (out/ is ignored), so the bundle finds package.json and scenarios/ above it.
mkdirSync(join(root, "out"), { recursive: true });
const scratch = mkdtempSync(join(root, "out", ".bundle-test-"));
const bundle = join(scratch, "cli");

function cli(...args: string[]) {
	return spawnSync(process.execPath, [join(bundle, "main.js"), ...args], { cwd: root, encoding: "utf8" });
}

describe("the bundled command line", () => {
	beforeAll(() => {
		const build = spawnSync(process.execPath, [join(root, "scripts", "bundle.mjs"), bundle], { encoding: "utf8" });
		expect(build.status, build.stderr).toBe(0);
	}, 60_000);
	afterAll(() => rmSync(scratch, { recursive: true, force: true }));

	it("has the entries package.json and the workers start from, and bundles typebox and yaml", () => {
		for (const entry of ["main.js", "run-worker.js", "measure.js"]) expect(existsSync(join(bundle, entry))).toBe(true);
		const code = readdirSync(bundle)
			.filter((name) => name.endsWith(".js"))
			.map((name) => readFileSync(join(bundle, name), "utf8"))
			.join("\n");
		expect(code).not.toMatch(/from "(typebox|yaml|commander)[/"]/);
		// Heavy packages stay external: imported by name, loaded only by the commands that use them.
		expect(code).toMatch(/import\("@tensorflow\/tfjs-core"\)/);
		expect(code).not.toContain(root);
	});

	it("validates a scenario and reports a bad one with exit 2", () => {
		const ok = cli("validate", "small");
		expect(ok.status, ok.stderr).toBe(0);
		expect(ok.stdout).toMatch(/^ok: scenarios\/small\.yaml \(small, hash [0-9a-f]{12}\)\n$/);
		const bad = cli("validate", "small", "--set", "horizonDays=-1");
		expect(bad.status).toBe(2);
		expect(bad.stderr).toMatch(/horizonDays/);
	});

	it("runs small in its worker and writes the golden summary", () => {
		const out = join(scratch, "small");
		const run = cli("run", "small", "--out", out, "--json");
		expect(run.status, run.stderr).toBe(0);
		const golden = readFileSync(join(root, "test", "golden", "small.summary.json"), "utf8");
		expect(readFileSync(join(out, "summary.json"), "utf8")).toBe(golden);
		expect(run.stdout).toBe(golden);
	}, 60_000);
});
