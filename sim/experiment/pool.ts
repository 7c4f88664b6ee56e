/**
 * Runs a sweep's missing runs on a piscina pool of worker threads. At most 2 × `workers` runs
 * are handed out at a time (so a stop request leaves little behind, and memory stays flat): each finished
 * run is already in its own file, so the order runs finish in never shows in the outputs.
 */
import { availableParallelism } from "node:os";
import type { ResourceLimits } from "node:worker_threads";
import { Piscina } from "piscina";
import { inShard, type Shard, WHOLE } from "./shard.js";
import { openSweepFolder, runDone, type SweepManifest } from "./store.js";
import { type RunTask, recordFailure, type TaskReceipt } from "./task.js";

export interface SweepProgress {
	/** Runs of this shard in all (done before included). */
	readonly total: number;
	/** Runs found finished in the folder when the sweep started. */
	readonly skipped: number;
	readonly done: number;
	readonly failed: number;
}

export interface SweepRunOptions {
	readonly outDir: string;
	readonly manifest: SweepManifest;
	/** The worker module (its default export: `(task: RunTask) => Promise<TaskReceipt>`). */
	readonly workerFile: string;
	readonly workers?: number;
	readonly shard?: Shard;
	readonly context: unknown;
	readonly onProgress?: (progress: SweepProgress, receipt?: TaskReceipt) => void;
	/** Polled before each new run: true stops the sweep after the runs in flight. */
	readonly stopRequested?: () => boolean;
	/** Heap limits of each worker (a smaller young generation keeps a long-lived worker's memory near one run's). */
	readonly resourceLimits?: ResourceLimits;
}

export interface SweepRunResult {
	readonly progress: SweepProgress;
	readonly failures: readonly TaskReceipt[];
	readonly receipts: readonly TaskReceipt[];
	readonly interrupted: boolean;
}

/** The default pool size: every core the process may use. */
export function defaultWorkers(): number {
	return availableParallelism();
}

/** The tasks of this shard not yet finished, in run order. */
export function pendingTasks(options: SweepRunOptions): { tasks: RunTask[]; total: number } {
	const { manifest, outDir } = options;
	const shard = options.shard ?? WHOLE;
	const tasks: RunTask[] = [];
	let total = 0;
	for (const point of manifest.points) {
		for (let run = 0; run < manifest.runsPerPoint; run++) {
			if (!inShard(shard, point.index * manifest.runsPerPoint + run)) continue;
			total++;
			const identity = (manifest.identities[point.index] as string[])[run] as string;
			if (runDone(outDir, identity)) continue;
			tasks.push({
				outDir,
				identity,
				point: point.index,
				run,
				seed: manifest.seeds[run] as number,
				values: point.values,
				overrides: Object.entries(point.values).map(([path, value]) => `${path}=${value}`),
				series: manifest.series,
				context: options.context,
			});
		}
	}
	return { tasks, total };
}

export async function runSweep(options: SweepRunOptions): Promise<SweepRunResult> {
	openSweepFolder(options.outDir, options.manifest);
	const { tasks, total } = pendingTasks(options);
	const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(), tasks.length));
	let progress: SweepProgress = { total, skipped: total - tasks.length, done: total - tasks.length, failed: 0 };
	const receipts: TaskReceipt[] = [];
	const failures: TaskReceipt[] = [];
	options.onProgress?.(progress);
	if (tasks.length === 0) return { progress, failures, receipts, interrupted: false };
	// Two tasks per worker: a run is synchronous, so the second waits in the worker's own
	// message queue and starts the moment the first ends, with no round trip to this thread.
	const pool = new Piscina({
		filename: options.workerFile,
		minThreads: workers,
		maxThreads: workers,
		concurrentTasksPerWorker: 2,
		...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
	});
	let next = 0;
	let interrupted = false;
	const lane = async (): Promise<void> => {
		while (next < tasks.length) {
			if (options.stopRequested?.() === true) {
				interrupted = true;
				return;
			}
			const task = tasks[next++] as RunTask;
			let receipt: TaskReceipt;
			try {
				receipt = (await pool.run(task)) as TaskReceipt;
			} catch (error) {
				// The worker died (out of memory, a crash): the run is recorded as failed here.
				recordFailure(task, error);
				const message = error instanceof Error ? error.message : String(error);
				receipt = {
					identity: task.identity,
					point: task.point,
					run: task.run,
					ok: false,
					error: message,
					wallMs: 0,
					startedMs: Number(process.hrtime.bigint()) / 1e6,
				};
			}
			receipts.push(receipt);
			if (!receipt.ok) failures.push(receipt);
			progress = { ...progress, done: progress.done + 1, failed: failures.length };
			options.onProgress?.(progress, receipt);
		}
	};
	try {
		await Promise.all(Array.from({ length: Math.min(tasks.length, 2 * workers) }, lane));
	} finally {
		await pool.destroy();
	}
	return { progress, failures, receipts, interrupted };
}
