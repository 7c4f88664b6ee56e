/**
 * `depin-twin bench model`: times a whole scenario run (default base.yaml: ~10,000 nodes, one
 * year) in a child process of its own, so that its peak RSS is the run's own. The same child
 * also times the engine's hold reference, so events/s can be read as a ratio to a bare
 * event loop measured in the same run.
 */
import { runHoldReference } from "../sim/bench/reference.js";
import { median } from "../sim/stats.js";
import { runInChild } from "./child.js";
import { executeRun, prepareRun } from "./run.js";

export interface ModelBenchOptions {
	readonly scenario: string;
	readonly overrides: readonly string[];
	readonly repetitions: number;
	readonly out: string;
}

export interface ModelBenchReport {
	readonly scenario: string;
	readonly overrides: readonly string[];
	readonly repetitions: number;
	readonly wallMs: number;
	readonly wallMsPerRepetition: readonly number[];
	readonly events: number;
	readonly eventsPerSec: number;
	readonly peakRssMiB: number;
	readonly epochs: number;
	readonly nodesStart: number;
	readonly nodesEnd: number;
	/** Bare typed-array heap (hold workload) in the same process, events/s. */
	readonly referenceEventsPerSec: number;
	/** Model events/s over the bare heap's: the price of the model's work per event. */
	readonly ratio: number;
}

/** Runs the model benchmark in this process. */
export function benchModelHere(options: ModelBenchOptions): ModelBenchReport {
	const prepared = prepareRun(options.scenario, options.overrides);
	const walls: number[] = [];
	let events = 0;
	let epochs = 0;
	let nodesStart = 0;
	let nodesEnd = 0;
	for (let r = 0; r < options.repetitions; r++) {
		const outcome = executeRun(prepared, { out: options.out });
		walls.push(outcome.wallMs);
		events = outcome.result.eventsFired;
		epochs = outcome.result.epochs;
		nodesStart = outcome.result.kpis.nodes.start;
		nodesEnd = outcome.result.kpis.nodes.end;
	}
	const hold = { processes: 10_000, events: 1_000_000, seed: 1 };
	runHoldReference(hold);
	const start = process.hrtime.bigint();
	runHoldReference(hold);
	const referenceMs = Number(process.hrtime.bigint() - start) / 1e6;
	const wallMs = median(walls);
	const eventsPerSec = Math.round(events / (wallMs / 1000));
	const referenceEventsPerSec = Math.round(hold.events / (referenceMs / 1000));
	return {
		scenario: options.scenario,
		overrides: options.overrides,
		repetitions: options.repetitions,
		wallMs: Math.round(wallMs),
		wallMsPerRepetition: walls.map((w) => Math.round(w)),
		events,
		eventsPerSec,
		peakRssMiB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
		epochs,
		nodesStart,
		nodesEnd,
		referenceEventsPerSec,
		ratio: Math.round((eventsPerSec / referenceEventsPerSec) * 1000) / 1000,
	};
}

/** Runs the model benchmark in a child process of the CLI (so its peak RSS is its own). */
export async function benchModel(cliEntry: string, options: ModelBenchOptions): Promise<ModelBenchReport> {
	return (await runInChild(cliEntry, ["bench-worker", "model", JSON.stringify(options)])) as ModelBenchReport;
}
