/**
 * `depin-twin bench sweep`: what a sweep costs beyond its runs, and what sizes a cluster.
 * - Overhead: the same R runs of small.yaml as a sweep on W = 1 and 2 workers; the sum of the
 *   runs' own times (each run timed in its worker, at W = 1 where it has a core to itself)
 *   over W is the ideal; the ratio is the sweep's wall time (pool start, files, tables) to it.
 *   `coresUsed` (process CPU time over wall time) says how many cores the sweep kept busy: a
 *   run's own time at W = 1 already includes V8's garbage-collector and compiler threads working
 *   on another core, so the ideal assumes W times that many cores.
 * - Memory: peak RSS of a process that sweeps M runs on one worker over that of a process that
 *   does one run (each a fresh child process).
 * - Throughput: runs per second of small.yaml; seconds per simulated node-year of base.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { writeSweepTables } from "../sim/experiment/aggregate.js";
import { gridPoints } from "../sim/experiment/design.js";
import { runSweep } from "../sim/experiment/pool.js";
import type { ModelRunSample } from "./bench-model.js";
import { runInChild } from "./child.js";
import { computeRun, prepareRun } from "./run.js";
import { planSweep, seriesList, sweepWorkerFile } from "./sweep.js";

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
		const started = process.hrtime.bigint();
		const outcome = await runSweep({
			outDir,
			manifest,
			workerFile: sweepWorkerFile(),
			workers: options.workers,
			context,
		});
		const ran = process.hrtime.bigint();
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
			failed: outcome.failures.length,
		};
	} finally {
		rmSync(outDir, { recursive: true, force: true });
	}
}

/** The child's side of the memory test: a sweep of `runs` runs on one worker, or one plain run. */
export async function rssSample(options: { scenario: string; overrides: readonly string[]; runs: number }) {
	if (options.runs === 0) computeRun(prepareRun(options.scenario, options.overrides));
	else await timeSweep({ ...options, workers: 1 });
	return { peakRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10 };
}

export async function benchSweep(cliEntry: string, options: SweepBenchOptions, progress?: (m: string) => void) {
	const overhead: Record<string, unknown>[] = [];
	let singleRunMs = 0;
	// One worker first: its runs' own times are the single-run times every ratio divides by.
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
		overhead.push({
			workers,
			wallMs: Math.round(t.wallMs),
			sumOfRunMs: Math.round(t.runMs),
			startupMs: Math.round(t.startupMs),
			tablesMs: Math.round(t.tablesMs),
			// Cores the sweep kept busy: above W, V8's own threads work beside the runs (a single run
			// that uses 1.6 cores leaves a 2-core machine little to gain from a second worker).
			coresUsed: round3(t.cpuMs / t.wallMs),
			idealMs: Math.round(ideal),
			ratio: round3(t.wallMs / ideal),
			runsPerSec: round3(options.runs / (t.wallMs / 1000)),
			failed: t.failed,
		});
	}
	const rss = async (runs: number) =>
		(
			(await runInChild(cliEntry, [
				"bench-worker",
				"sweep-rss",
				JSON.stringify({ scenario: options.scenario, overrides: options.overrides, runs }),
			])) as { peakRssMiB: number }
		).peakRssMiB;
	progress?.(`memory: one run, then a ${options.rssRuns}-run sweep on one worker`);
	const oneRun = await rss(0);
	const sweep = await rss(options.rssRuns);
	progress?.(`base: one run (${options.baseOverrides.join(" ") || "as is"})`);
	const baseOut = mkdtempSync(join(tmpdir(), "depin-twin-bench-base-"));
	const baseArgs = JSON.stringify({ scenario: "base", overrides: options.baseOverrides, out: baseOut });
	const base = (await runInChild(cliEntry, ["bench-worker", "model-run", baseArgs]).finally(() =>
		rmSync(baseOut, { recursive: true, force: true }),
	)) as ModelRunSample;
	const horizonDays = prepareRun("base", options.baseOverrides).loaded.scenario.horizonDays;
	const nodeYears = ((base.nodesStart + base.nodesEnd) / 2) * (horizonDays / 365);
	return {
		scenario: options.scenario,
		overrides: options.overrides,
		runs: options.runs,
		overhead,
		memory: { runs: options.rssRuns, oneRunPeakRssMiB: oneRun, sweepPeakRssMiB: sweep, ratio: round3(sweep / oneRun) },
		base: {
			overrides: options.baseOverrides,
			wallMs: Math.round(base.wallMs),
			nodeYears: round3(nodeYears),
			secondsPerNodeYear: round3(base.wallMs / 1000 / nodeYears),
		},
		environment: {
			node: process.version,
			platform: `${process.platform}-${process.arch}`,
			cores: availableParallelism(),
		},
	};
}
