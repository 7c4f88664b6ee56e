/**
 * Epochs: at each epoch start the last epoch closes (provider accounts → exits → tokens →
 * entries → timeseries row), then each class's demand and tenant choice are set for the new
 * epoch, real-time classes autoscale, and request windows run.
 */
import { Poisson } from "../../sim/random/distributions.js";
import type { GpuSpec } from "../catalog.js";
import { type DemandModel, depinShare } from "../demand.js";
import { NodeState } from "../nodes.js";
import { accountEpoch, type EpochAccountingParams } from "../provider-accounting.js";
import type { EpochTokenFlows } from "../tokenomics/economy.js";
import { MS_PER_DAY, MS_PER_HOUR } from "../units.js";
import { checkNetworkInvariants } from "./invariants.js";
import { createNode, drawHosting, exitNode, newcomerReturn, type ProspectDraw } from "./node-life.js";
import { scheduleNextArrival } from "./orders.js";
import { autoscale } from "./replicas.js";
import { requestWindow } from "./request-window.js";
import type { ClassState, EpochCounts, NetworkState } from "./state.js";
import { appendEpochRow } from "./timeseries.js";

/** Epoch `epoch` starts now: the last one closes, demand and choices are set, replicas and windows run. */
export function onEpoch(state: NetworkState, epoch: number): void {
	const { engine, setup } = state;
	if (epoch > 0) closeEpoch(state, engine.now);
	state.epochIndex = epoch;
	state.epochStartMs = engine.now;
	state.epochCallback?.(epoch, setup.epochs, engine.eventsFired);
	const { epochMs, horizonMs, requestMode, scenario } = setup;
	const epochStartMs = state.epochStartMs;
	const midpoint = epochStartMs + Math.min(epochMs, horizonMs - epochStartMs) / 2;
	for (const classState of state.jobClasses) {
		updateChoice(classState, classState.spec.choice);
		classState.demand = (setup.demandModels[classState.index] as DemandModel).at(midpoint);
		if (classState.nextArrivalHandle >= 0) engine.cancel(classState.nextArrivalHandle);
		scheduleNextArrival(state, classState);
	}
	const sampled =
		requestMode === "full" || (requestMode === "sampled" && epoch % scenario.requests.sampleEveryEpochs === 0);
	const windowMs = Math.min(setup.windowMs, horizonMs - epochStartMs);
	for (const classState of state.realtimeClasses) {
		updateChoice(classState, classState.spec.choice);
		classState.demand = (setup.demandModels[classState.index] as DemandModel).at(midpoint);
		autoscale(state, classState);
		if (sampled) requestWindow(state, classState, windowMs);
	}
	if (sampled && state.realtimeClasses.length > 0) {
		state.sampledEpochs++;
		state.sampledWindowMs += windowMs;
	}
	if (epochStartMs + epochMs < horizonMs) engine.schedule(epochMs, state.kinds.epoch, epoch + 1);
}

/**
 * The tenant's choice for the coming epoch, from what it saw in the last one: the price saving,
 * availability (orders awarded, requests answered) and the SLA-miss share of answered requests.
 */
export function updateChoice(classState: ClassState, choice: Parameters<typeof depinShare>[0]): void {
	if (classState.epochDepinWork > 0)
		classState.depinCostPerWork = classState.epochDepinCost / classState.epochDepinWork;
	if (classState.epochCloudWork > 0)
		classState.cloudCostPerWork = classState.epochCloudCost / classState.epochCloudWork;
	const saving =
		Number.isFinite(classState.depinCostPerWork) && Number.isFinite(classState.cloudCostPerWork)
			? 1 - classState.depinCostPerWork / classState.cloudCostPerWork
			: 0.5;
	// Awarded / served count requests within the SLA; the misses were answered too.
	const answeredDepin = classState.epochAwarded + classState.epochSlaMissed;
	const answeredCloud = classState.epochCloudServed + classState.epochCloudSlaMissed;
	const servedDepin = classState.epochOffered > 0 ? answeredDepin / classState.epochOffered : 1;
	const servedCloud = classState.epochCloudOffered > 0 ? answeredCloud / classState.epochCloudOffered : 1;
	const missDepin = answeredDepin > 0 ? classState.epochSlaMissed / answeredDepin : 0;
	const missCloud = answeredCloud > 0 ? classState.epochCloudSlaMissed / answeredCloud : 0;
	classState.share = depinShare(choice, saving, servedDepin, servedCloud, missDepin, missCloud);
	classState.epochDepinCost = 0;
	classState.epochDepinWork = 0;
	classState.epochCloudCost = 0;
	classState.epochCloudWork = 0;
	classState.epochOffered = 0;
	classState.epochAwarded = 0;
	classState.epochCloudOffered = 0;
	classState.epochCloudServed = 0;
	classState.epochSlaMissed = 0;
	classState.epochCloudSlaMissed = 0;
}

/** Closes the epoch that ends at `endMs`: provider accounts, exits, tokens, entries, one timeseries row. */
export function closeEpoch(state: NetworkState, endMs: number): void {
	const hours = (endMs - state.epochStartMs) / MS_PER_HOUR;
	if (hours <= 0) return;
	updateClearingPrices(state);
	settleProviders(state, endMs, hours);
	updateClassFigures(state, hours);
	const flows = closeTokens(state, endMs);
	admitProspects(state, endMs);
	appendEpochRow(state, hours, flows);
	state.epochCounts.reset();
	if (state.checkInvariants) checkNetworkInvariants(state);
}

/** Provider accounts of the epoch; the providers below the exit threshold long enough leave. */
function settleProviders(state: NetworkState, endMs: number, hours: number): void {
	const { books, totals, nodes } = state;
	accountEpoch(nodes, accountingParams(state, endMs, hours), books);
	if (state.workRewards) shareWorkList(state);
	// Node-time by hosting counts the nodes still live at the epoch's end (the leavers listed now are not).
	const leftHosted = new Float64Array(books.liveByHosting.length);
	for (let i = 0; i < books.exitCount; i++) {
		const node = books.exits[i] as number;
		const hosting = nodes.hosting[node] as number;
		leftHosted[hosting] = (leftHosted[hosting] as number) + 1;
		exitNode(state, node);
	}
	const epochMs = hours * MS_PER_HOUR;
	for (let h = 0; h < leftHosted.length; h++) {
		const liveNodes = (books.liveByHosting[h] as number) - (leftHosted[h] as number);
		totals.liveNodeMsByHosting[h] = (totals.liveNodeMsByHosting[h] as number) + liveNodes * epochMs;
		totals.downNodeMsByHosting[h] =
			(totals.downNodeMsByHosting[h] as number) + (books.downByHosting[h] as number) * epochMs;
	}
	totals.providerRevenueUsd += books.revenueUsd;
	totals.tokenRewardUsd += books.tokenRewardUsd;
	totals.providerCostUsd += books.costUsd;
	totals.busyMs += books.busyMs;
	totals.liveNodeMs += books.live * hours * MS_PER_HOUR;
	state.nodesMin = Math.min(state.nodesMin, books.active);
	state.nodesMax = Math.max(state.nodesMax, books.active);
}

function accountingParams(state: NetworkState, endMs: number, hours: number): EpochAccountingParams {
	const { setup, economy, rewards, nodes } = state;
	const { providers, tokenomics } = setup.scenario;
	// Token runs: last epoch's rewards count at today's price; this epoch's weights are set.
	if (economy !== null && rewards.paidUnits.length < nodes.count) {
		const size = Math.max(nodes.count, rewards.paidUnits.length * 2);
		rewards.paidUnits = rewards.arena.grown(rewards.paidUnits, size);
		rewards.paidByPosition = new Float64Array(size);
		rewards.soldByPosition = new Float64Array(size);
	}
	return {
		startMs: state.epochStartMs,
		endMs,
		fiatShareToProvider: state.fiatShareToProvider,
		idleKwByGpuHosting: setup.siteCostTable.idleKw,
		busyKwByGpuHosting: setup.siteCostTable.busyKw,
		fixedUsdPerHourByGpuHosting: setup.siteCostTable.fixedUsdPerHour,
		ewmaWeight: setup.exitWeight,
		goingRateByGpu: state.goingRateByGpu,
		// At a posted price, asking over it is refusing work: market-policy providers never do.
		raiseAboveUtilisation:
			setup.marketContext.mechanism === "auction"
				? providers.askPolicy.raiseAboveUtilisation
				: Number.POSITIVE_INFINITY,
		collectWork: state.workRewards,
		tokens:
			economy === null
				? null
				: {
						rewardPaidUnits: rewards.paidUnits,
						usdPerUnit: economy.priceUsd / economy.unitsPerToken,
						weightPerBusyMs: tokenomics.rewards.workWeight / MS_PER_HOUR,
						weightUptime: tokenomics.rewards.uptimeWeight * hours,
						weightPerStakedUnit: tokenomics.rewards.stakeWeight / economy.unitsPerToken,
						stakedUnits: economy.ledger.unsafeArrays().nodeStaked,
					},
	};
}

/** Tokens: emission, sales, burns, unlocks, and the market's days up to the epoch's end (null: off). */
function closeTokens(state: NetworkState, endMs: number): EpochTokenFlows | null {
	const { economy, books, rewards, epochCounts, totals } = state;
	if (economy === null) return null;
	const active = books.active;
	const day = Math.floor(endMs / MS_PER_DAY);
	rewards.activeByDay[day] = active;
	const weekAgo = rewards.activeByDay[day - 7];
	const kpiSignal = weekAgo !== undefined && weekAgo > 0 && active > 0 ? Math.log(active / weekAgo) : 0;
	const spentUsd = state.burnAndMint ? settleSpendUsd(state, epochCounts) : 0;
	const flows = economy.closeEpoch(
		state.epochStartMs / MS_PER_DAY,
		endMs / MS_PER_DAY,
		{
			weights: books.rewardWeight,
			nodes: books.rewardNodes,
			count: books.rewardCount,
			paidUnits: rewards.paidByPosition,
			soldUnits: rewards.soldByPosition,
			weightTotal: books.rewardWeightTotal,
			// Read back as revenue when the next epoch's books close.
			paidByNode: rewards.paidUnits,
		},
		spentUsd,
		kpiSignal,
		state.workRewards ? rewards.work : undefined,
	);
	totals.burnSpentUsd += flows.burnSpentUsd;
	totals.tokenRewardUsd += flows.workRewardUsd;
	totals.workRewardUsd += flows.workRewardUsd;
	if (state.burnAndMint) totals.feesUsd += spentUsd * state.setup.scenario.tokenomics.burnAndMint.feeShare;
	passRewardsOfLeavers(state, endMs);
	return flows;
}

/**
 * Providers who left this epoch were paid its rewards after they left: those leaving at its close
 * (`books.exits`: emission and work) and those that left during it with work to be paid
 * (`books.leavers`). What they now hold goes the way a leaver's holdings go
 * (economy.nodeExited: to the leavers' account, sold on its schedule), not to a node that is gone.
 */
function passRewardsOfLeavers(state: NetworkState, endMs: number): void {
	const { economy, books } = state;
	if (economy === null) return;
	const day = endMs / MS_PER_DAY;
	for (let i = 0; i < books.exitCount; i++) economy.nodeExited(books.exits[i] as number, day);
	for (let i = 0; i < books.leavers.count; i++) economy.nodeExited(books.leavers.nodes[i] as number, day);
}

/**
 * What tenants paid for DePIN leases this epoch, USD: leases booked less refunds of cut ones;
 * advances the carry.
 * Refunds come out of later tenants' payments: an epoch whose refunds outweigh its bookings
 * spends nothing and carries the rest into the next (`state.refundCarryUsd`), so burns and fees
 * over the run add up to what tenants paid net of refunds.
 */
function settleSpendUsd(state: NetworkState, counts: EpochCounts): number {
	const net = counts.priceUsd - counts.refundedUsd - state.refundCarryUsd;
	state.refundCarryUsd = Math.max(-net, 0);
	return Math.max(net, 0);
}

/** Burn-and-mint work rewards: the books' list of the value each node served this epoch, with room for the pays. */
function shareWorkList(state: NetworkState): void {
	const { books, rewards } = state;
	const work = rewards.work;
	work.nodes = books.workNodes;
	work.usd = books.workUsd;
	work.count = books.workCount;
	if (work.paid.length < books.workNodes.length) {
		work.paid = new Float64Array(books.workNodes.length);
		work.sold = new Float64Array(books.workNodes.length);
	}
}

/** The recent clearing price of each GPU class: an EWMA of its epochs' lease prices (per GPU-hour). */
function updateClearingPrices(state: NetworkState): void {
	const { clearingByGpu, epochLeaseGpuHoursByGpu: gpuHours, epochLeaseUsdByGpu: usd } = state;
	const weight = state.setup.clearingWeight;
	for (let g = 0; g < clearingByGpu.length; g++) {
		const hours = gpuHours[g] as number;
		if (hours > 0) {
			const price = (usd[g] as number) / hours;
			const previous = clearingByGpu[g] as number;
			clearingByGpu[g] = Number.isFinite(previous) ? previous + weight * (price - previous) : price;
		}
	}
	gpuHours.fill(0);
	usd.fill(0);
}

/**
 * Each GPU class's going rate (mean ask of its live nodes) and recent utilisation (EWMA, the
 * clearing price's half-life), from the books just closed.
 */
function updateClassFigures(state: NetworkState, hours: number): void {
	const { books, utilisationByGpu } = state;
	const weight = state.setup.clearingWeight;
	// Posted and routing markets: the going rate stays the protocol's price.
	const auction = state.setup.marketContext.mechanism === "auction";
	for (let g = 0; g < utilisationByGpu.length; g++) {
		const live = books.liveByGpu[g] as number;
		if (live <= 0) continue;
		if (auction) state.goingRateByGpu[g] = (books.askSumByGpu[g] as number) / live;
		const utilisation = (books.busyMsByGpu[g] as number) / (live * hours * MS_PER_HOUR);
		utilisationByGpu[g] = (utilisationByGpu[g] as number) + weight * (utilisation - (utilisationByGpu[g] as number));
	}
}

/**
 * Entry: prospects arrive as a flow (arrivalsPerDayPerStartNode × the starting fleet a day, up
 * to the optional cap prospectivePool), split over the GPU classes of the mix; each draws its
 * metro, hosting, power price, capex and hurdle, weighs joining once on arrival, and joins when
 * a newcomer's expected return (newcomerAnnualReturn) beats its own hurdle; one who declines is gone.
 */
function admitProspects(state: NetworkState, endMs: number): void {
	const { setup } = state;
	const { scenario } = setup;
	const entry = scenario.providers.entry;
	if (state.prospectivePool <= 0 || setup.joinMetroChoice === null) return;
	const mixTotal = scenario.nodes.mix.reduce((a, b) => a + b.share, 0);
	const joinAt = endMs + Math.round(entry.leadTimeDays * MS_PER_DAY);
	const arrivalsPerEpoch = entry.arrivalsPerDayPerStartNode * state.nodesStart * (setup.epochMs / MS_PER_DAY);
	scenario.nodes.mix.forEach((mixEntry, k) => {
		const gpuIndex = setup.mixGpu[k] as number;
		const expected = arrivalsPerEpoch * (mixEntry.share / mixTotal);
		if (!(expected > 0)) return;
		const arriving = Math.min(state.prospectivePool, new Poisson(expected).sample(state.entryRng));
		state.prospectivePool -= arriving;
		let ordered = 0;
		for (let j = 0; j < arriving; j++) {
			const prospect = weighJoining(state, gpuIndex, ordered);
			if (prospect === null) continue;
			const node = createNode(state, gpuIndex, prospect.metro, NodeState.joining, joinAt, prospect.draw);
			if (joinAt < setup.horizonMs) state.engine.scheduleAt(joinAt, state.kinds.nodeJoin, node);
			ordered++;
		}
	});
}

/**
 * One prospect weighs buying a GPU of class `gpuIndex` now: its draws if a newcomer's return
 * beats its hurdle, else null. `orderedNow` joiners of this epoch add to the class's backlog.
 */
function weighJoining(
	state: NetworkState,
	gpuIndex: number,
	orderedNow: number,
): { metro: number; draw: ProspectDraw } | null {
	const { setup, providerStreams: rngs } = state;
	const gpu = setup.gpus[gpuIndex] as GpuSpec;
	const metro = (setup.joinMetroChoice as NonNullable<typeof setup.joinMetroChoice>).sample(state.entryPlaceRng);
	const powerUsdPerKwh =
		(setup.electricityByMetro[metro] as number) * setup.draws.powerPriceFactor.sample(rngs.powerPrice);
	const capexUsd = gpu.capexUsd * setup.draws.capexPriceFactor.sample(rngs.capex);
	const hurdle = setup.draws.hurdleAnnualReturn.sample(rngs.hurdle);
	const hosting = drawHosting(state, gpuIndex, state.entryHostingRng);
	// NaN (no clearing price known for the class) never beats a hurdle.
	const expectedReturn = newcomerReturn(state, gpuIndex, hosting, powerUsdPerKwh, capexUsd, orderedNow);
	return expectedReturn > hurdle ? { metro, draw: { powerUsdPerKwh, capexUsd, hosting } } : null;
}
