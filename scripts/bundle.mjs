/**
 * Build step after tsc: bundles the command line's start path into dist/cli/ so that `--help`
 * and `validate` start fast. Node's ESM loader spends most of a cold start resolving the
 * hundreds of small files of typebox and yaml; bundled, they load as a few files. Entries:
 * the CLI, the run and sweep workers and the calibration measurement worker (workers start from a file,
 * which must exist beside the chunks). Packages other than BUNDLED stay external: heavy ones
 * (tfjs, vega, arquero) load only in the commands that use them, native ones cannot be bundled.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** dist/cli/ (package.json's bin), or the folder given (tests build a copy elsewhere in the package). */
const OUT_DIR = resolve(process.argv[2] ?? join(ROOT, "dist", "cli"));

const BUNDLED = new Set(["typebox", "yaml", "commander"]);

/** The package a bare specifier names ("@scope/name/sub" → "@scope/name"). */
function packageName(specifier) {
	const parts = specifier.split("/");
	return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const externalPackages = {
	name: "external-packages",
	setup(esbuild) {
		esbuild.onResolve({ filter: /^[^./]/ }, (args) => {
			if (args.path.startsWith("node:") || BUNDLED.has(packageName(args.path))) return undefined;
			return { path: args.path, external: true };
		});
	},
};

// Chunks of an earlier build (content-hashed names; tsc's files there have none).
for (const name of existsSync(OUT_DIR) ? readdirSync(OUT_DIR) : []) {
	if (/-[A-Z0-9]{8}\.js(\.map)?$/.test(name)) rmSync(join(OUT_DIR, name));
}

await build({
	entryPoints: {
		main: join(ROOT, "cli", "main.ts"),
		"run-worker": join(ROOT, "cli", "run-worker.ts"),
		"sweep-worker": join(ROOT, "cli", "sweep-worker.ts"),
		measure: join(ROOT, "models", "calibration", "measure.ts"),
	},
	outdir: OUT_DIR,
	bundle: true,
	splitting: true,
	format: "esm",
	platform: "node",
	target: "node20",
	sourcemap: true,
	// Bundled CommonJS packages (commander) require Node's built-in modules.
	banner: {
		js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);',
	},
	plugins: [externalPackages],
	logLevel: "warning",
});
