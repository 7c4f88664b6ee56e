/**
 * Every transition of a node: created (initial fleet or a prospect that joins), idle, serving,
 * down (hardware failure, site power or network outage, correlated outage) and back, exited. An
 * interrupted job goes back to its queue (failover nearest-region) or fails (none).
 */
import type { GpuSpec, Metro } from "../catalog.js";
import { DownCause, Hosting, NO_JOB, NodeState } from "../nodes.js";
import { trackNode } from "../provider-accounting.js";
import {
	amortisedCapexUsdPerHour,
	askUsdPerGpuHour,
	marketAskUsdPerGpuHour,
	newcomerAnnualReturn,
	operatingCostUsdPerHour,
	type ProviderCostInputs,
	siteCostInputs,
} from "../providers.js";
import { HOURS_PER_YEAR, MS_PER_DAY, MS_PER_HOUR } from "../units.js";
import { cutLease } from "./leases.js";
import { enqueueWaiting, failJob, serveWaiting } from "./orders.js";
import { removeReplica } from "./replicas.js";
import { missing } from "./setup.js";
import type { JobClassState, NetworkState, RealtimeClassState } from "./state.js";
import type { NetworkInputs } from "./types.js";

/** What a prospect drew when it weighed joining; the node it becomes keeps these. */
export interface ProspectDraw {
	/** Its electricity price, USD per kWh. */
	powerUsdPerKwh: number;
	/** What it pays for the GPU now, USD. */
	capexUsd: number;
	/** Where it would host the GPU (Hosting), drawn by GPU tier. */
	hosting: Hosting;
}

/** The running-cost inputs of a node of class `gpuIndex` hosted as `hosting` at its drawn power price (siteCostInputs). */
export function nodeCostInputs(
	state: NetworkState,
	gpuIndex: number,
	hosting: Hosting,
	powerUsdPerKwh: number,
): ProviderCostInputs {
	const tdpWatts = (state.setup.gpus[gpuIndex] as GpuSpec).tdpWatts;
	return siteCostInputs(state.setup.siteCostTable.spec, tdpWatts, hosting === Hosting.datacenter, powerUsdPerKwh);
}

/** A new node's hosting: by its GPU tier's data-centre share, from `rng` (each caller's own stream). */
export function drawHosting(state: NetworkState, gpuIndex: number, rng: NetworkState["hostingRng"]): Hosting {
	const share = state.setup.availability.datacenterShareByGpu[gpuIndex] as number;
	return rng.next() < share ? Hosting.datacenter : Hosting.residential;
}

/**
 * Adds a node with its provider's own draws: electricity price, capex price, ask policy and
 * ask, exit threshold and patience. A prospect brings the draws it joined on.
 */
export function createNode(
	state: NetworkState,
	gpuIndex: number,
	metroIndex: number,
	nodeState: NodeState,
	atMs: number,
	prospect: ProspectDraw | null = null,
): number {
	const { setup, nodes, providerStreams: rngs } = state;
	const { providers } = setup.scenario;
	const { draws } = setup;
	const gpu = setup.gpus[gpuIndex] as GpuSpec;
	const metro = setup.metros[metroIndex] as Metro;
	const factor = setup.askSpread === null ? 1 : setup.askSpread.sample(state.providerRng);
	const powerUsdPerKwh =
		prospect?.powerUsdPerKwh ?? metro.electricityUsdPerKwh * draws.powerPriceFactor.sample(rngs.powerPrice);
	// Hosting by GPU tier (a stream of its own, so no other draw moves): it sets the running costs.
	const hosting = prospect?.hosting ?? drawHosting(state, gpuIndex, state.hostingRng);
	const costInputs = nodeCostInputs(state, gpuIndex, hosting, powerUsdPerKwh);
	const capexUsd = prospect?.capexUsd ?? gpu.capexUsd * draws.capexPriceFactor.sample(rngs.capex);
	const capexPerHour = amortisedCapexUsdPerHour(capexUsd, setup.capexLifetimeYears);
	const pricedAt = hosting === Hosting.datacenter ? providers.site.datacenterAskUtilisation : providers.askUtilisation;
	let ask = askUsdPerGpuHour(costInputs, capexPerHour, providers.askMarkup, factor, pricedAt);
	const market = rngs.askPolicy.next() < providers.askPolicy.marketShare;
	const undercut = market ? draws.undercut.sample(rngs.askPolicy) : Number.NaN;
	const goingRate = state.goingRateByGpu[gpuIndex] as number;
	if (market && Number.isFinite(goingRate)) {
		ask = marketAskUsdPerGpuHour(goingRate, undercut, false, operatingCostUsdPerHour(costInputs, 1));
	}
	const node = nodes.add(gpuIndex, metroIndex, nodeState, atMs, ask);
	// The GPU's end of life: a prospect's from when it serves, a starting provider's from its purchase.
	const boughtAtMs = prospect === null ? -draws.capexAgeDays.sample(rngs.capex) * MS_PER_DAY : atMs;
	scheduleEndOfLife(state, node, boughtAtMs);
	nodes.powerUsdPerKwh[node] = powerUsdPerKwh;
	// Burn-in: a provider's smoothed margin starts at what it planned (the share of its ask that
	// reaches it, at the utilisation it priced at, less its running cost then), not at 0: a starting
	// provider has run a while, and a joiner bought on an expected return above its hurdle.
	if (providers.exit.startAtPlannedMargin)
		nodes.ewmaMarginUsdPerHour[node] =
			ask * pricedAt * state.fiatShareToProvider - operatingCostUsdPerHour(costInputs, pricedAt);
	nodes.askUndercut[node] = undercut;
	nodes.exitThresholdUsdPerHour[node] =
		providers.exit.marginThresholdUsdPerHour +
		(providers.exit.holdingCostSharePerYear * capexUsd) / HOURS_PER_YEAR -
		draws.lossToleranceUsdPerHour.sample(rngs.exit);
	const patience = Math.round(draws.patienceEpochs.sample(rngs.exit));
	nodes.patienceEpochs[node] = Math.min(65_535, Math.max(1, patience));
	trackNode(state.books, node);
	// The link of its hosting: a stream of its own, so no other draw moves.
	const availability = setup.availability;
	nodes.hosting[node] = hosting;
	nodes.linkGbps[node] = Math.max(1e-3, availability.linkGbps[hosting].sample(state.linkRng));
	const dishonestShare = setup.scenario.tokenomics.verification.dishonestShare;
	if (dishonestShare > 0 && state.honestyRng.next() < dishonestShare) nodes.dishonest[node] = 1;
	return node;
}

/** Schedules the end of life of `node`'s GPU bought at `boughtAtMs` (none after the horizon; at least 1 ms ahead). */
function scheduleEndOfLife(state: NetworkState, node: number, boughtAtMs: number): void {
	const { setup, engine } = state;
	const lifeMs = setup.scenario.providers.capex.serviceLifeYears * HOURS_PER_YEAR * MS_PER_HOUR;
	const atMs = Math.max(engine.now + 1, Math.round(boughtAtMs + lifeMs));
	if (atMs < setup.horizonMs) engine.scheduleAt(atMs, state.kinds.endOfLife, node);
}

/**
 * What a newcomer would earn on a GPU of class `gpuIndex` bought now for `capexUsd`, at
 * `powerUsdPerKwh`, hosted as `hosting` (newcomerAnnualReturn): the class's recent clearing price and utilisation,
 * `extraBacklog` nodes ordered this epoch on top of those joining, and last epoch's token
 * rewards per node-hour at today's price. A network that asks a stake (Bittensor-like) ties up
 * its price too: the return is on capex + stake (the stake is not depreciated: it is sold back
 * after the lock-up).
 */
export function newcomerReturn(
	state: NetworkState,
	gpuIndex: number,
	hosting: Hosting,
	powerUsdPerKwh: number,
	capexUsd: number,
	extraBacklog: number,
): number {
	const { setup, books } = state;
	const liveOfClass = books.liveByGpu[gpuIndex] as number;
	const liveMs = books.live * setup.epochMs;
	const overall = liveMs > 0 ? books.busyMs / liveMs : 0;
	const stakeUsd = state.economy?.stakeCostUsdNow() ?? 0;
	const onCapex = newcomerAnnualReturn(
		{
			clearingUsdPerGpuHour: state.clearingByGpu[gpuIndex] as number,
			fiatShareToProvider: state.fiatShareToProvider,
			utilisationOfSimilar: liveOfClass > 0 ? (state.utilisationByGpu[gpuIndex] as number) : overall,
			liveOfClass,
			backlogOfClass: (books.joiningByGpu[gpuIndex] as number) + extraBacklog,
			tokenRewardUsdPerHour: liveMs > 0 ? (books.tokenRewardUsd * MS_PER_HOUR) / liveMs : 0,
			liveAll: books.live,
			backlogAll: books.joining + extraBacklog,
			capexUsd,
			lifetimeYears: setup.capexLifetimeYears,
		},
		nodeCostInputs(state, gpuIndex, hosting, powerUsdPerKwh),
	);
	// (margin − depreciation) ÷ capex → ÷ (capex + stake).
	return stakeUsd > 0 && capexUsd > 0 ? (onCapex * capexUsd) / (capexUsd + stakeUsd) : onCapex;
}

/**
 * A node's GPU reaches the end of its life: the provider buys a new one at today's price if a
 * newcomer's return beats its hurdle (drawn now), else it leaves (now if idle, else when its
 * work ends or it is repaired).
 */
export function onEndOfLife(state: NetworkState, node: number): void {
	const { nodes, setup, providerStreams: rngs } = state;
	if (nodes.state[node] === NodeState.exited || nodes.leaving[node] === 1) return;
	const gpuIndex = nodes.gpu[node] as number;
	const capexUsd = (setup.gpus[gpuIndex] as GpuSpec).capexUsd * setup.draws.capexPriceFactor.sample(rngs.capex);
	const hurdle = setup.draws.hurdleAnnualReturn.sample(rngs.hurdle);
	const hosting = nodes.hosting[node] as Hosting;
	if (newcomerReturn(state, gpuIndex, hosting, nodes.powerUsdPerKwh[node] as number, capexUsd, 0) > hurdle) {
		scheduleEndOfLife(state, node, state.engine.now);
		return;
	}
	nodes.leaving[node] = 1;
	state.totals.retired++;
	if (nodes.state[node] === NodeState.idle) exitNode(state, node);
}

/** The starting fleet (a snapshot, or drawn from the mix); nodes in excluded metros exit at once (C13). */
export function placeInitialFleet(state: NetworkState, inputs: NetworkInputs): void {
	const { setup, nodes, idle } = state;
	const placeRng = state.streams.stream("nodes/initial");
	if (inputs.snapshot !== undefined) {
		for (const row of inputs.snapshot) {
			const gpuIndex = setup.catalog.gpuIndexById.get(row.gpu) ?? missing("GPU", row.gpu);
			const metroIndex = setup.metros.findIndex((m) => m.id === row.metro);
			if (metroIndex < 0) throw new Error(`snapshot metro "${row.metro}" is not in play`);
			for (let k = 0; k < row.count; k++) createNode(state, gpuIndex, metroIndex, NodeState.idle, 0);
		}
	} else {
		for (let k = 0; k < setup.scenario.nodes.initialCount; k++) {
			const gpuIndex = setup.mixGpu[setup.mixChoice.sample(placeRng)] as number;
			createNode(state, gpuIndex, setup.initialMetroChoice.sample(placeRng), NodeState.idle, 0);
		}
	}
	state.nodesStartByGpu = new Int32Array(setup.gpus.length);
	for (let node = 0; node < nodes.count; node++) {
		if (setup.metroAllowed[nodes.metro[node] as number] === 0) {
			nodes.state[node] = NodeState.exited;
			continue;
		}
		const gpu = nodes.gpu[node] as number;
		idle.add(node, gpu, nodes.metro[node] as number);
		state.nodesStartByGpu[gpu] = (state.nodesStartByGpu[gpu] as number) + 1;
		if (nodes.hosting[node] === Hosting.datacenter) state.hostingAtStart.datacenter++;
		else state.hostingAtStart.residential++;
		// The starting fleet's stakes come from holders (no market purchase at t = 0).
		state.economy?.nodeJoined(node, false);
		scheduleFailure(state, node);
	}
	state.nodesStart = idle.size;
}

/** Down events carry the node and the cause in one payload: node · 8 + cause. */
const CAUSE_SLOTS = 8;
export const downPayload = (node: number, cause: DownCause): number => node * CAUSE_SLOTS + cause;

/**
 * Draws the node's next down event: the first of a hardware failure (Weibull, mean = its tier's
 * MTBF) and its site's power and network outages (Poisson by hosting). Competing risks drawn
 * afresh at each return to service: exact for exponential laws, an age reset for a Weibull one.
 * An event after the horizon never happens within the run.
 */
export function scheduleFailure(state: NetworkState, node: number): void {
	const { setup, engine, nodes } = state;
	const availability = setup.availability;
	const hosting = nodes.hosting[node] as Hosting;
	const scale = availability.weibullScaleHoursByGpu[nodes.gpu[node] as number] as number;
	let hours = scale * (-Math.log(state.failureRng.next())) ** setup.weibullExponent;
	let cause: DownCause = DownCause.hardware;
	const powerRate = availability.power[hosting].ratePerHour;
	if (powerRate > 0) {
		const powerHours = -Math.log(state.siteOutageRng.next()) / powerRate;
		if (powerHours < hours) {
			hours = powerHours;
			cause = DownCause.power;
		}
	}
	const networkRate = availability.network[hosting].ratePerHour;
	if (networkRate > 0) {
		const networkHours = -Math.log(state.siteOutageRng.next()) / networkRate;
		if (networkHours < hours) {
			hours = networkHours;
			cause = DownCause.network;
		}
	}
	const atMs = engine.now + Math.max(1, Math.round(hours * MS_PER_HOUR));
	if (atMs < setup.horizonMs) {
		nodes.nextDownMs[node] = atMs;
		engine.scheduleAt(atMs, state.kinds.nodeFailure, downPayload(node, cause));
	} else nodes.nextDownMs[node] = Number.POSITIVE_INFINITY;
}

/** A node is ready to serve: index it and give it the oldest waiting order it can take. */
export function becomeIdle(state: NetworkState, node: number): void {
	const nodes = state.nodes;
	if (nodes.leaving[node] === 1) {
		exitNode(state, node);
		return;
	}
	nodes.state[node] = NodeState.idle;
	nodes.job[node] = NO_JOB;
	state.idle.add(node, nodes.gpu[node] as number, nodes.metro[node] as number);
	// Tested here as well as in serveWaiting: most nodes free up with no order waiting, and then skip the call.
	if (state.totals.waiting > 0) serveWaiting(state, node);
}

export function exitNode(state: NetworkState, node: number): void {
	const { nodes, idle, engine } = state;
	if (idle.has(node)) idle.remove(node, nodes.gpu[node] as number, nodes.metro[node] as number);
	// A pending down event of an exited node fires and does nothing.
	nodes.nextDownMs[node] = Number.POSITIVE_INFINITY;
	nodes.state[node] = NodeState.exited;
	// For an exited node, leaseEndMs keeps when it left (its lifetime for payback figures).
	nodes.leaseEndMs[node] = engine.now;
	state.totals.exits++;
	state.epochCounts.exits++;
	state.economy?.nodeExited(node, engine.now / MS_PER_DAY);
}

/** Takes `node` down (failure or outage); an interrupted job goes back to its queue. */
export function takeDown(state: NetworkState, node: number): void {
	const nodes = state.nodes;
	const nodeState = nodes.state[node];
	if (nodeState === NodeState.idle) state.idle.remove(node, nodes.gpu[node] as number, nodes.metro[node] as number);
	else if (nodeState === NodeState.serving) interruptLease(state, node);
	if (nodeState !== NodeState.exited && nodeState !== NodeState.joining) nodes.state[node] = NodeState.down;
}

/**
 * A serving node stops: every node of its job stops (the others become idle) and the job is
 * requeued (failover nearest-region) or fails (none); or its replica ends.
 */
function interruptLease(state: NetworkState, node: number): void {
	const { nodes, totals, economy } = state;
	const job = nodes.job[node] as number;
	nodes.reputation[node] = (nodes.reputation[node] as number) * 0.9;
	if (economy !== null) {
		totals.slashedUnits += economy.slash(node, state.setup.scenario.tokenomics.slashing.slaBreachShare);
	}
	if (job >= 0) {
		totals.interruptions++;
		let member = state.jobs.firstNode[job] as number;
		while (member >= 0) {
			const next = nodes.nextInJob[member] as number;
			cutLease(state, member);
			nodes.nextInJob[member] = -1;
			nodes.job[member] = NO_JOB;
			if (member !== node) becomeIdle(state, member);
			member = next;
		}
		totals.running--;
		const classState = state.jobClassByIndex[state.jobs.classIndex[job] as number] as JobClassState;
		classState.depinJobs.interrupted++;
		if (state.setup.scenario.failover === "none") failJob(state, job);
		else enqueueWaiting(state, job);
	} else if (job <= -2) {
		cutLease(state, node);
		nodes.job[node] = NO_JOB;
		removeReplica(state.realtimeByIndex[-2 - job] as RealtimeClassState, node);
	}
}

/** Whether an active outage covers the node's metro. */
export function nodeInOutage(state: NetworkState, node: number): boolean {
	return (state.metroOutageCount[state.nodes.metro[node] as number] as number) > 0;
}

/** A down event fires (payload: node · 8 + cause): the node goes down until its repair or the outage's end. */
export function onNodeFailure(state: NetworkState, payload: number): void {
	const node = Math.floor(payload / CAUSE_SLOTS);
	const cause = (payload % CAUSE_SLOTS) as DownCause;
	const nodes = state.nodes;
	if (nodes.state[node] === NodeState.exited) return;
	nodes.nextDownMs[node] = Number.POSITIVE_INFINITY;
	nodes.failed[node] = (nodes.failed[node] as number) | cause;
	takeDown(state, node);
	const hours = downHours(state, node, cause);
	state.engine.schedule(Math.max(1, Math.round(hours * MS_PER_HOUR)), state.kinds.nodeRepair, payload);
}

/** How long a down event of `cause` lasts, hours: the repair time, or the site outage's duration. */
function downHours(state: NetworkState, node: number, cause: DownCause): number {
	const { setup, nodes } = state;
	if (cause === DownCause.hardware) return setup.repairHours.sample(state.failureRng);
	const hosting = nodes.hosting[node] as Hosting;
	const process = cause === DownCause.power ? setup.availability.power[hosting] : setup.availability.network[hosting];
	return process.hours.sample(state.siteOutageRng);
}

/** The cause of a down event is gone (payload: node · 8 + cause): the node serves again unless something else holds it. */
export function onNodeRepair(state: NetworkState, payload: number): void {
	const node = Math.floor(payload / CAUSE_SLOTS);
	const cause = payload % CAUSE_SLOTS;
	const nodes = state.nodes;
	nodes.failed[node] = (nodes.failed[node] as number) & ~cause;
	if (nodes.state[node] === NodeState.exited) return;
	if (nodes.leaving[node] === 1) {
		exitNode(state, node);
		return;
	}
	scheduleFailure(state, node);
	if (nodes.inOutage[node] === 0 && nodes.failed[node] === 0) becomeIdle(state, node);
}

export function onNodeJoin(state: NetworkState, node: number): void {
	state.totals.joins++;
	state.epochCounts.joins++;
	// A joining provider buys its stake on the market.
	state.economy?.nodeJoined(node, true);
	scheduleFailure(state, node);
	if (nodeInOutage(state, node)) {
		state.nodes.inOutage[node] = 1;
		state.nodes.state[node] = NodeState.down;
	} else becomeIdle(state, node);
}
