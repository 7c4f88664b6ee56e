/**
 * Planning a sweep: loads and checks the scenario at every design point and names every run.
 * This loads the scenario loader and the network model's modules, so `depin-twin sweep` does it
 * in a short-lived worker (`planSweepInWorker` in sweep.ts), and its main thread holds none of
 * them beside the pool's workers (each a full copy): a sweep's peak memory stays near one run's.
 */
import { TIMESERIES_COLUMNS } from "../models/network/index.js";
import { ScenarioError, scenarioHash } from "../models/scenario/load.js";
import type { Scenario } from "../models/scenario/schema.js";
import type { DesignPoint, VarySpec } from "../sim/experiment/design.js";
import { pointOverrides } from "../sim/experiment/design.js";
import { runIdentity, runSeed } from "../sim/experiment/seeds.js";
import type { SweepManifest } from "../sim/experiment/store.js";
import { InputError } from "./errors.js";
import { packageVersion } from "./paths.js";
import { prepareRun } from "./prepare-run.js";
import type { SweepContext } from "./sweep-worker.js";

/** Main series kept for bands.csv unless --series says otherwise (those the timeseries has). */
export const DEFAULT_SERIES = [
	"activeNodes",
	"servingNodes",
	"utilisation",
	"demandShare",
	"clearingPriceUsdPerGpuHour",
	"p95LatencyMs",
	"providerMarginUsdPerGpuHour",
	"tokenPriceUsd",
	"tokenSupply",
];

export function seriesList(option: string | undefined): string[] {
	const known = TIMESERIES_COLUMNS as readonly string[];
	if (option === undefined) return DEFAULT_SERIES.filter((name) => known.includes(name));
	if (option === "all") return known.filter((name) => name !== "epoch" && name !== "dayStart");
	const names = option.split(",").map((name) => name.trim());
	const unknown = names.filter((name) => !known.includes(name));
	if (unknown.length > 0)
		throw new InputError(`--series: no timeseries column ${unknown.join(", ")} (known: ${known.join(", ")})`);
	return names;
}

export const codeVersion = (): string => `depin-twin ${packageVersion()}`;

export interface SweepPlanInput {
	readonly scenario: string;
	readonly set: readonly string[];
	readonly seed?: number;
	readonly runs: number;
	readonly vary: readonly VarySpec[];
	readonly points: readonly DesignPoint[];
	readonly series: readonly string[];
}

/** The scenario at a design point; a value the scenario refuses names the point (the --set source is --vary). */
function preparePoint(input: SweepPlanInput, point: DesignPoint, seed: number): Scenario {
	try {
		return prepareRun(input.scenario, [...input.set, ...pointOverrides(point)], seed).loaded.scenario;
	} catch (error) {
		if (!(error instanceof ScenarioError)) throw error;
		const values = pointOverrides(point).join(" ");
		throw new InputError(`design point ${point.index} (${values}) is not a valid scenario:\n${error.message}`);
	}
}

/**
 * The manifest of a sweep: loads and checks the scenario at every design point (bad input
 * fails here, before any run), and names every run by its identity.
 */
export function planSweep(input: SweepPlanInput): { manifest: SweepManifest; context: SweepContext; base: Scenario } {
	const base = prepareRun(input.scenario, input.set, input.seed).loaded.scenario;
	const version = codeVersion();
	const seeds = Array.from({ length: input.runs }, (_, run) => runSeed(base.seed, run));
	const identities = input.points.map((point) => {
		const scenario = preparePoint(input, point, base.seed);
		return seeds.map((seed, run) =>
			runIdentity({ scenarioHash: scenarioHash({ ...scenario, seed }), seed, run, codeVersion: version }),
		);
	});
	const manifest: SweepManifest = {
		kind: "sweep",
		subject: { scenario: base.name, source: input.scenario, set: input.set },
		subjectHash: scenarioHash(base),
		codeVersion: version,
		masterSeed: base.seed,
		runsPerPoint: input.runs,
		vary: input.vary,
		points: input.points,
		series: input.series,
		seeds,
		identities,
	};
	return { manifest, context: { scenario: input.scenario, overrides: input.set }, base };
}

/** What the planning worker is given: the plan's input with --series as typed (checked there). */
export type SweepPlanRequest = Omit<SweepPlanInput, "series"> & { readonly seriesOption?: string };

/** A plan as plain data (it crosses threads), or the input error that stopped it. */
export type SweepPlanReply =
	| { readonly ok: true; readonly manifest: SweepManifest; readonly context: SweepContext; readonly name: string }
	| { readonly ok: false; readonly error: PlanError };

/** An error of bad input, as it crosses threads (an Error's class does not). */
export type PlanError =
	| { readonly kind: "input"; readonly message: string }
	| { readonly kind: "scenario"; readonly issues: ScenarioError["issues"] };

/** The planning worker's task: bad input comes back as data; anything else throws (a bug). */
export function planSweepReply(request: SweepPlanRequest): SweepPlanReply {
	try {
		const { seriesOption, ...rest } = request;
		const { manifest, context, base } = planSweep({ ...rest, series: seriesList(seriesOption) });
		return { ok: true, manifest, context, name: base.name };
	} catch (error) {
		if (error instanceof InputError) return { ok: false, error: { kind: "input", message: error.message } };
		if (error instanceof ScenarioError) return { ok: false, error: { kind: "scenario", issues: error.issues } };
		throw error;
	}
}
