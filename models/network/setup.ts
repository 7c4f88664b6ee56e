/**
 * What a run derives once from its inputs and never changes: the metros and regions in play,
 * per-GPU and per-metro cost tables, the market's context, time constants, outage footprints
 * and the cloud twin's price tables. Plain data in one class of fixed shape.
 */
import { Categorical, LogNormal } from "../../sim/random/distributions.js";
import { logGamma } from "../../sim/random/special.js";
import type { RandomStream, StreamFactory } from "../../sim/random/stream.js";
import { median } from "../../sim/stats.js";
import {
	type Catalog,
	CLOUD_GPU_IDS,
	type CloudPricing,
	type CloudRegion,
	cloudPriceUsdPerGpuHour,
	type GpuSpec,
	type Metro,
} from "../catalog.js";
import { placeCloudReplicas } from "../cloud-placement.js";
import { DemandModel } from "../demand.js";
import { type Sampler, samplerOf, samplerOfValue } from "../distribution-spec.js";
import { buildGeography, type Geography, greatCircleKm, HOSTING_KINDS } from "../geo.js";
import {
	type CalibrationProfile,
	type ComputeCost,
	computeTimeMs,
	type Efficiency,
	efficiencyFor,
	iterationCost,
	jobDurationHours,
	jobDurationHoursFp32,
	KV_MEMORY_SHARE,
	requestsKvCacheHolds,
	workloadEfficiency,
} from "../latency.js";
import type { MarketContext } from "../market.js";
import { Hosting } from "../nodes.js";
import {
	amortisedCapexUsdPerHour,
	ewmaWeight,
	operatingCostUsdPerHour,
	type SiteCostSpec,
	siteCostInputs,
} from "../providers.js";
import { resolveBatchingMode, sitesByRtt } from "../requests.js";
import type { JobClass, RealtimeClass, Scenario } from "../scenario/schema.js";
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SECONDS_PER_HOUR } from "../units.js";
import type { NetworkInputs } from "./types.js";

/** Share of a real-time class's SLA that network RTT to a replica may use. */
export const RTT_BUDGET_SHARE_OF_SLA = 0.5;
/** Bandwidth of a node's uplink and of a cloud region, Gbit/s (transfer times, C10). */
export const NODE_BANDWIDTH_GBPS = 1;
export const CLOUD_BANDWIDTH_GBPS = 10;
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
	/** GPU-hours one H100-hour of work takes on each class, audits included (tensor work: FP16 tensor rates). */
	readonly hoursPerWorkByGpu: Float64Array;
	/**
	 * The same for rendering (job kind render): path tracing runs on FP32 shader cores, so its work
	 * converts between cards by FP32 peak, not by tensor rate (jobDurationHoursFp32).
	 */
	readonly renderHoursPerWorkByGpu: Float64Array;
	readonly electricityByMetro: Float64Array;
	readonly capexPerHourByGpu: Float64Array;
	/**
	 * Running cost of a node of GPU class g hosted as h (index g · HOSTING_KINDS + h, Hosting 0 residential,
	 * 1 data centre) at power price p and utilisation u: (idleKw + busyKw · u) · p + fixedUsdPerHour,
	 * USD per hour (operatingCostUsdPerHour, linear in u and p): the epoch's books charge it with
	 * two multiply-adds per node, no per-node column.
	 */
	get siteCostTable(): SiteCostTable {
		this.siteCostTableCache ??= siteCostTables(this.gpus, siteCostSpecOf(this.scenario));
		return this.siteCostTableCache;
	}
	private siteCostTableCache: SiteCostTable | null = null;
	/** Amortisation period of the hardware, years: providers.capexLifetimeYears, else the service life. */
	get capexLifetimeYears(): number {
		const { providers } = this.scenario;
		return providers.capexLifetimeYears ?? providers.capex.serviceLifeYears;
	}
	readonly marketContext: MarketContext;
	/** Bid window and deployment between an award and the start of work, ms. */
	readonly awardDelayMs: number;
	/** Market figures read on every order and lease (copied from the scenario for the hot path). */
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
	/** Hosting, site outages and links of nodes (availability as a process, data movement). */
	readonly availability: AvailabilitySetup;
	/** Probability that an audit catches a node faking work. */
	readonly catchProbability: number;
	/** outageMetros[i][m] = 1 where outage i takes down nodes of metro m. */
	readonly outageMetros: readonly Uint8Array[];
	/** Each cloud region's scripted outage windows [start, end) ms (state.cloudOutageWindows adds the drawn ones). */
	readonly cloudOutageWindows: readonly (readonly [number, number])[][];
	readonly regionAvailability: Float64Array;
	/** Each region's internet egress and inter-region transfer prices, USD per GB (read per cloud job). */
	readonly egressUsdPerGbByRegion: Float64Array;
	readonly interregionUsdPerGbByRegion: Float64Array;
	readonly cloudPricing: CloudPricing;
	/** For each region, the other regions by great-circle distance, nearest first (failover order). */
	readonly cloudRegionsByDistance: readonly Int32Array[];
	/** GPUs each region can rent at once, [region · gpus + gpu] (Infinity: unlimited). */
	readonly cloudCapacityGpus: Float64Array;
	readonly anyCloudCapacity: boolean;
	readonly failover: boolean;
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
		this.hoursPerWorkByGpu = hoursPerWorkByGpu(this.gpus, h100, this.calibration, this.auditOverhead);
		this.renderHoursPerWorkByGpu = renderHoursPerWorkByGpu(this.gpus, h100, this.auditOverhead);
		this.electricityByMetro = Float64Array.from(this.metros, (m) => m.electricityUsdPerKwh);
		this.capexPerHourByGpu = Float64Array.from(this.gpus, (g) =>
			amortisedCapexUsdPerHour(g.capexUsd, this.capexLifetimeYears),
		);
		this.marketContext = marketContextOf(scenario, this);
		this.awardDelayMs =
			(market.mechanism === "auction" ? market.bidWindowSeconds * MS_PER_SECOND : 0) +
			market.deployMinutes * MS_PER_MINUTE;
		this.reservePriceShareOfCloud = market.reservePriceShareOfCloud;
		this.bandwidthUsdPerGb = providers.bandwidthUsdPerGb;
		this.cloudProvisioningMs = scenario.cloud.provisioningMinutes * MS_PER_MINUTE;
		this.askSpread = providers.askSpread > 0 ? new LogNormal(0, providers.askSpread) : null;
		this.repairHours = samplerOf(providers.failures.repairHours);
		this.weibullScaleHours = providers.failures.mtbfHours / Math.exp(logGamma(1 + 1 / providers.failures.weibullShape));
		this.weibullExponent = 1 / providers.failures.weibullShape;
		this.availability = availabilitySetupOf(scenario, this.gpus, this.metros, this.geography, this.regions);
		this.catchProbability = verification.auditRate * verification.detectionProbability;
		this.outageMetros = providers.outages.map((outage) =>
			Uint8Array.from(this.metros, (metro) => (metroInOutageScope(metro, outage) ? 1 : 0)),
		);
		this.cloudOutageWindows = cloudOutageWindows(scenario, this.regions);
		this.regionAvailability = Float64Array.from(this.regions, (region) => region.availability);
		this.egressUsdPerGbByRegion = Float64Array.from(this.regions, (region) => region.egressUsdPerGb);
		this.interregionUsdPerGbByRegion = Float64Array.from(this.regions, (region) => region.interregionUsdPerGb);
		this.cloudPricing = scenario.cloud.pricing;
		this.cloudRegionsByDistance = regionsByDistance(this.regions);
		this.cloudCapacityGpus = cloudCapacityOf(scenario, this.regions, catalog);
		this.anyCloudCapacity = this.cloudCapacityGpus.some((gpus) => Number.isFinite(gpus));
		this.failover = scenario.failover === "nearest-region";
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

/** A site outage process of one hosting kind: Poisson starts, durations from a law. */
export interface SiteOutageProcess {
	readonly ratePerHour: number;
	readonly hours: { sample(rng: RandomStream): number; readonly mean: number };
}

/** What node life and orders read about hosting, site outages and links; index 0 residential, 1 data centre. */
export interface AvailabilitySetup {
	/** Probability that a node of each GPU class is hosted in a data centre. */
	readonly datacenterShareByGpu: Float64Array;
	/** Weibull scale of time to a hardware failure of each GPU class (mean = its tier's MTBF), hours. */
	readonly weibullScaleHoursByGpu: Float64Array;
	readonly power: readonly [SiteOutageProcess, SiteOutageProcess];
	readonly network: readonly [SiteOutageProcess, SiteOutageProcess];
	readonly linkGbps: readonly [Sampler, Sampler];
	/** Internet egress the tenant pays to move a job's input from the cloud region nearest each metro, USD/GB. */
	readonly egressUsdPerGbByMetro: Float64Array;
}

function availabilitySetupOf(
	scenario: Scenario,
	gpus: readonly GpuSpec[],
	metros: readonly Metro[],
	geography: Geography,
	regions: readonly CloudRegion[],
): AvailabilitySetup {
	const { availability, failures } = scenario.providers;
	const gammaFactor = Math.exp(logGamma(1 + 1 / failures.weibullShape));
	const process = (spec: { perYear: number; hours: Scenario["providers"]["failures"]["repairHours"] }) => ({
		ratePerHour: spec.perYear / (365 * 24),
		hours: samplerOf(spec.hours),
	});
	const fromCloudBucket = scenario.market.jobDataSource === "cloud-bucket";
	return {
		datacenterShareByGpu: Float64Array.from(gpus, (g) => availability.datacenterShareByTier[g.tier]),
		weibullScaleHoursByGpu: Float64Array.from(
			gpus,
			(g) => (failures.mtbfHoursByTier[g.tier] ?? failures.mtbfHours) / gammaFactor,
		),
		power: [process(availability.residentialPower), process(availability.datacenterPower)],
		network: [process(availability.residentialNetwork), process(availability.datacenterNetwork)],
		linkGbps: [samplerOf(availability.residentialLinkGbps), samplerOf(availability.datacenterLinkGbps)],
		egressUsdPerGbByMetro: Float64Array.from(metros, (_, m) => {
			const r = geography.nearestRegion[m] as number;
			return fromCloudBucket && r >= 0 ? (regions[r] as CloudRegion).egressUsdPerGb : 0;
		}),
	};
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

function marketContextOf(
	scenario: Scenario,
	setup: Pick<
		NetworkSetup,
		"gpus" | "geography" | "metroCount" | "mixGpu" | "hoursPerWorkByGpu" | "renderHoursPerWorkByGpu"
	>,
) {
	const { gpus, geography, metroCount, mixGpu } = setup;
	const hoursPerWork = postedWorkBasis(scenario, setup.hoursPerWorkByGpu, setup.renderHoursPerWorkByGpu);
	const market = scenario.market;
	const postedUsdPerGpuHour =
		market.postedPriceBasis === "work"
			? postedPerWork(gpus, hoursPerWork, market.postedPriceShareOfOnDemand, mixGpu)
			: Float64Array.from(gpus, (g) => {
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

/** For each region, the others by great-circle distance (ties: lower index first). */
function regionsByDistance(regions: readonly CloudRegion[]): Int32Array[] {
	return regions.map((from, i) => {
		const others = regions.map((_, j) => j).filter((j) => j !== i);
		const km = (j: number) =>
			greatCircleKm(from.lat, from.lon, (regions[j] as CloudRegion).lat, (regions[j] as CloudRegion).lon);
		others.sort((a, b) => km(a) - km(b) || a - b);
		return Int32Array.from(others);
	});
}

function cloudCapacityOf(scenario: Scenario, regions: readonly CloudRegion[], catalog: Catalog): Float64Array {
	const gpuCount = catalog.gpus.length;
	const capacity = new Float64Array(regions.length * gpuCount).fill(Number.POSITIVE_INFINITY);
	for (const entry of scenario.cloud.capacity) {
		const r = regions.findIndex((region) => region.id === entry.region);
		if (r < 0) missing("cloud region in cloud.capacity", entry.region);
		capacity[r * gpuCount + requireId(catalog.gpuIndexById, entry.gpu, "GPU")] = entry.gpus;
	}
	return capacity;
}

/**
 * Each region's down windows [start, end) ms over the horizon: the scripted cloud-region
 * outages plus, when enabled, an alternating up/down process with exponential up times of
 * mean MTBF = MTTR · A / (1 − A) and down times of mean MTTR, so that the long-run share of
 * time up is A (the region's availability). Each region draws from its own stream.
 */
export function cloudOutageWindowsOf(setup: NetworkSetup, streams: StreamFactory): (readonly [number, number])[][] {
	const outages = setup.scenario.cloud.outages;
	const mttrMs = outages.mttrHours * MS_PER_HOUR;
	return setup.regions.map((region, r) => {
		const windows = [...(setup.cloudOutageWindows[r] ?? [])];
		const availability = outages.availability ?? region.availability;
		if (outages.enabled && availability < 1) {
			const mtbfMs = (mttrMs * availability) / (1 - availability);
			const rng = streams.stream(`cloud/outages/${region.id}`);
			// The process starts in its stationary state: up with probability A.
			let t = rng.next() < availability ? -Math.log(1 - rng.next()) * mtbfMs : 0;
			while (t < setup.horizonMs) {
				const downMs = -Math.log(1 - rng.next()) * mttrMs;
				windows.push([t, t + downMs] as const);
				t += downMs - Math.log(1 - rng.next()) * mtbfMs;
			}
		}
		return windows.sort((a, b) => a[0] - b[0]);
	});
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
 * Cheapest eligible cloud offer per H100-hour of work in each region (at the scenario's cloud
 * pricing), for a job class, and the GPU class it rents: cost and
 * GPU-hours are linear in the work, so one table serves every order. NaN: no offer.
 */
export function cloudOffers(
	setup: NetworkSetup,
	eligibleGpu: Uint8Array,
	gpusPerJob: number,
	hoursPerWorkByGpu: Float64Array = setup.hoursPerWorkByGpu,
): { costPerWork: Float64Array; hoursPerWork: Float64Array; gpu: Int32Array } {
	const { catalog, regions } = setup;
	const costs = new Float64Array(regions.length).fill(Number.NaN);
	const hours = new Float64Array(regions.length).fill(Number.NaN);
	const gpus = new Int32Array(regions.length).fill(-1);
	const ids = CLOUD_GPU_IDS.filter((id) => catalog.gpuById.has(id));
	regions.forEach((region, r) => {
		for (const id of ids) {
			const gpuIndex = catalog.gpuIndexById.get(id) as number;
			const price = cloudPriceUsdPerGpuHour(region, id, setup.cloudPricing, marketRentOf(catalog, gpuIndex));
			if (eligibleGpu[gpuIndex] !== 1 || !Number.isFinite(price)) continue;
			// The cloud re-executes nothing: its hours leave out DePIN's audit share.
			const gpuHours = ((hoursPerWorkByGpu[gpuIndex] as number) / (1 + setup.auditOverhead)) * gpusPerJob;
			if (Number.isNaN(costs[r] as number) || price * gpuHours < (costs[r] as number)) {
				costs[r] = price * gpuHours;
				hours[r] = gpuHours;
				gpus[r] = gpuIndex;
			}
		}
	});
	return { costPerWork: costs, hoursPerWork: hours, gpu: gpus };
}

/** A GPU class's on-demand rent on GPU clouds and marketplaces (gpus.csv; NaN: none), USD per GPU-hour. */
function marketRentOf(catalog: Catalog, gpuIndex: number): number {
	return (catalog.gpus[gpuIndex] as GpuSpec).rentalOnDemandUsdPerGpuHour;
}

/** Each user metro's sites in RTT order, for the routing of every request window (built once). */
export function requestSites(setup: NetworkSetup): { depin: Int32Array[]; cloud: Int32Array[] } {
	if (setup.requestMode === "none") return { depin: [], cloud: [] };
	return {
		depin: sitesByRtt(setup.geography.depinSiteRttMs, setup.metroCount),
		cloud: sitesByRtt(setup.geography.metroToRegionRttMs, setup.metroCount),
	};
}

/**
 * Requests per second one replica on `gpu` sustains within the class's SLA: full batches of the
 * largest size (at most maxBatch) whose latency fits it. A request's latency is at most its wait for
 * its batch to fill (maxWaitMs), under static batching the running batch's time as well (it waits
 * for the replica), its own batch's time, and its round trip (`rttAllowanceMs`); continuous
 * batching admits it into the running batch instead. 0 if even one request misses the SLA, or the
 * GPU cannot hold the model (its weights, and under continuous batching one request's KV cache
 * beside them). Counting full maxBatch batches regardless would credit capacity reached only by
 * missing the SLA (an L4 takes ~7 s for four SD 1.5 images against a 3 s SLA).
 */
export function replicaCapacityRps(
	spec: RealtimeClass,
	gpu: GpuSpec,
	calibration: CalibrationProfile,
	rttAllowanceMs: number,
): number {
	if (gpu.memoryGb < spec.compute.weightsGb) return 0;
	const efficiency = workloadEfficiency(calibration, gpu, spec.compute);
	let batch = spec.batching.maxBatch;
	const continuous = resolveBatchingMode(spec.batching.mode, spec.compute.decodeSteps) === "continuous";
	if (continuous) {
		// Continuous batching runs at most as many requests as the KV-cache memory holds; none fit: no replica
		// (a 16 GB fp16 8B model on a 16 GB T4 leaves no room for its KV cache).
		const fits = requestsKvCacheHolds(iterationCost(gpu, spec.compute, efficiency));
		if (fits < 1) return 0;
		batch = Math.min(batch, fits);
	}
	const budgetMs = spec.slaP95Ms - spec.batching.maxWaitMs - rttAllowanceMs;
	const latencyMs = (ms: number) => (continuous ? ms : 2 * ms);
	let ms = computeTimeMs(batch, gpu, spec.compute, efficiency);
	while (batch > 1 && latencyMs(ms) > budgetMs) {
		batch--;
		ms = computeTimeMs(batch, gpu, spec.compute, efficiency);
	}
	return ms > 0 && latencyMs(ms) <= budgetMs ? (batch / ms) * MS_PER_SECOND : 0;
}

/**
 * The round trip a real-time class's replica capacity allows for, ms: the 99th percentile, over the
 * class's demand by metro, of a user's RTT to the nearest cloud region, at most the RTT budget the
 * placement keeps replicas within (RTT_BUDGET_SHARE_OF_SLA of the SLA; users beyond it miss the SLA
 * on any card). One figure for both sides: DePIN's replicas are usually nearer their users, so it is
 * conservative for DePIN.
 */
export function rttAllowanceMs(setup: NetworkSetup, spec: RealtimeClass, demand: SizingDemand): number {
	return Math.min(RTT_BUDGET_SHARE_OF_SLA * spec.slaP95Ms, nearestRegionRttP99Ms(setup, demand));
}

/** The 99th percentile, over `demand` by metro, of a user's RTT to the nearest cloud region, ms. */
function nearestRegionRttP99Ms(setup: NetworkSetup, demand: SizingDemand): number {
	const regionCount = setup.regions.length;
	const { metroToRegionRttMs: rtt, nearestRegion } = setup.geography;
	const nearest: { rttMs: number; weight: number }[] = [];
	let total = 0;
	for (let m = 0; m < setup.metroCount; m++) {
		const weight = demand.metroWeights[m] as number;
		if (!(weight > 0)) continue;
		const r = nearestRegion[m] as number;
		if (r >= 0) nearest.push({ rttMs: rtt[m * regionCount + r] as number, weight });
		total += weight;
	}
	nearest.sort((x, y) => x.rttMs - y.rttMs);
	let seen = 0;
	for (const { rttMs, weight } of nearest) {
		seen += weight;
		if (seen >= 0.99 * total) return rttMs;
	}
	return nearest.length > 0 ? (nearest[nearest.length - 1] as { rttMs: number }).rttMs : 0;
}

export function requireId<T>(map: ReadonlyMap<string, T>, id: string, what: string): T {
	const value = map.get(id);
	if (value === undefined) missing(what, id);
	return value as T;
}

export function missing(what: string, id: string): never {
	throw new Error(`unknown ${what} "${id}"`);
}

/** The cloud's real-time GPU for a class: its index, capacity, and price and usability per region. */
export interface CloudRealtimeChoice {
	readonly gpuIndex: number;
	readonly capacityRps: number;
	readonly priceUsdPerGpuHour: Float64Array;
	readonly usable: Uint8Array;
}

/** The demand a tenant sizes a real-time deployment for: its mean rate and where it comes from. */
export interface SizingDemand {
	readonly ratePerSecond: number;
	/** Weight of each metro (any scale). */
	readonly metroWeights: Float64Array;
}

/**
 * The class's demand over a day, as a tenant sizing a deployment sees it: the mean rate and
 * metro weights of its 24 hourly demands from the start (the diurnal cycle averaged out).
 */
export function sizingDemand(setup: NetworkSetup, classIndex: number): SizingDemand {
	const model = setup.demandModels[classIndex] as DemandModel;
	const metroWeights = new Float64Array(setup.metroCount);
	let ratePerHour = 0;
	for (let hour = 0; hour < 24; hour++) {
		const demand = model.at((hour + 0.5) * MS_PER_HOUR);
		ratePerHour += demand.ratePerHour / 24;
		for (let m = 0; m < metroWeights.length; m++)
			metroWeights[m] = (metroWeights[m] as number) + (demand.metroWeights[m] as number) / 24;
	}
	return { ratePerSecond: ratePerHour / SECONDS_PER_HOUR, metroWeights };
}

/**
 * The GPU the cloud serves a real-time class on: the one the scenario names, or ("cheapest") the
 * cloud GPU whose deployment for the class's demand costs least per hour, at the scenario's pricing:
 * its replicas placed and sized as each request window places them (cloud-placement.ts), each at
 * its region's price, each replica's capacity that within the SLA (replicaCapacityRps). The GPU must
 * hold the model (memory as DePIN's eligibility: at least minVramGb and the weights, and its KV
 * cache beside them) and serve one request within the SLA. Where demand fills replicas this is the
 * lowest price per request/s of capacity; where minReplicas binds, the lowest hourly price (T4s for
 * base's edge vision). DePIN's auction compares capacity bids per request/s and floor replicas per
 * hour (replicas.ts autoscale; docs/assumptions.md).
 */
export function cloudRealtimeChoice(
	setup: NetworkSetup,
	spec: RealtimeClass,
	calibration: CalibrationProfile,
	demand: SizingDemand,
	allowanceMs: number,
): CloudRealtimeChoice {
	const { catalog, regions, cloudPricing } = setup;
	const named = setup.scenario.cloud.realtimeGpu;
	const option = (id: string): CloudRealtimeChoice => {
		const gpuIndex = requireId(catalog.gpuIndexById, id, "GPU");
		const capacityRps = replicaCapacityRps(spec, catalog.gpus[gpuIndex] as GpuSpec, calibration, allowanceMs);
		const priceUsdPerGpuHour = Float64Array.from(regions, (region) =>
			cloudPriceUsdPerGpuHour(region, id, cloudPricing, marketRentOf(catalog, gpuIndex)),
		);
		const usable = Uint8Array.from(priceUsdPerGpuHour, (p) => (Number.isFinite(p) ? 1 : 0));
		return { gpuIndex, capacityRps, priceUsdPerGpuHour, usable };
	};
	if (named !== "cheapest") return option(named);
	let best: CloudRealtimeChoice | null = null;
	let bestUsdPerHour = Number.POSITIVE_INFINITY;
	for (const id of CLOUD_GPU_IDS) {
		const gpu = catalog.gpuById.get(id);
		if (gpu === undefined || gpu.memoryGb < spec.hardware.minVramGb) continue;
		const candidate = option(id);
		if (!(candidate.capacityRps > 0)) continue;
		const usdPerHour = deploymentUsdPerHour(setup, spec, candidate, demand);
		if (usdPerHour < bestUsdPerHour) {
			best = candidate;
			bestUsdPerHour = usdPerHour;
		}
	}
	// No cloud GPU can serve the class within its SLA: the largest one, which then misses it or serves nothing.
	return best ?? option(CLOUD_GPU_IDS[0] as string);
}

/** What the class's cloud deployment on `choice` costs per hour at `demand`, USD (Infinity: no region offers it). */
function deploymentUsdPerHour(
	setup: NetworkSetup,
	spec: RealtimeClass,
	choice: CloudRealtimeChoice,
	demand: SizingDemand,
): number {
	const placement = placeCloudReplicas({
		rttMs: setup.geography.metroToRegionRttMs,
		metroCount: setup.metroCount,
		metroWeights: demand.metroWeights,
		ratePerSecond: demand.ratePerSecond,
		replicaCapacityRps: choice.capacityRps,
		targetUtilisation: spec.replicas.targetUtilisation,
		minReplicas: Math.max(1, spec.replicas.minReplicas),
		rttBudgetMs: spec.slaP95Ms * RTT_BUDGET_SHARE_OF_SLA,
		regionUsable: choice.usable,
		priceUsdPerHour: choice.priceUsdPerGpuHour,
	});
	let usdPerHour = 0;
	let replicas = 0;
	for (let r = 0; r < placement.replicas.length; r++) {
		const count = placement.replicas[r] as number;
		if (count === 0) continue;
		replicas += count;
		usdPerHour += count * (choice.priceUsdPerGpuHour[r] as number);
	}
	return replicas > 0 ? usdPerHour : Number.POSITIVE_INFINITY;
}

/**
 * For each region n (the one nearest a job's origin), the region the cloud runs the job in:
 * n itself (jobPlacement nearest), or the region with the lowest cost for a job of mean size,
 * its input moved from n at n's inter-region price when it runs elsewhere (cheapest; ties go to
 * n, then to the lower index). -1 where no region has an offer.
 */
export function cloudJobHomes(
	setup: NetworkSetup,
	spec: JobClass,
	costPerWork: Float64Array,
	meanWorkH100Hours: number,
): Int32Array {
	const regions = setup.regions;
	const homes = new Int32Array(regions.length).fill(-1);
	for (let n = 0; n < regions.length; n++) {
		if (setup.scenario.cloud.jobPlacement === "nearest") {
			homes[n] = n;
			continue;
		}
		const movedUsd = spec.payloadGbIn * (regions[n] as CloudRegion).interregionUsdPerGb;
		let best = Number.isNaN(costPerWork[n] as number) ? -1 : n;
		let bestUsd = best >= 0 ? (costPerWork[n] as number) * meanWorkH100Hours : Number.POSITIVE_INFINITY;
		for (let r = 0; r < regions.length; r++) {
			const usd = (costPerWork[r] as number) * meanWorkH100Hours + movedUsd;
			if (usd < bestUsd) {
				best = r;
				bestUsd = usd;
			}
		}
		homes[n] = best;
	}
	return homes;
}

/**
 * One posted price per unit of work for every GPU class (as Render prices per OctaneBench-hour): the
 * median over the classes with a rental price of their on-demand price per unit of work, × `share`,
 * then per GPU-hour of each class (÷ its GPU-hours per unit of work).
 */
function postedPerWork(
	gpus: readonly GpuSpec[],
	hoursPerWork: Float64Array,
	share: number,
	mixGpu: readonly number[],
): Float64Array {
	// The network's own cards (its node mix) set the price of its work, not every card in the catalogue.
	const perWork = [...new Set(mixGpu)]
		.map((i) => (gpus[i] as GpuSpec).rentalOnDemandUsdPerGpuHour * (hoursPerWork[i] as number))
		.filter((usd) => Number.isFinite(usd) && usd > 0);
	const medianUsd = perWork.length === 0 ? 0 : median(perWork);
	return Float64Array.from(gpus, (_, i) => {
		const hours = hoursPerWork[i] as number;
		return hours > 0 && Number.isFinite(hours) ? (share * medianUsd) / hours : 0;
	});
}

/**
 * The work a protocol posting one price per unit of work prices: render work when all its job
 * classes render (Render prices OctaneBench-hours), else tensor work.
 */
function postedWorkBasis(scenario: Scenario, tensor: Float64Array, render: Float64Array): Float64Array {
	const jobKinds = scenario.demand.classes.filter((c) => c.kind !== "realtime").map((c) => c.kind);
	return jobKinds.length > 0 && jobKinds.every((k) => k === "render") ? render : tensor;
}

/** Wall-clock hours per H100 FP32-hour of render work on each GPU class (audits re-execute a share). */
function renderHoursPerWorkByGpu(gpus: readonly GpuSpec[], h100: GpuSpec, auditOverhead: number): Float64Array {
	return Float64Array.from(gpus, (g) => jobDurationHoursFp32(1, g, h100) * (1 + auditOverhead));
}

/** Wall-clock hours per H100-hour of job work on each GPU class (audits re-execute a share). */
function hoursPerWorkByGpu(
	gpus: readonly GpuSpec[],
	h100: GpuSpec,
	calibration: CalibrationProfile,
	auditOverhead: number,
): Float64Array {
	const h100Mfu = efficiencyFor(calibration, h100).mfu;
	return Float64Array.from(
		gpus,
		(g) => jobDurationHours(1, g, h100, efficiencyFor(calibration, g).mfu, h100Mfu) * (1 + auditOverhead),
	);
}

/**
 * H100-hours of work `gpuHours` on GPU class `gpu` do, given the GPU-hours one H100-hour of the work
 * takes on each class (`hoursPerWork`, which counts DePIN's audit re-execution: taken back out here).
 */
export function workH100Hours(
	setup: Pick<NetworkSetup, "auditOverhead">,
	hoursPerWork: Float64Array,
	gpu: number,
	gpuHours: number,
): number {
	return (gpuHours * (1 + setup.auditOverhead)) / (hoursPerWork[gpu] as number);
}

/**
 * GPU-hours one H100-hour of a job class's work takes on each GPU class when the class states what its
 * work is (`workProfile`): the latency model's time per request on the class ÷ on an H100, each running
 * static batches as large as its memory holds (weights and the batch's KV cache in KV_MEMORY_SHARE of it,
 * as a serving engine fills it) up to the profile's `batch`, with its own mfu and mbu (workloadEfficiency),
 * × the audits' re-execution. Memory-bound work (LLM decode reading weights and KV cache each step) then
 * credits a card's bandwidth and memory, not only its tensor rate. Infinity where the card cannot hold one
 * request.
 */
export function profileHoursPerWorkByGpu(
	setup: Pick<NetworkSetup, "gpus" | "calibration" | "auditOverhead" | "catalog">,
	profile: { readonly compute: ComputeCost; readonly batch: number },
): Float64Array {
	const { gpus, calibration, catalog } = setup;
	const h100 = requireId(catalog.gpuById, "h100-sxm", "GPU");
	const msPerRequest = (gpu: GpuSpec) => {
		const efficiency = workloadEfficiency(calibration, gpu, profile.compute);
		const batch = Math.min(profile.batch, profileBatchFits(gpu, profile.compute, efficiency));
		return batch >= 1 ? computeTimeMs(batch, gpu, profile.compute, efficiency) / batch : Number.POSITIVE_INFINITY;
	};
	const h100Ms = msPerRequest(h100);
	return Float64Array.from(gpus, (g) => (msPerRequest(g) / h100Ms) * (1 + setup.auditOverhead));
}

/** Requests of `compute` whose KV cache fits beside the weights on `gpu` (0: not even the weights). */
function profileBatchFits(gpu: GpuSpec, compute: ComputeCost, efficiency: Efficiency): number {
	if (gpu.memoryGb * KV_MEMORY_SHARE < compute.weightsGb) return 0;
	return requestsKvCacheHolds(iterationCost(gpu, compute, efficiency));
}

/**
 * Each (GPU class, hosting)'s running-cost constants, index g · HOSTING_KINDS + h: idle kW, busy kW on top at
 * full load (power terms at 1 USD/kWh) and the fixed upkeep or colocation, USD per hour.
 */
function siteCostTables(gpus: readonly GpuSpec[], spec: SiteCostSpec): SiteCostTable {
	const idle = new Float64Array(gpus.length * HOSTING_KINDS);
	const busy = new Float64Array(gpus.length * HOSTING_KINDS);
	const fixed = new Float64Array(gpus.length * HOSTING_KINDS);
	gpus.forEach((g, gpuIndex) => {
		for (let hosting = 0; hosting < HOSTING_KINDS; hosting++) {
			const inputs = siteCostInputs(spec, g.tdpWatts, hosting === Hosting.datacenter, 1);
			const powerOnly = { ...inputs, upkeepUsdPerHour: 0 };
			const k = gpuIndex * HOSTING_KINDS + hosting;
			idle[k] = operatingCostUsdPerHour(powerOnly, 0);
			busy[k] = operatingCostUsdPerHour(powerOnly, 1) - (idle[k] as number);
			fixed[k] = inputs.upkeepUsdPerHour;
		}
	});
	return { spec, idleKw: idle, busyKw: busy, fixedUsdPerHour: fixed };
}

/** Each (GPU class, hosting)'s running-cost constants, index g · HOSTING_KINDS + h (siteCostTables). */
export interface SiteCostTable {
	/** What sites cost to run, by hosting (providers.site, idle share and home upkeep). */
	readonly spec: SiteCostSpec;
	readonly idleKw: Float64Array;
	readonly busyKw: Float64Array;
	readonly fixedUsdPerHour: Float64Array;
}

/** What sites cost to run, from the scenario's providers section. */
function siteCostSpecOf(scenario: Scenario): SiteCostSpec {
	const { providers } = scenario;
	const site = providers.site;
	return {
		idlePowerShare: providers.idlePowerShare,
		upkeepUsdPerHour: providers.upkeepUsdPerHour,
		residentialTariffFactor: site.residentialTariffFactor,
		hostPowerShareResidential: site.hostPowerShare.residential,
		hostPowerShareDatacenter: site.hostPowerShare.datacenter,
		datacenterPue: site.datacenterPue,
		colocationUsdPerKwMonth: site.colocationUsdPerKwMonth,
	};
}
