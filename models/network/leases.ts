/**
 * Leases: a node rented to a job or a replica for a span of time. One `bookLease` books first
 * leases and renewals alike (its end event, its price, the run's and the epoch's tallies).
 */
import type { Award } from "../market.js";
import { NodeState, type NodeTable } from "../nodes.js";
import { accrueLease as accrueLeaseInto } from "../provider-accounting.js";
import { MS_PER_HOUR } from "../units.js";
import { workH100Hours } from "./setup.js";
import type { JobClassState, NetworkState } from "./state.js";

/**
 * Books a lease of `node` from `startMs` for `hours` at `priceUsdPerGpuHour`, and schedules its end.
 * `hoursPerWork`: GPU-hours one H100-hour of the lease's work takes on each GPU class (a job's class's;
 * a replica's: tensor work); `render`: the lease serves a render job (its GPU-hours are FP32 work).
 * Returns the lease's value as booked, USD.
 */
export function bookLease(
	state: NetworkState,
	node: number,
	startMs: number,
	hours: number,
	priceUsdPerGpuHour: number,
	hoursPerWork: Float64Array = state.setup.hoursPerWorkByGpu,
	render = false,
): number {
	setLeaseTerms(state.nodes, node, startMs, hours, priceUsdPerGpuHour);
	bookLeaseAsSet(state, node, hoursPerWork, render);
	return leaseValueUsd(state.nodes, node);
}

/**
 * Stores a lease's start, end and price in `node`'s columns (small enough to inline: the doubles
 * then reach the columns without a box each, which a call to the booking would take).
 */
function setLeaseTerms(
	nodes: NodeTable,
	node: number,
	startMs: number,
	hours: number,
	priceUsdPerGpuHour: number,
): void {
	nodes.leaseStartMs[node] = startMs;
	nodes.leaseEndMs[node] = leaseEndMsOf(startMs, hours);
	nodes.leasePriceUsdPerGpuHour[node] = priceUsdPerGpuHour;
}

/** When a lease from `startMs` for `hours` ends, ms: at least 1 ms on (a lease ends after it starts). */
function leaseEndMsOf(startMs: number, hours: number): number {
	return startMs + Math.max(1, Math.round(hours * MS_PER_HOUR));
}

/** The value of `node`'s lease as stored: its price × its length, USD (what booking it tallies). */
function leaseValueUsd(nodes: NodeTable, node: number): number {
	const hours = ((nodes.leaseEndMs[node] as number) - (nodes.leaseStartMs[node] as number)) / MS_PER_HOUR;
	return (nodes.leasePriceUsdPerGpuHour[node] as number) * hours;
}

/**
 * Schedules the end of the lease stored in `node`'s columns and tallies its value (booked as the node's
 * books accrue it and a cut refunds it: the price as stored, the whole ms). Returns nothing: a double
 * returned from a call V8 does not inline is boxed; callers read the value with leaseValueUsd.
 */
function bookLeaseAsSet(state: NetworkState, node: number, hoursPerWork: Float64Array, render: boolean): void {
	const { nodes, epochCounts } = state;
	nodes.leaseEndHandle[node] = state.engine.scheduleAt(nodes.leaseEndMs[node] as number, state.kinds.leaseEnd, node);
	const hours = ((nodes.leaseEndMs[node] as number) - (nodes.leaseStartMs[node] as number)) / MS_PER_HOUR;
	const costUsd = tallyLeaseSpend(state, node, hours, render, hoursPerWork);
	epochCounts.priceGpuHours += hours;
	epochCounts.priceUsd += costUsd;
	const gpu = nodes.gpu[node] as number;
	state.epochLeaseGpuHoursByGpu[gpu] = (state.epochLeaseGpuHoursByGpu[gpu] as number) + hours;
	state.epochLeaseUsdByGpu[gpu] = (state.epochLeaseUsdByGpu[gpu] as number) + costUsd;
}

/**
 * Adds `hours` of `node`'s lease at its stored price to what tenants spent over the run (spend,
 * fee, GPU-hours and work by GPU class); negative hours take a refund off. Returns the USD.
 */
function tallyLeaseSpend(
	state: NetworkState,
	node: number,
	hours: number,
	render: boolean,
	hoursPerWork: Float64Array,
): number {
	const { nodes, totals } = state;
	const usd = (nodes.leasePriceUsdPerGpuHour[node] as number) * hours;
	totals.leaseGpuHours += hours;
	totals.leaseCostUsd += usd;
	totals.feesUsd += usd * state.leaseTakeRate;
	const gpu = nodes.gpu[node] as number;
	state.depinLeaseByGpu.add(gpu, hours, usd, render, workH100Hours(state.setup, hoursPerWork, gpu, hours));
	return usd;
}

/** The job class of a lease's `job` (undefined for a replica's marker). */
function leaseJobClass(state: NetworkState, job: number): JobClassState | undefined {
	return job >= 0 ? state.jobClassByIndex[state.jobs.classIndex[job] as number] : undefined;
}

/**
 * Leases the awarded nodes from `startMs` for `hours` each, to `job` (a job id or a replica
 * marker). Returns what the tenant pays, USD: every node's price × `hours` (a multi-GPU job
 * holds all its nodes until the slowest finishes). `hoursPerWork` and `render` as in bookLease:
 * a job's start passes its class's, a replica's lease tensor work (setup.hoursPerWorkByGpu, false).
 */
export function leaseAward(
	state: NetworkState,
	award: Award,
	startMs: number,
	hours: number,
	job: number,
	hoursPerWork: Float64Array,
	render: boolean,
): number {
	const { nodes, idle } = state;
	// The terms are stored here, not through setLeaseTerms: startJob inlines this function, and a call
	// left outside its inlining budget would box the three doubles.
	const endMs = leaseEndMsOf(startMs, hours);
	let previous = -1;
	let bookedUsd = 0;
	for (let w = 0; w < award.count; w++) {
		const node = award.nodes[w] as number;
		idle.remove(node, nodes.gpu[node] as number, nodes.metro[node] as number);
		nodes.state[node] = NodeState.serving;
		nodes.job[node] = job;
		nodes.leaseStartMs[node] = startMs;
		nodes.leaseEndMs[node] = endMs;
		nodes.leasePriceUsdPerGpuHour[node] = award.priceUsdPerGpuHour[w] as number;
		bookLeaseAsSet(state, node, hoursPerWork, render);
		bookedUsd += leaseValueUsd(nodes, node);
		nodes.nextInJob[node] = -1;
		if (previous >= 0) nodes.nextInJob[previous] = node;
		else if (job >= 0) state.jobs.firstNode[job] = node;
		previous = node;
	}
	return bookedUsd;
}

/** Busy time and revenue of `node`'s lease up to `untilMs`, within the current epoch. */
export function accrueLease(state: NetworkState, node: number, untilMs: number): void {
	accrueLeaseInto(state.nodes, node, state.epochStartMs, untilMs, state.fiatShareToProvider);
}

/**
 * Ends `node`'s lease now, before its term: accrues it, refunds the tenant the part not served, and
 * cancels its end event. Call it while `nodes.job[node]` still names the lease's job.
 */
export function cutLease(state: NetworkState, node: number): void {
	const nodes = state.nodes;
	const now = state.engine.now;
	accrueLease(state, node, now);
	refundUnserved(state, node, now);
	state.engine.cancel(nodes.leaseEndHandle[node] as number);
	nodes.leaseEndHandle[node] = -1;
}

/**
 * A lease is paid when it is booked; when it is cut, the tenant gets back what was not served
 * (as an escrowed lease returns its balance: Akash's escrow module). The run's spend, the fees,
 * the burn-and-mint spend and the job class's cost drop by it; the epoch's clearing price and
 * quoted cost per work (prices agreed) do not.
 */
function refundUnserved(state: NetworkState, node: number, nowMs: number): void {
	const nodes = state.nodes;
	const unservedMs = (nodes.leaseEndMs[node] as number) - Math.max(nodes.leaseStartMs[node] as number, nowMs);
	if (!(unservedMs > 0)) return;
	const jobClass = leaseJobClass(state, nodes.job[node] as number);
	const hoursPerWork = jobClass?.hoursPerWorkByGpu ?? state.setup.hoursPerWorkByGpu;
	const usd = -tallyLeaseSpend(state, node, -unservedMs / MS_PER_HOUR, jobClass?.render === true, hoursPerWork);
	state.totals.refundedUsd += usd;
	state.epochCounts.refundedUsd += usd;
	// The class's run tally only: the epoch's quoted cost per work (the tenants' price signal) keeps the quote.
	if (jobClass !== undefined) jobClass.depinJobs.costUsd -= usd;
}
