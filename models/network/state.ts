/**
 * The run state of the network model: one object of fixed shape (every field assigned in its
 * constructor) that every subsystem function takes as its first argument. The job table and
 * the class states are classes too, so V8 sees one shape for each.
 */
import { Engine } from "../../sim/engine.js";
import { FifoRing } from "../../sim/fifo.js";
import type { RandomStream } from "../../sim/random/stream.js";
import { StreamFactory } from "../../sim/random/stream.js";
import { LogHistogram } from "../../sim/recorder/histogram.js";
import { EpochSeries } from "../../sim/recorder/series.js";
import { grownArray } from "../../sim/typed-arrays.js";
import type { EpochDemand } from "../demand.js";
import { samplerOf } from "../distribution-spec.js";
import { awardBuffer, type ClearingBuffers, type OrderTerms } from "../market.js";
import { IdleIndex, NodeTable } from "../nodes.js";
import { type EpochAccounting, emptyEpochAccounting } from "../provider-accounting.js";
import type { JobClass, RealtimeClass } from "../scenario/schema.js";
import { TokenEconomy } from "../tokenomics/economy.js";
import { MS_PER_MINUTE } from "../units.js";
import { cloudOffers, eligibility, NetworkSetup, replicaCapacityRps, requestSites, requireId } from "./setup.js";
import { type NetworkInputs, type NetworkOptions, TIMESERIES_COLUMNS, type TimeseriesColumn } from "./types.js";

export const JOB_WAITING = 1;
export const JOB_RUNNING = 2;
/** node.job value of a real-time replica of class c: −2 − c. */
export const replicaMarker = (classIndex: number): number => -2 - classIndex;

/** Jobs as a struct of arrays with a free list (ids are recycled through `firstNode`). */
export class JobTable {
	capacity = 1024;
	classIndex = new Uint8Array(this.capacity);
	origin = new Uint16Array(this.capacity);
	work = new Float64Array(this.capacity);
	arrivalMs = new Float64Array(this.capacity);
	state = new Uint8Array(this.capacity);
	/** Engine handle of a waiting job's timeout. */
	timeout = new Float64Array(this.capacity);
	/** First node of a running job (the rest chain through nodes.nextInJob); next free id of a free one. */
	firstNode = new Int32Array(this.capacity);
	reserveUsd = new Float64Array(this.capacity);
	/** 1: an audit caught a node of the job faking it; 2: a node faked it and was not caught. */
	fraud = new Uint8Array(this.capacity);
	freeHead = -1;
	count = 0;

	allocate(): number {
		if (this.freeHead >= 0) {
			const id = this.freeHead;
			this.freeHead = this.firstNode[id] as number;
			return id;
		}
		if (this.count === this.capacity) this.grow(this.capacity * 2);
		return this.count++;
	}

	free(job: number): void {
		this.state[job] = 0;
		this.fraud[job] = 0;
		this.firstNode[job] = this.freeHead;
		this.freeHead = job;
	}

	private grow(capacity: number): void {
		this.capacity = capacity;
		this.classIndex = grownArray(this.classIndex, capacity);
		this.origin = grownArray(this.origin, capacity);
		this.work = grownArray(this.work, capacity);
		this.arrivalMs = grownArray(this.arrivalMs, capacity);
		this.state = grownArray(this.state, capacity);
		this.timeout = grownArray(this.timeout, capacity);
		this.firstNode = grownArray(this.firstNode, capacity);
		this.reserveUsd = grownArray(this.reserveUsd, capacity);
		this.fraud = grownArray(this.fraud, capacity);
	}
}

/** What a class of demand observed in the last epoch, which drives the tenant's choice. */
export class ClassState {
	demand: EpochDemand | null = null;
	share = 1;
	depinCostPerWork = Number.NaN;
	cloudCostPerWork = Number.NaN;
	epochDepinCost = 0;
	epochDepinWork = 0;
	epochCloudCost = 0;
	epochCloudWork = 0;
	epochOffered = 0;
	epochAwarded = 0;
	/** The cloud twin's record of the same epoch: offered and served (within SLA for requests). */
	epochCloudOffered = 0;
	epochCloudServed = 0;
	/** Real-time requests answered over the SLA on each side (served and awarded exclude them). */
	epochSlaMissed = 0;
	epochCloudSlaMissed = 0;

	constructor(readonly index: number) {}
}

export class JobClassState extends ClassState {
	readonly waiting = new FifoRing(256);
	readonly eligibleGpu: Uint8Array;
	readonly work: { sample(rng: RandomStream): number };
	nextArrivalHandle = -1;
	readonly timeRng: RandomStream;
	readonly whatRng: RandomStream;
	readonly choiceRng: RandomStream;
	/** The cloud twin's cheapest offer per unit of work in each region (NaN: none). */
	readonly cloudOfferCostPerWork: Float64Array;
	readonly cloudOfferHoursPerWork: Float64Array;

	constructor(
		index: number,
		readonly spec: JobClass,
		setup: NetworkSetup,
		streams: StreamFactory,
	) {
		super(index);
		this.eligibleGpu = eligibility(setup.gpus, spec.hardware, 0);
		this.work = samplerOf(spec.workH100Hours);
		this.timeRng = streams.stream(`demand/${spec.id}/arrivals`);
		this.whatRng = streams.stream(`demand/${spec.id}/orders`);
		this.choiceRng = streams.stream(`demand/${spec.id}/choice`);
		const offers = cloudOffers(setup, this.eligibleGpu, spec.gpusPerJob);
		this.cloudOfferCostPerWork = offers.costPerWork;
		this.cloudOfferHoursPerWork = offers.hoursPerWork;
	}
}

export class RealtimeClassState extends ClassState {
	readonly eligibleGpu: Uint8Array;
	/** Requests per second a replica on each GPU class sustains at full batches. */
	readonly capacityRpsByGpu: Float64Array;
	readonly cloudCapacityRps: number;
	readonly replicas: number[] = [];
	requiredCapacityRps = 0;
	/** Batch compute times of the GPU classes met so far (the request windows' tables). */
	readonly batchTimes: { readonly tables: Float64Array[]; readonly tableOfGpu: Int32Array };
	readonly replicaRng: RandomStream;

	constructor(
		index: number,
		readonly spec: RealtimeClass,
		setup: NetworkSetup,
		streams: StreamFactory,
	) {
		super(index);
		const { gpus, calibration } = setup;
		this.eligibleGpu = eligibility(gpus, spec.hardware, spec.compute.weightsGb);
		// Audits re-execute a share of the work, which takes replica capacity (C11).
		this.capacityRpsByGpu = Float64Array.from(
			gpus,
			(g) => replicaCapacityRps(spec, g, calibration) / (1 + setup.auditOverhead),
		);
		const cloudGpu = requireId(setup.catalog.gpuById, setup.scenario.cloud.realtimeGpu, "GPU");
		this.cloudCapacityRps = replicaCapacityRps(spec, cloudGpu, calibration);
		this.batchTimes = { tables: [], tableOfGpu: new Int32Array(gpus.length).fill(-1) };
		this.replicaRng = streams.stream(`demand/${spec.id}/replicas`);
	}
}

/** Run totals of the DePIN side. */
export class Totals {
	arrived = 0;
	served = 0;
	rejected = 0;
	waiting = 0;
	running = 0;
	interruptions = 0;
	leaseGpuHours = 0;
	leaseCostUsd = 0;
	feesUsd = 0;
	joins = 0;
	exits = 0;
	busyMs = 0;
	liveNodeMs = 0;
	providerRevenueUsd = 0;
	providerCostUsd = 0;
	fraudDetected = 0;
	fraudUndetected = 0;
	slashedUnits = 0;
	tokenRewardUsd = 0;
	burnSpentUsd = 0;
	/** Providers who left at their GPU's end of life rather than buy again. */
	retired = 0;
}

/** Counts of the epoch under way (one timeseries row), reset when it closes. */
export class EpochCounts {
	arrived = 0;
	served = 0;
	rejected = 0;
	joins = 0;
	exits = 0;
	priceGpuHours = 0;
	priceUsd = 0;
	cloudPriceGpuHours = 0;
	cloudPriceUsd = 0;
	/** Real-time requests of the epoch's windows, and their latencies on each side. */
	requestsArrived = 0;
	requestsSlaMissed = 0;
	readonly latency = new LogHistogram();
	readonly cloudLatency = new LogHistogram();

	reset(): void {
		this.arrived = 0;
		this.served = 0;
		this.rejected = 0;
		this.joins = 0;
		this.exits = 0;
		this.priceGpuHours = 0;
		this.priceUsd = 0;
		this.cloudPriceGpuHours = 0;
		this.cloudPriceUsd = 0;
		this.requestsArrived = 0;
		this.requestsSlaMissed = 0;
		this.latency.reset();
		this.cloudLatency.reset();
	}
}

/** Requests of one twin over the run. */
export class RequestTally {
	arrived = 0;
	served = 0;
	slaMissed = 0;
	costUsd = 0;
	tokens = 0;
}

/** What one twin (DePIN or cloud) records over the run for its KPIs. */
export class TwinRecord {
	readonly latency = new LogHistogram();
	readonly networkRtt = new LogHistogram();
	readonly timeToServeMinutes = new LogHistogram();
	readonly requests = new RequestTally();
	/** One request window's histograms, merged into the run's and the epoch's before the next window. */
	readonly window = { latencyMs: new LogHistogram(), networkRttMs: new LogHistogram(), waitMs: new LogHistogram() };
}

/** The cloud twin's jobs over the run. */
export class CloudJobs {
	arrived = 0;
	served = 0;
	rejected = 0;
	inFlight = 0;
	gpuHours = 0;
	costUsd = 0;
}

/** Engine ids of the event kinds, set once when run.ts registers the handlers. */
export class EventKinds {
	nodeFailure = -1;
	nodeRepair = -1;
	nodeJoin = -1;
	endOfLife = -1;
	outageStart = -1;
	outageEnd = -1;
	orderTimeout = -1;
	leaseEnd = -1;
	orderArrival = -1;
	epoch = -1;
}

/** Per-node token figures of the last epoch (token runs; empty otherwise). */
export class RewardBuffers {
	/** Reward paid to each node id last epoch (revenue in this epoch's books), base units. */
	paidUnits: Float64Array;
	/** Units paid and sold, by position in the books' list of reward nodes. */
	paidByPosition: Float64Array;
	soldByPosition: Float64Array;
	/** Active nodes at the end of each day (the momentum trader's signal). */
	readonly activeByDay: number[] = [];

	constructor(size: number) {
		this.paidUnits = new Float64Array(size);
		this.paidByPosition = new Float64Array(size);
		this.soldByPosition = new Float64Array(size);
	}
}

/** The named streams of the providers' own draws (setup.draws). */
export class ProviderStreams {
	readonly powerPrice: RandomStream;
	readonly capex: RandomStream;
	readonly exit: RandomStream;
	readonly askPolicy: RandomStream;
	readonly hurdle: RandomStream;

	constructor(streams: StreamFactory) {
		this.powerPrice = streams.stream("providers/power-price");
		this.capex = streams.stream("providers/capex");
		this.exit = streams.stream("providers/exit");
		this.askPolicy = streams.stream("providers/ask-policy");
		this.hurdle = streams.stream("providers/hurdle");
	}
}

export class NetworkState {
	readonly setup: NetworkSetup;
	readonly checkInvariants: boolean;
	/** The caller's progress callback, called at each epoch start. */
	readonly epochCallback: NetworkOptions["onEpoch"] | null;
	readonly streams: StreamFactory;
	readonly engine: Engine;
	readonly kinds = new EventKinds();
	readonly economy: TokenEconomy | null;
	readonly burnAndMint: boolean;
	/** Share of a lease's price that reaches the provider in fiat (burn-and-mint: none, rewards pay). */
	readonly fiatShareToProvider: number;
	readonly nodes: NodeTable;
	readonly idle: IdleIndex;
	readonly providerRng: RandomStream;
	readonly failureRng: RandomStream;
	readonly honestyRng: RandomStream;
	readonly auditRng: RandomStream;
	readonly cloudRng: RandomStream;
	readonly entryRng: RandomStream;
	readonly entryPlaceRng: RandomStream;
	/** One stream per provider draw (setup.draws), so adding one shifts no other. */
	readonly providerStreams: ProviderStreams;
	/** Recent clearing price (USD per GPU-hour, NaN: none yet) and utilisation of each GPU class. */
	readonly clearingByGpu: Float64Array;
	readonly utilisationByGpu: Float64Array;
	/** Mean ask of each GPU class's live nodes last epoch (market asks follow it; NaN: none yet). */
	readonly goingRateByGpu: Float64Array;
	/** GPU-hours leased and their price this epoch, by GPU class (the clearing price's inputs). */
	readonly epochLeaseGpuHoursByGpu: Float64Array;
	readonly epochLeaseUsdByGpu: Float64Array;
	readonly jobs = new JobTable();
	readonly jobClasses: JobClassState[] = [];
	readonly realtimeClasses: RealtimeClassState[] = [];
	/** Lookups by class index are arrays, not maps: they sit on the hottest paths. */
	readonly jobClassByIndex: JobClassState[] = [];
	readonly realtimeByIndex: RealtimeClassState[] = [];
	epochIndex = -1;
	epochStartMs = 0;
	readonly totals = new Totals();
	readonly epochCounts = new EpochCounts();
	readonly depin = new TwinRecord();
	readonly cloud = new TwinRecord();
	readonly cloudJobs = new CloudJobs();
	/** Events of the request windows (simulated outside the engine). */
	requestEvents = 0;
	sampledEpochs = 0;
	nodesMin = Number.POSITIVE_INFINITY;
	nodesMax = 0;
	nodesStart = 0;
	prospectivePool: number;
	readonly timeseries: EpochSeries<TimeseriesColumn>;
	readonly clearing: ClearingBuffers;
	/** One reusable terms object: an order's terms are read only while it is being cleared. */
	readonly jobTerms: { -readonly [K in keyof OrderTerms]: OrderTerms[K] };
	readonly books: EpochAccounting;
	readonly rewards: RewardBuffers;
	/** Active outages that cover each metro. */
	readonly metroOutageCount: Uint16Array;
	readonly depinSitesByRtt: Int32Array[];
	readonly cloudSitesByRtt: Int32Array[];

	constructor(inputs: NetworkInputs, options: NetworkOptions) {
		const setup = new NetworkSetup(inputs);
		const { scenario } = setup;
		this.setup = setup;
		this.checkInvariants = options.checkInvariants === true;
		this.epochCallback = options.onEpoch ?? null;
		this.streams = new StreamFactory(scenario.seed, options.runIndex ?? 0);
		// Order arrivals (seconds apart) wait in the engine's small soon heap, apart from the
		// thousands of lease ends and failures due hours ahead.
		this.engine = new Engine({ initialCapacity: 4096, soonWithinTicks: MS_PER_MINUTE });
		const tokenomics = scenario.tokenomics;
		this.economy = tokenomics.enabled
			? new TokenEconomy(tokenomics, {
					marketRng: this.streams.stream("tokens/market"),
					...(inputs.tokenPriceHistory === undefined ? {} : { history: inputs.tokenPriceHistory }),
				})
			: null;
		this.burnAndMint = this.economy !== null && tokenomics.burnAndMint.enabled;
		this.fiatShareToProvider = this.burnAndMint ? 0 : 1 - scenario.market.takeRate;
		this.nodes = new NodeTable(Math.max(1024, scenario.nodes.initialCount * 1.25));
		this.idle = new IdleIndex(setup.gpus.length, setup.metroCount);
		this.providerRng = this.streams.stream("providers/asks");
		this.failureRng = this.streams.stream("providers/failures");
		this.honestyRng = this.streams.stream("verification/honesty");
		this.auditRng = this.streams.stream("verification/audits");
		this.cloudRng = this.streams.stream("cloud/availability");
		this.entryRng = this.streams.stream("providers/entry");
		this.entryPlaceRng = this.streams.stream("providers/entry-place");
		this.providerStreams = new ProviderStreams(this.streams);
		this.clearingByGpu = setup.marketPriceByGpu.slice();
		this.utilisationByGpu = new Float64Array(setup.gpus.length);
		this.goingRateByGpu = setup.marketPriceByGpu.slice();
		this.epochLeaseGpuHoursByGpu = new Float64Array(setup.gpus.length);
		this.epochLeaseUsdByGpu = new Float64Array(setup.gpus.length);
		scenario.demand.classes.forEach((spec, index) => {
			if (spec.kind === "realtime") {
				const classState = new RealtimeClassState(index, spec, setup, this.streams);
				this.realtimeClasses.push(classState);
				this.realtimeByIndex[index] = classState;
			} else {
				const classState = new JobClassState(index, spec, setup, this.streams);
				this.jobClasses.push(classState);
				this.jobClassByIndex[index] = classState;
			}
		});
		this.prospectivePool = scenario.providers.entry.prospectivePool;
		this.timeseries = new EpochSeries<TimeseriesColumn>(TIMESERIES_COLUMNS, Math.min(setup.epochs, 100_000));
		this.clearing = clearingBuffers(scenario.market.maxCandidates, this.jobClasses);
		this.jobTerms = {
			originMetro: 0,
			gpus: 1,
			eligibleGpu: new Uint8Array(setup.gpus.length),
			work: 0,
			gpuHoursPerWork: setup.hoursPerWorkByGpu,
			reserveUsd: 0,
			maxRttMs: Number.POSITIVE_INFINITY,
		};
		this.books = emptyEpochAccounting(setup.gpus.length);
		this.rewards = new RewardBuffers(this.economy === null ? 0 : 1024);
		this.metroOutageCount = new Uint16Array(setup.metroCount);
		const sites = requestSites(setup);
		this.depinSitesByRtt = sites.depin;
		this.cloudSitesByRtt = sites.cloud;
	}
}

function clearingBuffers(maxCandidates: number, jobClasses: readonly JobClassState[]): ClearingBuffers {
	const candidateCapacity = Math.max(maxCandidates, 1024);
	return {
		candidates: new Int32Array(candidateCapacity),
		scratchCost: new Float64Array(candidateCapacity),
		award: awardBuffer(Math.max(1, ...jobClasses.map((c) => c.spec.gpusPerJob))),
	};
}
