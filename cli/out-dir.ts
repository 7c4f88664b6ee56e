/**
 * The results folder of a run: checked before the run starts, written as a whole into a
 * temporary sibling (`<out>.tmp-<pid>`) and swapped into place when complete. The previous
 * folder stays intact until the new one is complete; an interrupted or failed run removes its
 * temporary folder and leaves the previous results as they were, never a mix of old and new.
 * Leftovers of a killed run (`<out>.tmp-<pid>`, `<out>.old-<pid>` of a process that no longer
 * exists) are removed by the next run into the same folder.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { InputError } from "./errors.js";

/** The files a run writes; a folder holding anything else is not a results folder. */
export const RESULT_FILES = ["summary.json", "timeseries.csv", "scenario.resolved.yaml", "run-meta.json"] as const;

/** Folders of kernel pseudo-filesystems: never a place for results. */
const SPECIAL_ROOTS = ["/proc", "/sys", "/dev"];

/** statfs magic numbers of pseudo-filesystems (linux/magic.h): procfs, sysfs, devtmpfs, devpts, cgroup… */
const PSEUDO_FILESYSTEMS = new Map<number, string>([
	[0x9fa0, "procfs"],
	[0x62656572, "sysfs"],
	[0x1373, "devtmpfs"],
	[0x1cd1, "devpts"],
	[0x27e0eb, "cgroup"],
	[0x63677270, "cgroup2"],
	[0x64626720, "debugfs"],
	[0x74726163, "tracefs"],
	[0x73636673, "securityfs"],
	[0xcafe4a11, "bpf"],
	[0x62656570, "configfs"],
	[0x6165676c, "pstore"],
	[0xde5e81e4, "efivarfs"],
	[0x65735543, "fusectl"],
	[0x19800202, "mqueue"],
]);

function refuse(path: string, why: string): never {
	throw new InputError(`--out ${path}: ${why}`);
}

/**
 * Checks that `out` can hold a results folder, before anything is created: it is a folder or
 * does not exist yet, its nearest existing ancestor is a plain folder on a normal filesystem,
 * and that folder is writable. Throws InputError naming the path and why. Returns the absolute path.
 */
export function checkOutDir(out: string): string {
	const path = resolve(out);
	const special = SPECIAL_ROOTS.find((root) => path === root || path.startsWith(`${root}${sep}`));
	if (special !== undefined) refuse(out, `${special} is a special filesystem, not a place for results`);
	let ancestor = path;
	while (!existsSync(ancestor)) {
		const parent = dirname(ancestor);
		if (parent === ancestor) break;
		ancestor = parent;
	}
	let stats: ReturnType<typeof statSync>;
	try {
		stats = statSync(ancestor);
	} catch (error) {
		refuse(out, `cannot read ${ancestor} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
	}
	if (!stats.isDirectory()) {
		refuse(out, ancestor === path ? "a file is in the way (not a folder)" : `${ancestor} is a file, not a folder`);
	}
	const fsType = PSEUDO_FILESYSTEMS.get(Number(statfsSync(ancestor).type));
	if (fsType !== undefined) refuse(out, `${ancestor} is on ${fsType}, a special filesystem, not a place for results`);
	// The folder the temporary sibling goes into must be writable (root passes access checks, so try).
	const parent = ancestor === path ? dirname(path) : ancestor;
	probeWritable(out, parent);
	return path;
}

function probeWritable(out: string, folder: string): void {
	const probe = join(folder, `.depin-twin-probe-${process.pid}`);
	try {
		mkdirSync(probe);
	} catch (error) {
		refuse(out, `cannot write in ${folder} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
	}
	rmSync(probe, { recursive: true, force: true });
}

/** What identifies a run's results: the scenario hash and the seed of its manifest. */
export interface RunIdentity {
	readonly scenarioHash: string;
	readonly seed: number;
}

/**
 * Refuses (InputError) to replace `dir` when it holds anything but results, or results of
 * another scenario or seed (unless `force`). The same scenario and seed may replace its own
 * results: the run reproduces the same bytes.
 */
export function checkReplaceable(dir: string, run: RunIdentity, force: boolean): void {
	if (!existsSync(dir)) return;
	const entries = readdirSync(dir);
	if (entries.length === 0) return;
	const foreign = entries.filter((name) => !(RESULT_FILES as readonly string[]).includes(name));
	if (foreign.length > 0 || !entries.includes("summary.json")) {
		const example = foreign[0] ?? entries[0];
		throw new InputError(
			`--out ${dir}: not a results folder (it holds ${example}${entries.length > 1 ? ", …" : ""}); it is never replaced: choose another --out`,
		);
	}
	const previous = readManifest(join(dir, "summary.json"));
	if (previous !== undefined && previous.scenarioHash === run.scenarioHash && previous.seed === run.seed) return;
	if (force) return;
	const what =
		previous === undefined
			? "results without a readable manifest"
			: `results of another run (scenario hash ${previous.scenarioHash.slice(0, 12)}, seed ${previous.seed}; this run: ${run.scenarioHash.slice(0, 12)}, seed ${run.seed})`;
	throw new InputError(`${dir} holds ${what}; use --force to replace them, or another --out`);
}

function readManifest(path: string): RunIdentity | undefined {
	try {
		const manifest = (JSON.parse(readFileSync(path, "utf8")) as { manifest?: Partial<RunIdentity> }).manifest;
		if (typeof manifest?.scenarioHash === "string" && typeof manifest.seed === "number") {
			return { scenarioHash: manifest.scenarioHash, seed: manifest.seed };
		}
	} catch {
		// An unreadable summary counts as results of an unknown run.
	}
	return undefined;
}

/**
 * The default results folder, `out/<name>/`, with `-seed<N>` when the seed is not the
 * scenario's own and `-set-<8 hex>` (a hash of the overrides, in order) when there are any.
 */
export function defaultOutDir(name: string, seed: number | undefined, overrides: readonly string[]): string {
	let folder = name;
	if (seed !== undefined) folder += `-seed${seed}`;
	if (overrides.length > 0) folder += `-set-${overridesHash(overrides)}`;
	return join("out", folder);
}

export function overridesHash(overrides: readonly string[]): string {
	return createHash("sha256").update(overrides.join("\n")).digest("hex").slice(0, 8);
}

/** Whether a process with this id is alive (EPERM: alive, someone else's). */
function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === "EPERM";
	}
}

/**
 * Removes the temporary folders a killed run left beside `dir`. An `.old-` folder of a run
 * killed between the two renames of the swap is the previous results: put back when `dir` is missing.
 */
export function cleanLeftovers(dir: string): void {
	const parent = dirname(dir);
	if (!existsSync(parent)) return;
	const pattern = new RegExp(`^${escapeRegExp(basename(dir))}\\.(tmp|old)-(\\d+)$`);
	for (const name of readdirSync(parent)) {
		const match = pattern.exec(name);
		if (match === null || processAlive(Number(match[2]))) continue;
		const leftover = join(parent, name);
		if (match[1] === "old" && !existsSync(dir)) renameSync(leftover, dir);
		else rmSync(leftover, { recursive: true, force: true });
	}
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Creates this process's temporary sibling of `dir` (its parents too) and returns it. */
export function makeTemporarySibling(dir: string): string {
	mkdirSync(dirname(dir), { recursive: true });
	const temporary = `${dir}.tmp-${process.pid}`;
	rmSync(temporary, { recursive: true, force: true });
	mkdirSync(temporary);
	return temporary;
}

/** Puts the complete `temporary` folder in place of `dir`, then removes the previous results. */
export function swapIntoPlace(temporary: string, dir: string): void {
	if (!existsSync(dir)) {
		renameSync(temporary, dir);
		return;
	}
	const old = `${dir}.old-${process.pid}`;
	renameSync(dir, old);
	renameSync(temporary, dir);
	rmSync(old, { recursive: true, force: true });
}
