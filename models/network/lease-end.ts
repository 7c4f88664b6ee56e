/**
 * The end of a lease: a job's node finishes its share (the job completes with its last node,
 * audits may void faked work), or a replica's lease is renewed while still needed.
 * Apart from leases.ts: booking a lease sits below orders (an order starts on one), while its
 * end hands the node back to orders and node life, so it sits above both.
 */

import { accrueLease, bookLease } from "./leases.js";
import { becomeIdle } from "./node-life.js";
import { enqueueWaiting } from "./orders.js";
import { removeReplica, replicaStillNeeded } from "./replicas.js";
import type { JobClassState, RealtimeClassState } from "./state.js";
import { JOB_RUNNING, type NetworkState } from "./state.js";

export function onLeaseEnd(state: NetworkState, node: number): void {
	const nodes = state.nodes;
	const job = nodes.job[node] as number;
	accrueLease(state, node, state.engine.now);
	nodes.leaseEndHandle[node] = -1;
	if (job >= 0) {
		if (nodes.dishonest[node] === 1) auditFakedWork(state, node, job);
		finishJobShare(state, node, job);
		becomeIdle(state, node);
	} else if (job <= -2) {
		const classState = state.realtimeByIndex[-2 - job] as RealtimeClassState;
		if (nodes.leaving[node] === 0 && replicaStillNeeded(state, classState, node)) {
			// Still needed: renew at the same price.
			const price = nodes.leasePriceUsdPerGpuHour[node] as number;
			bookLease(state, node, state.engine.now, classState.spec.replicas.leaseHours, price);
			return;
		}
		removeReplica(classState, node);
		becomeIdle(state, node);
	}
}

/** A dishonest node finishes faked work: an audit may catch it (then it is banned and slashed). */
function auditFakedWork(state: NetworkState, node: number, job: number): void {
	const jobs = state.jobs;
	if (state.auditRng.next() < state.setup.catchProbability) {
		jobs.fraud[job] = 1;
		state.nodes.leaving[node] = 1;
		if (state.economy !== null) {
			const share = state.setup.scenario.tokenomics.slashing.verificationFailureShare;
			state.totals.slashedUnits += state.economy.slash(node, share);
		}
	} else if (jobs.fraud[job] === 0) jobs.fraud[job] = 2;
}

/** Unlinks `node` from its job; the job completes when its last node finishes (all end together). */
function finishJobShare(state: NetworkState, node: number, job: number): void {
	const { nodes, jobs, totals } = state;
	const next = nodes.nextInJob[node] as number;
	nodes.nextInJob[node] = -1;
	if (jobs.firstNode[job] === node) jobs.firstNode[job] = next;
	if (next >= 0 || jobs.firstNode[job] !== -1) return;
	if (jobs.state[job] !== JOB_RUNNING) throw new Error(`job ${job} completed twice`);
	totals.running--;
	if (jobs.fraud[job] === 1) {
		// Caught: the work is void and the order goes back to the queue.
		totals.fraudDetected++;
		jobs.fraud[job] = 0;
		enqueueWaiting(state, job);
	} else {
		if (jobs.fraud[job] === 2) totals.fraudUndetected++;
		totals.served++;
		state.epochCounts.served++;
		(state.jobClassByIndex[jobs.classIndex[job] as number] as JobClassState).depinJobs.served++;
		jobs.free(job);
	}
}
