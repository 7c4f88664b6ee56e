/** The network model's public types: its inputs, options, KPIs and per-epoch series columns. */
import type { EpochSeries } from "../../sim/recorder/series.js";
import type { Catalog } from "../catalog.js";
import type { CalibrationProfile } from "../latency.js";
import type { Scenario } from "../scenario/schema.js";
import type { TokenPriceRow } from "../tokenomics/token-market.js";

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

/** Failures of real-time requests, by cause (a failed request is not served). */
export interface RequestFailures {
	/** No live replica at all, or none whose RTT is within the timeout. */
	readonly noReplica: number;
	/** The replica went down mid-window and failover was none. */
	readonly replicaDown: number;
	/** Latency above the class's timeout. */
	readonly timeout: number;
}

/** KPIs of one real-time class on one side. */
export interface RealtimeClassKpis {
	readonly id: string;
	readonly kind: "realtime";
	/** End-to-end latency of the requests that completed (timeouts included), ms. */
	readonly latencyMs: LatencyKpi | null;
	/** Time to first token and time per output token, ms: null until the request simulator reports them. */
	readonly ttftMs: LatencyKpi | null;
	readonly tpotMs: LatencyKpi | null;
	readonly slaMs: number;
	readonly timeoutMs: number;
	/** Share of completed requests slower than the SLA (timeouts included). */
	readonly slaMissShare: number | null;
	/** Served ÷ offered (every failure counts against it). */
	readonly servedFraction: number | null;
	/** 1 − (failed for want of a live replica) ÷ offered: failures of availability only, not of speed. */
	readonly availability: number | null;
	/** USD per 1,000 generated tokens (tokensPerRequest); null for classes that generate none. */
	readonly costUsdPer1kTokens: number | null;
	/** USD per 1,000 tokens processed: prompt (compute.promptTokens) + generated, as managed endpoints bill. */
	readonly costUsdPer1kTotalTokens: number | null;
	readonly costUsdPerImage: number | null;
	readonly costUsd: number;
	/**
	 * Share of the autoscaler's sizings (DePIN: every epoch; cloud: every request window) with demand where the
	 * demand alone needed fewer replicas than replicas.minReplicas: the floor, not the load, set the cost.
	 */
	readonly replicaFloorShare: number | null;
	readonly requests: { arrived: number; served: number; slaMissed: number; failed: RequestFailures };
}

/** KPIs of one job class on one side. */
export interface JobClassKpis {
	readonly id: string;
	readonly kind: "batch" | "training" | "render";
	/** Served ÷ (served + rejected + failed): jobs still in flight at the horizon left out. */
	readonly servedFraction: number | null;
	/** 1 − failed ÷ (served + rejected + failed): jobs lost to a node going down (failover none). */
	readonly availability: number | null;
	/** Share of started jobs interrupted by a node going down (requeued or failed). */
	readonly interruptedShare: number | null;
	/** From order to the first start of work (bid, deploy, data transfer), minutes: once per job (restarts of requeued jobs excluded). */
	readonly timeToServeMinutes: LatencyKpi | null;
	/** Moving the job's input to its nodes, minutes (DePIN; null on the cloud twin). */
	readonly transferMinutes: LatencyKpi | null;
	/** Share of the tenant's cost paid to move data (DePIN; null on the cloud twin). */
	readonly transferCostShare: number | null;
	/** What tenants paid per H100-hour of work (leases and data movement), USD. */
	readonly costUsdPerH100Hour: number | null;
	readonly costUsd: number;
	readonly jobs: { arrived: number; served: number; rejected: number; failed: number; interrupted: number };
}

export type ClassKpis = RealtimeClassKpis | JobClassKpis;

export interface TwinKpis {
	readonly latencyMs: LatencyKpi | null;
	readonly networkRttMs: LatencyKpi | null;
	readonly gpuHourPriceUsd: number | null;
	/** Pooled over the classes that generate tokens: USD per 1,000 generated tokens, and per 1,000 prompt + generated. */
	readonly costUsdPer1kTokens: number | null;
	readonly costUsdPer1kTotalTokens: number | null;
	readonly servedFraction: number | null;
	readonly timeToServeMinutes: LatencyKpi | null;
	readonly jobs: { arrived: number; served: number; rejected: number; inFlight: number };
	readonly requests: { arrived: number; served: number; slaMissed: number } | null;
	/** Every class of demand, in scenario order: the like-for-like figures (the pooled ones above sum them). */
	readonly classes: readonly ClassKpis[];
}

export interface NetworkKpis extends TwinKpis {
	readonly nodes: {
		start: number;
		end: number;
		min: number;
		max: number;
		/** Active nodes (idle or serving) of each GPU class at the start and the end, classes with any. */
		byGpu: { gpu: string; start: number; end: number }[];
	};
	readonly demandShare: number | null;
	readonly utilisation: number;
	readonly interruptions: number;
	/** Share of live node-time (not joining, not exited) that nodes were up, overall and by hosting (epoch-end samples). */
	readonly nodeUpShare: { all: number | null; residential: number | null; datacenter: number | null };
	/** Nodes by hosting at the start of the run. */
	readonly hosting: { residential: number; datacenter: number };
	readonly verification: { auditOverheadShare: number; fraudDetected: number; fraudUndetected: number };
	readonly protocolFeesUsd: number;
	readonly providers: {
		revenueUsd: number;
		operatingCostUsd: number;
		joins: number;
		exits: number;
		/** Of exits, providers who retired at their GPU's end of life rather than re-buy it. */
		retirements: number;
		/** Token rewards valued at the price when they were counted, USD (included in revenueUsd): emission + work. */
		tokenRewardsUsd: number;
		/** Of tokenRewardsUsd, the emission (the subsidy), USD. */
		tokenEmissionRewardsUsd: number;
		/** Of tokenRewardsUsd, burn-and-mint work payouts (the jobs' value re-minted to who served them), USD. */
		tokenWorkRewardsUsd: number;
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
	/** Emission and burn-and-mint work rewards together; the two parts follow. */
	readonly minted: string;
	readonly mintedEmission: string;
	readonly mintedWork: string;
	readonly burned: string;
	readonly supplyEnd: string;
	readonly treasury: string;
	readonly staked: string;
	readonly slashed: string;
	readonly priceUsd: { start: number; end: number; min: number; max: number };
	/** Fiat the protocol spent buying tokens to burn (burn-and-mint), USD. */
	readonly burnSpentUsd: number;
	/** Burn-and-mint: refunds of cut leases not yet netted against tenants' spend at the horizon, USD. */
	readonly refundsCarriedUsd: number;
	/** Held tokens sold over the run (providers' held rewards, leavers', validators', owners'), base units. */
	readonly heldSold: string;
}

/**
 * Like-for-like price figures of both sides and the cloud twin's own figures (issue 11):
 * docs/results.md defines each.
 */
export interface ComparisonKpis {
	/** Per GPU class either side rented: GPU-hours and GPU-hour price (DePIN: leases by the node's class; cloud: the class rented). */
	readonly byGpu: readonly GpuPriceRow[];
	/** Cost of one H100-hour of tensor work (every lease but render jobs'): cost ÷ Σ GPU-hours × speed vs an H100, USD. */
	readonly usdPerH100Hour: { readonly depin: number | null; readonly cloud: number | null };
	/** Render jobs' GPU cost per H100 FP32-hour of render work, USD (null: no render work). */
	readonly usdPerH100Fp32HourRender: { readonly depin: number | null; readonly cloud: number | null };
	readonly cloud: CloudTwinKpis;
}

export interface GpuPriceRow {
	readonly gpu: string;
	readonly depinGpuHours: number;
	readonly depinUsdPerGpuHour: number | null;
	readonly cloudGpuHours: number;
	readonly cloudUsdPerGpuHour: number | null;
	/**
	 * What the same card rents for outside the run, USD per GPU-hour (gpus.csv, dated, with sources;
	 * null where none is listed): on-demand and spot on GPU clouds and marketplaces (neoclouds such as
	 * RunPod, the median over providers where several list it), and Akash's weighted average. A
	 * tenant's alternative is often one of these, not a hyperscaler's list price.
	 */
	readonly marketUsdPerGpuHour: {
		readonly onDemand: number | null;
		readonly spot: number | null;
		readonly akash: number | null;
	};
}

export interface CloudTwinKpis {
	readonly pricing: "on-demand" | "commit-1y" | "spot" | "market";
	readonly failover: "nearest-region" | "none";
	/** Real-time replicas per request window: mean and max; their busy share of replica time. */
	readonly replicas: {
		readonly mean: number;
		readonly max: number;
		readonly regionsMean: number;
		readonly utilisation: number | null;
	};
	/** Share of region-time up over the horizon (outage windows drawn and scripted). */
	readonly regionAvailability: number;
	readonly requestsLostToOutage: number;
	readonly jobsFailedOver: number;
	readonly jobsRefusedCapacity: number;
	/** Transfer costs (internet egress of outputs, inter-region moves by failover), USD, and their share of total cost. */
	readonly egressUsd: number;
	readonly interregionUsd: number;
	readonly totalCostUsd: number;
	readonly transferCostShare: number | null;
}

export interface NetworkResult {
	readonly kpis: NetworkKpis;
	readonly baseline: TwinKpis;
	readonly comparison: ComparisonKpis;
	readonly timeseries: EpochSeries<TimeseriesColumn>;
	/** Decimals of the token (base units per token = 10^decimals); null when tokenomics is off. */
	readonly tokenDecimals: number | null;
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
	"tokensMintedEmission",
	"tokensMintedWork",
	"workRewardPerNodeUsd",
	"tokensSoldHeld",
] as const;
export type TimeseriesColumn = (typeof TIMESERIES_COLUMNS)[number];

/**
 * Token-amount columns: the series holds them in integer base units (exact), and result files
 * write them as tokens with every decimal (units ÷ 10^decimals, exactly).
 */
export const TOKEN_UNIT_COLUMNS: ReadonlySet<TimeseriesColumn> = new Set([
	"tokensMinted",
	"tokensBurned",
	"tokenSupply",
	"tokensStaked",
	"treasuryTokens",
	"tokensMintedEmission",
	"tokensMintedWork",
	"tokensSoldHeld",
]);
