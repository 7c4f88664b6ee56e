/**
 * The DePIN network model: the one wiring file where nodes, demand, market, providers,
 * latency and the cloud baseline meet on the event engine.
 *
 *   epoch start ──► close the last epoch: provider accounts → exits / entries → timeseries row
 *        │          demand of this epoch per class → tenant choice (logit)
 *        │          real-time: autoscale replicas (leases) → request window (DePIN and cloud)
 *        ▼
 *   job arrivals ──► cloud twin priced and timed ─► DePIN market: candidates → clear → lease
 *        │                                          └─ no award: wait (FIFO) or fall back
 *   lease end ──► node idle → serves the oldest waiting order it can
 *   failure / repair / outage / join ──► node state, interrupted jobs go back to the queue
 *
 * Time is integer ms. Every random draw comes from a stream named after what it decides, so
 * changing one part of a scenario leaves the other parts' draws alone.
 */
import { Engine } from "../sim/engine.js";
import { FifoRing } from "../sim/fifo.js";
import { Categorical, LogNormal, Poisson } from "../sim/random/distributions.js";
import { logGamma } from "../sim/random/special.js";
import type { RandomStream } from "../sim/random/stream.js";
import { StreamFactory } from "../sim/random/stream.js";
import { standardExponential } from "../sim/random/ziggurat.js";
import { LogHistogram } from "../sim/recorder/histogram.js";
import { EpochSeries } from "../sim/recorder/series.js";
import { median } from "../sim/stats.js";
import { grownArray } from "../sim/typed-arrays.js";
import { type Catalog, type CloudRegion, cloudPriceUsdPerGpuHour, type GpuSpec, type Metro } from "./catalog.js";
import { DemandModel, depinShare, type EpochDemand } from "./demand.js";
import { samplerOf } from "./distribution-spec.js";
import { buildGeography, type Geography } from "./geo.js";
import { type CalibrationProfile, computeTimeMs, efficiencyFor, jobDurationHours } from "./latency.js";
import {
	type Award,
	awardBuffer,
	awardOrder,
	type ClearingBuffers,
	type MarketContext,
	type OrderTerms,
} from "./market.js";
import { IdleIndex, NO_JOB, NodeState, NodeTable } from "./nodes.js";
import {
	accountEpoch,
	accrueLease as accrueLeaseInto,
	emptyEpochAccounting,
	trackNode,
} from "./provider-accounting.js";
import {
	amortisedCapexUsdPerHour,
	askUsdPerGpuHour,
	ewmaWeight,
	expectedAnnualReturn,
	joinShare,
} from "./providers.js";
import { generateArrivals, simulateRequests, sitesByRtt } from "./requests.js";
import type { JobClass, RealtimeClass, Scenario } from "./scenario/schema.js";
import { type EpochTokenFlows, TokenEconomy } from "./tokenomics/economy.js";
import type { TokenPriceRow } from "./tokenomics/token-market.js";
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from "./units.js";

/** A node of a real network's snapshot (the twin's starting state). */
export interface SnapshotRow {
	readonly gpu: string;
	readonly metro: string;
	readonly count: number;
}

export interface NetworkInputs {
	readonly scenario: Scenario;
	readonly catalog: Catalog;
	readonly calibration: CalibrationProfile;
	readonly snapshot?: readonly SnapshotRow[];
	/** Daily token prices, for a `history` token market. */
	readonly tokenPriceHistory?: readonly TokenPriceRow[];
}

export interface NetworkOptions {
	/** Check conservation and state invariants at every epoch (tests). */
	readonly checkInvariants?: boolean;
	/** Called at each epoch start with the simulated time and events so far. */
	readonly onEpoch?: (epoch: number, epochs: number, eventsFired: number) => void;
	/** Run index of the random streams (Monte Carlo replications). */
	readonly runIndex?: number;
}

export interface LatencyKpi {
	readonly p50: number;
	readonly p95: number;
	readonly p99: number;
	readonly mean: number;
}

export interface TwinKpis {
	readonly latencyMs: LatencyKpi | null;
	readonly networkRttMs: LatencyKpi | null;
	readonly gpuHourPriceUsd: number | null;
	readonly costUsdPer1kTokens: number | null;
	readonly servedFraction: number | null;
	readonly timeToServeMinutes: LatencyKpi | null;
	readonly jobs: { arrived: number; served: number; rejected: number; inFlight: number };
	readonly requests: { arrived: number; served: number; slaMissed: number } | null;
}

export interface NetworkKpis extends TwinKpis {
	readonly nodes: { start: number; end: number; min: number; max: number };
	readonly demandShare: number | null;
	readonly utilisation: number;
	readonly interruptions: number;
	readonly verification: { auditOverheadShare: number; fraudDetected: number; fraudUndetected: number };
	readonly protocolFeesUsd: number;
	readonly providers: {
		revenueUsd: number;
		operatingCostUsd: number;
		joins: number;
		exits: number;
		/** Token rewards valued at the price when they were counted, USD (included in revenueUsd). */
		tokenRewardsUsd: number;
		/** Median over nodes of capex ÷ (lifetime operating margin per day); null when most never pay back. */
		medianPaybackDays: number | null;
		/** Share of nodes whose operating margin covered their amortised capex over their life. */
		shareProfitable: number;
	};
	readonly tokens: TokenKpis | null;
	readonly requestFidelity: { mode: "full" | "sampled" | "none"; windowSeconds: number; sampledEpochs: number };
}

export interface TokenKpis {
	readonly symbol: string;
	readonly decimals: number;
	/** Amounts in integer base units (10^decimals per token), as decimal strings: exact. */
	readonly supplyStart: string;
	readonly minted: string;
	readonly burned: string;
	readonly supplyEnd: string;
	readonly treasury: string;
	readonly staked: string;
	readonly slashed: string;
	readonly priceUsd: { start: number; end: number; min: number; max: number };
	/** Fiat the protocol spent buying tokens to burn (burn-and-mint), USD. */
	readonly burnSpentUsd: number;
}

export interface NetworkResult {
	readonly kpis: NetworkKpis;
	readonly baseline: TwinKpis;
	readonly timeseries: EpochSeries<TimeseriesColumn>;
	readonly eventsFired: number;
	readonly epochs: number;
}

export const TIMESERIES_COLUMNS = [
	"epoch",
	"dayStart",
	"activeNodes",
	"servingNodes",
	"downNodes",
	"joiningNodes",
	"joins",
	"exits",
	"ordersArrived",
	"ordersServed",
	"ordersRejected",
	"ordersWaiting",
	"ordersRunning",
	"demandShare",
	"utilisation",
	"clearingPriceUsdPerGpuHour",
	"cloudPriceUsdPerGpuHour",
	"replicas",
	"requestsArrived",
	"requestsSlaMissed",
	"p95LatencyMs",
	"cloudP95LatencyMs",
	"providerRevenueUsd",
	"providerMarginUsdPerGpuHour",
	"smoothedMarginUsdPerGpuHour",
	"tokensMinted",
	"tokensBurned",
	"tokenSupply",
	"tokenPriceUsd",
	"tokensStaked",
	"treasuryTokens",
	"rewardPerNodeUsd",
] as const;
export type TimeseriesColumn = (typeof TIMESERIES_COLUMNS)[number];

const JOB_WAITING = 1;
const JOB_RUNNING = 2;
/** node.job value of a real-time replica of class c: −2 − c. */
const replicaMarker = (classIndex: number) => -2 - classIndex;
/** Share of a real-time class's SLA that network RTT to a replica may use. */
const RTT_BUDGET_SHARE_OF_SLA = 0.5;
/** Bandwidth of a node's uplink and of a cloud region, Gbit/s (transfer times, C10). */
const NODE_BANDWIDTH_GBPS = 1;
const CLOUD_BANDWIDTH_GBPS = 10;

interface ClassState {
	readonly index: number;
	demand: EpochDemand | null;
	share: number;
	/** Last epoch's observations that drive the tenant's choice. */
	depinCostPerWork: number;
	cloudCostPerWork: number;
	epochDepinCost: number;
	epochDepinWork: number;
	epochCloudCost: number;
	epochCloudWork: number;
	epochOffered: number;
	epochAwarded: number;
	/** The cloud twin's record of the same epoch: offered and served (within SLA for requests). */
	epochCloudOffered: number;
	epochCloudServed: number;
}

interface JobClassState extends ClassState {
	readonly spec: JobClass;
	readonly waiting: FifoRing;
	readonly eligibleGpu: Uint8Array;
	readonly work: { sample(rng: RandomStream): number };
	nextArrivalHandle: number;
}

interface RealtimeClassState extends ClassState {
	readonly spec: RealtimeClass;
	readonly eligibleGpu: Uint8Array;
	/** Requests per second a replica on each GPU class sustains at full batches. */
	readonly capacityRpsByGpu: Float64Array;
	readonly cloudCapacityRps: number;
	readonly replicas: number[];
	requiredCapacityRps: number;
	/** Batch compute times of the GPU classes met so far (the request windows' tables). */
	readonly batchTimes: { readonly tables: Float64Array[]; readonly tableOfGpu: Int32Array };
}

/** Summary of a latency-like histogram, or null when empty. */
function latencyKpi(histogram: LogHistogram): LatencyKpi | null {
	if (histogram.count === 0) return null;
	const round = (x: number) => Math.round(x * 1000) / 1000;
	return {
		p50: round(histogram.quantile(0.5)),
		p95: round(histogram.quantile(0.95)),
		p99: round(histogram.quantile(0.99)),
		mean: round(histogram.mean),
	};
}

function ratio(numerator: number, denominator: number): number | null {
	return denominator > 0 ? numerator / denominator : null;
}

/** Runs the scenario and returns its KPIs, its cloud twin and the per-epoch series. */
export function runNetwork(inputs: NetworkInputs, options: NetworkOptions = {}): NetworkResult {
	const { scenario, catalog } = inputs;
	const streams = new StreamFactory(scenario.seed, options.runIndex ?? 0);
	// Order arrivals (seconds apart) wait in the engine's small soon heap, apart from the
	// thousands of lease ends and failures due hours ahead.
	const engine = new Engine({ initialCapacity: 4096, soonWithinTicks: MS_PER_MINUTE });

	// ── Geography: the metros and regions in play ────────────────────────────────────────
	const metros: readonly Metro[] =
		scenario.geography.metros.length > 0
			? scenario.geography.metros.map((id) => requireId(catalog.metroById, id, "metro"))
			: catalog.metros;
	const regions: readonly CloudRegion[] =
		scenario.cloud.regions.length > 0
			? scenario.cloud.regions.map((id) => requireId(catalog.cloudRegionById, id, "cloud region"))
			: catalog.cloudRegions;
	const geography: Geography = buildGeography(metros, regions, scenario.geography);
	const metroCount = metros.length;
	const excluded = new Set(scenario.geography.excludeJurisdictions);
	const metroAllowed = Uint8Array.from(metros, (m) => (excluded.has(m.jurisdiction) ? 0 : 1));
	const populationWeights = Float64Array.from(metros, (m) => m.populationWeight);
	const longitudes = Float64Array.from(metros, (m) => m.lon);
	// The starting fleet is where providers are, regulation or not; excluded metros then lose
	// their nodes (C13) and no prospect joins there.
	const placementWeight = (m: Metro) => (scenario.nodes.metroWeighting === "uniform" ? 1 : m.populationWeight);
	const initialMetroChoice = new Categorical(Float64Array.from(metros, placementWeight));
	const joinMetroWeights = Float64Array.from(metros, (m, i) => (metroAllowed[i] === 1 ? placementWeight(m) : 0));
	const nodeMetroChoice = joinMetroWeights.some((w) => w > 0) ? new Categorical(joinMetroWeights) : null;

	// ── Hardware ──────────────────────────────────────────────────────────────────────────
	const gpus = catalog.gpus;
	const h100 = requireId(catalog.gpuById, "h100-sxm", "GPU");
	const cloudRealtimeGpu = requireId(catalog.gpuById, scenario.cloud.realtimeGpu, "GPU");
	const mixGpu = scenario.nodes.mix.map((entry) => catalog.gpuIndexById.get(entry.gpu) ?? missing("GPU", entry.gpu));
	const mixChoice = new Categorical(scenario.nodes.mix.map((entry) => entry.share));
	const { providers, market, tokenomics } = scenario;
	// ── Token economy (off: providers earn fiat only) ─────────────────────────────────────
	const economy = tokenomics.enabled
		? new TokenEconomy(tokenomics, {
				marketRng: streams.stream("tokens/market"),
				...(inputs.tokenPriceHistory === undefined ? {} : { history: inputs.tokenPriceHistory }),
			})
		: null;
	const burnAndMint = economy !== null && tokenomics.burnAndMint.enabled;
	/** Share of a lease's price that reaches the provider in fiat (burn-and-mint: none, rewards pay). */
	const fiatShareToProvider = burnAndMint ? 0 : 1 - market.takeRate;
	/** Per-node reward weights, paid and sold units of the last epoch (token runs only). */
	// Token runs: reward paid to each node id last epoch (revenue in this epoch's books), and
	// the units paid and sold by position in the books' list of reward nodes.
	let rewardPaidUnits = new Float64Array(economy === null ? 0 : 1024);
	let paidByPosition = new Float64Array(rewardPaidUnits.length);
	let soldByPosition = new Float64Array(rewardPaidUnits.length);
	const activeByDay: number[] = [];
	/**
	 * GPU-hours one H100-hour of work takes on each class (relative dense FP16 throughput),
	 * with the share that audits re-execute on top (C11).
	 */
	const auditOverhead =
		scenario.tokenomics.verification.auditRate * scenario.tokenomics.verification.reexecutionMultiplier;
	const hoursPerWorkByGpu = Float64Array.from(gpus, (g) => jobDurationHours(1, g, h100) * (1 + auditOverhead));
	const tdpKwByGpu = Float64Array.from(gpus, (g) => g.tdpWatts / 1000);
	const electricityByMetro = Float64Array.from(metros, (m) => m.electricityUsdPerKwh);
	const capexPerHourByGpu = Float64Array.from(gpus, (g) =>
		amortisedCapexUsdPerHour(g.capexUsd, providers.capexLifetimeYears),
	);
	const postedUsdPerGpuHour = Float64Array.from(gpus, (g) => {
		const price = market.postedPriceShareOfOnDemand * g.rentalOnDemandUsdPerGpuHour;
		return Number.isFinite(price) ? price : 0;
	});
	const marketContext: MarketContext = {
		mechanism: market.mechanism,
		maxCandidates: market.maxCandidates,
		postedUsdPerGpuHour,
		metrosByDistance: geography.metrosByDistance,
		metroRttMs: geography.metroRttMs,
		metroCount,
	};

	// ── Nodes ─────────────────────────────────────────────────────────────────────────────
	const nodes = new NodeTable(Math.max(1024, scenario.nodes.initialCount * 1.25));
	const idle = new IdleIndex(gpus.length, metroCount);
	const providerRng = streams.stream("providers/asks");
	const askSpread = providers.askSpread > 0 ? new LogNormal(0, providers.askSpread) : null;
	const costInputs = (gpu: GpuSpec, metro: Metro) => ({
		tdpWatts: gpu.tdpWatts,
		electricityUsdPerKwh: metro.electricityUsdPerKwh,
		idlePowerShare: providers.idlePowerShare,
		upkeepUsdPerHour: providers.upkeepUsdPerHour,
	});
	const failureRng = streams.stream("providers/failures");
	const repairTime = samplerOf(providers.failures.repairHours);
	// Weibull scale that gives the stated mean: mean = scale · Γ(1 + 1/k).
	const weibullScaleHours = providers.failures.mtbfHours / Math.exp(logGamma(1 + 1 / providers.failures.weibullShape));

	const verification = scenario.tokenomics.verification;
	const honestyRng = streams.stream("verification/honesty");
	const auditRng = streams.stream("verification/audits");
	const catchProbability = verification.auditRate * verification.detectionProbability;

	const createNode = (gpuIndex: number, metroIndex: number, state: NodeState, atMs: number): number => {
		const gpu = gpus[gpuIndex] as GpuSpec;
		const metro = metros[metroIndex] as Metro;
		const factor = askSpread === null ? 1 : askSpread.sample(providerRng);
		const ask = askUsdPerGpuHour(
			costInputs(gpu, metro),
			capexPerHourByGpu[gpuIndex] as number,
			providers.askMarkup,
			factor,
		);
		const node = nodes.add(gpuIndex, metroIndex, state, atMs, ask);
		trackNode(books, node);
		if (verification.dishonestShare > 0 && honestyRng.next() < verification.dishonestShare) nodes.dishonest[node] = 1;
		return node;
	};

	// ── Counters ──────────────────────────────────────────────────────────────────────────
	const horizonMs = Math.round(scenario.horizonDays * MS_PER_DAY);
	const epochMs = Math.round(scenario.epochHours * MS_PER_HOUR);
	const epochs = Math.ceil(horizonMs / epochMs);
	let epochIndex = -1;
	let epochStartMs = 0;
	const totals = {
		arrived: 0,
		served: 0,
		rejected: 0,
		waiting: 0,
		running: 0,
		interruptions: 0,
		leaseGpuHours: 0,
		leaseCostUsd: 0,
		feesUsd: 0,
		joins: 0,
		exits: 0,
		busyMs: 0,
		liveNodeMs: 0,
		providerRevenueUsd: 0,
		providerCostUsd: 0,
		fraudDetected: 0,
		fraudUndetected: 0,
		slashedUnits: 0,
		tokenRewardUsd: 0,
		burnSpentUsd: 0,
	};
	const epochCounts = {
		arrived: 0,
		served: 0,
		rejected: 0,
		joins: 0,
		exits: 0,
		priceGpuHours: 0,
		priceUsd: 0,
		cloudPriceGpuHours: 0,
		cloudPriceUsd: 0,
	};
	const cloud = {
		arrived: 0,
		served: 0,
		rejected: 0,
		inFlight: 0,
		gpuHours: 0,
		costUsd: 0,
	};
	const timeToServeMinutes = new LogHistogram();
	const cloudTimeToServeMinutes = new LogHistogram();
	const latency = new LogHistogram();
	const cloudLatency = new LogHistogram();
	const networkRtt = new LogHistogram();
	const cloudNetworkRtt = new LogHistogram();
	const requests = { arrived: 0, served: 0, slaMissed: 0, costUsd: 0, tokens: 0 };
	const cloudRequests = { arrived: 0, served: 0, slaMissed: 0, costUsd: 0, tokens: 0 };
	let sampledEpochs = 0;
	let nodesMin = Number.POSITIVE_INFINITY;
	let nodesMax = 0;
	let nodesStart = 0;
	let prospectivePool = providers.entry.prospectivePool;
	const timeseries = new EpochSeries<TimeseriesColumn>(TIMESERIES_COLUMNS, Math.min(epochs, 100_000));

	// ── Jobs (struct of arrays with a free list; ids are recycled) ────────────────────────
	let jobCapacity = 1024;
	let jobClass = new Uint8Array(jobCapacity);
	let jobOrigin = new Uint16Array(jobCapacity);
	let jobWork = new Float64Array(jobCapacity);
	let jobArrivalMs = new Float64Array(jobCapacity);
	let jobState = new Uint8Array(jobCapacity);
	let jobTimeout = new Float64Array(jobCapacity);
	let jobFirstNode = new Int32Array(jobCapacity);
	let jobReserveUsd = new Float64Array(jobCapacity);
	/** 1: an audit caught a node of the job faking it; 2: a node faked it and was not caught. */
	let jobFraud = new Uint8Array(jobCapacity);
	let jobFreeHead = -1;
	let jobCount = 0;
	const allocateJob = (): number => {
		if (jobFreeHead >= 0) {
			const id = jobFreeHead;
			jobFreeHead = jobFirstNode[id] as number;
			return id;
		}
		if (jobCount === jobCapacity) {
			jobCapacity *= 2;
			jobClass = grownArray(jobClass, jobCapacity);
			jobOrigin = grownArray(jobOrigin, jobCapacity);
			jobWork = grownArray(jobWork, jobCapacity);
			jobArrivalMs = grownArray(jobArrivalMs, jobCapacity);
			jobState = grownArray(jobState, jobCapacity);
			jobTimeout = grownArray(jobTimeout, jobCapacity);
			jobFirstNode = grownArray(jobFirstNode, jobCapacity);
			jobReserveUsd = grownArray(jobReserveUsd, jobCapacity);
			jobFraud = grownArray(jobFraud, jobCapacity);
		}
		return jobCount++;
	};
	const freeJob = (job: number): void => {
		jobState[job] = 0;
		jobFraud[job] = 0;
		jobFirstNode[job] = jobFreeHead;
		jobFreeHead = job;
	};

	// ── Classes ───────────────────────────────────────────────────────────────────────────
	const eligibility = (hardware: JobClass["hardware"], minVramGb: number) =>
		Uint8Array.from(gpus, (g) =>
			g.memoryGb >= Math.max(hardware.minVramGb, minVramGb) &&
			hardware.tiers.includes(g.tier) &&
			(!hardware.requireNvlink || g.nvlink) &&
			(!hardware.requireFp8 || Number.isFinite(g.fp8TensorTflops))
				? 1
				: 0,
		);
	const baseClassState = (index: number): ClassState => ({
		index,
		demand: null,
		share: 1,
		depinCostPerWork: Number.NaN,
		cloudCostPerWork: Number.NaN,
		epochDepinCost: 0,
		epochDepinWork: 0,
		epochCloudCost: 0,
		epochCloudWork: 0,
		epochOffered: 0,
		epochAwarded: 0,
		epochCloudOffered: 0,
		epochCloudServed: 0,
	});
	const jobClasses: JobClassState[] = [];
	const realtimeClasses: RealtimeClassState[] = [];
	scenario.demand.classes.forEach((spec, index) => {
		if (spec.kind === "realtime") {
			const eligibleGpu = eligibility(spec.hardware, spec.compute.weightsGb);
			// Audits re-execute a share of the work, which takes replica capacity (C11).
			const capacityRpsByGpu = Float64Array.from(
				gpus,
				(g) => replicaCapacityRps(spec, g, inputs.calibration) / (1 + auditOverhead),
			);
			realtimeClasses.push({
				...baseClassState(index),
				spec,
				eligibleGpu,
				capacityRpsByGpu,
				cloudCapacityRps: replicaCapacityRps(spec, cloudRealtimeGpu, inputs.calibration),
				replicas: [],
				requiredCapacityRps: 0,
				batchTimes: { tables: [], tableOfGpu: new Int32Array(gpus.length).fill(-1) },
			});
		} else {
			jobClasses.push({
				...baseClassState(index),
				spec,
				waiting: new FifoRing(256),
				eligibleGpu: eligibility(spec.hardware, 0),
				work: samplerOf(spec.workH100Hours),
				nextArrivalHandle: -1,
			});
		}
	});
	// Lookups by class index are arrays, not maps: they sit on the hottest paths.
	const jobClassByIndex: JobClassState[] = [];
	for (const c of jobClasses) jobClassByIndex[c.index] = c;
	const realtimeByIndex: RealtimeClassState[] = [];
	for (const c of realtimeClasses) realtimeByIndex[c.index] = c;

	// ── Node life cycle ───────────────────────────────────────────────────────────────────
	const scheduleFailure = (node: number): void => {
		const hours = weibullScaleHours * (-Math.log(failureRng.next())) ** (1 / providers.failures.weibullShape);
		const atMs = engine.now + Math.max(1, Math.round(hours * MS_PER_HOUR));
		// A failure after the horizon never happens within the run.
		nodes.failureHandle[node] = atMs < horizonMs ? engine.scheduleAt(atMs, kindFailure, node) : -1;
	};

	/** A node is ready to serve: index it and give it the oldest waiting order it can take. */
	const becomeIdle = (node: number): void => {
		if (nodes.leaving[node] === 1) {
			exitNode(node);
			return;
		}
		nodes.state[node] = NodeState.idle;
		nodes.job[node] = NO_JOB;
		idle.add(node, nodes.gpu[node] as number, nodes.metro[node] as number);
		serveWaiting(node);
	};

	const exitNode = (node: number): void => {
		if (idle.has(node)) idle.remove(node, nodes.gpu[node] as number, nodes.metro[node] as number);
		if (nodes.failureHandle[node] !== -1) engine.cancel(nodes.failureHandle[node] as number);
		nodes.failureHandle[node] = -1;
		nodes.state[node] = NodeState.exited;
		// For an exited node, leaseEndMs keeps when it left (its lifetime for payback figures).
		nodes.leaseEndMs[node] = engine.now;
		totals.exits++;
		epochCounts.exits++;
		economy?.nodeExited(node, engine.now / MS_PER_DAY);
	};

	/** Busy time and revenue of a lease up to `untilMs`, within the current epoch. */
	const accrueLease = (node: number, untilMs: number): void =>
		accrueLeaseInto(nodes, node, epochStartMs, untilMs, fiatShareToProvider);

	/** Takes `node` down (failure or outage); an interrupted job goes back to its queue. */
	const takeDown = (node: number): void => {
		const state = nodes.state[node];
		if (state === NodeState.idle) idle.remove(node, nodes.gpu[node] as number, nodes.metro[node] as number);
		else if (state === NodeState.serving) interruptLease(node);
		if (state !== NodeState.exited && state !== NodeState.joining) nodes.state[node] = NodeState.down;
	};

	const interruptLease = (node: number): void => {
		const job = nodes.job[node] as number;
		nodes.reputation[node] = (nodes.reputation[node] as number) * 0.9;
		if (economy !== null) totals.slashedUnits += economy.slash(node, tokenomics.slashing.slaBreachShare);
		if (job >= 0) {
			// Every node of the job stops; the others become idle again, the job waits anew.
			totals.interruptions++;
			let member = jobFirstNode[job] as number;
			while (member >= 0) {
				const next = nodes.nextInJob[member] as number;
				accrueLease(member, engine.now);
				engine.cancel(nodes.leaseEndHandle[member] as number);
				nodes.leaseEndHandle[member] = -1;
				nodes.nextInJob[member] = -1;
				nodes.job[member] = NO_JOB;
				if (member !== node) becomeIdle(member);
				member = next;
			}
			totals.running--;
			enqueueWaiting(job);
		} else if (job <= -2) {
			accrueLease(node, engine.now);
			engine.cancel(nodes.leaseEndHandle[node] as number);
			nodes.leaseEndHandle[node] = -1;
			nodes.job[node] = NO_JOB;
			removeReplica(realtimeByIndex[-2 - job] as RealtimeClassState, node);
		}
	};

	const kindFailure = engine.registerKind("node-failure", (node) => {
		nodes.failureHandle[node] = -1;
		if (nodes.state[node] === NodeState.exited) return;
		nodes.failed[node] = 1;
		takeDown(node);
		const hours = repairTime.sample(failureRng);
		engine.schedule(Math.max(1, Math.round(hours * MS_PER_HOUR)), kindRepair, node);
	});

	const kindRepair = engine.registerKind("node-repair", (node) => {
		nodes.failed[node] = 0;
		if (nodes.state[node] === NodeState.exited) return;
		if (nodes.leaving[node] === 1) {
			exitNode(node);
			return;
		}
		scheduleFailure(node);
		if (nodes.inOutage[node] === 0) becomeIdle(node);
	});

	const kindJoin = engine.registerKind("node-join", (node) => {
		totals.joins++;
		epochCounts.joins++;
		// A joining provider buys its stake on the market.
		economy?.nodeJoined(node, true);
		scheduleFailure(node);
		if (nodeInOutage(node)) {
			nodes.inOutage[node] = 1;
			nodes.state[node] = NodeState.down;
		} else becomeIdle(node);
	});

	// ── Correlated outages ────────────────────────────────────────────────────────────────
	const outageActive = new Uint8Array(providers.outages.length);
	const nodeMatchesOutage = (node: number, outage: (typeof providers.outages)[number]): boolean => {
		const metro = metros[nodes.metro[node] as number] as Metro;
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
	};
	const nodeInOutage = (node: number): boolean =>
		providers.outages.some((outage, i) => outageActive[i] === 1 && nodeMatchesOutage(node, outage));
	const kindOutageStart = engine.registerKind("outage-start", (i) => {
		outageActive[i] = 1;
		const outage = providers.outages[i] as (typeof providers.outages)[number];
		for (let node = 0; node < nodes.count; node++) {
			const state = nodes.state[node];
			if (state === NodeState.exited || state === NodeState.joining || !nodeMatchesOutage(node, outage)) continue;
			nodes.inOutage[node] = 1;
			takeDown(node);
		}
	});
	const kindOutageEnd = engine.registerKind("outage-end", (i) => {
		outageActive[i] = 0;
		for (let node = 0; node < nodes.count; node++) {
			if (nodes.inOutage[node] !== 1 || nodeInOutage(node)) continue;
			nodes.inOutage[node] = 0;
			if (nodes.state[node] === NodeState.down && nodes.failed[node] === 0) becomeIdle(node);
		}
	});
	/** Each cloud region's outage windows [start, end) ms, resolved once (checked for every order). */
	const cloudOutageWindows: (readonly [number, number])[][] = regions.map((region) =>
		providers.outages
			.filter((outage) => outage.scope === "cloud-region" && outage.target === region.id)
			.map((outage) => {
				const start = outage.startDay * MS_PER_DAY;
				return [start, start + outage.durationHours * MS_PER_HOUR] as const;
			}),
	);
	const anyCloudOutage = cloudOutageWindows.some((windows) => windows.length > 0);
	const cloudRegionDown = (regionIndex: number, atMs: number): boolean => {
		if (!anyCloudOutage) return false;
		for (const [start, end] of cloudOutageWindows[regionIndex] ?? []) if (atMs >= start && atMs < end) return true;
		return false;
	};

	// ── Market: awarding orders ───────────────────────────────────────────────────────────
	const candidateCapacity = Math.max(market.maxCandidates, 1024);
	const clearing: ClearingBuffers = {
		candidates: new Int32Array(candidateCapacity),
		scratchCost: new Float64Array(candidateCapacity),
		award: awardBuffer(Math.max(1, ...jobClasses.map((c) => c.spec.gpusPerJob))),
	};
	// One reusable terms object: an order's terms are read only while it is being cleared.
	const jobTerms: { -readonly [K in keyof OrderTerms]: OrderTerms[K] } = {
		originMetro: 0,
		gpus: 1,
		eligibleGpu: new Uint8Array(gpus.length),
		work: 0,
		gpuHoursPerWork: hoursPerWorkByGpu,
		reserveUsd: 0,
		maxRttMs: Number.POSITIVE_INFINITY,
	};
	const termsFor = (classState: JobClassState, job: number): OrderTerms => {
		const work = jobWork[job] as number;
		jobTerms.originMetro = jobOrigin[job] as number;
		jobTerms.gpus = classState.spec.gpusPerJob;
		jobTerms.eligibleGpu = classState.eligibleGpu;
		jobTerms.work = work;
		jobTerms.reserveUsd = jobReserveUsd[job] as number;
		return jobTerms;
	};

	const tryAward = (terms: OrderTerms): Award | null =>
		awardOrder(idle, nodes, terms, marketContext, clearing) === true ? clearing.award : null;

	/** Leases the awarded nodes from `startMs` for `hours` each. */
	const lease = (award: Award, startMs: number, hours: number, job: number): void => {
		let previous = -1;
		for (let w = 0; w < award.count; w++) {
			const node = award.nodes[w] as number;
			const price = award.priceUsdPerGpuHour[w] as number;
			idle.remove(node, nodes.gpu[node] as number, nodes.metro[node] as number);
			nodes.state[node] = NodeState.serving;
			nodes.job[node] = job;
			const endMs = startMs + Math.max(1, Math.round(hours * MS_PER_HOUR));
			nodes.leaseStartMs[node] = startMs;
			nodes.leaseEndMs[node] = endMs;
			nodes.leasePriceUsdPerGpuHour[node] = price;
			nodes.leaseEndHandle[node] = engine.scheduleAt(endMs, kindLeaseEnd, node);
			nodes.nextInJob[node] = -1;
			if (previous >= 0) nodes.nextInJob[previous] = node;
			else if (job >= 0) jobFirstNode[job] = node;
			previous = node;
			totals.leaseGpuHours += hours;
			totals.leaseCostUsd += price * hours;
			totals.feesUsd += price * hours * market.takeRate;
			epochCounts.priceGpuHours += hours;
			epochCounts.priceUsd += price * hours;
		}
	};

	const awardDelayMs =
		(market.mechanism === "auction" ? market.bidWindowSeconds * 1000 : 0) + market.deployMinutes * MS_PER_MINUTE;

	/** Starts job `job` on an award. */
	const startJob = (job: number, award: Award): void => {
		const classState = jobClassByIndex[jobClass[job] as number] as JobClassState;
		const spec = classState.spec;
		const transferMs = Math.round(((spec.payloadGbIn * 8) / NODE_BANDWIDTH_GBPS) * 1000);
		const startMs = engine.now + awardDelayMs + transferMs;
		const work = jobWork[job] as number;
		if (jobState[job] === JOB_WAITING) {
			totals.waiting--;
			engine.cancel(jobTimeout[job] as number);
		}
		// A multi-GPU job runs at the pace of its slowest GPU.
		let hours = 0;
		for (let w = 0; w < award.count; w++) {
			hours = Math.max(hours, work * (hoursPerWorkByGpu[nodes.gpu[award.nodes[w] as number] as number] as number));
		}
		lease(award, startMs, hours, job);
		// Providers pay for moving the job's data; it comes out of the first node's revenue.
		const first = award.nodes[0] as number;
		nodes.revenueUsdInEpoch[first] =
			(nodes.revenueUsdInEpoch[first] as number) - (spec.payloadGbIn + spec.payloadGbOut) * providers.bandwidthUsdPerGb;
		jobState[job] = JOB_RUNNING;
		totals.running++;
		classState.epochAwarded++;
		classState.epochDepinCost += award.costUsd;
		classState.epochDepinWork += work * spec.gpusPerJob;
		timeToServeMinutes.record((startMs - (jobArrivalMs[job] as number)) / MS_PER_MINUTE);
	};

	const enqueueWaiting = (job: number): void => {
		const classState = jobClassByIndex[jobClass[job] as number] as JobClassState;
		const waitMs = Math.round(classState.spec.maxQueueMinutes * MS_PER_MINUTE);
		if (waitMs <= 0) {
			rejectJob(job);
			return;
		}
		jobState[job] = JOB_WAITING;
		totals.waiting++;
		classState.waiting.push(job);
		jobTimeout[job] = engine.schedule(waitMs, kindJobTimeout, job);
	};

	const rejectJob = (job: number): void => {
		totals.rejected++;
		epochCounts.rejected++;
		freeJob(job);
	};

	const kindJobTimeout = engine.registerKind("order-timeout", (job) => {
		// The order falls back to the cloud; its FIFO entry is dropped lazily.
		totals.waiting--;
		jobState[job] = 0;
		rejectJob(job);
	});

	/** The oldest waiting order (over classes) that `node` can serve, if any gets an award. */
	const serveWaiting = (node: number): void => {
		if (totals.waiting === 0) return;
		const gpu = nodes.gpu[node] as number;
		let bestClass: JobClassState | null = null;
		let bestArrival = Number.POSITIVE_INFINITY;
		for (const classState of jobClasses) {
			const queue = classState.waiting;
			// Drop entries whose order timed out or started meanwhile.
			while (queue.length > 0 && jobState[queue.peek()] !== JOB_WAITING) queue.shift();
			if (queue.length === 0 || classState.eligibleGpu[gpu] !== 1) continue;
			const arrival = jobArrivalMs[queue.peek()] as number;
			if (arrival < bestArrival) {
				bestArrival = arrival;
				bestClass = classState;
			}
		}
		if (bestClass === null) return;
		const job = bestClass.waiting.peek();
		const award = tryAward(termsFor(bestClass, job));
		if (award === null) return;
		bestClass.waiting.shift();
		startJob(job, award);
	};

	/** A dishonest node finishes faked work: an audit may catch it (then it is banned). */
	const auditFakedWork = (node: number, job: number): void => {
		if (auditRng.next() < catchProbability) {
			jobFraud[job] = 1;
			nodes.leaving[node] = 1;
			if (economy !== null) totals.slashedUnits += economy.slash(node, tokenomics.slashing.verificationFailureShare);
		} else if (jobFraud[job] === 0) jobFraud[job] = 2;
	};

	const kindLeaseEnd = engine.registerKind("lease-end", (node) => {
		const job = nodes.job[node] as number;
		accrueLease(node, engine.now);
		nodes.leaseEndHandle[node] = -1;
		if (job >= 0) {
			if (nodes.dishonest[node] === 1) auditFakedWork(node, job);
			// The job completes when its last node finishes (all end together).
			const next = nodes.nextInJob[node] as number;
			nodes.nextInJob[node] = -1;
			if (jobFirstNode[job] === node) jobFirstNode[job] = next;
			if (next < 0 && jobFirstNode[job] === -1) {
				if (jobState[job] !== JOB_RUNNING) throw new Error(`job ${job} completed twice`);
				totals.running--;
				if (jobFraud[job] === 1) {
					// Caught: the work is void and the order goes back to the queue.
					totals.fraudDetected++;
					jobFraud[job] = 0;
					enqueueWaiting(job);
				} else {
					if (jobFraud[job] === 2) totals.fraudUndetected++;
					totals.served++;
					epochCounts.served++;
					freeJob(job);
				}
			}
			becomeIdle(node);
		} else if (job <= -2) {
			const classState = realtimeByIndex[-2 - job] as RealtimeClassState;
			const capacity = replicaCapacity(classState);
			const own = classState.capacityRpsByGpu[nodes.gpu[node] as number] as number;
			const stillNeeded =
				capacity - own < classState.requiredCapacityRps ||
				(classState.requiredCapacityRps > 0 && classState.replicas.length <= classState.spec.replicas.minReplicas);
			if (nodes.leaving[node] === 0 && stillNeeded) {
				// Still needed: renew at the same price.
				nodes.leaseStartMs[node] = engine.now;
				const hours = classState.spec.replicas.leaseHours;
				nodes.leaseEndMs[node] = engine.now + Math.round(hours * MS_PER_HOUR);
				nodes.leaseEndHandle[node] = engine.scheduleAt(nodes.leaseEndMs[node] as number, kindLeaseEnd, node);
				const price = nodes.leasePriceUsdPerGpuHour[node] as number;
				totals.leaseGpuHours += hours;
				totals.leaseCostUsd += price * hours;
				totals.feesUsd += price * hours * market.takeRate;
				epochCounts.priceGpuHours += hours;
				epochCounts.priceUsd += price * hours;
				return;
			}
			removeReplica(classState, node);
			becomeIdle(node);
		}
	});

	// ── Cloud twin of a job ───────────────────────────────────────────────────────────────
	const cloudRng = streams.stream("cloud/availability");
	const cloudGpuIds = ["h100-sxm", "a100-80gb", "l40s"].filter((id) => catalog.gpuById.has(id));
	/**
	 * Cheapest eligible cloud offer per H100-hour of work, for each (job class, region): cost
	 * and GPU-hours are linear in the work, so one table serves every order. NaN: no offer.
	 */
	const cloudCostPerWork: Float64Array[] = [];
	const cloudHoursPerWork: Float64Array[] = [];
	for (const classState of jobClasses) {
		const costs = new Float64Array(regions.length).fill(Number.NaN);
		const hours = new Float64Array(regions.length).fill(Number.NaN);
		regions.forEach((region, r) => {
			for (const id of cloudGpuIds) {
				const gpuIndex = catalog.gpuIndexById.get(id) as number;
				const price = cloudPriceUsdPerGpuHour(region, id);
				if (classState.eligibleGpu[gpuIndex] !== 1 || !Number.isFinite(price)) continue;
				const gpuHours = (hoursPerWorkByGpu[gpuIndex] as number) * classState.spec.gpusPerJob;
				if (Number.isNaN(costs[r] as number) || price * gpuHours < (costs[r] as number)) {
					costs[r] = price * gpuHours;
					hours[r] = gpuHours;
				}
			}
		});
		cloudCostPerWork[classState.index] = costs;
		cloudHoursPerWork[classState.index] = hours;
	}

	const regionAvailability = Float64Array.from(regions, (region) => region.availability);
	/** Prices and times the job on the nearest cloud region (no failover: C14). */
	const cloudTwin = (classState: JobClassState, origin: number, work: number): number => {
		cloud.arrived++;
		classState.epochCloudOffered++;
		const regionIndex = geography.nearestRegion[origin] as number;
		const costPerWork =
			regionIndex >= 0 ? ((cloudCostPerWork[classState.index] as Float64Array)[regionIndex] as number) : Number.NaN;
		const available = cloudRng.next() < (regionAvailability[regionIndex] ?? 0);
		if (Number.isNaN(costPerWork) || !available || cloudRegionDown(regionIndex, engine.now)) {
			cloud.rejected++;
			return Number.POSITIVE_INFINITY;
		}
		const costUsd = costPerWork * work;
		const gpuHours = ((cloudHoursPerWork[classState.index] as Float64Array)[regionIndex] as number) * work;
		const transferMs = ((classState.spec.payloadGbIn * 8) / CLOUD_BANDWIDTH_GBPS) * 1000;
		const startMs = engine.now + scenario.cloud.provisioningMinutes * MS_PER_MINUTE + transferMs;
		const endMs = startMs + (gpuHours / classState.spec.gpusPerJob) * MS_PER_HOUR;
		classState.epochCloudServed++;
		if (endMs <= horizonMs) cloud.served++;
		else cloud.inFlight++;
		cloud.gpuHours += gpuHours;
		cloud.costUsd += costUsd;
		epochCounts.cloudPriceGpuHours += gpuHours;
		epochCounts.cloudPriceUsd += costUsd;
		classState.epochCloudCost += costUsd;
		classState.epochCloudWork += work * classState.spec.gpusPerJob;
		cloudTimeToServeMinutes.record((startMs - engine.now) / MS_PER_MINUTE);
		return costUsd;
	};

	// ── Job arrivals ──────────────────────────────────────────────────────────────────────
	const arrivalRng: { time: RandomStream; what: RandomStream; choice: RandomStream }[] = [];
	for (const c of jobClasses) {
		arrivalRng[c.index] = {
			time: streams.stream(`demand/${c.spec.id}/arrivals`),
			what: streams.stream(`demand/${c.spec.id}/orders`),
			choice: streams.stream(`demand/${c.spec.id}/choice`),
		};
	}
	const scheduleNextArrival = (classState: JobClassState): void => {
		classState.nextArrivalHandle = -1;
		const demand = classState.demand;
		if (demand === null || !(demand.ratePerHour > 0)) return;
		const rng = arrivalRng[classState.index] as { time: RandomStream };
		const gapMs = Math.round((standardExponential(rng.time) / demand.ratePerHour) * MS_PER_HOUR);
		const at = engine.now + gapMs;
		if (at < Math.min(epochStartMs + epochMs, horizonMs)) {
			classState.nextArrivalHandle = engine.scheduleAt(at, kindArrival, classState.index);
		}
	};

	const kindArrival = engine.registerKind("order-arrival", (classIndex) => {
		const classState = jobClassByIndex[classIndex] as JobClassState;
		const rng = arrivalRng[classIndex] as { what: RandomStream; choice: RandomStream };
		const origin = (classState.demand as EpochDemand).origin.sample(rng.what);
		const work = classState.work.sample(rng.what);
		const choosesDepin = rng.choice.next() < classState.share;
		const cloudCost = cloudTwin(classState, origin, work);
		if (choosesDepin) {
			const job = allocateJob();
			jobClass[job] = classIndex;
			jobOrigin[job] = origin;
			jobWork[job] = work;
			jobArrivalMs[job] = engine.now;
			jobFirstNode[job] = -1;
			jobReserveUsd[job] = market.reservePriceShareOfCloud * cloudCost;
			totals.arrived++;
			epochCounts.arrived++;
			classState.epochOffered++;
			const award = tryAward(termsFor(classState, job));
			if (award !== null) startJob(job, award);
			else enqueueWaiting(job);
		}
		scheduleNextArrival(classState);
	});

	// ── Real-time replicas ────────────────────────────────────────────────────────────────
	const replicaCapacity = (classState: RealtimeClassState): number => {
		let capacity = 0;
		for (const node of classState.replicas)
			capacity += classState.capacityRpsByGpu[nodes.gpu[node] as number] as number;
		return capacity;
	};
	const removeReplica = (classState: RealtimeClassState, node: number): void => {
		const at = classState.replicas.indexOf(node);
		if (at >= 0) {
			classState.replicas[at] = classState.replicas[classState.replicas.length - 1] as number;
			classState.replicas.pop();
		}
	};
	const replicaRng: RandomStream[] = [];
	for (const c of realtimeClasses) replicaRng[c.index] = streams.stream(`demand/${c.spec.id}/replicas`);

	/** Leases replicas until the class's DePIN share of demand has its capacity (or nothing is left). */
	const autoscale = (classState: RealtimeClassState): void => {
		const spec = classState.spec;
		const demand = classState.demand as EpochDemand;
		const depinRps = (demand.ratePerHour / 3600) * classState.share;
		classState.requiredCapacityRps = depinRps / spec.replicas.targetUtilisation;
		let capacity = replicaCapacity(classState);
		const minReplicas = depinRps > 0 ? spec.replicas.minReplicas : 0;
		const rng = replicaRng[classState.index] as RandomStream;
		const leaseHours = spec.replicas.leaseHours;
		// GPU-hours of each class that give the capacity of `leaseHours` on the cloud's GPU.
		const leaseGpuHours = Float64Array.from(classState.capacityRpsByGpu, (rps) =>
			rps > 0 ? (leaseHours * classState.cloudCapacityRps) / rps : Number.POSITIVE_INFINITY,
		);
		let failures = 0;
		for (
			let attempt = 0;
			(capacity < classState.requiredCapacityRps || classState.replicas.length < minReplicas) &&
			attempt < 100_000 &&
			failures < 8;
			attempt++
		) {
			const origin = demand.origin.sample(rng);
			const regionIndex = geography.nearestRegion[origin] as number;
			const cloudPrice =
				regionIndex >= 0
					? cloudPriceUsdPerGpuHour(regions[regionIndex] as CloudRegion, scenario.cloud.realtimeGpu)
					: Number.NaN;
			const terms: OrderTerms = {
				originMetro: origin,
				gpus: 1,
				eligibleGpu: classState.eligibleGpu,
				work: 1,
				gpuHoursPerWork: leaseGpuHours,
				reserveUsd: Number.isFinite(cloudPrice)
					? market.reservePriceShareOfCloud * cloudPrice * leaseHours
					: Number.POSITIVE_INFINITY,
				maxRttMs: spec.slaP95Ms * RTT_BUDGET_SHARE_OF_SLA,
			};
			const award = tryAward(terms);
			if (award === null) {
				failures++;
				continue;
			}
			// Replicas of the starting state are already deployed; later ones wait for bid and deploy.
			const startMs = epochIndex === 0 ? engine.now : engine.now + awardDelayMs;
			lease(award, startMs, leaseHours, replicaMarker(classState.index));
			const node = award.nodes[0] as number;
			classState.replicas.push(node);
			capacity += classState.capacityRpsByGpu[nodes.gpu[node] as number] as number;
		}
	};

	// Each user metro's sites in RTT order, for the routing of every window (built once).
	const depinSitesByRtt = realtimeClasses.length > 0 ? sitesByRtt(geography.metroRttMs, metroCount) : [];
	const cloudSitesByRtt = realtimeClasses.length > 0 ? sitesByRtt(geography.metroToRegionRttMs, metroCount) : [];

	const cloudRealtimeGpuIndex = requireId(catalog.gpuIndexById, scenario.cloud.realtimeGpu, "GPU");
	/** The class's table of batch compute times on GPU class `gpu` (built when first needed). */
	const batchTimeTable = (classState: RealtimeClassState, gpu: number): number => {
		const { tables, tableOfGpu } = classState.batchTimes;
		if ((tableOfGpu[gpu] as number) < 0) {
			const spec = classState.spec;
			const gpuSpec = gpus[gpu] as GpuSpec;
			const efficiency = efficiencyFor(inputs.calibration, gpuSpec);
			const table = new Float64Array(spec.batching.maxBatch);
			for (let b = 1; b <= table.length; b++) table[b - 1] = computeTimeMs(b, gpuSpec, spec.compute, efficiency);
			tableOfGpu[gpu] = tables.length;
			tables.push(table);
		}
		return tableOfGpu[gpu] as number;
	};

	// Each window's result histograms, merged into the run's and the epoch's before the next window.
	const windowHistograms = () => ({
		latencyMs: new LogHistogram(),
		networkRttMs: new LogHistogram(),
		waitMs: new LogHistogram(),
	});
	const depinWindowHistograms = windowHistograms();
	const cloudWindowHistograms = windowHistograms();

	/** Simulates this epoch's request window for a real-time class, on DePIN and on the cloud. */
	const requestWindow = (classState: RealtimeClassState, windowMs: number): void => {
		const spec = classState.spec;
		const demand = classState.demand as EpochDemand;
		const arrivals = generateArrivals(streams.stream(`requests/${spec.id}/arrivals`), {
			startMs: epochStartMs,
			durationMs: windowMs,
			ratePerSecond: demand.ratePerHour / 3600,
			metroWeights: demand.metroWeights,
		});
		// Which requests chose DePIN: one draw per request, so both twins see the same arrivals.
		const choiceRng = streams.stream(`requests/${spec.id}/choice`);
		const depinMask = new Uint8Array(arrivals.timeMs.length);
		for (let i = 0; i < depinMask.length; i++) depinMask[i] = choiceRng.next() < classState.share ? 1 : 0;
		const live = classState.replicas.filter(
			(node) => nodes.state[node] === NodeState.serving && (nodes.leaseStartMs[node] as number) <= epochStartMs,
		);
		const depin = simulateRequests({
			arrivals: selectArrivals(arrivals, depinMask),
			replicaMetro: Int32Array.from(live, (node) => nodes.metro[node] as number),
			computeTables: {
				tables: classState.batchTimes.tables,
				replicaTable: Int32Array.from(live, (node) => batchTimeTable(classState, nodes.gpu[node] as number)),
			},
			rttMs: geography.metroRttMs,
			sitesByRtt: depinSitesByRtt,
			metroCount,
			batching: spec.batching,
			slaP95Ms: spec.slaP95Ms,
			verificationOverheadShare: auditOverhead,
			recordWaits: false,
			reuseHistograms: depinWindowHistograms,
		});
		const windowHours = windowMs / MS_PER_HOUR;
		let depinReplicaCost = 0;
		for (const node of live) depinReplicaCost += (nodes.leasePriceUsdPerGpuHour[node] as number) * windowHours;
		accumulate(requests, latency, networkRtt, depin, depinReplicaCost, spec.tokensPerRequest);

		// The cloud serves every request from the nearest region, sized to the same target.
		const cloudReplicaRegion: number[] = [];
		const demandByRegion = new Float64Array(regions.length);
		const totalWeight = demand.metroWeights.reduce((a, b) => a + b, 0);
		for (let m = 0; m < metroCount; m++) {
			const r = geography.nearestRegion[m] as number;
			if (r >= 0) demandByRegion[r] = (demandByRegion[r] as number) + (demand.metroWeights[m] as number) / totalWeight;
		}
		let cloudReplicaCost = 0;
		for (let r = 0; r < regions.length; r++) {
			const rps = (demand.ratePerHour / 3600) * (demandByRegion[r] as number);
			if (!(rps > 0) || cloudRegionDown(r, epochStartMs)) continue;
			const count = Math.max(1, Math.ceil(rps / (classState.cloudCapacityRps * spec.replicas.targetUtilisation)));
			const price = cloudPriceUsdPerGpuHour(regions[r] as CloudRegion, scenario.cloud.realtimeGpu);
			for (let k = 0; k < count; k++) {
				cloudReplicaRegion.push(r);
			}
			cloudReplicaCost += count * (Number.isFinite(price) ? price : 0) * windowHours;
		}
		const cloudResult = simulateRequests({
			arrivals,
			replicaMetro: Int32Array.from(cloudReplicaRegion),
			computeTables: {
				tables: classState.batchTimes.tables,
				replicaTable: new Int32Array(cloudReplicaRegion.length).fill(batchTimeTable(classState, cloudRealtimeGpuIndex)),
			},
			rttMs: geography.metroToRegionRttMs,
			sitesByRtt: cloudSitesByRtt,
			metroCount,
			batching: spec.batching,
			slaP95Ms: spec.slaP95Ms,
			recordWaits: false,
			reuseHistograms: cloudWindowHistograms,
		});
		accumulate(cloudRequests, cloudLatency, cloudNetworkRtt, cloudResult, cloudReplicaCost, spec.tokensPerRequest);
		// What tenants see for the next epoch's choice: cost per request served, and requests
		// served within the SLA, on each side.
		classState.epochDepinCost += depinReplicaCost;
		classState.epochDepinWork += depin.served;
		classState.epochOffered += depin.arrived;
		classState.epochAwarded += depin.served - depin.slaMissed;
		classState.epochCloudCost += cloudReplicaCost;
		classState.epochCloudWork += cloudResult.served;
		classState.epochCloudOffered += cloudResult.arrived;
		classState.epochCloudServed += cloudResult.served - cloudResult.slaMissed;
		requestEvents += depin.events + cloudResult.events;
		epochRequests.arrived += depin.arrived;
		epochRequests.slaMissed += depin.slaMissed;
		epochRequests.latency.merge(depin.latencyMs);
		epochRequests.cloudLatency.merge(cloudResult.latencyMs);
	};
	let requestEvents = 0;
	const epochRequests = {
		arrived: 0,
		slaMissed: 0,
		latency: new LogHistogram(),
		cloudLatency: new LogHistogram(),
	};

	// ── Epochs ────────────────────────────────────────────────────────────────────────────
	const fidelity = scenario.requests.fidelity;
	const requestMode: "full" | "sampled" | "none" =
		realtimeClasses.length === 0
			? "none"
			: fidelity === "full" || (fidelity === "auto" && scenario.horizonDays <= scenario.requests.fullUpToDays)
				? "full"
				: "sampled";
	const windowMs = requestMode === "full" ? epochMs : Math.min(epochMs, scenario.requests.sampleWindowSeconds * 1000);
	const exitWeight = ewmaWeight(providers.exit.ewmaHalfLifeEpochs);
	const idlePowerShare = providers.idlePowerShare;
	const entryRng = streams.stream("providers/entry");
	const entryPlaceRng = streams.stream("providers/entry-place");

	/** The token columns of a timeseries row (NaN, i.e. empty, when tokenomics is off). */
	const tokenColumns = (flows: EpochTokenFlows | null, live: number) => {
		if (economy === null || flows === null) {
			return {
				tokensMinted: Number.NaN,
				tokensBurned: Number.NaN,
				tokenSupply: Number.NaN,
				tokenPriceUsd: Number.NaN,
				tokensStaked: Number.NaN,
				treasuryTokens: Number.NaN,
				rewardPerNodeUsd: Number.NaN,
			};
		}
		const perToken = economy.unitsPerToken;
		return {
			tokensMinted: flows.mintedUnits / perToken,
			tokensBurned: flows.burnedUnits / perToken,
			tokenSupply: economy.ledger.supply / perToken,
			tokenPriceUsd: economy.priceUsd,
			tokensStaked: economy.ledger.stakedTotal / perToken,
			treasuryTokens: economy.ledger.balance("treasury") / perToken,
			rewardPerNodeUsd: live > 0 ? economy.unitsToUsd(flows.providerRewardUnits) / live : 0,
		};
	};

	const books = emptyEpochAccounting(gpus.length);
	/** Closes the epoch that ends now: provider accounts, exits, entries, one timeseries row. */
	const closeEpoch = (endMs: number): void => {
		const hours = (endMs - epochStartMs) / MS_PER_HOUR;
		if (hours <= 0) return;
		// Token runs: last epoch's rewards count at today's price; this epoch's weights are set.
		if (economy !== null && rewardPaidUnits.length < nodes.count) {
			const size = Math.max(nodes.count, rewardPaidUnits.length * 2);
			rewardPaidUnits = grownArray(rewardPaidUnits, size);
			paidByPosition = new Float64Array(size);
			soldByPosition = new Float64Array(size);
		}
		accountEpoch(
			nodes,
			{
				startMs: epochStartMs,
				endMs,
				fiatShareToProvider,
				tdpKwByGpu,
				electricityByMetro,
				idlePowerShare,
				upkeepUsdPerHour: providers.upkeepUsdPerHour,
				ewmaWeight: exitWeight,
				exitThresholdUsdPerHour: providers.exit.marginThresholdUsdPerHour,
				exitAfterEpochs: providers.exit.consecutiveEpochs,
				tokens:
					economy === null
						? null
						: {
								rewardPaidUnits,
								usdPerUnit: economy.priceUsd / economy.unitsPerToken,
								weightPerBusyMs: tokenomics.rewards.workWeight / MS_PER_HOUR,
								weightUptime: tokenomics.rewards.uptimeWeight * hours,
								weightPerStakedUnit: tokenomics.rewards.stakeWeight / economy.unitsPerToken,
								stakedUnits: economy.ledger.unsafeArrays().nodeStaked,
							},
			},
			books,
		);
		for (let i = 0; i < books.exitCount; i++) exitNode(books.exits[i] as number);
		const { active, serving, down, joining, live, busyMs, revenueUsd, costUsd, tokenRewardUsd } = books;
		const { marginSum, ewmaSum, ewmaByGpu: marginByGpu, liveByGpu } = books;
		totals.providerRevenueUsd += revenueUsd;
		totals.tokenRewardUsd += tokenRewardUsd;
		totals.providerCostUsd += costUsd;
		totals.busyMs += busyMs;
		totals.liveNodeMs += live * hours * MS_PER_HOUR;
		nodesMin = Math.min(nodesMin, active);
		nodesMax = Math.max(nodesMax, active);

		// Tokens: emission, sales, burns, unlocks, and the market's days up to the epoch's end.
		let flows: EpochTokenFlows | null = null;
		if (economy !== null) {
			const day = Math.floor(endMs / MS_PER_DAY);
			activeByDay[day] = active;
			const weekAgo = activeByDay[day - 7];
			const kpiSignal = weekAgo !== undefined && weekAgo > 0 && active > 0 ? Math.log(active / weekAgo) : 0;
			flows = economy.closeEpoch(
				epochStartMs / MS_PER_DAY,
				endMs / MS_PER_DAY,
				books.rewardWeight,
				books.rewardNodes,
				paidByPosition,
				soldByPosition,
				burnAndMint ? epochCounts.priceUsd : 0,
				kpiSignal,
				books.rewardCount,
			);
			scatterByNode(rewardPaidUnits, books.rewardNodes, paidByPosition, books.rewardCount);
			totals.burnSpentUsd += flows.burnSpentUsd;
			if (burnAndMint) totals.feesUsd += epochCounts.priceUsd * tokenomics.burnAndMint.feeShare;
		}

		// Entry: prospects compare the smoothed margin of nodes like theirs with their hurdle.
		const overallMargin = live > 0 ? ewmaSum / live : 0;
		scenario.nodes.mix.forEach((entry, k) => {
			if (prospectivePool <= 0) return;
			const gpuIndex = mixGpu[k] as number;
			const gpu = gpus[gpuIndex] as GpuSpec;
			const margin =
				(liveByGpu[gpuIndex] as number) > 0
					? (marginByGpu[gpuIndex] as number) / (liveByGpu[gpuIndex] as number)
					: overallMargin;
			const share = joinShare(
				expectedAnnualReturn(margin, gpu.capexUsd),
				providers.entry.hurdleAnnualReturn,
				providers.entry.maxJoinSharePerEpoch,
			);
			const mixShare = entry.share / scenario.nodes.mix.reduce((a, b) => a + b.share, 0);
			const expected = prospectivePool * mixShare * share;
			if (!(expected > 0)) return;
			const joiners = Math.min(prospectivePool, new Poisson(expected).sample(entryRng));
			for (let j = 0; j < joiners && nodeMetroChoice !== null; j++) {
				const metroIndex = nodeMetroChoice.sample(entryPlaceRng);
				const joinAt = endMs + Math.round(providers.entry.leadTimeDays * MS_PER_DAY);
				const node = createNode(gpuIndex, metroIndex, NodeState.joining, joinAt);
				if (joinAt < horizonMs) engine.scheduleAt(joinAt, kindJoin, node);
			}
			prospectivePool -= joiners;
		});

		const cloudP95 = epochRequests.cloudLatency.count > 0 ? epochRequests.cloudLatency.quantile(0.95) : Number.NaN;
		const p95 = epochRequests.latency.count > 0 ? epochRequests.latency.quantile(0.95) : Number.NaN;
		let replicas = 0;
		for (const c of realtimeClasses) replicas += c.replicas.length;
		let shareWeighted = 0;
		let shareWeight = 0;
		for (const c of [...jobClasses, ...realtimeClasses]) {
			const rate = c.demand?.ratePerHour ?? 0;
			shareWeighted += c.share * rate;
			shareWeight += rate;
		}
		timeseries.append({
			epoch: epochIndex,
			dayStart: epochStartMs / MS_PER_DAY,
			activeNodes: active,
			servingNodes: serving,
			downNodes: down,
			joiningNodes: joining,
			joins: epochCounts.joins,
			exits: epochCounts.exits,
			ordersArrived: epochCounts.arrived,
			ordersServed: epochCounts.served,
			ordersRejected: epochCounts.rejected,
			ordersWaiting: totals.waiting,
			ordersRunning: totals.running,
			demandShare: shareWeight > 0 ? shareWeighted / shareWeight : Number.NaN,
			utilisation: active > 0 ? busyMs / (active * hours * MS_PER_HOUR) : 0,
			clearingPriceUsdPerGpuHour:
				epochCounts.priceGpuHours > 0 ? epochCounts.priceUsd / epochCounts.priceGpuHours : Number.NaN,
			cloudPriceUsdPerGpuHour:
				epochCounts.cloudPriceGpuHours > 0 ? epochCounts.cloudPriceUsd / epochCounts.cloudPriceGpuHours : Number.NaN,
			replicas,
			requestsArrived: epochRequests.arrived,
			requestsSlaMissed: epochRequests.slaMissed,
			p95LatencyMs: p95,
			cloudP95LatencyMs: cloudP95,
			providerRevenueUsd: revenueUsd,
			providerMarginUsdPerGpuHour: live > 0 ? marginSum / live : Number.NaN,
			smoothedMarginUsdPerGpuHour: live > 0 ? ewmaSum / live : Number.NaN,
			...tokenColumns(flows, live),
		});
		for (const key of Object.keys(epochCounts) as (keyof typeof epochCounts)[]) epochCounts[key] = 0;
		epochRequests.arrived = 0;
		epochRequests.slaMissed = 0;
		epochRequests.latency.reset();
		epochRequests.cloudLatency.reset();
		if (options.checkInvariants) checkInvariants();
	};

	/** The tenant's choice for the coming epoch, from what it saw in the last one. */
	const updateChoice = (classState: ClassState, choice: JobClass["choice"]): void => {
		if (classState.epochDepinWork > 0)
			classState.depinCostPerWork = classState.epochDepinCost / classState.epochDepinWork;
		if (classState.epochCloudWork > 0)
			classState.cloudCostPerWork = classState.epochCloudCost / classState.epochCloudWork;
		const saving =
			Number.isFinite(classState.depinCostPerWork) && Number.isFinite(classState.cloudCostPerWork)
				? 1 - classState.depinCostPerWork / classState.cloudCostPerWork
				: 0.5;
		const servedDepin = classState.epochOffered > 0 ? classState.epochAwarded / classState.epochOffered : 1;
		const servedCloud =
			classState.epochCloudOffered > 0 ? classState.epochCloudServed / classState.epochCloudOffered : 1;
		classState.share = depinShare(choice, saving, servedDepin, servedCloud);
		classState.epochDepinCost = 0;
		classState.epochDepinWork = 0;
		classState.epochCloudCost = 0;
		classState.epochCloudWork = 0;
		classState.epochOffered = 0;
		classState.epochAwarded = 0;
		classState.epochCloudOffered = 0;
		classState.epochCloudServed = 0;
	};

	const demandModels = scenario.demand.classes.map(
		(spec) =>
			new DemandModel(
				spec.kind === "realtime" ? spec.requestsPerSecond * 3600 : spec.ordersPerHour,
				spec.arrival,
				populationWeights,
				longitudes,
			),
	);
	const kindEpoch = engine.registerKind("epoch", (epoch) => {
		if (epoch > 0) closeEpoch(engine.now);
		epochIndex = epoch;
		epochStartMs = engine.now;
		options.onEpoch?.(epoch, epochs, engine.eventsFired);
		const midpoint = epochStartMs + Math.min(epochMs, horizonMs - epochStartMs) / 2;
		for (const classState of jobClasses) {
			const spec = classState.spec;
			updateChoice(classState, spec.choice);
			classState.demand = (demandModels[classState.index] as DemandModel).at(midpoint);
			if (classState.nextArrivalHandle >= 0) engine.cancel(classState.nextArrivalHandle);
			scheduleNextArrival(classState);
		}
		const sampled =
			requestMode === "full" || (requestMode === "sampled" && epoch % scenario.requests.sampleEveryEpochs === 0);
		for (const classState of realtimeClasses) {
			const spec = classState.spec;
			updateChoice(classState, spec.choice);
			classState.demand = (demandModels[classState.index] as DemandModel).at(midpoint);
			autoscale(classState);
			if (sampled) requestWindow(classState, Math.min(windowMs, horizonMs - epochStartMs));
		}
		if (sampled && realtimeClasses.length > 0) sampledEpochs++;
		if (epochStartMs + epochMs < horizonMs) engine.schedule(epochMs, kindEpoch, epoch + 1);
	});

	const checkInvariants = (): void => {
		const inFlight = totals.waiting + totals.running;
		if (totals.arrived !== totals.served + totals.rejected + inFlight) {
			throw new Error(
				`job conservation broken: arrived ${totals.arrived} ≠ served ${totals.served} + rejected ${totals.rejected} + in flight ${inFlight}`,
			);
		}
		let idleCount = 0;
		let runningJobs = 0;
		for (let node = 0; node < nodes.count; node++) {
			const state = nodes.state[node];
			if (state === NodeState.idle) {
				idleCount++;
				if (!idle.has(node)) throw new Error(`idle node ${node} missing from the idle index`);
			} else if (idle.has(node)) throw new Error(`node ${node} (state ${state}) is in the idle index`);
			if (
				state === NodeState.serving &&
				(nodes.job[node] as number) >= 0 &&
				jobFirstNode[nodes.job[node] as number] === node
			) {
				runningJobs++;
			}
		}
		if (idleCount !== idle.size) throw new Error(`idle index holds ${idle.size} nodes, ${idleCount} are idle`);
		if (runningJobs !== totals.running) throw new Error(`${totals.running} jobs counted running, ${runningJobs} found`);
		economy?.ledger.checkConservationFull();
	};

	// ── Start: the initial population, outages, the first epoch ──────────────────────────
	const placeRng = streams.stream("nodes/initial");
	if (inputs.snapshot !== undefined) {
		for (const row of inputs.snapshot) {
			const gpuIndex = catalog.gpuIndexById.get(row.gpu) ?? missing("GPU", row.gpu);
			const metroIndex = metros.findIndex((m) => m.id === row.metro);
			if (metroIndex < 0) throw new Error(`snapshot metro "${row.metro}" is not in play`);
			for (let k = 0; k < row.count; k++) createNode(gpuIndex, metroIndex, NodeState.idle, 0);
		}
	} else {
		for (let k = 0; k < scenario.nodes.initialCount; k++) {
			createNode(mixGpu[mixChoice.sample(placeRng)] as number, initialMetroChoice.sample(placeRng), NodeState.idle, 0);
		}
	}
	for (let node = 0; node < nodes.count; node++) {
		if (metroAllowed[nodes.metro[node] as number] === 0) {
			nodes.state[node] = NodeState.exited;
			continue;
		}
		idle.add(node, nodes.gpu[node] as number, nodes.metro[node] as number);
		// The starting fleet's stakes come from holders (no market purchase at t = 0).
		economy?.nodeJoined(node, false);
		scheduleFailure(node);
	}
	nodesStart = idle.size;
	providers.outages.forEach((outage, i) => {
		const start = Math.round(outage.startDay * MS_PER_DAY);
		if (start >= horizonMs) return;
		engine.scheduleAt(start, kindOutageStart, i);
		const end = start + Math.round(outage.durationHours * MS_PER_HOUR);
		if (end < horizonMs) engine.scheduleAt(end, kindOutageEnd, i);
	});
	engine.scheduleAt(0, kindEpoch, 0);
	engine.run(horizonMs);
	closeEpoch(horizonMs);

	/** Payback and profitability over every node that served, from its lifetime margin. */
	const paybackFigures = (): { medianPaybackDays: number | null; shareProfitable: number } => {
		const paybackDays: number[] = [];
		let profitable = 0;
		for (let node = 0; node < nodes.count; node++) {
			const state = nodes.state[node];
			if (state === NodeState.joining) continue;
			const endMs = state === NodeState.exited ? (nodes.leaseEndMs[node] as number) : horizonMs;
			const liveDays = (endMs - (nodes.joinedAtMs[node] as number)) / MS_PER_DAY;
			if (!(liveDays > 0)) continue;
			const gpuIndex = nodes.gpu[node] as number;
			const margin = nodes.cumulativeMarginUsd[node] as number;
			const capex = (gpus[gpuIndex] as GpuSpec).capexUsd;
			paybackDays.push(margin > 0 ? (capex * liveDays) / margin : Number.POSITIVE_INFINITY);
			if (margin > (capexPerHourByGpu[gpuIndex] as number) * liveDays * 24) profitable++;
		}
		if (paybackDays.length === 0) return { medianPaybackDays: null, shareProfitable: 0 };
		const middle = median(paybackDays);
		return {
			medianPaybackDays: Number.isFinite(middle) ? middle : null,
			shareProfitable: profitable / paybackDays.length,
		};
	};

	// ── KPIs ──────────────────────────────────────────────────────────────────────────────
	let activeEnd = 0;
	for (let node = 0; node < nodes.count; node++) {
		const state = nodes.state[node];
		if (state === NodeState.idle || state === NodeState.serving) activeEnd++;
	}
	const kpis: NetworkKpis = {
		...twinKpis({
			latency,
			networkRtt,
			timeToServe: timeToServeMinutes,
			gpuHours: totals.leaseGpuHours,
			costUsd: totals.leaseCostUsd,
			jobs: {
				arrived: totals.arrived,
				served: totals.served,
				rejected: totals.rejected,
				inFlight: totals.waiting + totals.running,
			},
			requests: requestMode === "none" ? null : requests,
		}),
		nodes: {
			start: nodesStart,
			end: activeEnd,
			min: Math.min(nodesMin, nodesStart),
			max: Math.max(nodesMax, nodesStart),
		},
		demandShare: ratio(totals.arrived, cloud.arrived),
		utilisation: totals.liveNodeMs > 0 ? totals.busyMs / totals.liveNodeMs : 0,
		interruptions: totals.interruptions,
		verification: {
			auditOverheadShare: auditOverhead,
			fraudDetected: totals.fraudDetected,
			fraudUndetected: totals.fraudUndetected,
		},
		protocolFeesUsd: totals.feesUsd,
		providers: {
			revenueUsd: totals.providerRevenueUsd,
			operatingCostUsd: totals.providerCostUsd,
			joins: totals.joins,
			exits: totals.exits,
			tokenRewardsUsd: totals.tokenRewardUsd,
			...paybackFigures(),
		},
		tokens:
			economy === null
				? null
				: {
						symbol: tokenomics.symbol,
						decimals: tokenomics.decimals,
						supplyStart: String(economy.ledger.initialSupply),
						minted: String(economy.ledger.minted),
						burned: String(economy.ledger.burned),
						supplyEnd: String(economy.ledger.supply),
						treasury: String(economy.ledger.balance("treasury")),
						staked: String(economy.ledger.stakedTotal),
						slashed: String(totals.slashedUnits),
						priceUsd: {
							start: economy.priceStartUsd,
							end: economy.priceUsd,
							min: economy.priceMinUsd,
							max: economy.priceMaxUsd,
						},
						burnSpentUsd: totals.burnSpentUsd,
					},
		requestFidelity: { mode: requestMode, windowSeconds: requestMode === "none" ? 0 : windowMs / 1000, sampledEpochs },
	};
	const baseline = twinKpis({
		latency: cloudLatency,
		networkRtt: cloudNetworkRtt,
		timeToServe: cloudTimeToServeMinutes,
		gpuHours: cloud.gpuHours,
		costUsd: cloud.costUsd,
		jobs: { arrived: cloud.arrived, served: cloud.served, rejected: cloud.rejected, inFlight: cloud.inFlight },
		requests: requestMode === "none" ? null : cloudRequests,
	});
	return { kpis, baseline, timeseries, eventsFired: engine.eventsFired + requestEvents, epochs };
}

/** The figures every twin reports, DePIN and cloud alike, from its tallies. */
function twinKpis(twin: {
	latency: LogHistogram;
	networkRtt: LogHistogram;
	timeToServe: LogHistogram;
	gpuHours: number;
	costUsd: number;
	jobs: TwinKpis["jobs"];
	requests: RequestTally | null;
}): TwinKpis {
	const { jobs, requests } = twin;
	const requestsServed = requests?.served ?? 0;
	const requestsArrived = requests?.arrived ?? 0;
	return {
		latencyMs: latencyKpi(twin.latency),
		networkRttMs: latencyKpi(twin.networkRtt),
		gpuHourPriceUsd: ratio(twin.costUsd, twin.gpuHours),
		costUsdPer1kTokens: requests === null ? null : ratio(requests.costUsd * 1000, requests.tokens),
		servedFraction: ratio(jobs.served + requestsServed, jobs.served + jobs.rejected + requestsArrived),
		timeToServeMinutes: latencyKpi(twin.timeToServe),
		jobs,
		requests:
			requests === null ? null : { arrived: requests.arrived, served: requests.served, slaMissed: requests.slaMissed },
	};
}

/**
 * byNode[nodes[i]] = byPosition[i] for i < count. Module-level: a per-node loop inside the
 * epoch's closing closure got it compiled on the stack and deoptimised on every epoch.
 */
function scatterByNode(byNode: Float64Array, nodes: Int32Array, byPosition: Float64Array, count: number): void {
	for (let i = 0; i < count; i++) byNode[nodes[i] as number] = byPosition[i] as number;
}

interface RequestTally {
	arrived: number;
	served: number;
	slaMissed: number;
	costUsd: number;
	tokens: number;
}

function accumulate(
	tally: RequestTally,
	latency: LogHistogram,
	rtt: LogHistogram,
	result: ReturnType<typeof simulateRequests>,
	replicaCostUsd: number,
	tokensPerRequest: number,
): void {
	tally.arrived += result.arrived;
	tally.served += result.served;
	tally.slaMissed += result.slaMissed;
	// Cost per 1k tokens counts only the classes that generate tokens.
	if (tokensPerRequest > 0) {
		tally.costUsd += replicaCostUsd;
		tally.tokens += result.served * tokensPerRequest;
	}
	latency.merge(result.latencyMs);
	rtt.merge(result.networkRttMs);
}

function selectArrivals(
	arrivals: { timeMs: Float64Array; metro: Int32Array },
	mask: Uint8Array,
): { timeMs: Float64Array; metro: Int32Array } {
	let n = 0;
	for (let i = 0; i < mask.length; i++) n += mask[i] as number;
	const timeMs = new Float64Array(n);
	const metro = new Int32Array(n);
	let k = 0;
	for (let i = 0; i < mask.length; i++) {
		if (mask[i] !== 1) continue;
		timeMs[k] = arrivals.timeMs[i] as number;
		metro[k] = arrivals.metro[i] as number;
		k++;
	}
	return { timeMs, metro };
}

/** Requests per second one replica on `gpu` sustains with full batches (0 if it cannot hold the model). */
function replicaCapacityRps(spec: RealtimeClass, gpu: GpuSpec, calibration: CalibrationProfile): number {
	if (gpu.memoryGb < spec.compute.weightsGb) return 0;
	const batch = spec.batching.maxBatch;
	const ms = computeTimeMs(batch, gpu, spec.compute, efficiencyFor(calibration, gpu));
	return ms > 0 ? (batch / ms) * 1000 : 0;
}

function requireId<T>(map: ReadonlyMap<string, T>, id: string, what: string): T {
	const value = map.get(id);
	if (value === undefined) missing(what, id);
	return value as T;
}

function missing(what: string, id: string): never {
	throw new Error(`unknown ${what} "${id}"`);
}
