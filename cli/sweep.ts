/**
 * `depin-twin sweep SCENARIO`: every design point (the grid of --vary) × N Monte Carlo runs
 * with common random numbers, on a pool of worker threads, each run written to its own file;
 * the same command resumes; --shard runs one share of the runs (merge combines the shares).
 * The runner is domain-free (sim/experiment/); this module ties it to the network model.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { ScenarioError } from "../models/scenario/errors.js";
import { DesignError, type DesignPoint, gridPoints, parseVary, type VarySpec } from "../sim/experiment/design.js";
import { runSweep, type SweepRunResult } from "../sim/experiment/pool.js";
import { parseShard, type Shard, ShardError, shardFromEnv, WHOLE } from "../sim/experiment/shard.js";
import { MANIFEST_FILE, SweepFolderError, type SweepManifest } from "../sim/experiment/store.js";
import { EXIT_INTERRUPTED, EXIT_RUN_FAILED, ExitCode, InputError } from "./errors.js";
import type { CommandIo } from "./io.js";
import { checkOutDir } from "./out-dir.js";
import type { SweepPlanReply, SweepPlanRequest } from "./sweep-plan.js";
import { sweepProgress } from "./sweep-progress.js";
import type { SweepContext } from "./sweep-worker.js";

export interface SweepCliOptions {
	runs: number;
	vary: string[];
	set: string[];
	workers?: number;
	seed?: number;
	out?: string;
	shard?: string;
	series?: string;
	force?: boolean;
}

/**
 * Heap limits of a sweep's workers. A worker that runs run after run grows V8's young generation
 * to its 48 MiB default, which a one-run process never reaches; at 8 MiB a 200-run sweep of small
 * peaks at 150 MiB instead of 187 (one run: ~104), and the CPU time of small and base sweeps is
 * the same within noise (measured 2026-12-07, docs/experiments.md).
 */
export const SWEEP_WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 } as const;

/** A sweep's plan, made off this thread: the manifest, what every run shares, the scenario's name. */
export interface SweepPlan {
	readonly manifest: SweepManifest;
	readonly context: SweepContext;
	readonly name: string;
}

/**
 * Plans a sweep (sweep-plan.ts) in a one-thread pool of the sweep worker, which ends before the
 * runs start: the scenario loader and the model stay out of this thread, which only hands out
 * runs, so the sweep's peak memory is this small thread plus its workers. Bad input comes back
 * as the error the plan would have thrown here (same message, same exit code).
 */
export async function planSweepInWorker(request: SweepPlanRequest): Promise<SweepPlan> {
	const planner = new Piscina({ filename: sweepWorkerFile(), minThreads: 1, maxThreads: 1 });
	let reply: SweepPlanReply;
	try {
		reply = (await planner.run(request, { name: "plan" })) as SweepPlanReply;
	} finally {
		await planner.destroy();
	}
	if (reply.ok) return { manifest: reply.manifest, context: reply.context, name: reply.name };
	if (reply.error.kind === "scenario") throw new ScenarioError(reply.error.issues);
	throw new InputError(reply.error.message);
}

/** The sweep worker module: the bundled one beside this file, or the tsx bootstrap from sources. */
export function sweepWorkerFile(): string {
	const self = import.meta.url;
	return fileURLToPath(new URL(self.endsWith(".ts") ? "./sweep-worker-dev.mjs" : "./sweep-worker.js", self));
}

export function shardOption(text: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard {
	try {
		return text !== undefined ? parseShard(text) : (shardFromEnv(env) ?? WHOLE);
	} catch (error) {
		if (error instanceof ShardError) throw new InputError(error.message);
		throw error;
	}
}

function varySpecs(vary: readonly string[]): { specs: VarySpec[]; points: DesignPoint[] } {
	try {
		const specs = vary.map(parseVary);
		return { specs, points: gridPoints(specs) };
	} catch (error) {
		if (error instanceof DesignError) throw new InputError(error.message);
		throw error;
	}
}

/** Removes a folder for --force, but only one that holds a sweep (or nothing). */
export function clearSweepFolder(dir: string): void {
	if (!existsSync(dir) || readdirSync(dir).length === 0) return;
	if (!existsSync(resolve(dir, MANIFEST_FILE))) {
		throw new InputError(`--force: ${dir} holds no sweep (no ${MANIFEST_FILE}); remove it yourself if you mean to`);
	}
	rmSync(dir, { recursive: true, force: true });
}

export interface ExecuteSweepOptions {
	readonly manifest: SweepManifest;
	readonly context: SweepContext;
	readonly outDir: string;
	readonly workers?: number;
	readonly shard: Shard;
	readonly label: string;
}

/** Runs the sweep with progress and Ctrl-C handling; writes the tables when it holds every run. */
export async function executeSweep(options: ExecuteSweepOptions, io: CommandIo): Promise<SweepRunResult> {
	const progress = await sweepProgress(io, options.label);
	let stopping = false;
	const onSignal = () => {
		if (stopping) {
			// A second signal: no waiting for the runs in flight (their files are written whole or not at all).
			progress.stop();
			io.stderr.write("interrupted\n");
			process.exit(EXIT_INTERRUPTED);
		}
		stopping = true;
		io.stderr.write("\nstopping after the runs in flight (run the same command to resume)…\n");
	};
	process.on("SIGINT", onSignal);
	process.on("SIGTERM", onSignal);
	let outcome: SweepRunResult;
	try {
		outcome = await runSweep({
			outDir: options.outDir,
			manifest: options.manifest,
			workerFile: sweepWorkerFile(),
			resourceLimits: SWEEP_WORKER_LIMITS,
			...(options.workers === undefined ? {} : { workers: options.workers }),
			shard: options.shard,
			context: options.context,
			onProgress: (p) => progress.update(p),
			stopRequested: () => stopping,
		});
	} catch (error) {
		if (error instanceof SweepFolderError) throw new InputError(error.message);
		throw error;
	} finally {
		progress.stop();
		process.off("SIGINT", onSignal);
		process.off("SIGTERM", onSignal);
	}
	if (outcome.interrupted) {
		io.stderr.write(
			`interrupted: ${outcome.progress.done}/${outcome.progress.total} runs done; the same command resumes\n`,
		);
		throw new ExitCode(EXIT_INTERRUPTED);
	}
	if (options.shard.count === 1) {
		// arquero loads only now, after the pool's workers are gone.
		const { writeSweepTables } = await import("../sim/experiment/aggregate.js");
		writeSweepTables(options.outDir, options.manifest);
	}
	return outcome;
}

/** Names the failed runs (seed, values, error) on stderr and exits 1. */
export function reportFailures(outcome: SweepRunResult, manifest: SweepManifest, io: CommandIo): void {
	if (outcome.failures.length === 0) return;
	io.stderr.write(`${outcome.failures.length} run(s) failed:\n`);
	for (const failure of outcome.failures) {
		const point = manifest.points[failure.point] as DesignPoint;
		const values = Object.entries(point.values)
			.map(([path, value]) => ` ${path}=${value}`)
			.join("");
		io.stderr.write(
			`  point ${failure.point} run ${failure.run} seed ${manifest.seeds[failure.run]}${values}: ${failure.error}\n`,
		);
	}
	throw new ExitCode(EXIT_RUN_FAILED);
}

export async function sweepCommand(scenario: string, options: SweepCliOptions, io: CommandIo): Promise<void> {
	const { specs, points } = varySpecs(options.vary);
	const shard = shardOption(options.shard);
	const { manifest, context, name } = await planSweepInWorker({
		scenario,
		set: options.set,
		...(options.seed === undefined ? {} : { seed: options.seed }),
		runs: options.runs,
		vary: specs,
		points,
		...(options.series === undefined ? {} : { seriesOption: options.series }),
	});
	const outDir = checkOutDir(options.out ?? `out/${name}-sweep`);
	if (options.force === true) clearSweepFolder(outDir);
	const label = shard.count === 1 ? "sweep" : `sweep shard ${shard.index}/${shard.count}`;
	const outcome = await executeSweep(
		{ manifest, context, outDir, ...(options.workers === undefined ? {} : { workers: options.workers }), shard, label },
		io,
	);
	const ran = outcome.progress.done - outcome.progress.skipped;
	const where =
		shard.count === 1
			? `${outDir} (runs.csv, bands.csv, summary.json)`
			: `${outDir} (run files; combine the shards with depin-twin merge)`;
	io.stdout.write(
		`${points.length} point(s) × ${options.runs} run(s): ${ran} run now, ${outcome.progress.skipped} found done → ${where}\n`,
	);
	reportFailures(outcome, manifest, io);
}
