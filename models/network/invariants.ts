/** Conservation and state invariants of the network model, checked at every epoch in test mode. */
import { NodeState } from "../nodes.js";
import type { NetworkState } from "./state.js";

/** Throws when jobs are not conserved, the idle index disagrees with node states, or the ledger leaks. */
export function checkNetworkInvariants(state: NetworkState): void {
	const { totals, nodes, idle } = state;
	const inFlight = totals.waiting + totals.running;
	if (totals.arrived !== totals.served + totals.rejected + inFlight) {
		throw new Error(
			`job conservation broken: arrived ${totals.arrived} ≠ served ${totals.served} + rejected ${totals.rejected} + in flight ${inFlight}`,
		);
	}
	let idleCount = 0;
	let runningJobs = 0;
	for (let node = 0; node < nodes.count; node++) {
		const nodeState = nodes.state[node];
		if (nodeState === NodeState.idle) {
			idleCount++;
			if (!idle.has(node)) throw new Error(`idle node ${node} missing from the idle index`);
		} else if (idle.has(node)) throw new Error(`node ${node} (state ${nodeState}) is in the idle index`);
		const job = nodes.job[node] as number;
		if (nodeState === NodeState.serving && job >= 0 && state.jobs.firstNode[job] === node) runningJobs++;
	}
	if (idleCount !== idle.size) throw new Error(`idle index holds ${idle.size} nodes, ${idleCount} are idle`);
	if (runningJobs !== totals.running) throw new Error(`${totals.running} jobs counted running, ${runningJobs} found`);
	state.economy?.ledger.checkConservationFull();
}
