/**
 * What a run derives once from its inputs and never changes: the metros and regions in play,
 * per-GPU and per-metro cost tables, the market's context, time constants, outage footprints
 * and the cloud twin's price tables. Plain data in one class of fixed shape.
 */
import { Categorical, LogNormal } from "../../sim/random/distributions.js";
import { logGamma } from "../../sim/random/special.js";
import type { RandomStream } from "../../sim/random/stream.js";
import { type Catalog, type CloudRegion, cloudPriceUsdPerGpuHour, type GpuSpec, type Metro } from "../catalog.js";
import { DemandModel } from "../demand.js";
import { type Sampler, samplerOf, samplerOfValue } from "../distribution-spec.js";
import { buildGeography, type Geography } from "../geo.js";
import { type CalibrationProfile, computeTimeMs, efficiencyFor, jobDurationHours } from "../latency.js";
import type { MarketContext } from "../market.js";
import { amortisedCapexUsdPerHour, ewmaWeight } from "../providers.js";
import { sitesByRtt } from "../requests.js";
import type { JobClass, RealtimeClass, Scenario } from "../scenario/schema.js";
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SECONDS_PER_HOUR } from "../units.js";
import type { NetworkInputs } from "./types.js";

/** Share of a real-time class's SLA that network RTT to a replica may use. */
export const RTT_BUDGET_SHARE_OF_SLA = 0.5;
/** Bandwidth of a node's uplink and of a cloud region, Gbit/s (transfer times, C10). */
export const NODE_BANDWIDTH_GBPS = 1;
export const CLOUD_BANDWIDTH_GBPS = 10;
/** GPU classes the cloud twin may rent for a job, cheapest eligible first. */
const CLOUD_JOB_GPU_IDS = ["h100-sxm", "a100-80gb", "l40s"];

export type RequestMode = "full" | "sampled" | "none";

/** The fixed inputs of a run, resolved from the scenario and the reference tables. */
export class NetworkSetup {
	readonly scenario: Scenario;
	readonly catalog: Catalog;
	readonly calibration: CalibrationProfile;
	readonly metros: readonly Metro[];
	readonly regions: readonly CloudRegion[];
	readonly geography: Geography;
	readonly metroCount: number;
	/** 0 where regulation excludes the metro (C13): its nodes leave, no prospect joins there. */
	readonly metroAllowed: Uint8Array;
	readonly initialMetroChoice: Categorical;
	/** Where prospects join (null: nowhere allowed). */
	readonly joinMetroChoice: Categorical | null;
	readonly gpus: readonly GpuSpec[];
	/** GPU index of each entry of the node mix, and the mix's choice. */
	readonly mixGpu: readonly number[];
	readonly mixChoice: Categorical;
	readonly horizonMs: number;
	readonly epochMs: number;
	readonly epochs: number;
	/** Share of work that audits re-execute, on top of the work (C11). */
	readonly auditOverhead: number;
	/** GPU-hours one H100-hour of work takes on each class, audits included. */
	readonly hoursPerWorkByGpu: Float64Array;
	readonly tdpKwByGpu: Float64Array;
	readonly electricityByMetro: Float64Array;
	readonly capexPerHourByGpu: Float64Array;
	readonly marketContext: MarketContext;
	/** Bid window and deployment between an award and the start of work, ms. */
	readonly awardDelayMs: number;
	/** Market figures read on every order and lease (copied from the scenario for the hot path). */
	readonly takeRate: number;
	readonly reservePriceShareOfCloud: number;
	readonly bandwidthUsdPerGb: number;
	/** The cloud's provisioning time, ms. */
	readonly cloudProvisioningMs: number;
	readonly askSpread: LogNormal | null;
	readonly repairHours: { sample(rng: RandomStream): number };
	/** Weibull scale that gives the stated mean time between failures: mean = scale · Γ(1 + 1/k). */
	readonly weibullScaleHours: number;
	/** 1/k of the failure's Weibull shape k. */
	readonly weibullExponent: number;
	/** Probability that an audit catches a node faking work. */
	readonly catchProbability: number;
	/** outageMetros[i][m] = 1 where outage i takes down nodes of metro m. */
	readonly outageMetros: readonly Uint8Array[];
	/** Each cloud region's outage windows [start, end) ms (checked for every order). */
	readonly cloudOutageWindows: readonly (readonly [number, number])[][];
	readonly anyCloudOutage: boolean;
	readonly regionAvailability: Float64Array;
	readonly cloudRealtimeGpuIndex: number;
	readonly requestMode: RequestMode;
	/** Length of an epoch's request window, ms. */
	readonly windowMs: number;
	/** Weight of an epoch's margin in the smoothed margin. */
	readonly exitWeight: number;
	/** Demand of each class of the scenario, by class index. */
	readonly demandModels: readonly DemandModel[];
	/** What each provider draws for itself (scenario `providers`; each from its own stream). */
	readonly draws: ProviderDraws;
	/** Weight of an epoch in the recent clearing price and utilisation of each GPU class. */
	readonly clearingWeight: number;
	/**
	 * Market price of each GPU class before the network has cleared any, USD per GPU-hour: its
	 * Akash price in gpus.csv, else its spot rental price, else its on-demand price, else NaN
	 * (auction); the posted price (posted, routing: there it stays the going rate).
	 */
	readonly marketPriceByGpu: Float64Array;

	constructor(inputs: NetworkInputs) {
		const { scenario, catalog } = inputs;
		this.scenario = scenario;
		this.catalog = catalog;
		this.calibration = inputs.calibration;
		this.metros = inPlay(scenario.geography.metros, catalog.metros, catalog.metroById, "metro");
		this.regions = inPlay(scenario.cloud.regions, catalog.cloudRegions, catalog.cloudRegionById, "cloud region");
		this.geography = buildGeography(this.metros, this.regions, scenario.geography);
		this.metroCount = this.metros.length;
		const excluded = new Set(scenario.geography.excludeJurisdictions);
		this.metroAllowed = Uint8Array.from(this.metros, (m) => (excluded.has(m.jurisdiction) ? 0 : 1));
		// The starting fleet is where providers are, regulation or not.
		const placementWeight = (m: Metro) => (scenario.nodes.metroWeighting === "uniform" ? 1 : m.populationWeight);
		this.initialMetroChoice = new Categorical(Float64Array.from(this.metros, placementWeight));
		const joinWeights = Float64Array.from(this.metros, (m, i) => (this.metroAllowed[i] === 1 ? placementWeight(m) : 0));
		this.joinMetroChoice = joinWeights.some((w) => w > 0) ? new Categorical(joinWeights) : null;
		this.gpus = catalog.gpus;
		this.mixGpu = scenario.nodes.mix.map((entry) => catalog.gpuIndexById.get(entry.gpu) ?? missing("GPU", entry.gpu));
		this.mixChoice = new Categorical(scenario.nodes.mix.map((entry) => entry.share));
		this.horizonMs = Math.round(scenario.horizonDays * MS_PER_DAY);
		this.epochMs = Math.round(scenario.epochHours * MS_PER_HOUR);
		this.epochs = Math.ceil(this.horizonMs / this.epochMs);
		const { providers, market } = scenario;
		const verification = scenario.tokenomics.verification;
		this.auditOverhead = verification.auditRate * verification.reexecutionMultiplier;
		const h100 = requireId(catalog.gpuById, "h100-sxm", "GPU");
		this.hoursPerWorkByGpu = Float64Array.from(
			this.gpus,
			(g) => jobDurationHours(1, g, h100) * (1 + this.auditOverhead),
		);
		this.tdpKwByGpu = Float64Array.from(this.gpus, (g) => g.tdpWatts / 1000);
		this.electricityByMetro = Float64Array.from(this.metros, (m) => m.electricityUsdPerKwh);
		this.capexPerHourByGpu = Float64Array.from(this.gpus, (g) =>
			amortisedCapexUsdPerHour(g.capexUsd, providers.capexLifetimeYears),
		);
		this.marketContext = marketContextOf(scenario, this.gpus, this.geography, this.metroCount);
		this.awardDelayMs =
			(market.mechanism === "auction" ? market.bidWindowSeconds * MS_PER_SECOND : 0) +
			market.deployMinutes * MS_PER_MINUTE;
		this.takeRate = market.takeRate;
		this.reservePriceShareOfCloud = market.reservePriceShareOfCloud;
		this.bandwidthUsdPerGb = providers.bandwidthUsdPerGb;
		this.cloudProvisioningMs = scenario.cloud.provisioningMinutes * MS_PER_MINUTE;
		this.askSpread = providers.askSpread > 0 ? new LogNormal(0, providers.askSpread) : null;
		this.repairHours = samplerOf(providers.failures.repairHours);
		this.weibullScaleHours = providers.failures.mtbfHours / Math.exp(logGamma(1 + 1 / providers.failures.weibullShape));
		this.weibullExponent = 1 / providers.failures.weibullShape;
		this.catchProbability = verification.auditRate * verification.detectionProbability;
		this.outageMetros = providers.outages.map((outage) =>
			Uint8Array.from(this.metros, (metro) => (metroInOutageScope(metro, outage) ? 1 : 0)),
		);
		this.cloudOutageWindows = cloudOutageWindows(scenario, this.regions);
		this.anyCloudOutage = this.cloudOutageWindows.some((windows) => windows.length > 0);
		this.regionAvailability = Float64Array.from(this.regions, (region) => region.availability);
		this.cloudRealtimeGpuIndex = requireId(catalog.gpuIndexById, scenario.cloud.realtimeGpu, "GPU");
		this.requestMode = requestModeOf(scenario);
		this.windowMs =
			this.requestMode === "full"
				? this.epochMs
				: Math.min(this.epochMs, scenario.requests.sampleWindowSeconds * MS_PER_SECOND);
		this.exitWeight = ewmaWeight(providers.exit.ewmaHalfLifeEpochs);
		this.demandModels = demandModelsOf(scenario, this.metros);
		this.draws = providerDraws(scenario);
		this.clearingWeight = ewmaWeight(providers.askPolicy.clearingHalfLifeEpochs);
		// Posted and routing markets: the protocol's price is the market's.
		this.marketPriceByGpu =
			market.mechanism === "auction"
				? Float64Array.from(
						this.gpus,
						(g) =>
							[g.akashUsdPerGpuHour, g.rentalSpotUsdPerGpuHour, g.rentalOnDemandUsdPerGpuHour].find(Number.isFinite) ??
							Number.NaN,
					)
				: this.marketContext.postedUsdPerGpuHour.slice();
	}
}

/** The per-provider distributions of the scenario, as samplers. */
export interface ProviderDraws {
	readonly powerPriceFactor: Sampler;
	readonly capexPriceFactor: Sampler;
	readonly capexAgeDays: Sampler;
	readonly lossToleranceUsdPerHour: Sampler;
	readonly patienceEpochs: Sampler;
	readonly hurdleAnnualReturn: Sampler;
	readonly undercut: Sampler;
}

function providerDraws(scenario: Scenario): ProviderDraws {
	const { capex, exit, entry, askPolicy, powerPriceFactor } = scenario.providers;
	return {
		powerPriceFactor: samplerOf(powerPriceFactor),
		capexPriceFactor: samplerOf(capex.priceFactor),
		capexAgeDays: samplerOf(capex.ageDays),
		lossToleranceUsdPerHour: samplerOf(exit.lossToleranceUsdPerHour),
		patienceEpochs: samplerOfValue(exit.consecutiveEpochs),
		hurdleAnnualReturn: samplerOfValue(entry.hurdleAnnualReturn),
		undercut: samplerOf(askPolicy.undercut),
	};
}

function inPlay<T>(
	ids: readonly string[],
	all: readonly T[],
	byId: ReadonlyMap<string, T>,
	what: string,
): readonly T[] {
	return ids.length > 0 ? ids.map((id) => requireId(byId, id, what)) : all;
}

function marketContextOf(scenario: Scenario, gpus: readonly GpuSpec[], geography: Geography, metroCount: number) {
	const market = scenario.market;
	const postedUsdPerGpuHour = Float64Array.from(gpus, (g) => {
		const price = market.postedPriceShareOfOnDemand * g.rentalOnDemandUsdPerGpuHour;
		return Number.isFinite(price) ? price : 0;
	});
	const context: MarketContext = {
		mechanism: market.mechanism,
		maxCandidates: market.maxCandidates,
		postedUsdPerGpuHour,
		metrosByDistance: geography.metrosByDistance,
		metroRttMs: geography.metroRttMs,
		metroCount,
	};
	return context;
}

type Outage = Scenario["providers"]["outages"][number];

function metroInOutageScope(metro: Metro, outage: Outage): boolean {
	switch (outage.scope) {
		case "metro":
			return metro.id === outage.target;
		case "region":
			return metro.region === outage.target;
		case "jurisdiction":
			return metro.jurisdiction === outage.target;
		case "cloud-region":
			return false;
	}
}

function cloudOutageWindows(scenario: Scenario, regions: readonly CloudRegion[]): (readonly [number, number])[][] {
	return regions.map((region) =>
		scenario.providers.outages
			.filter((outage) => outage.scope === "cloud-region" && outage.target === region.id)
			.map((outage) => {
				const start = outage.startDay * MS_PER_DAY;
				return [start, start + outage.durationHours * MS_PER_HOUR] as const;
			}),
	);
}

function requestModeOf(scenario: Scenario): RequestMode {
	const fidelity = scenario.requests.fidelity;
	if (!scenario.demand.classes.some((spec) => spec.kind === "realtime")) return "none";
	return fidelity === "full" || (fidelity === "auto" && scenario.horizonDays <= scenario.requests.fullUpToDays)
		? "full"
		: "sampled";
}

function demandModelsOf(scenario: Scenario, metros: readonly Metro[]): DemandModel[] {
	const populationWeights = Float64Array.from(metros, (m) => m.populationWeight);
	const longitudes = Float64Array.from(metros, (m) => m.lon);
	return scenario.demand.classes.map(
		(spec) =>
			new DemandModel(
				spec.kind === "realtime" ? spec.requestsPerSecond * SECONDS_PER_HOUR : spec.ordersPerHour,
				spec.arrival,
				populationWeights,
				longitudes,
			),
	);
}

/** 1 for each GPU class that meets a class's hardware needs. */
export function eligibility(gpus: readonly GpuSpec[], hardware: JobClass["hardware"], minVramGb: number): Uint8Array {
	return Uint8Array.from(gpus, (g) =>
		g.memoryGb >= Math.max(hardware.minVramGb, minVramGb) &&
		hardware.tiers.includes(g.tier) &&
		(!hardware.requireNvlink || g.nvlink) &&
		(!hardware.requireFp8 || Number.isFinite(g.fp8TensorTflops))
			? 1
			: 0,
	);
}

/**
 * Cheapest eligible cloud offer per H100-hour of work in each region, for a job class: cost and
 * GPU-hours are linear in the work, so one table serves every order. NaN: no offer.
 */
export function cloudOffers(
	setup: NetworkSetup,
	eligibleGpu: Uint8Array,
	gpusPerJob: number,
): { costPerWork: Float64Array; hoursPerWork: Float64Array } {
	const { catalog, regions } = setup;
	const costs = new Float64Array(regions.length).fill(Number.NaN);
	const hours = new Float64Array(regions.length).fill(Number.NaN);
	const ids = CLOUD_JOB_GPU_IDS.filter((id) => catalog.gpuById.has(id));
	regions.forEach((region, r) => {
		for (const id of ids) {
			const gpuIndex = catalog.gpuIndexById.get(id) as number;
			const price = cloudPriceUsdPerGpuHour(region, id);
			if (eligibleGpu[gpuIndex] !== 1 || !Number.isFinite(price)) continue;
			const gpuHours = (setup.hoursPerWorkByGpu[gpuIndex] as number) * gpusPerJob;
			if (Number.isNaN(costs[r] as number) || price * gpuHours < (costs[r] as number)) {
				costs[r] = price * gpuHours;
				hours[r] = gpuHours;
			}
		}
	});
	return { costPerWork: costs, hoursPerWork: hours };
}

/** Each user metro's sites in RTT order, for the routing of every request window (built once). */
export function requestSites(setup: NetworkSetup): { depin: Int32Array[]; cloud: Int32Array[] } {
	if (setup.requestMode === "none") return { depin: [], cloud: [] };
	return {
		depin: sitesByRtt(setup.geography.metroRttMs, setup.metroCount),
		cloud: sitesByRtt(setup.geography.metroToRegionRttMs, setup.metroCount),
	};
}

/** Requests per second one replica on `gpu` sustains with full batches (0 if it cannot hold the model). */
export function replicaCapacityRps(spec: RealtimeClass, gpu: GpuSpec, calibration: CalibrationProfile): number {
	if (gpu.memoryGb < spec.compute.weightsGb) return 0;
	const batch = spec.batching.maxBatch;
	const ms = computeTimeMs(batch, gpu, spec.compute, efficiencyFor(calibration, gpu));
	return ms > 0 ? (batch / ms) * MS_PER_SECOND : 0;
}

export function requireId<T>(map: ReadonlyMap<string, T>, id: string, what: string): T {
	const value = map.get(id);
	if (value === undefined) missing(what, id);
	return value as T;
}

export function missing(what: string, id: string): never {
	throw new Error(`unknown ${what} "${id}"`);
}
