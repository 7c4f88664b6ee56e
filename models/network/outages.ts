/**
 * Correlated outages: a metro, a region or a jurisdiction goes down for a while and takes its
 * nodes with it (cloud-region outages are windows the cloud twin checks, cloud-twin.ts).
 */
import { NodeState } from "../nodes.js";
import { MS_PER_DAY, MS_PER_HOUR } from "../units.js";
import { becomeIdle, nodeInOutage, takeDown } from "./node-life.js";
import type { NetworkState } from "./state.js";

/** Schedules the start and end of every outage within the horizon. */
export function scheduleOutages(state: NetworkState): void {
	const { engine, kinds } = state;
	const horizonMs = state.setup.horizonMs;
	state.setup.scenario.providers.outages.forEach((outage, i) => {
		const start = Math.round(outage.startDay * MS_PER_DAY);
		if (start >= horizonMs) return;
		engine.scheduleAt(start, kinds.outageStart, i);
		const end = start + Math.round(outage.durationHours * MS_PER_HOUR);
		if (end < horizonMs) engine.scheduleAt(end, kinds.outageEnd, i);
	});
}

/** Outage `i` starts: every live node in its footprint goes down. */
export function onOutageStart(state: NetworkState, i: number): void {
	const nodes = state.nodes;
	const inScope = state.setup.outageMetros[i] as Uint8Array;
	addOutage(state.metroOutageCount, inScope, 1);
	for (let node = 0; node < nodes.count; node++) {
		const nodeState = nodes.state[node];
		if (nodeState === NodeState.exited || nodeState === NodeState.joining) continue;
		if (inScope[nodes.metro[node] as number] !== 1) continue;
		nodes.inOutage[node] = 1;
		takeDown(state, node);
	}
}

/** Outage `i` ends: nodes no other outage covers come back (unless they have failed). */
export function onOutageEnd(state: NetworkState, i: number): void {
	const nodes = state.nodes;
	addOutage(state.metroOutageCount, state.setup.outageMetros[i] as Uint8Array, -1);
	for (let node = 0; node < nodes.count; node++) {
		if (nodes.inOutage[node] !== 1 || nodeInOutage(state, node)) continue;
		nodes.inOutage[node] = 0;
		if (nodes.state[node] === NodeState.down && nodes.failed[node] === 0) becomeIdle(state, node);
	}
}

function addOutage(metroOutageCount: Uint16Array, inScope: Uint8Array, delta: number): void {
	for (let m = 0; m < inScope.length; m++) {
		if (inScope[m] === 1) metroOutageCount[m] = (metroOutageCount[m] as number) + delta;
	}
}
