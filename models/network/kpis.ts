/** The run's KPIs, DePIN and its cloud twin alike, from the tallies of the final state. */
import { LogHistogram } from "../../sim/recorder/histogram.js";
import { median } from "../../sim/stats.js";
import type { GpuSpec } from "../catalog.js";
import { NodeState } from "../nodes.js";
import { HOURS_PER_DAY, MS_PER_DAY, MS_PER_SECOND } from "../units.js";
import { cloudRegionTimeUp } from "./cloud-twin.js";
import type {
	ClassJobTally,
	ClassRequestTally,
	GpuSpendTally,
	JobClassState,
	NetworkState,
	RealtimeClassState,
	RequestTally,
	TwinRecord,
} from "./state.js";
import type {
	ClassKpis,
	ComparisonKpis,
	JobClassKpis,
	LatencyKpi,
	NetworkKpis,
	RealtimeClassKpis,
	TokenKpis,
	TwinKpis,
} from "./types.js";

/** The DePIN network's KPIs at the end of the run. */
export function networkKpis(state: NetworkState): NetworkKpis {
	const { totals, setup } = state;
	const requestMode = setup.requestMode;
	return {
		...twinKpis(state, "depin", totals.leaseGpuHours, totals.leaseCostUsd, requestMode !== "none", {
			arrived: totals.arrived,
			served: totals.served,
			rejected: totals.rejected,
			inFlight: totals.waiting + totals.running,
		}),
		nodes: nodeKpis(state),
		demandShare: ratio(totals.arrived, state.cloudJobs.arrived),
		utilisation: totals.liveNodeMs > 0 ? totals.busyMs / totals.liveNodeMs : 0,
		interruptions: totals.interruptions,
		nodeUpShare: {
			all: upShare(totals.downNodeMsByHosting, totals.liveNodeMsByHosting, [0, 1]),
			residential: upShare(totals.downNodeMsByHosting, totals.liveNodeMsByHosting, [0]),
			datacenter: upShare(totals.downNodeMsByHosting, totals.liveNodeMsByHosting, [1]),
		},
		hosting: state.hostingAtStart,
		verification: {
			auditOverheadShare: setup.auditOverhead,
			fraudDetected: totals.fraudDetected,
			fraudUndetected: totals.fraudUndetected,
		},
		protocolFeesUsd: totals.feesUsd,
		providers: {
			revenueUsd: totals.providerRevenueUsd,
			operatingCostUsd: totals.providerCostUsd,
			joins: totals.joins,
			exits: totals.exits,
			retirements: totals.retired,
			tokenRewardsUsd: totals.tokenRewardUsd,
			tokenEmissionRewardsUsd: totals.tokenRewardUsd - totals.workRewardUsd,
			tokenWorkRewardsUsd: totals.workRewardUsd,
			...paybackFigures(state),
		},
		tokens: tokenKpis(state),
		requestFidelity: {
			mode: requestMode,
			windowSeconds: requestMode === "none" ? 0 : setup.windowMs / MS_PER_SECOND,
			sampledEpochs: state.sampledEpochs,
		},
	};
}

/** The cloud twin's KPIs at the end of the run. */
export function cloudKpis(state: NetworkState): TwinKpis {
	const cloud = state.cloudJobs;
	return twinKpis(state, "cloud", cloud.gpuHours, cloud.costUsd, state.setup.requestMode !== "none", {
		arrived: cloud.arrived,
		served: cloud.served,
		rejected: cloud.rejected,
		inFlight: cloud.inFlight,
	});
}

/** Active nodes (idle or serving) of each GPU class now (catalogue index). */
function activeNodesByGpuIndex(state: NetworkState): Int32Array {
	const { nodes, setup } = state;
	const active = new Int32Array(setup.gpus.length);
	for (let node = 0; node < nodes.count; node++) {
		const nodeState = nodes.state[node];
		const gpu = nodes.gpu[node] as number;
		if (nodeState === NodeState.idle || nodeState === NodeState.serving) active[gpu] = (active[gpu] as number) + 1;
	}
	return active;
}

/**
 * The fleet at the start and now, in all and by GPU class (the mix drifts as providers enter and
 * leave). The epochs' counts are taken before each close's leavers go, so min and max also take
 * the start and the end: min ≤ end ≤ max always.
 */
function nodeKpis(state: NetworkState): NetworkKpis["nodes"] {
	const end = activeNodesByGpuIndex(state);
	const endTotal = end.reduce((a, b) => a + b, 0);
	return {
		start: state.nodesStart,
		end: endTotal,
		min: Math.min(state.nodesMin, state.nodesStart, endTotal),
		max: Math.max(state.nodesMax, state.nodesStart, endTotal),
		byGpu: state.setup.gpus.flatMap((gpu, g) => {
			const start = state.nodesStartByGpu[g] ?? 0;
			return start > 0 || (end[g] as number) > 0 ? [{ gpu: gpu.id, start, end: end[g] as number }] : [];
		}),
	};
}

function tokenKpis(state: NetworkState): TokenKpis | null {
	const economy = state.economy;
	if (economy === null) return null;
	const tokenomics = state.setup.scenario.tokenomics;
	const ledger = economy.ledger;
	return {
		symbol: tokenomics.symbol,
		decimals: tokenomics.decimals,
		supplyStart: String(ledger.initialSupply),
		minted: String(ledger.minted),
		mintedEmission: String(ledger.minted - economy.workMintedUnits),
		mintedWork: String(economy.workMintedUnits),
		burned: String(ledger.burned),
		supplyEnd: String(ledger.supply),
		treasury: String(ledger.balance("treasury")),
		staked: String(ledger.stakedTotal),
		slashed: String(state.totals.slashedUnits),
		priceUsd: {
			start: economy.priceStartUsd,
			end: economy.priceUsd,
			min: economy.priceMinUsd,
			max: economy.priceMaxUsd,
		},
		burnSpentUsd: state.totals.burnSpentUsd,
		refundsCarriedUsd: state.refundCarryUsd,
		heldSold: String(economy.heldSoldTotalUnits),
	};
}

/**
 * Payback and profitability over every node that served, from its lifetime margin. Payback counts
 * the capital laid out: the GPU's capex and, where the network asks one, the stake it bought.
 */
function paybackFigures(state: NetworkState): { medianPaybackDays: number | null; shareProfitable: number } {
	const { nodes, setup, economy } = state;
	const paybackDays: number[] = [];
	let profitable = 0;
	for (let node = 0; node < nodes.count; node++) {
		const nodeState = nodes.state[node];
		if (nodeState === NodeState.joining) continue;
		const endMs = nodeState === NodeState.exited ? (nodes.leaseEndMs[node] as number) : setup.horizonMs;
		const liveDays = (endMs - (nodes.joinedAtMs[node] as number)) / MS_PER_DAY;
		if (!(liveDays > 0)) continue;
		const gpuIndex = nodes.gpu[node] as number;
		const margin = nodes.cumulativeMarginUsd[node] as number;
		const capex = (setup.gpus[gpuIndex] as GpuSpec).capexUsd + (economy?.stakeCostUsd(node) ?? 0);
		paybackDays.push(margin > 0 ? (capex * liveDays) / margin : Number.POSITIVE_INFINITY);
		if (margin > (setup.capexPerHourByGpu[gpuIndex] as number) * liveDays * HOURS_PER_DAY) profitable++;
	}
	if (paybackDays.length === 0) return { medianPaybackDays: null, shareProfitable: 0 };
	const middle = median(paybackDays);
	return {
		medianPaybackDays: Number.isFinite(middle) ? middle : null,
		shareProfitable: profitable / paybackDays.length,
	};
}

/** Requests of the whole run per request simulated: horizon ÷ time inside request windows (1 at full fidelity). */
function requestScale(state: NetworkState): number {
	return state.sampledWindowMs > 0 ? state.setup.horizonMs / state.sampledWindowMs : 1;
}

/** The figures every twin reports, DePIN and cloud alike, from its tallies. */
function twinKpis(
	state: NetworkState,
	side: "depin" | "cloud",
	gpuHours: number,
	costUsd: number,
	withRequests: boolean,
	jobs: TwinKpis["jobs"],
): TwinKpis {
	const twin: TwinRecord = state[side];
	const requests: RequestTally | null = withRequests ? twin.requests : null;
	const requestsServed = requests?.served ?? 0;
	const requestsArrived = requests?.arrived ?? 0;
	const scale = requestScale(state);
	return {
		latencyMs: latencyKpi(twin.latency),
		networkRttMs: latencyKpi(twin.networkRtt),
		gpuHourPriceUsd: ratio(costUsd, gpuHours),
		costUsdPer1kTokens: requests === null ? null : ratio(requests.costUsd * 1000, requests.tokens),
		costUsdPer1kTotalTokens: requests === null ? null : ratio(requests.costUsd * 1000, requests.totalTokens),
		// Each simulated request stands for `scale` of the run's (the windows sample its time), so the pooled
		// share is what full fidelity would give, whatever the sampling settings.
		servedFraction: ratio(jobs.served + requestsServed * scale, jobs.served + jobs.rejected + requestsArrived * scale),
		timeToServeMinutes: latencyKpi(pooledTimeToServe(state, side)),
		jobs,
		requests:
			requests === null ? null : { arrived: requests.arrived, served: requests.served, slaMissed: requests.slaMissed },
		classes: classKpis(state, side),
	};
}

/**
 * One side's time to serve over every job class (each job is recorded once, in its class). The cloud's sum
 * is its tally's, added up job by job (as a pooled histogram's was), not the classes' sums added.
 */
export function pooledTimeToServe(state: NetworkState, side: "depin" | "cloud"): LogHistogram {
	const pooled = new LogHistogram();
	for (const classState of state.jobClasses) {
		pooled.merge(side === "depin" ? classState.depinJobs.timeToServeMinutes : classState.cloudJobs.timeToServeMinutes);
	}
	if (side === "cloud") pooled.sum = state.cloudTally.jobsTimeToServeSumMinutes;
	return pooled;
}

/** Per-class KPIs of one side, in scenario order. */
function classKpis(state: NetworkState, side: "depin" | "cloud"): ClassKpis[] {
	return state.setup.scenario.demand.classes.map((_, index) => {
		const realtime = state.realtimeByIndex[index];
		if (realtime !== undefined) {
			return realtimeClassKpis(realtime, side === "depin" ? realtime.depinRequests : realtime.cloudRequests);
		}
		const jobs = state.jobClassByIndex[index] as JobClassState;
		return jobClassKpis(jobs, side === "depin" ? jobs.depinJobs : jobs.cloudJobs, side === "depin");
	});
}

function realtimeClassKpis(classState: RealtimeClassState, tally: ClassRequestTally): RealtimeClassKpis {
	const spec = classState.spec;
	const unavailable = tally.failedNoReplica + tally.failedReplicaDown;
	const completed = tally.served + tally.failedTimeout;
	return {
		id: spec.id,
		kind: "realtime",
		latencyMs: latencyKpi(tally.latencyMs),
		// Token timings mean something only for classes that generate tokens.
		ttftMs: spec.tokensPerRequest > 0 ? latencyKpi(tally.ttftMs) : null,
		tpotMs: spec.tokensPerRequest > 0 ? latencyKpi(tally.tpotMs) : null,
		slaMs: spec.slaP95Ms,
		timeoutMs: classState.timeoutMs,
		slaMissShare: ratio(tally.slaMissed + tally.failedTimeout, completed),
		servedFraction: ratio(tally.served, tally.arrived),
		availability: tally.arrived > 0 ? 1 - unavailable / tally.arrived : null,
		costUsdPer1kTokens:
			spec.tokensPerRequest > 0 ? ratio(tally.costUsd * 1000, tally.served * spec.tokensPerRequest) : null,
		costUsdPer1kTotalTokens:
			spec.tokensPerRequest > 0
				? ratio(tally.costUsd * 1000, tally.served * (spec.tokensPerRequest + spec.compute.promptTokens))
				: null,
		costUsdPerImage: spec.imagesPerRequest > 0 ? ratio(tally.costUsd, tally.served * spec.imagesPerRequest) : null,
		costUsd: tally.costUsd,
		replicaFloorShare: ratio(tally.sizingsAtFloor, tally.sizings),
		requests: {
			arrived: tally.arrived,
			served: tally.served,
			slaMissed: tally.slaMissed,
			failed: { noReplica: tally.failedNoReplica, replicaDown: tally.failedReplicaDown, timeout: tally.failedTimeout },
		},
	};
}

function jobClassKpis(classState: JobClassState, tally: ClassJobTally, depin: boolean): JobClassKpis {
	const finished = tally.served + tally.rejected + tally.failed;
	return {
		id: classState.spec.id,
		kind: classState.spec.kind,
		servedFraction: ratio(tally.served, finished),
		availability: finished > 0 ? 1 - tally.failed / finished : null,
		interruptedShare: depin ? ratio(tally.interrupted, tally.timeToServeMinutes.count) : null,
		timeToServeMinutes: latencyKpi(tally.timeToServeMinutes),
		transferMinutes: depin ? latencyKpi(tally.transferMinutes) : null,
		transferCostShare: depin ? ratio(tally.transferCostUsd, tally.costUsd) : null,
		costUsdPerH100Hour: ratio(tally.costUsd, tally.workH100Hours),
		costUsd: tally.costUsd,
		jobs: {
			arrived: tally.arrived,
			served: tally.served,
			rejected: tally.rejected,
			failed: tally.failed,
			interrupted: tally.interrupted,
		},
	};
}

/** 1 − down ÷ live node-time over the hostings listed; null without live time. */
function upShare(downMs: Float64Array, liveMs: Float64Array, hostings: readonly number[]): number | null {
	let down = 0;
	let live = 0;
	for (const h of hostings) {
		down += downMs[h] as number;
		live += liveMs[h] as number;
	}
	return live > 0 ? 1 - down / live : null;
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

/**
 * One side's GPU cost per H100-hour of work: tensor work (every lease but render jobs') per H100-hour,
 * render work per H100 FP32-hour. Each lease recorded the work it did by its class's conversion
 * (GPU-hours ÷ the GPU-hours one H100-hour of the work takes on its card, audits aside).
 */
function usdPerH100Hours(spend: GpuSpendTally): { tensor: number | null; render: number | null } {
	const sum = (values: Float64Array) => values.reduce((a, b) => a + b, 0);
	return {
		tensor: ratio(sum(spend.costUsd) - sum(spend.renderCostUsd), spend.tensorWorkH100Hours),
		render: ratio(sum(spend.renderCostUsd), spend.renderWorkH100Hours),
	};
}

/** A reference price, or null where the table has none (NaN). */
function finiteOrNull(x: number): number | null {
	return Number.isFinite(x) ? x : null;
}

/** GPU-hour prices by class and per H100-hour of work on both sides, and the cloud twin's figures. */
export function comparisonKpis(state: NetworkState): ComparisonKpis {
	const { setup, cloudTally, depinLeaseByGpu: depin } = state;
	const cloud = cloudTally.spend;
	const scenario = setup.scenario;
	const byGpu = setup.gpus.flatMap((gpu, g) => {
		const depinHours = depin.gpuHours[g] as number;
		const cloudHours = cloud.gpuHours[g] as number;
		if (!(depinHours > 0 || cloudHours > 0)) return [];
		return [
			{
				gpu: gpu.id,
				depinGpuHours: depinHours,
				depinUsdPerGpuHour: ratio(depin.costUsd[g] as number, depinHours),
				cloudGpuHours: cloudHours,
				cloudUsdPerGpuHour: ratio(cloud.costUsd[g] as number, cloudHours),
				// Dated market prices of the same card (gpus.csv, with sources), beside what the run paid.
				marketUsdPerGpuHour: {
					onDemand: finiteOrNull(gpu.rentalOnDemandUsdPerGpuHour),
					spot: finiteOrNull(gpu.rentalSpotUsdPerGpuHour),
					akash: finiteOrNull(gpu.akashUsdPerGpuHour),
				},
			},
		];
	});
	const depinPerWork = usdPerH100Hours(depin);
	const cloudPerWork = usdPerH100Hours(cloud);
	const windows = cloudTally.windows;
	const transferUsd = cloudTally.egressUsd + cloudTally.interregionUsd;
	return {
		byGpu,
		usdPerH100Hour: { depin: depinPerWork.tensor, cloud: cloudPerWork.tensor },
		usdPerH100Fp32HourRender: { depin: depinPerWork.render, cloud: cloudPerWork.render },
		cloud: {
			pricing: scenario.cloud.pricing,
			failover: scenario.failover,
			replicas: {
				mean: windows > 0 ? cloudTally.replicasSum / windows : 0,
				max: cloudTally.replicasMax,
				regionsMean: windows > 0 ? cloudTally.regionsSum / windows : 0,
				utilisation: ratio(cloudTally.replicaBusyHours, cloudTally.replicaHours),
			},
			regionAvailability: cloudRegionTimeUp(state.cloudOutageWindows, setup.horizonMs),
			requestsLostToOutage: cloudTally.requestsLostToOutage,
			jobsFailedOver: cloudTally.jobsFailedOver,
			jobsRefusedCapacity: cloudTally.jobsRefusedCapacity,
			egressUsd: cloudTally.egressUsd,
			interregionUsd: cloudTally.interregionUsd,
			totalCostUsd: cloudTally.totalCostUsd,
			transferCostShare: ratio(transferUsd, cloudTally.totalCostUsd),
		},
	};
}
