/**
 * The DePIN network model: the one file where nodes, demand, market, providers, latency and
 * the cloud baseline meet on the event engine. It builds the state, registers every event
 * kind in one table (each handler a one-line call into its subsystem), and runs.
 *
 *   epoch start ──► close the last epoch: provider accounts → exits / entries → timeseries row
 *        │          demand of this epoch per class → tenant choice (logit)
 *        │          real-time: autoscale replicas (leases) → request window (DePIN and cloud)
 *        ▼
 *   job arrivals ──► cloud twin priced and timed ─► DePIN market: candidates → clear → lease
 *        │                                          └─ no award: wait (FIFO) or fall back
 *   lease end ──► node idle → serves the oldest waiting order it can
 *   failure / repair / outage / join ──► node state, interrupted jobs go back to the queue
 *
 * Time is integer ms. Every random draw comes from a stream named after what it decides, so
 * changing one part of a scenario leaves the other parts' draws alone.
 *
 * Files of models/network/ import one way, each only files before it in this order
 * (test/architecture.test.ts checks it):
 *   types → setup → state → cloud-twin → leases → orders → replicas → node-life → outages →
 *   lease-end → request-window → timeseries → invariants → epoch → kpis → run → index
 */
import { closeEpoch, onEpoch } from "./epoch.js";
import { cloudKpis, comparisonKpis, networkKpis } from "./kpis.js";
import { onLeaseEnd } from "./lease-end.js";
import { onEndOfLife, onNodeFailure, onNodeJoin, onNodeRepair, placeInitialFleet } from "./node-life.js";
import { onOrderArrival, onOrderTimeout } from "./orders.js";
import { onOutageEnd, onOutageStart, scheduleOutages } from "./outages.js";
import { NetworkState } from "./state.js";
import type { NetworkInputs, NetworkOptions, NetworkResult } from "./types.js";

/** Runs the scenario and returns its KPIs, its cloud twin and the per-epoch series. */
export function runNetwork(inputs: NetworkInputs, options: NetworkOptions = {}): NetworkResult {
	const state = createNetworkState(inputs, options);
	const { engine, setup } = state;
	engine.scheduleAt(0, state.kinds.epoch, 0);
	engine.run(setup.horizonMs);
	closeEpoch(state, setup.horizonMs);
	return {
		kpis: networkKpis(state),
		baseline: cloudKpis(state),
		comparison: comparisonKpis(state),
		timeseries: state.timeseries,
		tokenDecimals: state.economy === null ? null : state.economy.spec.decimals,
		eventsFired: engine.eventsFired + state.requestEvents,
		epochs: setup.epochs,
	};
}

/**
 * The state at time 0, before the first epoch: event kinds registered, the starting fleet
 * placed (failures drawn), outages scheduled. Tests drive subsystems from here.
 */
export function createNetworkState(inputs: NetworkInputs, options: NetworkOptions = {}): NetworkState {
	const state = new NetworkState(inputs, options);
	registerEvents(state);
	placeInitialFleet(state, inputs);
	scheduleOutages(state);
	return state;
}

/** The table of event kinds: each handler calls its subsystem's `on<Kind>` with the state. */
function registerEvents(state: NetworkState): void {
	const { engine, kinds } = state;
	kinds.nodeFailure = engine.registerKind("node-failure", (node) => onNodeFailure(state, node));
	kinds.nodeRepair = engine.registerKind("node-repair", (node) => onNodeRepair(state, node));
	kinds.nodeJoin = engine.registerKind("node-join", (node) => onNodeJoin(state, node));
	kinds.endOfLife = engine.registerKind("end-of-life", (node) => onEndOfLife(state, node));
	kinds.outageStart = engine.registerKind("outage-start", (outage) => onOutageStart(state, outage));
	kinds.outageEnd = engine.registerKind("outage-end", (outage) => onOutageEnd(state, outage));
	kinds.orderTimeout = engine.registerKind("order-timeout", (job) => onOrderTimeout(state, job));
	kinds.leaseEnd = engine.registerKind("lease-end", (node) => onLeaseEnd(state, node));
	kinds.orderArrival = engine.registerKind("order-arrival", (classIndex) => onOrderArrival(state, classIndex));
	kinds.epoch = engine.registerKind("epoch", (epoch) => onEpoch(state, epoch));
}
