/**
 * `depin-twin bench engine`: times the engine on the hold and M/M/c workloads against the
 * hand-written references (sim/bench/reference.ts) in the same process, alternating engine
 * and reference runs after a warm-up, and reports medians. Each workload runs in a child
 * process of its own so that its peak RSS is its own.
 */
import { runHoldReference, runMmcReference } from "../sim/bench/reference.js";
import {
	type HoldParams,
	type MmcParams,
	type MmcResult,
	runHoldOnEngine,
	runMmcOnEngine,
} from "../sim/bench/workloads.js";
import { Engine } from "../sim/engine.js";
import { mmcMeans } from "../sim/queueing.js";
import { meanConfidence, median } from "../sim/stats.js";
import { runBenchWorker } from "./child.js";

export interface EngineBenchOptions {
	readonly repetitions: number;
	readonly seed: number;
	readonly hold: Omit<HoldParams, "seed">;
	readonly mmc: Omit<MmcParams, "seed" | "runIndex">;
}

export const DEFAULT_ENGINE_BENCH: EngineBenchOptions = {
	repetitions: 5,
	seed: 1,
	hold: { processes: 10_000, events: 2_000_000 },
	mmc: { servers: 1_000, load: 0.98, jobs: 1_000_000, warmupJobs: 100_000, batches: 20 },
};

/** A tenth of the work and three repetitions: for a quick look and for tests, not for figures. */
export const QUICK_ENGINE_BENCH: EngineBenchOptions = {
	repetitions: 3,
	seed: 1,
	hold: { processes: 10_000, events: 200_000 },
	mmc: { servers: 1_000, load: 0.98, jobs: 100_000, warmupJobs: 10_000, batches: 20 },
};

interface Timing {
	readonly events: number;
	readonly eventsPerSec: number;
	readonly wallMs: number;
	readonly peakRssMiB: number;
	readonly referenceEventsPerSec: number;
	readonly referenceWallMs: number;
	readonly ratio: number;
	readonly repetitions: number;
	readonly ratioPerRepetition: readonly number[];
}

export interface HoldReport extends Timing {
	readonly processes: number;
	readonly queueBytesPerPendingEvent: number;
}

export interface MmcReport extends Timing {
	readonly servers: number;
	readonly load: number;
	readonly jobs: number;
	readonly warmupJobs: number;
	readonly meanWait: number;
	readonly meanWaitCi95: readonly [number, number];
	readonly erlangCMeanWait: number;
	readonly erlangCInsideCi95: boolean;
	readonly meanWaitPerRepetition: readonly number[];
}

export interface EngineBenchReport {
	readonly hold: HoldReport;
	readonly mmc: MmcReport;
	readonly environment: { readonly node: string; readonly platform: string; readonly seed: number };
}

function timeIt<T>(work: () => T): { result: T; wallMs: number } {
	const start = process.hrtime.bigint();
	const result = work();
	return { result, wallMs: Number(process.hrtime.bigint() - start) / 1e6 };
}

function peakRssMiB(): number {
	return process.resourceUsage().maxRSS / 1024;
}

/** Alternates engine and reference runs (after one warm-up of each) and summarises the timings. */
function timePair(
	repetitions: number,
	engineRun: (repetition: number) => { events: number },
	referenceRun: (repetition: number) => { events: number },
): Timing {
	engineRun(-1);
	referenceRun(-1);
	const engineMs: number[] = [];
	const referenceMs: number[] = [];
	const ratios: number[] = [];
	let events = 0;
	for (let r = 0; r < repetitions; r++) {
		const engine = timeIt(() => engineRun(r));
		const reference = timeIt(() => referenceRun(r));
		if (engine.result.events !== reference.result.events) {
			throw new Error(`engine fired ${engine.result.events} events, the reference ${reference.result.events}`);
		}
		events = engine.result.events;
		engineMs.push(engine.wallMs);
		referenceMs.push(reference.wallMs);
		ratios.push(reference.wallMs / engine.wallMs);
	}
	const wallMs = median(engineMs);
	const referenceWallMs = median(referenceMs);
	return {
		events,
		eventsPerSec: Math.round((events / wallMs) * 1000),
		wallMs: round(wallMs, 1),
		peakRssMiB: round(peakRssMiB(), 1),
		referenceEventsPerSec: Math.round((events / referenceWallMs) * 1000),
		referenceWallMs: round(referenceWallMs, 1),
		ratio: round(referenceWallMs / wallMs, 3),
		repetitions,
		ratioPerRepetition: ratios.map((r) => round(r, 3)),
	};
}

function round(value: number, digits: number): number {
	const scale = 10 ** digits;
	return Math.round(value * scale) / scale;
}

export function benchHold(options: EngineBenchOptions): HoldReport {
	const params: HoldParams = { ...options.hold, seed: options.seed };
	let bytesPerPending = Number.NaN;
	const timing = timePair(
		options.repetitions,
		() => {
			const result = runHoldOnEngine(params);
			bytesPerPending = result.queueBytesPerPendingEvent ?? Number.NaN;
			return result;
		},
		() => runHoldReference(params),
	);
	return { ...timing, processes: params.processes, queueBytesPerPendingEvent: round(bytesPerPending, 2) };
}

/**
 * Repetition r uses random streams of run index r (independent replications); the reported
 * mean wait pools them, with a 95% interval from all their batch means.
 */
export function benchMmc(options: EngineBenchOptions): MmcReport {
	const engineResults: MmcResult[] = [];
	const paramsOf = (repetition: number): MmcParams => ({
		...options.mmc,
		seed: options.seed,
		runIndex: repetition < 0 ? options.repetitions : repetition,
	});
	const timing = timePair(
		options.repetitions,
		(r) => {
			const result = runMmcOnEngine(paramsOf(r));
			if (r >= 0) engineResults.push(result);
			return result;
		},
		(r) => runMmcReference(paramsOf(r)),
	);
	const allBatchMeans = engineResults.flatMap((result) => [...result.batchMeans]);
	const estimate = meanConfidence(allBatchMeans);
	const { servers, load } = options.mmc;
	const erlangCMeanWait = mmcMeans(servers, load * servers, 1).meanWait;
	return {
		...timing,
		servers,
		load,
		jobs: options.mmc.jobs,
		warmupJobs: options.mmc.warmupJobs,
		meanWait: round(estimate.mean, 6),
		meanWaitCi95: [round(estimate.ci95[0], 6), round(estimate.ci95[1], 6)],
		erlangCMeanWait: round(erlangCMeanWait, 6),
		erlangCInsideCi95: estimate.ci95[0] <= erlangCMeanWait && erlangCMeanWait <= estimate.ci95[1],
		meanWaitPerRepetition: engineResults.map((result) => round(result.meanWait, 6)),
	};
}

export type EngineWorkload = "hold" | "mmc";

/** Runs one workload in this process (the child side of `benchEngine`). */
export function benchWorkload(workload: EngineWorkload, options: EngineBenchOptions): HoldReport | MmcReport {
	return workload === "hold" ? benchHold(options) : benchMmc(options);
}

/** Runs one workload in a child process of the CLI and returns its report. */
function benchInChild(cliEntry: string, workload: EngineWorkload, options: EngineBenchOptions): Promise<unknown> {
	return runBenchWorker(cliEntry, workload, options);
}

/**
 * The whole engine benchmark. With `cliEntry`, each workload runs in its own child process
 * (clean peak RSS); without, both run here.
 */
export async function benchEngine(
	options: EngineBenchOptions,
	cliEntry?: string,
	onProgress?: (message: string) => void,
): Promise<EngineBenchReport> {
	onProgress?.(`hold: ${options.hold.processes} processes, ${options.hold.events} events × ${options.repetitions}`);
	const hold = (cliEntry ? await benchInChild(cliEntry, "hold", options) : benchHold(options)) as HoldReport;
	onProgress?.(
		`mmc: c = ${options.mmc.servers}, ρ = ${options.mmc.load}, ${options.mmc.jobs} jobs × ${options.repetitions}`,
	);
	const mmc = (cliEntry ? await benchInChild(cliEntry, "mmc", options) : benchMmc(options)) as MmcReport;
	return {
		hold,
		mmc,
		environment: { node: process.version, platform: `${process.platform}-${process.arch}`, seed: options.seed },
	};
}

/** A short human-readable table of the report. */
export function formatEngineBench(report: EngineBenchReport): string {
	const rows = [
		["workload", "events", "engine ev/s", "reference ev/s", "ratio", "wall ms", "peak RSS MiB"],
		...(["hold", "mmc"] as const).map((name) => {
			const r = report[name];
			return [
				name,
				r.events.toLocaleString("en-US"),
				r.eventsPerSec.toLocaleString("en-US"),
				r.referenceEventsPerSec.toLocaleString("en-US"),
				r.ratio.toFixed(3),
				r.wallMs.toFixed(1),
				r.peakRssMiB.toFixed(1),
			];
		}),
	];
	const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
	const lines = rows.map((row) => row.map((cell, i) => cell.padStart(widths[i] ?? 0)).join("  "));
	const m = report.mmc;
	lines.push(
		"",
		`M/M/c mean wait ${m.meanWait} (95% CI ${m.meanWaitCi95[0]} – ${m.meanWaitCi95[1]}) vs Erlang C ${m.erlangCMeanWait}` +
			` (${m.erlangCInsideCi95 ? "inside" : "OUTSIDE"} the interval)`,
		`queue memory: ${report.hold.queueBytesPerPendingEvent} bytes per pending event (${Engine.bytesPerEventSlot} per slot)`,
	);
	return lines.join("\n");
}
