/**
 * `depin-twin bench sweep`: what a sweep costs beyond its runs, and what sizes a cluster.
 * - Overhead: the same R runs of small.yaml as a sweep on W = 1 and 2 workers; the sum of the
 *   runs' own times (each run timed in its worker, at W = 1 where it has a core to itself)
 *   over W is the ideal; the ratio is the sweep's wall time (pool start, files, tables) to it.
 *   `coresUsed` (process CPU time over wall time) says how many cores the sweep kept busy: a
 *   run's own time at W = 1 already includes V8's garbage-collector and compiler threads working
 *   on another core, so the ideal assumes W times that many cores.
 * - What the machine allows: the same runs split between two processes of one worker each,
 *   started together, against one such process alone (`machine`). Where one run keeps more than
 *   one core busy, two runs at once slow each other on a small machine whatever the pool does:
 *   W = 2's wall time is read against the pair's (`ratioVsPair`), not only against the ideal.
 * - Main thread: its busy time per finished run (event-loop utilisation: receipts, progress).
 * - Memory: peak RSS of `depin-twin sweep` of M runs on one worker over that of `depin-twin run`
 *   (each a fresh child process of the real command; a preloaded probe reports its peak).
 * - Throughput: runs per second of small.yaml; seconds per simulated node-year of base.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { writeSweepTables } from "../sim/experiment/aggregate.js";
import { gridPoints } from "../sim/experiment/design.js";
import { runSweep } from "../sim/experiment/pool.js";
import type { ModelRunSample } from "./bench-model.js";
import { runBenchWorker, runInChild } from "./child.js";
import { prepareRun } from "./run.js";
import { SWEEP_WORKER_LIMITS, sweepWorkerFile } from "./sweep.js";
import { planSweep, seriesList } from "./sweep-plan.js";

export interface SweepBenchOptions {
	readonly scenario: string;
	readonly overrides: readonly string[];
	/** Runs of the overhead sweeps. */
	readonly runs: number;
	/** Runs of the memory sweep. */
	readonly rssRuns: number;
	readonly workers: readonly number[];
	/** Overrides of the base run timed for seconds per node-year. */
	readonly baseOverrides: readonly string[];
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** One sweep in this process: its wall time and the runs' own times. */
export async function timeSweep(options: {
	scenario: string;
	overrides: readonly string[];
	runs: number;
	workers: number;
}) {
	const { manifest, context } = planSweep({
		scenario: options.scenario,
		set: options.overrides,
		runs: options.runs,
		vary: [],
		points: gridPoints([]),
		series: seriesList(undefined),
	});
	const outDir = mkdtempSync(join(tmpdir(), "depin-twin-bench-sweep-"));
	try {
		const cpuBefore = process.cpuUsage();
		const eluBefore = performance.eventLoopUtilization();
		const started = process.hrtime.bigint();
		const outcome = await runSweep({
			outDir,
			manifest,
			workerFile: sweepWorkerFile(),
			resourceLimits: SWEEP_WORKER_LIMITS,
			workers: options.workers,
			context,
		});
		const ran = process.hrtime.bigint();
		const elu = performance.eventLoopUtilization(eluBefore);
		writeSweepTables(outDir, manifest);
		const ended = process.hrtime.bigint();
		const cpu = process.cpuUsage(cpuBefore);
		const runMs = outcome.receipts.reduce((sum, r) => sum + r.wallMs, 0);
		const firstMs = outcome.receipts.length === 0 ? 0 : Math.min(...outcome.receipts.map((r) => r.startedMs));
		return {
			wallMs: Number(ended - started) / 1e6,
			/** From the start to the first run's start in a worker: the pool's start-up. */
			startupMs: firstMs - Number(started) / 1e6,
			tablesMs: Number(ended - ran) / 1e6,
			/** CPU time of every thread of the process (workers, V8's GC and compiler threads), ms. */
			cpuMs: (cpu.user + cpu.system) / 1000,
			runMs,
			/** Time this thread was busy while the runs ran (handing out runs, taking receipts), ms. */
			mainBusyMs: elu.active,
			failed: outcome.failures.length,
		};
	} finally {
		rmSync(outDir, { recursive: true, force: true });
	}
}

/** A sweep timed in a child process (`bench-worker sweep-time`), for the two-process baseline. */
export async function sweepTimeSample(options: { scenario: string; overrides: readonly string[]; runs: number }) {
	const t = await timeSweep({ ...options, workers: 1 });
	return { wallMs: t.wallMs, runMs: t.runMs, cpuMs: t.cpuMs };
}

/**
 * Peak RSS (MiB) of the command line `args` in a fresh child process, every thread included:
 * peak-rss-probe.js, preloaded, sends it as the process ends (nothing of the benchmark loads).
 */
export async function peakRssOf(cliEntry: string, args: readonly string[]): Promise<number> {
	const probe = new URL("./peak-rss-probe.js", import.meta.url).href;
	const execArgv = [...process.execArgv, "--import", probe];
	const reply = (await runInChild(cliEntry, args, { execArgv, captureStderr: true })) as { peakRssMiB: number };
	return reply.peakRssMiB;
}

/** Peak RSS of `depin-twin run` (one run) and of `depin-twin sweep` of `runs` runs on one worker. */
async function memoryRatio(cliEntry: string, options: SweepBenchOptions) {
	const sets = options.overrides.flatMap((o) => ["--set", o]);
	const scratch = mkdtempSync(join(tmpdir(), "depin-twin-bench-rss-"));
	try {
		const runArgs = ["run", options.scenario, ...sets, "--out", join(scratch, "run")];
		const oneRun = await peakRssOf(cliEntry, runArgs);
		const sweepArgs = ["sweep", options.scenario, "--runs", String(options.rssRuns), "--workers", "1", ...sets];
		const sweep = await peakRssOf(cliEntry, [...sweepArgs, "--out", join(scratch, "sweep")]);
		return { runs: options.rssRuns, oneRunPeakRssMiB: oneRun, sweepPeakRssMiB: sweep, ratio: round3(sweep / oneRun) };
	} finally {
		rmSync(scratch, { recursive: true, force: true });
	}
}

/**
 * What two runs at once cost on this machine: `runs` runs on one worker in one child process,
 * then split between two such processes started together (each times its own sweep as
 * `timeSweep` does). `slowdown` 1 means two processes run at full speed side by side; 2, no gain.
 */
async function twoProcessBaseline(cliEntry: string, options: SweepBenchOptions) {
	const sample = async (runs: number) =>
		(await runBenchWorker(cliEntry, "sweep-time", {
			scenario: options.scenario,
			overrides: options.overrides,
			runs,
		})) as { wallMs: number; runMs: number; cpuMs: number };
	const half = Math.max(1, Math.floor(options.runs / 2));
	const alone = await sample(2 * half);
	const pair = await Promise.all([sample(half), sample(half)]);
	const pairMs = Math.max(...pair.map((p) => p.wallMs));
	const aloneRunMs = alone.runMs / (2 * half);
	const pairRunMs = (pair[0].runMs + pair[1].runMs) / (2 * half);
	return {
		runs: 2 * half,
		aloneMs: Math.round(alone.wallMs),
		pairMs: Math.round(pairMs),
		/** The pair's wall time over half the lone process's: what two workers could gain at best here. */
		slowdown: round3(pairMs / (alone.wallMs / 2)),
		/** A run's own time side by side over alone (1: the runs do not slow each other). */
		runSlowdown: round3(pairRunMs / aloneRunMs),
		aloneCoresUsed: round3(alone.cpuMs / alone.wallMs),
		aloneCpuMsPerRun: round3(alone.cpuMs / (2 * half)),
		pairCpuMsPerRun: round3((pair[0].cpuMs + pair[1].cpuMs) / (2 * half)),
	};
}

/** The overhead sweeps in this process, W = 1 first: its runs' own times are what every ratio divides by. */
async function overheadRows(options: SweepBenchOptions, progress?: (m: string) => void) {
	const rows: Record<string, number>[] = [];
	let singleRunMs = 0;
	for (const workers of [1, ...options.workers.filter((w) => w !== 1)]) {
		progress?.(`sweep: ${options.runs} runs of ${options.scenario} on ${workers} worker(s)`);
		const t = await timeSweep({
			scenario: options.scenario,
			overrides: options.overrides,
			runs: options.runs,
			workers,
		});
		if (workers === 1) singleRunMs = t.runMs;
		const ideal = singleRunMs / workers;
		rows.push({
			workers,
			wallMs: Math.round(t.wallMs),
			sumOfRunMs: Math.round(t.runMs),
			startupMs: Math.round(t.startupMs),
			tablesMs: Math.round(t.tablesMs),
			// Cores the sweep kept busy: above W, V8's own threads work beside the runs (a single run
			// that uses 1.6 cores leaves a 2-core machine little to gain from a second worker).
			coresUsed: round3(t.cpuMs / t.wallMs),
			// CPU a run costs, all threads: the same at W = 1 and 2 means the work did not grow, only waited.
			cpuMsPerRun: round3(t.cpuMs / options.runs),
			mainBusyMsPerRun: round3(t.mainBusyMs / options.runs),
			idealMs: Math.round(ideal),
			ratio: round3(t.wallMs / ideal),
			runsPerSec: round3(options.runs / (t.wallMs / 1000)),
			failed: t.failed,
		});
	}
	return rows;
}

/** One base run in a child: seconds per simulated node-year. */
async function baseRun(cliEntry: string, overrides: readonly string[]) {
	const baseOut = mkdtempSync(join(tmpdir(), "depin-twin-bench-base-"));
	const base = (await runBenchWorker(cliEntry, "model-run", { scenario: "base", overrides, out: baseOut }).finally(() =>
		rmSync(baseOut, { recursive: true, force: true }),
	)) as ModelRunSample;
	const horizonDays = prepareRun("base", overrides).loaded.scenario.horizonDays;
	const nodeYears = ((base.nodesStart + base.nodesEnd) / 2) * (horizonDays / 365);
	return {
		overrides,
		wallMs: Math.round(base.wallMs),
		nodeYears: round3(nodeYears),
		secondsPerNodeYear: round3(base.wallMs / 1000 / nodeYears),
	};
}

export async function benchSweep(cliEntry: string, options: SweepBenchOptions, progress?: (m: string) => void) {
	const overhead = await overheadRows(options, progress);
	progress?.(`machine: ${options.runs} runs in one process, then split between two side by side`);
	const machine = await twoProcessBaseline(cliEntry, options);
	for (const row of overhead) {
		// The best W = 2 can do here is what two independent processes do (same runs in all).
		if (row.workers === 2 && machine.runs === options.runs)
			row.ratioVsPair = round3((row.wallMs ?? 0) / machine.pairMs);
	}
	progress?.(`memory: one run, then a ${options.rssRuns}-run sweep on one worker`);
	const memory = await memoryRatio(cliEntry, options);
	progress?.(`base: one run (${options.baseOverrides.join(" ") || "as is"})`);
	const base = await baseRun(cliEntry, options.baseOverrides);
	return {
		scenario: options.scenario,
		overrides: options.overrides,
		runs: options.runs,
		overhead,
		machine,
		memory,
		base,
		environment: {
			node: process.version,
			platform: `${process.platform}-${process.arch}`,
			cores: availableParallelism(),
		},
	};
}
