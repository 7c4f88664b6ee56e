/**
 * `depin-twin bench model`: times whole scenario runs (default base.yaml: 6,500 nodes, one
 * year). Every run is a fresh child process, so its peak RSS is its own and no run inherits
 * another's heap; runs of the scenario as given alternate with runs with tokenomics switched
 * the other way, so drifts in machine speed hit both alike. Each child also times the engine on the hold workload after its run, so model
 * events/s read as a ratio to the engine's own throughput on the same machine at the same time.
 */
import { speedDrift, speedProbeMs } from "../sim/bench/speed-probe.js";
import { runHoldOnEngine } from "../sim/bench/workloads.js";
import { median } from "../sim/stats.js";
import { runBenchWorker } from "./child.js";
import { executeRun, prepareRun } from "./run.js";

export interface ModelBenchOptions {
	readonly scenario: string;
	readonly overrides: readonly string[];
	readonly repetitions: number;
	readonly out: string;
}

/** One run, measured in its own process. */
export interface ModelRunSample {
	readonly wallMs: number;
	readonly events: number;
	readonly epochs: number;
	readonly nodesStart: number;
	readonly nodesEnd: number;
	readonly peakRssMiB: number;
	readonly engineHoldEventsPerSec: number;
	/** The machine's speed probe just before and just after the run, ms (speed-probe.ts). */
	readonly speedProbeMs: readonly [number, number];
}

/** A run across which the machine's speed moved more than this share is flagged. */
export const MACHINE_DRIFT_LIMIT = 0.1;

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
	/** The engine on the hold workload (10,000 processes, 10^6 events) in the same processes, events/s. */
	readonly referenceEventsPerSec: number;
	/** Model events/s over the engine's hold throughput: the price of the model's work per event. */
	readonly ratio: number;
	/**
	 * What tokenomics costs: the scenario timed with and without it, each side's overrides
	 * relative to the scenario (empty on the side the scenario is already on; a reference design
	 * switches it on when the scenario has none of its own).
	 */
	readonly tokenomics: {
		readonly with: TokenomicsSide;
		readonly without: TokenomicsSide;
		/** Median wall time with tokenomics over the median without (1.06 = 6% more). */
		readonly wallRatio: number;
	};
	/**
	 * The largest move of the machine's speed across one run (0.1: 10% faster or slower after it
	 * than before), over every run of the benchmark.
	 */
	readonly machineDrift: number;
	/** What makes these figures less than trustworthy (a drifting machine), for the reader. */
	readonly warnings: readonly string[];
}

/** One side of the tokenomics comparison: medians over its repetitions (peak RSS: the largest). */
export interface TokenomicsSide {
	readonly overrides: readonly string[];
	readonly wallMs: number;
	readonly events: number;
	readonly peakRssMiB: number;
}

/** Tokenomics used to time its cost when the scenario has none of its own. */
export const REFERENCE_TOKENOMICS = [
	"tokenomics.enabled=true",
	"tokenomics.emission={kind: constant, tokensPerDay: 20000}",
	"tokenomics.market={kind: amm}",
	"tokenomics.staking={stakePerNodeTokens: 10}",
	"tokenomics.vesting=[{account: investors, tokens: 50000000}]",
];

const round1 = (x: number) => Math.round(x * 10) / 10;

/** The child's side: one run, then the engine's hold throughput. */
export function runModelSample(options: {
	scenario: string;
	overrides: readonly string[];
	out: string;
}): ModelRunSample {
	const prepared = prepareRun(options.scenario, options.overrides);
	const probeBeforeMs = speedProbeMs();
	const outcome = executeRun(prepared, { out: options.out });
	const probeAfterMs = speedProbeMs();
	const hold = { processes: 10_000, events: 1_000_000, seed: 1 };
	runHoldOnEngine(hold);
	const start = process.hrtime.bigint();
	runHoldOnEngine(hold);
	const holdMs = Number(process.hrtime.bigint() - start) / 1e6;
	return {
		wallMs: outcome.wallMs,
		events: outcome.result.eventsFired,
		epochs: outcome.result.epochs,
		nodesStart: outcome.result.kpis.nodes.start,
		nodesEnd: outcome.result.kpis.nodes.end,
		peakRssMiB: round1(process.resourceUsage().maxRSS / 1024),
		engineHoldEventsPerSec: Math.round(hold.events / (holdMs / 1000)),
		speedProbeMs: [round1(probeBeforeMs), round1(probeAfterMs)],
	};
}

/** Runs the model benchmark: each repetition a child process without, then with, tokenomics. */
export async function benchModel(cliEntry: string, options: ModelBenchOptions): Promise<ModelBenchReport> {
	const tokensOn = prepareRun(options.scenario, options.overrides).loaded.scenario.tokenomics.enabled;
	const tokenOverrides = tokensOn ? ["tokenomics.enabled=false"] : REFERENCE_TOKENOMICS;
	const sample = async (overrides: readonly string[]) =>
		(await runBenchWorker(cliEntry, "model-run", {
			scenario: options.scenario,
			overrides,
			out: options.out,
		})) as ModelRunSample;
	const plain: ModelRunSample[] = [];
	const other: ModelRunSample[] = [];
	for (let r = 0; r < options.repetitions; r++) {
		plain.push(await sample(options.overrides));
		other.push(await sample([...options.overrides, ...tokenOverrides]));
	}
	return modelReport(options, tokensOn, tokenOverrides, plain, other);
}

/**
 * The report from the samples: `plain` ran the scenario as given, `other` with
 * `tokenOverrides` (tokenomics switched off when `tokensOn`, else on). The headline figures
 * are the scenario's own; the hold reference and the drift pool every run.
 */
export function modelReport(
	options: Pick<ModelBenchOptions, "scenario" | "overrides" | "repetitions">,
	tokensOn: boolean,
	tokenOverrides: readonly string[],
	plain: readonly ModelRunSample[],
	other: readonly ModelRunSample[],
): ModelBenchReport {
	const [without, withTokens] = tokensOn ? [other, plain] : [plain, other];
	const withWall = median(withTokens.map((s) => s.wallMs));
	const withoutWall = median(without.map((s) => s.wallMs));
	// The headline is the scenario as given (`plain`): one of the two sides.
	const wallMs = tokensOn ? withWall : withoutWall;
	const first = plain[0] as ModelRunSample;
	const eventsPerSec = Math.round(first.events / (wallMs / 1000));
	const referenceEventsPerSec = Math.round(median([...plain, ...other].map((s) => s.engineHoldEventsPerSec)));
	const machineDrift = Math.max(...[...plain, ...other].map((s) => speedDrift(...s.speedProbeMs)));
	return {
		scenario: options.scenario,
		overrides: options.overrides,
		repetitions: options.repetitions,
		wallMs: Math.round(wallMs),
		wallMsPerRepetition: plain.map((s) => Math.round(s.wallMs)),
		events: first.events,
		eventsPerSec,
		peakRssMiB: Math.max(...plain.map((s) => s.peakRssMiB)),
		epochs: first.epochs,
		nodesStart: first.nodesStart,
		nodesEnd: first.nodesEnd,
		referenceEventsPerSec,
		ratio: Math.round((eventsPerSec / referenceEventsPerSec) * 1000) / 1000,
		tokenomics: {
			with: tokenomicsSide(tokensOn ? [] : tokenOverrides, withTokens, withWall),
			without: tokenomicsSide(tokensOn ? tokenOverrides : [], without, withoutWall),
			wallRatio: Math.round((withWall / withoutWall) * 1000) / 1000,
		},
		machineDrift: Math.round(machineDrift * 1000) / 1000,
		warnings: driftWarnings(machineDrift),
	};
}

function tokenomicsSide(
	overrides: readonly string[],
	samples: readonly ModelRunSample[],
	medianWallMs: number,
): TokenomicsSide {
	return {
		overrides,
		wallMs: Math.round(medianWallMs),
		events: (samples[0] as ModelRunSample).events,
		peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
	};
}

/** The warning for a machine whose speed moved during a run by `drift` (none within MACHINE_DRIFT_LIMIT). */
export function driftWarnings(drift: number): string[] {
	if (!(drift > MACHINE_DRIFT_LIMIT)) return [];
	const percent = Math.round(drift * 100);
	return [
		`the machine's speed moved by ${percent}% during a run (a fixed loop timed before and after it): ratios and wall times of this benchmark may be off by as much; rerun when the machine is quieter`,
	];
}
