/**
 * The command line starts fast because heavy packages load only in the commands that use
 * them (dynamic import). These tests follow the static imports of the sources and fail when
 * a heavy package becomes reachable from the entry point or from `validate`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const HEAVY = ["@tensorflow/", "arquero", "vega", "vega-lite", "cli-progress", "piscina"];

/** Value imports (not `import type`) of a source file: `import … from "x"`, `export … from "x"`, `import "x"`. */
function staticImports(source: string): string[] {
	const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
	const found: string[] = [];
	for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm)) {
		if (match[2] === undefined) found.push(match[3] as string);
	}
	return found;
}

/** Every package reachable through static imports from `entry` (a .ts file), with the path that reaches it. */
function reachablePackages(entry: string): Map<string, string> {
	return reachable(entry).packages;
}

/** Packages (with the path that reaches each) and source files (relative to the root) reachable from `entry`. */
function reachable(entry: string): { packages: Map<string, string>; files: Set<string> } {
	const packages = new Map<string, string>();
	const seen = new Set<string>();
	const visit = (file: string, trail: string) => {
		if (seen.has(file)) return;
		seen.add(file);
		for (const specifier of staticImports(readFileSync(file, "utf8"))) {
			if (specifier.startsWith(".")) {
				const target = resolve(dirname(file), specifier.replace(/\.js$/, ".ts"));
				if (existsSync(target)) visit(target, `${trail} → ${specifier}`);
			} else if (!specifier.startsWith("node:")) packages.set(specifier, `${trail} → ${specifier}`);
		}
	};
	visit(join(root, entry), entry);
	return { packages, files: new Set([...seen].map((file) => relative(root, file).split(sep).join("/"))) };
}

const heavy = (packages: Map<string, string>) =>
	[...packages].filter(([name]) => HEAVY.some((h) => name === h || name.startsWith(h))).map(([, trail]) => trail);

describe("startup", () => {
	it("the import scanner sees value imports and skips type-only ones", () => {
		const source =
			'import { a } from "./a.js";\nimport type { B } from "b";\nexport { c } from "c";\nimport "d";\n// import "e";\n';
		expect(staticImports(source)).toEqual(["./a.js", "c", "d"]);
		expect(heavy(reachablePackages("cli/calibrate.ts")).length).toBeGreaterThan(0);
	});

	it("the entry point reaches no heavy package (--help loads commander and little else)", () => {
		expect(heavy(reachablePackages("cli/main.ts"))).toEqual([]);
		expect([...reachablePackages("cli/main.ts").keys()].sort()).toEqual(["commander"]);
	});

	it("validate reaches the scenario checks but not the network model (less code to load)", () => {
		const files = reachable("cli/validate.ts").files;
		expect(files.has("cli/prepare-run.ts")).toBe(true);
		expect(files.has("models/scenario/validate.ts")).toBe(true);
		expect([...files].filter((file) => file.startsWith("models/network/") || file.startsWith("sim/engine"))).toEqual(
			[],
		);
		expect(reachable("cli/run-worker.ts").files.has("models/network/run.ts")).toBe(true);
	});

	it("validate and the run worker reach no heavy package", () => {
		expect(heavy(reachablePackages("cli/validate.ts"))).toEqual([]);
		expect(heavy(reachablePackages("cli/run-worker.ts"))).toEqual([]);
	});
});
