/**
 * The one direction of imports: cli → dashboard → models → sim. A file may import its own
 * layer and the layers to its right, never one to its left.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const LAYERS = ["sim", "models", "dashboard", "cli"] as const;

function sourceFiles(dir: string): string[] {
	if (!existsSync(join(root, dir))) return [];
	return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile() && /\.(ts|js|mjs)$/.test(entry.name))
		.map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function importsOf(source: string): string[] {
	const specifiers: string[] = [];
	const pattern =
		/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;
	for (const match of source.matchAll(pattern)) specifiers.push((match[1] ?? match[2] ?? match[3]) as string);
	return specifiers;
}

function layerOf(path: string): number {
	return LAYERS.indexOf(path.split(/[\\/]/)[0] as (typeof LAYERS)[number]);
}

describe("architecture", () => {
	it("finds imports in every form", () => {
		const found = importsOf(
			`import a from "./a.js";\nexport { b } from '../b.js';\nconst c = await import("../c.js");\nimport "./d.js";`,
		);
		expect(found).toEqual(["./a.js", "../b.js", "../c.js", "./d.js"]);
	});

	it("imports run one way: cli → dashboard → models → sim", () => {
		const violations: string[] = [];
		for (const layer of LAYERS) {
			for (const file of sourceFiles(layer)) {
				const from = layerOf(file);
				for (const specifier of importsOf(readFileSync(join(root, file), "utf8"))) {
					if (!specifier.startsWith(".")) continue;
					const target = relative(root, resolve(root, dirname(file), specifier));
					const to = layerOf(target);
					if (to > from)
						violations.push(`${file} imports ${target} (${LAYERS[from]} must not depend on ${LAYERS[to]})`);
					if (to < 0 && !target.startsWith("scenarios"))
						violations.push(`${file} imports ${target} outside the layers`);
				}
			}
		}
		expect(violations).toEqual([]);
	});

	it("files of models/network/ import one way, in the order run.ts states", () => {
		const dir = join("models", "network");
		const stated = /Files of models\/network\/ import one way[^\n]*\n(?:[^\n]*\n)?((?: \*[^\n]*\n)+?) \*\//.exec(
			readFileSync(join(root, dir, "run.ts"), "utf8"),
		);
		const order = (stated?.[1] ?? "")
			.replace(/\s\*\s/g, " ")
			.split(/[→\s]+/)
			.filter((name) => /^[a-z-]+$/.test(name));
		const files = sourceFiles(dir).map((file) => relative(dir, file).replace(/\.ts$/, ""));
		expect([...order].sort()).toEqual([...files].sort());
		const violations: string[] = [];
		for (const file of files) {
			for (const specifier of importsOf(readFileSync(join(root, dir, `${file}.ts`), "utf8"))) {
				if (!specifier.startsWith("./")) continue;
				const target = specifier.slice(2).replace(/\.js$/, "");
				if (order.indexOf(target) >= order.indexOf(file)) violations.push(`${file} imports ${target}`);
			}
		}
		expect(violations).toEqual([]);
	});

	it("simulation code reads no clock and no global randomness", () => {
		const offenders: string[] = [];
		for (const layer of ["sim", "models"] as const) {
			for (const file of sourceFiles(layer)) {
				if (file.startsWith(join("sim", "bench"))) continue;
				const text = readFileSync(join(root, file), "utf8");
				if (/Math\.random\(|Date\.now\(|performance\.now\(|new Date\(\)/.test(text)) offenders.push(file);
			}
		}
		expect(offenders).toEqual([]);
	});
});
