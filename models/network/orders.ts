/**
 * Orders of batch jobs: arrival (with its cloud twin), clearing in the market, the start of
 * the job on its award, the FIFO of waiting orders per class, and timeouts (a timed-out
 * order falls back to the cloud).
 */
import { standardExponential } from "../../sim/random/ziggurat.js";
import type { EpochDemand } from "../demand.js";
import { type Award, awardOrder, heldHours, type OrderTerms } from "../market.js";
import { MS_PER_HOUR, MS_PER_MINUTE, transferMs } from "../units.js";
import { cloudTwin } from "./cloud-twin.js";
import { leaseAward } from "./leases.js";
import { JOB_RUNNING, JOB_WAITING, type JobClassState, type NetworkState } from "./state.js";

/** The market's award for `terms` (valid until the next clearing), or null. */
export function tryAward(state: NetworkState, terms: OrderTerms): Award | null {
	const clearing = state.clearing;
	return awardOrder(state.idle, state.nodes, terms, state.setup.marketContext, clearing) === true
		? clearing.award
		: null;
}

/** The terms of waiting or arriving job `job` of `classState`, in the state's reused terms object. */
export function termsFor(state: NetworkState, classState: JobClassState, job: number): OrderTerms {
	const { jobs, jobTerms } = state;
	jobTerms.originMetro = jobs.origin[job] as number;
	jobTerms.gpus = classState.spec.gpusPerJob;
	jobTerms.eligibleGpu = classState.eligibleGpu;
	jobTerms.work = jobs.work[job] as number;
	jobTerms.reserveUsd = jobs.reserveUsd[job] as number;
	jobTerms.gpuHoursPerWork = classState.hoursPerWorkByGpu;
	jobTerms.minLinkGbps = classState.spec.hardware.minLinkGbps;
	return jobTerms;
}

/** The last transfer's cost (one reused object: read right after `transferIn`). */
const transfer = { costUsd: 0 };

/**
 * Moving a job's input to its nodes: each node receives the whole input (the tenant's payload
 * and the model's weights) over its own link, so the job waits for the slowest link; the tenant
 * pays the internet egress of the cloud region nearest the order's origin for every copy of the
 * payload (the weights come from a model hub, free; DePIN providers charge no egress). Returns
 * ms, and leaves the cost in `transfer.costUsd`.
 */
function transferIn(state: NetworkState, award: Award, payloadGb: number, modelGb: number, origin: number): number {
	const { nodes, setup } = state;
	let slowestGbps = Number.POSITIVE_INFINITY;
	for (let w = 0; w < award.count; w++) {
		slowestGbps = Math.min(slowestGbps, nodes.linkGbps[award.nodes[w] as number] as number);
	}
	transfer.costUsd = payloadGb * award.count * (setup.availability.egressUsdPerGbByMetro[origin] as number);
	const inGb = payloadGb + modelGb;
	return inGb > 0 ? Math.round(transferMs(inGb, slowestGbps)) : 0;
}

/** Starts job `job` on an award: every node is leased until the slowest finishes the work. */
export function startJob(state: NetworkState, job: number, award: Award): void {
	const { jobs, nodes, totals, engine, setup } = state;
	const classState = state.jobClassByIndex[jobs.classIndex[job] as number] as JobClassState;
	const spec = classState.spec;
	const transferMs = transferIn(state, award, spec.payloadGbIn, spec.modelGbIn, jobs.origin[job] as number);
	const startMs = engine.now + setup.awardDelayMs + transferMs;
	const work = jobs.work[job] as number;
	if (jobs.state[job] === JOB_WAITING) {
		totals.waiting--;
		engine.cancel(jobs.timeout[job] as number);
	}
	// A multi-GPU job runs at the pace of its slowest GPU, and pays for every node until then
	// (award.costUsd, at the order's prices; leaseAward books it at the stored ones).
	const hours = heldHours(nodes, award.nodes, award.count, work, classState.hoursPerWorkByGpu);
	const leaseUsd = leaseAward(state, award, startMs, hours, job, classState.hoursPerWorkByGpu, classState.render);
	// Providers pay transit on the results they send back (what they receive, input and weights, comes free,
	// as ingress does at a data centre and on a flat-rate home line): an operating cost of the first node, like
	// its power, not netted from the revenue that work rewards are minted on (issuance follows the work served).
	const first = award.nodes[0] as number;
	nodes.bandwidthUsdInEpoch[first] =
		(nodes.bandwidthUsdInEpoch[first] as number) + spec.payloadGbOut * setup.bandwidthUsdPerGb;
	jobs.state[job] = JOB_RUNNING;
	totals.running++;
	classState.epochAwarded++;
	classState.epochDepinCost += leaseUsd + transfer.costUsd;
	classState.epochDepinWork += work * spec.gpusPerJob;
	// The pooled histogram is the classes' merged when the KPIs are read (one record per job, not two).
	const tally = classState.depinJobs;
	tally.costUsd += leaseUsd + transfer.costUsd;
	tally.transferCostUsd += transfer.costUsd;
	// Time to serve: arrival to the first start, once per job. A requeued job's restart (after an interruption)
	// is not timed from its arrival, which would count its hours of earlier running as waiting. Its work counts
	// once too: a restart redoes the same work (what the lost attempt ran is paid for, not delivered).
	if (jobs.started[job] === 0) {
		jobs.started[job] = 1;
		tally.workH100Hours += work * spec.gpusPerJob;
		tally.timeToServeMinutes.record((startMs - (jobs.arrivalMs[job] as number)) / MS_PER_MINUTE);
	}
	tally.transferMinutes.record(transferMs / MS_PER_MINUTE);
}

/** Puts job `job` in its class's FIFO until a node frees up or it times out (no queue: rejected). */
export function enqueueWaiting(state: NetworkState, job: number): void {
	const { jobs } = state;
	const classState = state.jobClassByIndex[jobs.classIndex[job] as number] as JobClassState;
	const waitMs = Math.round(classState.spec.maxQueueMinutes * MS_PER_MINUTE);
	if (waitMs <= 0) {
		rejectJob(state, job);
		return;
	}
	jobs.state[job] = JOB_WAITING;
	state.totals.waiting++;
	classState.waiting.push(job);
	jobs.timeout[job] = state.engine.schedule(waitMs, state.kinds.orderTimeout, job);
}

function rejectJob(state: NetworkState, job: number): void {
	state.totals.rejected++;
	state.epochCounts.rejected++;
	(state.jobClassByIndex[state.jobs.classIndex[job] as number] as JobClassState).depinJobs.rejected++;
	state.jobs.free(job);
}

/** A job whose node went down with failover none: not served (counted with the rejected in the pooled figures). */
export function failJob(state: NetworkState, job: number): void {
	state.totals.rejected++;
	state.epochCounts.rejected++;
	(state.jobClassByIndex[state.jobs.classIndex[job] as number] as JobClassState).depinJobs.failed++;
	state.jobs.free(job);
}

/** A waiting order times out: it falls back to the cloud; its FIFO entry is dropped lazily. */
export function onOrderTimeout(state: NetworkState, job: number): void {
	state.totals.waiting--;
	state.jobs.state[job] = 0;
	rejectJob(state, job);
}

/** Gives idle `node` the oldest waiting order (over classes) it can serve, if that order gets an award. */
export function serveWaiting(state: NetworkState, node: number): void {
	if (state.totals.waiting === 0) return;
	const jobState = state.jobs.state;
	const arrivalMs = state.jobs.arrivalMs;
	const gpu = state.nodes.gpu[node] as number;
	const linkGbps = state.nodes.linkGbps[node] as number;
	let bestClass: JobClassState | null = null;
	let bestArrival = Number.POSITIVE_INFINITY;
	for (const classState of state.jobClasses) {
		const queue = classState.waiting;
		// Drop entries whose order timed out or started meanwhile.
		while (queue.length > 0 && jobState[queue.peek()] !== JOB_WAITING) queue.shift();
		// A class whose tenants filter out this node's link waits for another node (its order would block a younger one).
		if (queue.length === 0 || classState.eligibleGpu[gpu] !== 1 || classState.spec.hardware.minLinkGbps > linkGbps)
			continue;
		const arrival = arrivalMs[queue.peek()] as number;
		if (arrival < bestArrival) {
			bestArrival = arrival;
			bestClass = classState;
		}
	}
	if (bestClass === null) return;
	const job = bestClass.waiting.peek();
	const award = tryAward(state, termsFor(state, bestClass, job));
	if (award === null) return;
	bestClass.waiting.shift();
	startJob(state, job, award);
}

/** Schedules the class's next order arrival within the current epoch (the epoch sets the rate). */
export function scheduleNextArrival(state: NetworkState, classState: JobClassState): void {
	classState.nextArrivalHandle = -1;
	const demand = classState.demand;
	if (demand === null || !(demand.ratePerHour > 0)) return;
	const { engine, setup } = state;
	const gapMs = Math.round((standardExponential(classState.timeRng) / demand.ratePerHour) * MS_PER_HOUR);
	const at = engine.now + gapMs;
	if (at < Math.min(state.epochStartMs + setup.epochMs, setup.horizonMs)) {
		classState.nextArrivalHandle = engine.scheduleAt(at, state.kinds.orderArrival, classState.index);
	}
}

/** An order arrives: its cloud twin is priced, and if the tenant chose DePIN it clears or waits. */
export function onOrderArrival(state: NetworkState, classIndex: number): void {
	const classState = state.jobClassByIndex[classIndex] as JobClassState;
	const what = classState.whatRng;
	const origin = (classState.demand as EpochDemand).origin.sample(what);
	const work = classState.work.sample(what);
	const choosesDepin = classState.choiceRng.next() < classState.share;
	const cloudCost = cloudTwin(state, classState, origin, work);
	const cloudTally = classState.cloudJobs;
	cloudTally.arrived++;
	if (Number.isFinite(cloudCost)) {
		cloudTally.costUsd += cloudCost;
		cloudTally.workH100Hours += work * classState.spec.gpusPerJob;
	} else cloudTally.rejected++;
	if (choosesDepin) placeOrder(state, classState, origin, work, cloudCost);
	scheduleNextArrival(state, classState);
}

/**
 * A tenant places an order of `work` from metro `origin` on DePIN, with a reserve tied to the
 * cloud's cost: it starts on an award at once, or waits. Returns the job's id.
 */
export function placeOrder(
	state: NetworkState,
	classState: JobClassState,
	origin: number,
	work: number,
	cloudCostUsd: number,
): number {
	const jobs = state.jobs;
	const job = jobs.allocate();
	jobs.classIndex[job] = classState.index;
	jobs.origin[job] = origin;
	jobs.work[job] = work;
	jobs.arrivalMs[job] = state.engine.now;
	jobs.firstNode[job] = -1;
	jobs.reserveUsd[job] = state.setup.reservePriceShareOfCloud * cloudCostUsd;
	state.totals.arrived++;
	state.epochCounts.arrived++;
	classState.epochOffered++;
	classState.depinJobs.arrived++;
	const award = tryAward(state, termsFor(state, classState, job));
	if (award !== null) startJob(state, job, award);
	else enqueueWaiting(state, job);
	return job;
}
