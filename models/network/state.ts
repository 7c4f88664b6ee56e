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
import type { WasmArena } from "../../sim/wasm-arena.js";
import type { EpochDemand } from "../demand.js";
import { samplerOf } from "../distribution-spec.js";
import type { IterationCost } from "../latency.js";
import { awardBuffer, type ClearingBuffers, type OrderTerms } from "../market.js";
import { IdleIndex, NodeTable } from "../nodes.js";
import { type EpochAccounting, emptyEpochAccounting } from "../provider-accounting.js";
import type { JobClass, RealtimeClass } from "../scenario/schema.js";
import { TokenEconomy } from "../tokenomics/economy.js";
import { MS_PER_MINUTE } from "../units.js";
import {
	type CloudRealtimeChoice,
	cloudJobHomes,
	cloudOffers,
	cloudOutageWindowsOf,
	cloudRealtimeChoice,
	eligibility,
	NetworkSetup,
	profileHoursPerWorkByGpu,
	replicaCapacityRps,
	requestSites,
	rttAllowanceMs,
	sizingDemand,
} from "./setup.js";
import { type NetworkInputs, type NetworkOptions, TIMESERIES_COLUMNS, type TimeseriesColumn } from "./types.js";

/** Default timeout of a real-time request as a multiple of its SLA (assumption, docs/assumptions.md). */
export const TIMEOUT_SLA_MULTIPLE = 5;

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
	/** 1 once the job has started (a requeued job restarts: its time to serve is its first start's). */
	started = new Uint8Array(this.capacity);
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
		this.started[job] = 0;
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
		this.started = grownArray(this.started, capacity);
	}
}

/** One real-time class's requests on one side (DePIN or cloud) over the run: the per-class KPIs. */
export class ClassRequestTally {
	arrived = 0;
	/** Served without failing (the timed-out ones are not served). */
	served = 0;
	/** Served, slower than the SLA (timeouts excluded). */
	slaMissed = 0;
	/** Failed: no live replica at all, or none within reach (the RTT alone exceeds the timeout). */
	failedNoReplica = 0;
	/** Failed: the replica went down mid-window and failover was none. */
	failedReplicaDown = 0;
	/** Failed: latency above the class's timeout. */
	failedTimeout = 0;
	/** Replica cost of the windows, USD. */
	costUsd = 0;
	/** Autoscaler sizings with demand, and those where demand alone needed fewer than minReplicas. */
	sizings = 0;
	sizingsAtFloor = 0;
	/** End-to-end latency of the requests that completed (timeouts included), ms. */
	readonly latencyMs = new LogHistogram();
	/** Time to first token (LLM classes), ms. */
	readonly ttftMs = new LogHistogram();
	/** Time per output token after the first (LLM classes), ms. */
	readonly tpotMs = new LogHistogram();
}

/** One job class's orders on one side (DePIN or cloud) over the run: the per-class KPIs. */
export class ClassJobTally {
	arrived = 0;
	served = 0;
	/** Not served: timed out in the queue (to the cloud) or refused. */
	rejected = 0;
	/** Not served: the node failed with failover none. */
	failed = 0;
	/** Interrupted by a node going down (then requeued or failed). */
	interrupted = 0;
	/** What tenants paid: leases, plus moving the input data (cloud egress), USD. */
	costUsd = 0;
	/** Part of costUsd that moved data, USD. */
	transferCostUsd = 0;
	/** H100-hours of work of the jobs that started (× GPUs per job). */
	workH100Hours = 0;
	readonly timeToServeMinutes = new LogHistogram();
	/** Time to move a job's input to its node, minutes. */
	readonly transferMinutes = new LogHistogram();
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
	readonly work: { sample(rng: RandomStream): number; readonly mean: number };
	nextArrivalHandle = -1;
	readonly timeRng: RandomStream;
	readonly whatRng: RandomStream;
	readonly choiceRng: RandomStream;
	/** The cloud twin's cheapest offer per unit of work in each region (NaN: none). */
	readonly cloudOfferCostPerWork: Float64Array;
	readonly depinJobs = new ClassJobTally();
	readonly cloudJobs = new ClassJobTally();
	readonly cloudOfferHoursPerWork: Float64Array;
	/** GPU class of that offer in each region (-1: none). */
	readonly cloudOfferGpu: Int32Array;
	/** The region a job whose nearest region is r runs in when all are up (cloud.jobPlacement). */
	readonly cloudHomeRegion: Int32Array;
	/** A render class: its work is FP32 work, converted between cards and priced per H100-hour apart. */
	readonly render: boolean;
	/** GPU-hours one H100-hour of this class's work takes on each GPU class (render work: by FP32 peak). */
	readonly hoursPerWorkByGpu: Float64Array;

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
		this.render = spec.kind === "render";
		// A class that states what its work is converts it by the roofline of that profile; else by FP32 peak
		// (render) or achieved FP16 tensor rate.
		this.hoursPerWorkByGpu =
			spec.workProfile !== undefined
				? profileHoursPerWorkByGpu(setup, spec.workProfile)
				: this.render
					? setup.renderHoursPerWorkByGpu
					: setup.hoursPerWorkByGpu;
		const offers = cloudOffers(setup, this.eligibleGpu, spec.gpusPerJob, this.hoursPerWorkByGpu);
		this.cloudOfferCostPerWork = offers.costPerWork;
		this.cloudOfferHoursPerWork = offers.hoursPerWork;
		this.cloudOfferGpu = offers.gpu;
		this.cloudHomeRegion = cloudJobHomes(setup, spec, offers.costPerWork, this.work.mean);
	}
}

export class RealtimeClassState extends ClassState {
	readonly eligibleGpu: Uint8Array;
	/** Requests per second a replica on each GPU class sustains at full batches. */
	readonly capacityRpsByGpu: Float64Array;
	/** The GPU the cloud serves this class on, with its capacity and prices per region. */
	readonly cloudGpu: CloudRealtimeChoice;
	readonly cloudCapacityRps: number;
	readonly replicas: number[] = [];
	requiredCapacityRps = 0;
	/** Batch compute times (and iteration costs) of the GPU classes met so far (the request windows' tables). */
	readonly batchTimes: {
		readonly tables: Float64Array[];
		readonly iterations: IterationCost[];
		readonly tableOfGpu: Int32Array;
	};
	readonly replicaRng: RandomStream;
	readonly depinRequests = new ClassRequestTally();
	readonly cloudRequests = new ClassRequestTally();
	/** A request slower than this fails, ms (the class's timeoutMs, or a multiple of its SLA). */
	readonly timeoutMs: number;
	/** Where in the epoch the request window stands for replica failures (request-window.ts). */
	readonly windowOffsetRng: RandomStream;

	constructor(
		index: number,
		readonly spec: RealtimeClass,
		setup: NetworkSetup,
		streams: StreamFactory,
	) {
		super(index);
		const { gpus, calibration } = setup;
		this.eligibleGpu = eligibility(gpus, spec.hardware, spec.compute.weightsGb);
		// Capacity within the SLA on both sides (a card too slow for one request serves none); audits re-execute
		// a share of the work, which takes DePIN's replica capacity (C11).
		const demand = sizingDemand(setup, index);
		const allowanceMs = rttAllowanceMs(setup, spec, demand);
		this.capacityRpsByGpu = Float64Array.from(
			gpus,
			(g) => replicaCapacityRps(spec, g, calibration, allowanceMs) / (1 + setup.auditOverhead),
		);
		this.cloudGpu = cloudRealtimeChoice(setup, spec, calibration, demand, allowanceMs);
		this.cloudCapacityRps = this.cloudGpu.capacityRps;
		this.batchTimes = { tables: [], iterations: [], tableOfGpu: new Int32Array(gpus.length).fill(-1) };
		this.replicaRng = streams.stream(`demand/${spec.id}/replicas`);
		this.timeoutMs = spec.timeoutMs ?? TIMEOUT_SLA_MULTIPLE * spec.slaP95Ms;
		this.windowOffsetRng = streams.stream(`requests/${spec.id}/window-offset`);
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
	/** Lease value booked, net of refunds of cut leases, USD. */
	leaseCostUsd = 0;
	feesUsd = 0;
	/** Refunded to tenants for the unserved part of cut leases, USD. */
	refundedUsd = 0;
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
	/** Of tokenRewardUsd, burn-and-mint work rewards (the rest is emission), USD. */
	workRewardUsd = 0;
	burnSpentUsd = 0;
	/** Node-time live (not joining, not exited) and down, by hosting (0 residential, 1 data centre), ms. */
	readonly liveNodeMsByHosting = new Float64Array(2);
	readonly downNodeMsByHosting = new Float64Array(2);
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
	/** Refunds of cut leases this epoch, USD (tenants' spend is priceUsd − refundedUsd). */
	refundedUsd = 0;
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
		this.refundedUsd = 0;
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
	/** Prompt + generated tokens of the served requests (cost per 1k total tokens). */
	totalTokens = 0;
}

/**
 * GPU-hours rented and what they cost, by GPU class index; of them, render jobs' (FP32 work, which the
 * KPIs price per H100 FP32-hour apart from the tensor work of every other lease).
 */
export class GpuSpendTally {
	readonly gpuHours: Float64Array;
	readonly costUsd: Float64Array;
	readonly renderGpuHours: Float64Array;
	readonly renderCostUsd: Float64Array;
	/** H100-hours of work the GPU-hours did (each class's own conversion), tensor work and render work. */
	tensorWorkH100Hours = 0;
	renderWorkH100Hours = 0;

	constructor(gpuCount: number) {
		this.gpuHours = new Float64Array(gpuCount);
		this.costUsd = new Float64Array(gpuCount);
		this.renderGpuHours = new Float64Array(gpuCount);
		this.renderCostUsd = new Float64Array(gpuCount);
	}

	add(gpu: number, hours: number, costUsd: number, render: boolean, workH100Hours: number): void {
		this.gpuHours[gpu] = (this.gpuHours[gpu] as number) + hours;
		this.costUsd[gpu] = (this.costUsd[gpu] as number) + costUsd;
		if (!render) {
			this.tensorWorkH100Hours += workH100Hours;
			return;
		}
		this.renderWorkH100Hours += workH100Hours;
		this.renderGpuHours[gpu] = (this.renderGpuHours[gpu] as number) + hours;
		this.renderCostUsd[gpu] = (this.renderCostUsd[gpu] as number) + costUsd;
	}
}

/** What one twin (DePIN or cloud) records over the run for its KPIs. */
export class TwinRecord {
	readonly latency = new LogHistogram();
	readonly networkRtt = new LogHistogram();
	readonly requests = new RequestTally();
	/** One request window's histograms, merged into the run's and the epoch's before the next window. */
	readonly window = {
		latencyMs: new LogHistogram(),
		networkRttMs: new LogHistogram(),
		waitMs: new LogHistogram(),
		ttftMs: new LogHistogram(),
		tpotMs: new LogHistogram(),
	};
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

/**
 * The cloud twin's own tallies (issue 11): real-time replicas and their busy time, transfer
 * costs, GPU-hours and cost by GPU class, H100-hours of work, and GPUs in use where capacity
 * is limited.
 */
export class CloudTally {
	/** Replica-hours of the request windows, and the busy hours within them. */
	replicaHours = 0;
	replicaBusyHours = 0;
	/** Replicas placed per window: sum (for the mean), max, and windows counted. */
	replicasSum = 0;
	replicasMax = 0;
	/** Distinct regions holding replicas, summed over windows. */
	regionsSum = 0;
	windows = 0;
	/** Requests lost because their region was down and failover is none. */
	requestsLostToOutage = 0;
	/** Jobs moved to another region by failover, and jobs refused for want of capacity. */
	jobsFailedOver = 0;
	/**
	 * Jobs' times to serve summed in arrival order: the pooled mean's sum (the pooled buckets are the
	 * classes' histograms merged when the KPIs are read, which would add the classes' sums in another order).
	 */
	jobsTimeToServeSumMinutes = 0;
	jobsRefusedCapacity = 0;
	egressUsd = 0;
	interregionUsd = 0;
	/** Total cloud spend, transfers included (jobs and request windows), USD. */
	totalCostUsd = 0;
	/** GPU-hours rented and their cost, by GPU class (replicas and jobs). */
	readonly spend: GpuSpendTally;
	/** Work done, in H100-hours (jobs: their work; replicas: rented hours × the GPU's speed vs an H100). */
	h100Hours = 0;
	/** End times of the GPUs in use per [region · gpus + gpu] (only where capacity is limited). */
	readonly inUseEndMs: number[][];

	constructor(regionCount: number, gpuCount: number) {
		this.spend = new GpuSpendTally(gpuCount);
		this.inUseEndMs = Array.from({ length: regionCount * gpuCount }, () => []);
	}
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
	/** Burn-and-mint work rewards of the epoch: nodes, the USD value each served, and scratch (entries < count). */
	readonly work: { nodes: Int32Array; usd: Float64Array; paid: Float64Array; sold: Float64Array; count: number };

	/** `arena`: the node table's, where the books kernel reads and zeroes `paidUnits` in place. */
	constructor(
		size: number,
		readonly arena: WasmArena,
	) {
		this.paidUnits = arena.alloc(Float64Array, size);
		this.paidByPosition = new Float64Array(size);
		this.soldByPosition = new Float64Array(size);
		this.work = {
			nodes: new Int32Array(size),
			usd: new Float64Array(size),
			paid: new Float64Array(size),
			sold: new Float64Array(size),
			count: 0,
		};
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
	/** Burn-and-mint with work rewards: each job's value is re-minted to the node that served it. */
	readonly workRewards: boolean;
	/**
	 * Share of a lease's price that reaches the provider (burn-and-mint: as the work reward, in tokens minted at the
	 * job's USD value after the fee; none without work rewards).
	 */
	readonly fiatShareToProvider: number;
	/**
	 * Share of a lease's price the market keeps as its fee when the lease is booked: the take rate
	 * in a fiat market; 0 under burn-and-mint, whose fee is `burnAndMint.feeShare` of the spend
	 * burned at each epoch's close (counting both would charge the fee twice).
	 */
	readonly leaseTakeRate: number;
	readonly nodes: NodeTable;
	readonly idle: IdleIndex;
	readonly providerRng: RandomStream;
	readonly failureRng: RandomStream;
	readonly honestyRng: RandomStream;
	readonly auditRng: RandomStream;
	/** Each cloud region's down windows [start, end) ms: scripted plus drawn (setup.cloudOutageWindowsOf). */
	readonly cloudOutageWindows: readonly (readonly [number, number])[][];
	readonly cloudTally: CloudTally;
	/** DePIN lease GPU-hours and cost by the leased node's GPU class (the per-class GPU-hour price). */
	readonly depinLeaseByGpu: GpuSpendTally;
	readonly entryRng: RandomStream;
	readonly entryPlaceRng: RandomStream;
	readonly hostingRng: RandomStream;
	/** Hosting of prospects as they weigh joining (apart from the starting fleet's). */
	readonly entryHostingRng: RandomStream;
	readonly linkRng: RandomStream;
	readonly siteOutageRng: RandomStream;
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
	/** Burn-and-mint: refunds not yet netted against tenants' spend (an epoch refunded more than it booked), USD. */
	refundCarryUsd = 0;
	/** Time inside request windows over the run, ms (their lengths summed). */
	sampledWindowMs = 0;
	nodesMin = Number.POSITIVE_INFINITY;
	nodesMax = 0;
	nodesStart = 0;
	/** Nodes of the starting fleet by hosting. */
	readonly hostingAtStart = { residential: 0, datacenter: 0 };
	/** Nodes of the starting fleet by GPU class (catalogue index); sized in the constructor. */
	nodesStartByGpu: Int32Array = new Int32Array(0);
	/** Prospects that may still arrive (Infinity: no cap). */
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
		const bme = tokenomics.burnAndMint;
		this.workRewards = this.burnAndMint && bme.workRewardShare > 0;
		this.fiatShareToProvider = this.burnAndMint
			? (1 - bme.feeShare) * bme.workRewardShare
			: 1 - scenario.market.takeRate;
		this.leaseTakeRate = this.burnAndMint ? 0 : scenario.market.takeRate;
		this.nodes = new NodeTable(Math.max(1024, scenario.nodes.initialCount * 1.25));
		this.idle = new IdleIndex(setup.gpus.length, setup.metroCount);
		this.providerRng = this.streams.stream("providers/asks");
		this.failureRng = this.streams.stream("providers/failures");
		this.honestyRng = this.streams.stream("verification/honesty");
		this.auditRng = this.streams.stream("verification/audits");
		this.cloudOutageWindows = cloudOutageWindowsOf(setup, this.streams);
		this.cloudTally = new CloudTally(setup.regions.length, setup.gpus.length);
		this.depinLeaseByGpu = new GpuSpendTally(setup.gpus.length);
		this.entryRng = this.streams.stream("providers/entry");
		this.entryPlaceRng = this.streams.stream("providers/entry-place");
		this.hostingRng = this.streams.stream("providers/hosting");
		this.entryHostingRng = this.streams.stream("providers/entry-hosting");
		this.linkRng = this.streams.stream("providers/links");
		this.siteOutageRng = this.streams.stream("providers/site-outages");
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
		this.prospectivePool = scenario.providers.entry.prospectivePool ?? Number.POSITIVE_INFINITY;
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
			minLinkGbps: 0,
		};
		this.books = emptyEpochAccounting(setup.gpus.length);
		this.rewards = new RewardBuffers(this.economy === null ? 0 : 1024, this.nodes.arena);
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
