/**
 * The worker thread of `depin-twin run`. The model runs synchronously, which would keep the
 * main thread from ever seeing SIGINT or SIGTERM until the run ends; here it runs in a worker,
 * the main thread handles signals and the progress bar, and a shared flag stops the run at
 * the next epoch boundary. The worker loads and checks the scenario, checks the results
 * folder, runs into a temporary sibling folder and swaps it into place when complete.
 */
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { loadScenario, ScenarioError, scenarioHash } from "../models/scenario/load.js";
import { InputError, RunInterrupted } from "./errors.js";
import {
	checkOutDir,
	checkReplaceable,
	cleanLeftovers,
	defaultOutDir,
	makeTemporarySibling,
	swapIntoPlace,
} from "./out-dir.js";
import { scenariosDir } from "./paths.js";
import { executeRun, prepareRun, type Summary } from "./run.js";

const JOB = "depin-twin-run";

export interface RunJob {
	readonly scenario: string;
	readonly overrides: readonly string[];
	readonly seed?: number;
	readonly out?: string;
	readonly force: boolean;
	readonly checkInvariants: boolean;
	/** Int32Array over a SharedArrayBuffer: non-zero asks the run to stop at the next epoch. */
	readonly stop: Int32Array;
}

export type RunMessage =
	| { type: "started"; outDir: string }
	| { type: "progress"; epoch: number; epochs: number; events: number; day: number; days: number }
	| {
			type: "done";
			outDir: string;
			summary: Summary;
			summaryJson: string;
			eventsFired: number;
			epochs: number;
			wallMs: number;
	  }
	| { type: "bad-input"; message: string }
	/** `kept`: `outDir` still holds the previous results (untouched). */
	| { type: "interrupted"; outDir: string; kept: boolean }
	| { type: "failed"; message: string };

/** The seed to name in the default folder: the --seed given, unless it is the scenario's own. */
function foreignSeed(job: RunJob): number | undefined {
	if (job.seed === undefined) return undefined;
	const own = loadScenario(job.scenario, { overrides: job.overrides, scenariosDir: scenariosDir() }).scenario.seed;
	return own === job.seed ? undefined : job.seed;
}

/** Runs the job, reporting through `post`; every outcome ends with one final message. */
export function runJob(job: RunJob, post: (message: RunMessage) => void): void {
	let temporary: string | undefined;
	let outDir = "";
	try {
		const prepared = prepareRun(job.scenario, job.overrides, job.seed);
		const { scenario } = prepared.loaded;
		outDir = checkOutDir(job.out ?? defaultOutDir(scenario.name, foreignSeed(job), job.overrides));
		checkReplaceable(outDir, { scenarioHash: scenarioHash(scenario), seed: scenario.seed }, job.force);
		cleanLeftovers(outDir);
		temporary = makeTemporarySibling(outDir);
		post({ type: "started", outDir });
		let lastPostNs = 0n;
		const outcome = executeRun(prepared, {
			out: temporary,
			checkInvariants: job.checkInvariants,
			onEpoch: (epoch, epochs, events) => {
				if (Atomics.load(job.stop, 0) !== 0) throw new RunInterrupted();
				const now = process.hrtime.bigint();
				// A few progress messages a second are plenty for a bar.
				if (now - lastPostNs > 100_000_000n) {
					lastPostNs = now;
					const day = Math.floor((epoch * scenario.epochHours) / 24);
					post({ type: "progress", epoch, epochs, events, day, days: scenario.horizonDays });
				}
			},
		});
		swapIntoPlace(temporary, outDir);
		temporary = undefined;
		const { summary, summaryJson, result, wallMs } = outcome;
		post({
			type: "done",
			outDir,
			summary,
			summaryJson,
			eventsFired: result.eventsFired,
			epochs: result.epochs,
			wallMs,
		});
	} catch (error) {
		if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
		if (error instanceof RunInterrupted) post({ type: "interrupted", outDir, kept: existsSync(outDir) });
		else if (error instanceof ScenarioError || error instanceof InputError) {
			post({ type: "bad-input", message: error instanceof InputError ? `error: ${error.message}` : error.message });
		} else post({ type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
	}
}

/**
 * Starts the run worker (this module). Run from TypeScript sources (tests), the worker
 * registers tsx first, as Node cannot load .ts by itself.
 */
export function startRunWorker(job: RunJob): Worker {
	const self = import.meta.url;
	const data = { job: JOB, run: job };
	// By name, not `self`: in the bundled CLI this code may sit in a chunk beside the run-worker.js entry.
	if (!self.endsWith(".ts")) return new Worker(new URL("./run-worker.js", self), { workerData: data });
	const tsx = pathToFileURL(
		createRequire(self)
			.resolve("tsx/esm/api")
			.replace(/\.cjs$/, ".mjs"),
	).href;
	return new Worker(
		`import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(self)}); });`,
		{ eval: true, workerData: data },
	);
}

function isJob(data: unknown): data is { job: string; run: RunJob } {
	return typeof data === "object" && data !== null && (data as { job?: unknown }).job === JOB;
}

if (!isMainThread && isJob(workerData) && parentPort !== null) {
	const port = parentPort;
	runJob(workerData.run, (message) => port.postMessage(message));
}
