/**
 * A sweep's folder: sweep.json (the manifest: what is run, fixed before the first run) and
 * runs/<identity>.json, one file per finished run, each written atomically (a temporary name,
 * then a rename), so a crash leaves whole files or none and the same command resumes.
 */
import {
	closeSync,
	existsSync,
	mkdirSync,
	openSync,
	readdirSync,
	readFileSync,
	readSync,
	renameSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import type { DesignPoint, VarySpec } from "./design.js";

export const MANIFEST_FILE = "sweep.json";
export const RUNS_DIR = "runs";

/** What a sweep runs. Byte-equal manifests mean the same sweep (shards, resumes, merges check this). */
export interface SweepManifest {
	readonly kind: "sweep";
	/** What the runs run (the model's own description: scenario name, hash, overrides…). */
	readonly subject: Readonly<Record<string, unknown>>;
	readonly subjectHash: string;
	readonly codeVersion: string;
	readonly masterSeed: number;
	readonly runsPerPoint: number;
	readonly vary: readonly VarySpec[];
	readonly points: readonly DesignPoint[];
	/** Main series kept per run for bands.csv. */
	readonly series: readonly string[];
	/** seeds[r]: the seed of run r of every point. */
	readonly seeds: readonly number[];
	/** identities[point][run]: the run's file name (without .json). */
	readonly identities: readonly (readonly string[])[];
}

/** One run's result (or failure), as its file holds it. */
export interface RunRecord {
	readonly identity: string;
	readonly point: number;
	readonly run: number;
	readonly seed: number;
	readonly values: Readonly<Record<string, string>>;
	readonly status: "ok" | "failed";
	/** Flattened KPIs (dotted names); null where the run has no value. */
	readonly kpis: Readonly<Record<string, number | null>>;
	/** Main series, one value per epoch (null: missing). */
	readonly series: Readonly<Record<string, readonly (number | null)[]>>;
	readonly error?: string;
}

export class SweepFolderError extends Error {}

/** Writes a file through a temporary sibling and a rename (atomic on POSIX). */
export function writeAtomic(path: string, contents: string): void {
	// Unique per host, process and thread: shards on a shared volume may write the same manifest.
	const temporary = `${path}.tmp-${hostname()}-${process.pid}-${threadId}`;
	try {
		writeFileSync(temporary, contents);
		renameSync(temporary, path);
	} catch (error) {
		rmSync(temporary, { force: true });
		throw error;
	}
}

export function manifestJson(manifest: SweepManifest): string {
	return `${JSON.stringify(manifest, null, 1)}\n`;
}

export function readManifest(dir: string): SweepManifest | undefined {
	const path = join(dir, MANIFEST_FILE);
	if (!existsSync(path)) return undefined;
	return JSON.parse(readFileSync(path, "utf8")) as SweepManifest;
}

/** Why `found` (on disk) is another sweep than `wanted`; undefined when they are the same. */
export function manifestMismatch(found: SweepManifest, wanted: SweepManifest): string | undefined {
	if (found.subjectHash !== wanted.subjectHash) {
		return `the scenario changed since this sweep started (hash ${found.subjectHash.slice(0, 12)}… → ${wanted.subjectHash.slice(0, 12)}…)`;
	}
	if (found.codeVersion !== wanted.codeVersion) {
		return `the code version changed since this sweep started (${found.codeVersion} → ${wanted.codeVersion})`;
	}
	const fields = ["masterSeed", "runsPerPoint", "vary", "points", "series", "seeds", "identities"] as const;
	for (const field of fields) {
		if (JSON.stringify(found[field]) !== JSON.stringify(wanted[field])) return `its ${field} differ`;
	}
	return undefined;
}

/**
 * Makes `dir` hold this sweep: creates it with its manifest, or checks the manifest there
 * (throws SweepFolderError naming what changed), and removes temporaries a crash left.
 */
export function openSweepFolder(dir: string, manifest: SweepManifest): void {
	mkdirSync(join(dir, RUNS_DIR), { recursive: true });
	const found = readManifest(dir);
	if (found !== undefined) {
		const why = manifestMismatch(found, manifest);
		if (why !== undefined) {
			throw new SweepFolderError(`${dir} holds another sweep: ${why}. Use another --out, or --force to start over.`);
		}
	} else {
		writeAtomic(join(dir, MANIFEST_FILE), manifestJson(manifest));
	}
	for (const name of readdirSync(join(dir, RUNS_DIR))) {
		if (name.includes(".tmp-")) rmSync(join(dir, RUNS_DIR, name), { force: true });
	}
}

export function runPath(dir: string, identity: string): string {
	return join(dir, RUNS_DIR, `${identity}.json`);
}

export function runRecordJson(record: RunRecord): string {
	return `${JSON.stringify(record)}\n`;
}

export function readRunRecord(dir: string, identity: string): RunRecord | undefined {
	const path = runPath(dir, identity);
	if (!existsSync(path)) return undefined;
	return JSON.parse(readFileSync(path, "utf8")) as RunRecord;
}

const HEAD_BYTES = 64 * 1024;
/** The status as the record writes it: before the KPIs and series, so the head of the file holds it. */
const STATUS = /^\{"identity":"[0-9a-f]+","point":\d+,"run":\d+,"seed":\d+,"values":\{.*?\},"status":"(ok|failed)"/;

/**
 * Whether the run has a file that records success (a failed run is run again on resume). Reads
 * only the head of the file: resuming a long sweep of long runs must not parse every series.
 */
export function runDone(dir: string, identity: string): boolean {
	const path = runPath(dir, identity);
	if (!existsSync(path)) return false;
	const descriptor = openSync(path, "r");
	let head: string;
	try {
		const buffer = Buffer.alloc(HEAD_BYTES);
		head = buffer.toString("utf8", 0, readSync(descriptor, buffer, 0, HEAD_BYTES, 0));
	} finally {
		closeSync(descriptor);
	}
	const status = STATUS.exec(head)?.[1];
	return (status ?? readRunRecord(dir, identity)?.status) === "ok";
}
