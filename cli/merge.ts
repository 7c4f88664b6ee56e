/**
 * `depin-twin merge DIR… --out DIR`: combines the shard folders of one sweep (the same
 * sweep.json) into what a one-machine sweep writes: the manifest, every run file, the tables.
 */
import { copyFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeSweepTables } from "../sim/experiment/aggregate.js";
import {
	MANIFEST_FILE,
	manifestJson,
	openSweepFolder,
	readManifest,
	runPath,
	SweepFolderError,
} from "../sim/experiment/store.js";
import { EXIT_RUN_FAILED, ExitCode, InputError } from "./errors.js";
import type { CommandIo } from "./io.js";

export async function mergeCommand(dirs: readonly string[], out: string, io: CommandIo): Promise<void> {
	const manifests = dirs.map((dir) => {
		const manifest = readManifest(dir);
		if (manifest === undefined) throw new InputError(`${dir} holds no sweep (no ${MANIFEST_FILE})`);
		return manifest;
	});
	const first = manifests[0];
	if (first === undefined) throw new InputError("merge: name at least one shard folder");
	const text = manifestJson(first);
	dirs.forEach((dir, i) => {
		if (manifestJson(manifests[i] as typeof first) !== text) {
			throw new InputError(`${dir} is a shard of another sweep than ${dirs[0]} (their ${MANIFEST_FILE} differ)`);
		}
	});
	try {
		openSweepFolder(out, first);
	} catch (error) {
		if (error instanceof SweepFolderError) throw new InputError(error.message);
		throw error;
	}
	let missing = 0;
	for (const identities of first.identities) {
		for (const identity of identities) {
			const target = runPath(out, identity);
			if (existsSync(target)) continue;
			const source = dirs.map((dir) => runPath(dir, identity)).find((path) => existsSync(path));
			if (source === undefined) missing++;
			else copyFileSync(source, target);
		}
	}
	if (missing > 0) {
		io.stderr.write(
			`merge: ${missing} run(s) have no result in ${dirs.join(", ")}: run the missing shards (or resume them), then merge again\n`,
		);
		throw new ExitCode(EXIT_RUN_FAILED);
	}
	const failures = writeSweepTables(out, first);
	io.stdout.write(`merged ${dirs.length} folder(s) → ${resolve(out)} (runs.csv, bands.csv, summary.json)\n`);
	if (failures.length > 0) {
		io.stderr.write(`${failures.length} run(s) failed (listed in ${join(out, "summary.json")})\n`);
		throw new ExitCode(EXIT_RUN_FAILED);
	}
}
