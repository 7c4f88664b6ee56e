/** Where the package's own files are (scenarios, calibration), wherever it is run from. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The folder holding package.json above this module (works from cli/ and dist/cli/); found once. */
export function packageRoot(): string {
	root ??= findPackageRoot();
	return root;
}

function findPackageRoot(): string {
	let dir = dirname(fileURLToPath(import.meta.url));
	for (let i = 0; i < 6; i++) {
		if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "scenarios"))) return dir;
		dir = dirname(dir);
	}
	throw new Error("cannot find the depin-twin package root (package.json beside scenarios/)");
}

export function scenariosDir(): string {
	return join(packageRoot(), "scenarios");
}

/** The package version (the code version in every manifest). */
export function packageVersion(): string {
	const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
	return pkg.version;
}
