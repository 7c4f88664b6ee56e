/**
 * `depin-twin bench model`: times whole scenario runs (default base.yaml: ~10,000 nodes, one
 * year). Every run is a fresh child process, so its peak RSS is its own and no run inherits
 * another's heap; runs without and with tokenomics alternate, so drifts in machine speed hit
 * both alike. Each child also times the engine on the hold workload after its run, so model
 * events/s read as a ratio to the engine's own throughput on the same machine at the same time.
 */
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
	/** The engine on the hold workload (10,000 processes, 10^6 events) in the same processes, events/s. */
	readonly referenceEventsPerSec: number;
	/** Model events/s over the engine's hold throughput: the price of the model's work per event. */
	readonly ratio: number;
	/** The same scenario with tokenomics switched on (a reference design) or off (if it has its own). */
	readonly withTokenomics: {
		readonly overrides: readonly string[];
		readonly wallMs: number;
		readonly events: number;
		readonly peakRssMiB: number;
		/** Median wall time with tokenomics over the median without (1.06 = 6% more). */
		readonly wallRatio: number;
	};
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
	const outcome = executeRun(prepareRun(options.scenario, options.overrides), { out: options.out });
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
	const [without, withTokens] = tokensOn ? [other, plain] : [plain, other];
	const base = tokensOn ? withTokens : without;
	const wallMs = median(base.map((s) => s.wallMs));
	const first = base[0] as ModelRunSample;
	const eventsPerSec = Math.round(first.events / (wallMs / 1000));
	const referenceEventsPerSec = Math.round(median([...plain, ...other].map((s) => s.engineHoldEventsPerSec)));
	const withoutWall = median(without.map((s) => s.wallMs));
	const withWall = median(withTokens.map((s) => s.wallMs));
	return {
		scenario: options.scenario,
		overrides: options.overrides,
		repetitions: options.repetitions,
		wallMs: Math.round(wallMs),
		wallMsPerRepetition: base.map((s) => Math.round(s.wallMs)),
		events: first.events,
		eventsPerSec,
		peakRssMiB: Math.max(...base.map((s) => s.peakRssMiB)),
		epochs: first.epochs,
		nodesStart: first.nodesStart,
		nodesEnd: first.nodesEnd,
		referenceEventsPerSec,
		ratio: Math.round((eventsPerSec / referenceEventsPerSec) * 1000) / 1000,
		withTokenomics: {
			overrides: tokenOverrides,
			wallMs: Math.round(tokensOn ? wallMs : withWall),
			events: (other[0] as ModelRunSample).events,
			peakRssMiB: Math.max(...other.map((s) => s.peakRssMiB)),
			wallRatio: Math.round((withWall / withoutWall) * 1000) / 1000,
		},
	};
}
