import { describe, expect, it } from "vitest";
import { NodeState, NodeTable } from "../../models/nodes.js";
import {
	accountEpoch,
	type EpochAccounting,
	type EpochAccountingParams,
	emptyEpochAccounting,
	trackNode,
} from "../../models/provider-accounting.js";
import { RandomStream } from "../../sim/random/stream.js";

const MS_PER_HOUR = 3_600_000;
const GPUS = 4;
const METROS = 7;
const PATIENCE = 3;

/** The per-node columns accountEpoch reads or writes (plus the token arrays, kept beside). */
const COLUMNS = [
	"state",
	"busyMsInEpoch",
	"revenueUsdInEpoch",
	"bandwidthUsdInEpoch",
	"cumulativeMarginUsd",
	"ewmaMarginUsdPerHour",
	"epochsBelowThreshold",
	"leaving",
	"askUsdPerGpuHour",
] as const;
type ColumnName = (typeof COLUMNS)[number];
type Column = NodeTable[ColumnName];

/** Copies of the columns, of the same typed-array types (so storing rounds the same way). */
type Snapshot = { [K in ColumnName]: NodeTable[K] } & { rewardWeight: Float64Array };

function snapshot(nodes: NodeTable, rewardWeight: Float64Array): Snapshot {
	return {
		state: nodes.state.slice(),
		busyMsInEpoch: nodes.busyMsInEpoch.slice(),
		revenueUsdInEpoch: nodes.revenueUsdInEpoch.slice(),
		bandwidthUsdInEpoch: nodes.bandwidthUsdInEpoch.slice(),
		cumulativeMarginUsd: nodes.cumulativeMarginUsd.slice(),
		ewmaMarginUsdPerHour: nodes.ewmaMarginUsdPerHour.slice(),
		epochsBelowThreshold: nodes.epochsBelowThreshold.slice(),
		leaving: nodes.leaving.slice(),
		askUsdPerGpuHour: nodes.askUsdPerGpuHour.slice(),
		rewardWeight: rewardWeight.slice(),
	};
}

interface ReferenceResult {
	active: number;
	serving: number;
	down: number;
	joining: number;
	live: number;
	busyMs: number;
	revenueUsd: number;
	costUsd: number;
	tokenRewardUsd: number;
	marginSum: number;
	ewmaSum: number;
	ewmaByGpu: number[];
	liveByGpu: number[];
	busyMsByGpu: number[];
	joiningByGpu: number[];
	askSumByGpu: number[];
	exits: number[];
	/** Nodes still on the books after the pass (not exited), increasing. */
	tracked: number[];
}

/**
 * The epoch's books, written out plainly: every node ever created, skipping only those the
 * books dropped in an earlier pass (`gone`); columns in `s` (a copy of the table's).
 */
function referenceEpoch(
	nodes: NodeTable,
	s: Snapshot,
	params: EpochAccountingParams,
	gone: Set<number>,
): ReferenceResult {
	const hours = (params.endMs - params.startMs) / MS_PER_HOUR;
	const epochMs = params.endMs - params.startMs;
	const tokens = params.tokens;
	const result: ReferenceResult = {
		active: 0,
		serving: 0,
		down: 0,
		joining: 0,
		live: 0,
		busyMs: 0,
		revenueUsd: 0,
		costUsd: 0,
		tokenRewardUsd: 0,
		marginSum: 0,
		ewmaSum: 0,
		ewmaByGpu: new Array<number>(GPUS).fill(0),
		liveByGpu: new Array<number>(GPUS).fill(0),
		busyMsByGpu: new Array<number>(GPUS).fill(0),
		joiningByGpu: new Array<number>(GPUS).fill(0),
		askSumByGpu: new Array<number>(GPUS).fill(0),
		exits: [],
		tracked: [],
	};
	for (let node = 0; node < nodes.count; node++) {
		if (gone.has(node)) continue;
		const state = s.state[node];
		if (state === NodeState.exited) {
			// Left since the last pass: settled up to when it left (leaseEndMs), then reset.
			let revenue = s.revenueUsdInEpoch[node] as number;
			if (tokens !== null) {
				const reward = (tokens.rewardPaidUnits[node] as number) * tokens.usdPerUnit;
				revenue += reward;
				result.tokenRewardUsd += reward;
				s.rewardWeight[node] = 0;
			}
			const costBefore = result.costUsd;
			const liveHours = (Math.min(params.endMs, nodes.leaseEndMs[node] as number) - params.startMs) / MS_PER_HOUR;
			if (liveHours > 0) {
				const k = (nodes.gpu[node] as number) * 2 + (nodes.hosting[node] as number);
				const power = nodes.powerUsdPerKwh[node] as number;
				const fixedPerHour =
					(params.idleKwByGpuHosting[k] as number) * power + (params.fixedUsdPerHourByGpuHosting[k] as number);
				const busyHours = (s.busyMsInEpoch[node] as number) / MS_PER_HOUR;
				result.costUsd += fixedPerHour * liveHours + (params.busyKwByGpuHosting[k] as number) * power * busyHours;
			}
			// Its bandwidth bill is a cost like its power.
			result.costUsd += s.bandwidthUsdInEpoch[node] as number;
			s.bandwidthUsdInEpoch[node] = 0;
			// And into its lifetime margin (payback).
			s.cumulativeMarginUsd[node] = (s.cumulativeMarginUsd[node] as number) + revenue - (result.costUsd - costBefore);
			result.revenueUsd += revenue;
			s.revenueUsdInEpoch[node] = 0;
			s.busyMsInEpoch[node] = 0;
			gone.add(node);
			continue;
		}
		result.tracked.push(node);
		if (state === NodeState.joining) {
			result.joining++;
			const joiningGpu = nodes.gpu[node] as number;
			result.joiningByGpu[joiningGpu] = (result.joiningByGpu[joiningGpu] as number) + 1;
			if (tokens !== null) s.rewardWeight[node] = 0;
			continue;
		}
		if (state === NodeState.serving) {
			result.serving++;
			const from = Math.max(nodes.leaseStartMs[node] as number, params.startMs);
			const to = Math.min(nodes.leaseEndMs[node] as number, params.endMs);
			if (to > from) {
				s.busyMsInEpoch[node] = (s.busyMsInEpoch[node] as number) + (to - from);
				s.revenueUsdInEpoch[node] =
					(s.revenueUsdInEpoch[node] as number) +
					((to - from) / MS_PER_HOUR) * (nodes.leasePriceUsdPerGpuHour[node] as number) * params.fiatShareToProvider;
			}
		}
		if (state === NodeState.down) result.down++;
		else result.active++;
		const gpu = nodes.gpu[node] as number;
		const busy = s.busyMsInEpoch[node] as number;
		const utilisation = Math.min(1, busy / epochMs);
		// Running cost linear in utilisation and power price, from its class and hosting's constants.
		const k = gpu * 2 + (nodes.hosting[node] as number);
		const power = nodes.powerUsdPerKwh[node] as number;
		const fixedPerHour =
			(params.idleKwByGpuHosting[k] as number) * power + (params.fixedUsdPerHourByGpuHosting[k] as number);
		const perUtilisation = (params.busyKwByGpuHosting[k] as number) * power;
		const costPerHour = fixedPerHour + perUtilisation * utilisation;
		const cost = costPerHour * hours + (s.bandwidthUsdInEpoch[node] as number);
		let revenue = s.revenueUsdInEpoch[node] as number;
		if (tokens !== null) {
			const reward = (tokens.rewardPaidUnits[node] as number) * tokens.usdPerUnit;
			revenue += reward;
			result.tokenRewardUsd += reward;
			const staked = node < tokens.stakedUnits.length ? (tokens.stakedUnits[node] as number) : 0;
			s.rewardWeight[node] =
				tokens.weightPerBusyMs * busy +
				(state === NodeState.down ? 0 : tokens.weightUptime) +
				tokens.weightPerStakedUnit * staked;
		}
		const margin = (revenue - cost) / hours;
		s.cumulativeMarginUsd[node] = (s.cumulativeMarginUsd[node] as number) + (revenue - cost);
		const previous = s.ewmaMarginUsdPerHour[node] as number;
		const ewma = (1 - params.ewmaWeight) * previous + params.ewmaWeight * margin;
		s.ewmaMarginUsdPerHour[node] = ewma;
		let below = 0;
		if (ewma < (nodes.exitThresholdUsdPerHour[node] as number)) {
			below = Math.min(65_535, (s.epochsBelowThreshold[node] as number) + 1);
		}
		s.epochsBelowThreshold[node] = below;
		// Market policy: the going rate ∓ undercut (over it when busy), floored at full-load running cost.
		result.askSumByGpu[gpu] = (result.askSumByGpu[gpu] as number) + (s.askUsdPerGpuHour[node] as number);
		const undercut = nodes.askUndercut[node] as number;
		const rate = params.goingRateByGpu[gpu] as number;
		if (!Number.isNaN(undercut) && !Number.isNaN(rate)) {
			const floor = fixedPerHour + perUtilisation;
			const ask = rate * (utilisation >= params.raiseAboveUtilisation ? 1 + undercut : 1 - undercut);
			s.askUsdPerGpuHour[node] = Math.max(floor, ask);
		}
		if (below >= (nodes.patienceEpochs[node] as number) && s.leaving[node] === 0) {
			s.leaving[node] = 1;
			if (state === NodeState.idle) result.exits.push(node);
		}
		result.live++;
		result.busyMs += busy;
		result.revenueUsd += revenue;
		result.costUsd += cost;
		result.marginSum += margin;
		result.ewmaSum += ewma;
		result.ewmaByGpu[gpu] = (result.ewmaByGpu[gpu] as number) + ewma;
		result.liveByGpu[gpu] = (result.liveByGpu[gpu] as number) + 1;
		result.busyMsByGpu[gpu] = (result.busyMsByGpu[gpu] as number) + busy;
		s.busyMsInEpoch[node] = 0;
		s.revenueUsdInEpoch[node] = 0;
		s.bandwidthUsdInEpoch[node] = 0;
	}
	return result;
}

/**
 * Entries of `actual` that differ from `expected`: exactly when `digits` is undefined, else by
 * toBeCloseTo's rule (|a − e| < 10^−digits / 2).
 */
function mismatches(
	name: string,
	actual: ArrayLike<number>,
	expected: ArrayLike<number>,
	count: number,
	digits?: number,
): string[] {
	const out: string[] = [];
	for (let i = 0; i < count; i++) {
		const a = actual[i] as number;
		const e = expected[i] as number;
		const ok = digits === undefined ? Object.is(a, e) : Math.abs(a - e) < 10 ** -digits / 2;
		if (!ok) out.push(`${name}[${i}]: ${a} ≠ ${e}`);
	}
	return out;
}

const DIGITS: Record<ColumnName | "rewardWeight", number | undefined> = {
	state: undefined,
	busyMsInEpoch: undefined,
	revenueUsdInEpoch: 9,
	bandwidthUsdInEpoch: undefined,
	cumulativeMarginUsd: 9,
	// Float32: the pass multiplies by reciprocals where the reference divides (an ulp apart).
	ewmaMarginUsdPerHour: 5,
	epochsBelowThreshold: undefined,
	leaving: undefined,
	askUsdPerGpuHour: 6,
	rewardWeight: 9,
};

function expectColumnsMatch(nodes: NodeTable, rewardWeight: Float64Array, reference: Snapshot): void {
	const bad: string[] = [];
	for (const name of COLUMNS) {
		bad.push(...mismatches(name, nodes[name] as Column, reference[name], nodes.count, DIGITS[name]));
	}
	bad.push(...mismatches("rewardWeight", rewardWeight, reference.rewardWeight, nodes.count, DIGITS.rewardWeight));
	expect(bad.slice(0, 20)).toEqual([]);
}

function expectBooksMatch(books: EpochAccounting, ref: ReferenceResult): void {
	expect(books.active).toBe(ref.active);
	expect(books.serving).toBe(ref.serving);
	expect(books.down).toBe(ref.down);
	expect(books.joining).toBe(ref.joining);
	expect(books.live).toBe(ref.live);
	expect(books.busyMs).toBe(ref.busyMs);
	expect(books.revenueUsd).toBeCloseTo(ref.revenueUsd, 8);
	expect(books.costUsd).toBeCloseTo(ref.costUsd, 8);
	expect(books.tokenRewardUsd).toBeCloseTo(ref.tokenRewardUsd, 8);
	expect(books.marginSum).toBeCloseTo(ref.marginSum, 8);
	expect(books.ewmaSum).toBeCloseTo(ref.ewmaSum, 8);
	for (let g = 0; g < GPUS; g++) {
		expect(books.ewmaByGpu[g]).toBeCloseTo(ref.ewmaByGpu[g] as number, 8);
		expect(books.liveByGpu[g]).toBe(ref.liveByGpu[g]);
		expect(books.busyMsByGpu[g]).toBe(ref.busyMsByGpu[g]);
		expect(books.joiningByGpu[g]).toBe(ref.joiningByGpu[g]);
		expect(books.askSumByGpu[g]).toBeCloseTo(ref.askSumByGpu[g] as number, 5);
	}
	expect(Array.from(books.exits.subarray(0, books.exitCount))).toEqual(ref.exits);
	expect(Array.from(books.tracked.subarray(0, books.trackedCount))).toEqual(ref.tracked);
}

const STATES_AT_START = [
	NodeState.joining,
	NodeState.idle,
	NodeState.idle,
	NodeState.idle,
	NodeState.serving,
	NodeState.serving,
	NodeState.down,
	NodeState.exited,
] as const;

/** A world of a few hundred providers in every state, and the books that follow them. */
function makeWorld(seed: number) {
	const rng = RandomStream.create(seed, 0, "test/provider-accounting");
	const nodes = new NodeTable(64);
	const books = emptyEpochAccounting(GPUS);
	// Running-cost constants by (class, hosting): idle and busy kW, fixed USD per hour.
	const idleKwByGpuHosting = Float64Array.from({ length: 2 * GPUS }, () => 0.05 + 0.3 * rng.next());
	const busyKwByGpuHosting = Float64Array.from({ length: 2 * GPUS }, () => 0.2 + 0.8 * rng.next());
	const fixedUsdPerHourByGpuHosting = Float64Array.from({ length: 2 * GPUS }, () => 0.4 * rng.next());
	const electricityByMetro = Float64Array.from({ length: METROS }, () => 0.04 + 0.3 * rng.next());
	// One class has no going rate yet: its market-policy providers keep their asks.
	const goingRateByGpu = Float64Array.from({ length: GPUS }, (_, g) => (g === 0 ? Number.NaN : 0.3 + 2 * rng.next()));
	let rewardWeight = new Float64Array(64);
	let rewardPaidUnits = new Float64Array(64);
	// Shorter than the table on purpose: nodes past its end have no stake (`?? 0`).
	const stakedUnits = Float64Array.from({ length: 700 }, () => (rng.int(3) === 0 ? 0 : rng.next() * 5e6));

	const giveLease = (node: number, startMs: number, epochMs: number) => {
		// From two hours before the epoch to late in it; some end before it starts, some after it.
		const leaseStart = startMs - 2 * MS_PER_HOUR + rng.int(2 * MS_PER_HOUR + Math.floor(0.9 * epochMs));
		nodes.leaseStartMs[node] = leaseStart;
		nodes.leaseEndMs[node] = leaseStart + 1 + rng.int(4 * MS_PER_HOUR);
		nodes.leasePriceUsdPerGpuHour[node] = 0.4 + 4 * rng.next();
	};

	const addNode = (state: NodeState, startMs: number, epochMs: number): number => {
		const node = nodes.add(rng.int(GPUS), rng.int(METROS), state, startMs, 0.5 + 3 * rng.next());
		trackNode(books, node);
		// The provider's own draws: power price, exit threshold, patience, ask policy.
		nodes.powerUsdPerKwh[node] = (electricityByMetro[nodes.metro[node] as number] as number) * (0.5 + rng.next());
		nodes.hosting[node] = rng.int(2);
		nodes.exitThresholdUsdPerHour[node] = 0.05 - 0.1 * rng.next();
		nodes.patienceEpochs[node] = 1 + rng.int(PATIENCE);
		nodes.askUndercut[node] = rng.int(2) === 0 ? Number.NaN : 0.1 * rng.next();
		if (nodes.count > rewardWeight.length) {
			const grownWeight = new Float64Array(rewardWeight.length * 2);
			grownWeight.set(rewardWeight);
			rewardWeight = grownWeight;
			const grownPaid = new Float64Array(rewardPaidUnits.length * 2);
			grownPaid.set(rewardPaidUnits);
			rewardPaidUnits = grownPaid;
		}
		if (state === NodeState.serving) giveLease(node, startMs, epochMs);
		// Busy time and revenue of leases that ended earlier in the epoch; some over a full epoch.
		nodes.busyMsInEpoch[node] = rng.int(3) === 0 ? 0 : rng.int(Math.floor(1.2 * epochMs));
		nodes.revenueUsdInEpoch[node] = rng.int(2) === 0 ? 0 : 2 * rng.next();
		nodes.bandwidthUsdInEpoch[node] = rng.int(2) === 0 ? 0 : 0.3 * rng.next();
		nodes.cumulativeMarginUsd[node] = 100 * (rng.next() - 0.5);
		nodes.ewmaMarginUsdPerHour[node] = 2 * (rng.next() - 0.6);
		const pick = rng.int(12);
		nodes.epochsBelowThreshold[node] = pick === 0 ? 65_535 : pick === 1 ? 65_534 : rng.int(PATIENCE + 1);
		nodes.leaving[node] = rng.int(15) === 0 ? 1 : 0;
		rewardWeight[node] = 1 + rng.next(); // stale: the pass must overwrite it
		rewardPaidUnits[node] = rng.int(2) === 0 ? 0 : rng.next() * 1e6;
		return node;
	};

	const params = (startMs: number, endMs: number, withTokens: boolean): EpochAccountingParams => ({
		startMs,
		endMs,
		fiatShareToProvider: 0.85,
		idleKwByGpuHosting,
		busyKwByGpuHosting,
		fixedUsdPerHourByGpuHosting,
		ewmaWeight: 0.4,
		goingRateByGpu,
		raiseAboveUtilisation: 0.5,
		collectWork: false,
		tokens: withTokens
			? {
					rewardPaidUnits,
					usdPerUnit: 0.5e-6,
					weightPerBusyMs: 1 / MS_PER_HOUR,
					weightUptime: 0.25 * ((endMs - startMs) / MS_PER_HOUR),
					weightPerStakedUnit: 1e-7,
					stakedUnits,
				}
			: null,
	});

	return {
		rng,
		nodes,
		books,
		addNode,
		giveLease,
		params,
		rewardWeight: () => rewardWeight,
		rewardPaidUnits: () => rewardPaidUnits,
	};
}

/** Epoch lengths, hours: hourly, long, short, and one not a whole number of minutes. */
const EPOCH_HOURS = [1, 1, 2, 0.5, 1, 1.37, 1];

/** One GPU class, no tokens, one-hour epoch from 0, nothing charged: `changes` set what a test needs. */
function oneClassParams(changes: Partial<EpochAccountingParams>): EpochAccountingParams {
	return {
		startMs: 0,
		endMs: MS_PER_HOUR,
		fiatShareToProvider: 1,
		idleKwByGpuHosting: new Float64Array(2),
		busyKwByGpuHosting: new Float64Array(2),
		fixedUsdPerHourByGpuHosting: new Float64Array(2),
		ewmaWeight: 0.1,
		goingRateByGpu: Float64Array.of(Number.NaN),
		raiseAboveUtilisation: 0.9,
		collectWork: false,
		tokens: null,
		...changes,
	};
}

describe("accountEpoch", () => {
	for (const withTokens of [true, false]) {
		it(`matches a plain reference over ${EPOCH_HOURS.length} epochs with exits and entries (${withTokens ? "token run" : "no tokens"})`, () => {
			const world = makeWorld(withTokens ? 11 : 12);
			const { rng, nodes, books } = world;
			let startMs = 5 * MS_PER_HOUR;
			for (let i = 0; i < 900; i++) {
				world.addNode(STATES_AT_START[rng.int(STATES_AT_START.length)] as NodeState, startMs, MS_PER_HOUR);
			}
			const gone = new Set<number>();
			/** Nodes dropped by an earlier pass, with garbage written into their columns. */
			const poisoned: number[] = [];
			let sawManyExits = false;
			let sawBusyLeaver = false;
			let sawSaturation = false;
			let sawDrop = false;
			let sawZeroWeight = !withTokens;
			for (const epochHours of EPOCH_HOURS) {
				const endMs = startMs + epochHours * MS_PER_HOUR;
				const params = world.params(startMs, endMs, withTokens);
				// Reward weights by node id, from the books' list after the pass (0: not listed).
				const rewardWeight = world.rewardWeight().fill(0);
				const before = snapshot(nodes, rewardWeight);
				const reference = snapshot(nodes, rewardWeight);
				const trackedBefore = books.trackedCount;
				const exitedBefore = Array.from({ length: nodes.count }, (_, n) => n).filter(
					(n) => nodes.state[n] === NodeState.exited && !gone.has(n),
				);
				const expected = referenceEpoch(nodes, reference, params, gone);

				const paidBefore = world.rewardPaidUnits().slice();
				accountEpoch(nodes, params, books);
				if (withTokens) {
					// The list: every live node (not joining, not exited) of weight > 0, increasing id.
					const live = Array.from(books.tracked.subarray(0, books.trackedCount)).filter(
						(n) => nodes.state[n] !== NodeState.joining,
					);
					const weighted = live.filter((n) => (reference.rewardWeight[n] as number) > 0);
					if (weighted.length < live.length) sawZeroWeight = true;
					expect(Array.from(books.rewardNodes.subarray(0, books.rewardCount))).toEqual(weighted);
					for (let i = 0; i < books.rewardCount; i++) {
						rewardWeight[books.rewardNodes[i] as number] = books.rewardWeight[i] as number;
					}
					// Last epoch's payments: read (into revenue) and zeroed for every live node, weighted or not.
					const isLive = new Set(live);
					for (let n = 0; n < nodes.count; n++) {
						expect(world.rewardPaidUnits()[n]).toBe(isLive.has(n) || exitedBefore.includes(n) ? 0 : paidBefore[n]);
					}
				}

				expectBooksMatch(books, expected);
				expectColumnsMatch(nodes, rewardWeight, reference);

				// Nodes exited since the last pass leave the books; those left earlier are never visited.
				expect(books.trackedCount).toBe(trackedBefore - exitedBefore.length);
				if (exitedBefore.length > 0) sawDrop = true;
				for (let t = 1; t < books.trackedCount; t++) {
					expect(books.tracked[t] as number).toBeGreaterThan(books.tracked[t - 1] as number);
				}
				for (const node of [...exitedBefore, ...poisoned]) {
					for (const name of COLUMNS) {
						// A node that left this epoch has its revenue and bandwidth bill settled (counted, then reset); nothing else moves.
						const settledColumns: readonly string[] = ["revenueUsdInEpoch", "bandwidthUsdInEpoch", "busyMsInEpoch"];
						const settled = settledColumns.includes(name) && exitedBefore.includes(node);
						// Its lifetime margin takes the part-epoch (checked against the reference above).
						if (name === "cumulativeMarginUsd" && exitedBefore.includes(node)) continue;
						expect((nodes[name] as Column)[node], `${name}[${node}]`).toBe(settled ? 0 : before[name][node]);
					}
				}
				for (const node of [...exitedBefore, ...poisoned]) expect(rewardWeight[node]).toBe(0);

				// Token weights: joining nodes 0, live ones work + uptime (not when down) + stake.
				if (withTokens) {
					const tokens = params.tokens as NonNullable<EpochAccountingParams["tokens"]>;
					for (let n = 0; n < nodes.count; n++) {
						const state = before.state[n];
						if (state === NodeState.joining) expect(rewardWeight[n]).toBe(0);
						if (state === NodeState.idle || state === NodeState.down) {
							const staked = tokens.stakedUnits[n] ?? 0;
							const uptime = state === NodeState.down ? 0 : tokens.weightUptime;
							const weight = tokens.weightPerBusyMs * (before.busyMsInEpoch[n] as number) + uptime + 1e-7 * staked;
							expect(rewardWeight[n]).toBeCloseTo(weight, 9);
						}
					}
				}

				// Leavers: idle ones listed; busy (serving) or down ones only flagged.
				for (let i = 0; i < books.exitCount; i++) {
					const node = books.exits[i] as number;
					expect(nodes.state[node]).toBe(NodeState.idle);
					expect(nodes.leaving[node]).toBe(1);
					expect(before.leaving[node]).toBe(0);
					expect(nodes.epochsBelowThreshold[node] as number).toBeGreaterThanOrEqual(
						nodes.patienceEpochs[node] as number,
					);
				}
				const listed = new Set(Array.from(books.exits.subarray(0, books.exitCount)));
				for (let n = 0; n < nodes.count; n++) {
					const newlyLeaving = before.leaving[n] === 0 && nodes.leaving[n] === 1;
					if (newlyLeaving && nodes.state[n] !== NodeState.idle) {
						sawBusyLeaver = true;
						expect(listed.has(n)).toBe(false);
					}
					if (before.epochsBelowThreshold[n] === 65_535 && nodes.epochsBelowThreshold[n] === 65_535) {
						sawSaturation = true;
					}
				}
				if (books.exitCount > 64) sawManyExits = true;

				// Between epochs: the network exits the idle leavers; some more providers come and go.
				const next = EPOCH_HOURS[0] as number;
				for (const node of poisoned) {
					// Garbage the pass must leave alone.
					nodes.busyMsInEpoch[node] = 777;
					nodes.revenueUsdInEpoch[node] = 7.5;
					nodes.ewmaMarginUsdPerHour[node] = -9;
					nodes.epochsBelowThreshold[node] = 2;
					nodes.cumulativeMarginUsd[node] = 1234;
					world.rewardPaidUnits()[node] = 42;
				}
				poisoned.push(...exitedBefore);
				for (let i = 0; i < books.exitCount; i++) nodes.state[books.exits[i] as number] = NodeState.exited;
				const nextStart = endMs;
				for (let n = 0; n < nodes.count; n++) {
					const state = nodes.state[n];
					if (state === NodeState.exited) continue;
					const roll = rng.int(20);
					if (roll === 0) {
						nodes.state[n] = NodeState.exited;
						continue;
					}
					if (state === NodeState.joining && roll < 10) nodes.state[n] = NodeState.idle;
					else if (state === NodeState.idle && roll < 5) {
						nodes.state[n] = NodeState.serving;
						world.giveLease(n, nextStart, next * MS_PER_HOUR);
					} else if (state === NodeState.idle && roll === 5) nodes.state[n] = NodeState.down;
					else if (state === NodeState.down && roll < 8) nodes.state[n] = NodeState.idle;
					else if (state === NodeState.serving && (nodes.leaseEndMs[n] as number) <= nextStart) {
						nodes.state[n] = NodeState.idle;
					}
					if (rng.int(4) === 0) {
						nodes.busyMsInEpoch[n] = rng.int(MS_PER_HOUR / 2);
						nodes.revenueUsdInEpoch[n] = rng.next();
					}
					world.rewardPaidUnits()[n] = rng.int(2) === 0 ? 0 : rng.next() * 1e6;
				}
				for (let i = 0; i < 120; i++) {
					const state = [NodeState.joining, NodeState.idle, NodeState.serving, NodeState.down][rng.int(4)] as NodeState;
					world.addNode(state, nextStart, next * MS_PER_HOUR);
				}
				startMs = endMs;
			}
			expect(nodes.count).toBeGreaterThan(1024); // `tracked` outgrew its first buffer
			expect(sawDrop).toBe(true);
			expect(poisoned.length).toBeGreaterThan(0);
			expect(sawManyExits).toBe(true); // `exits` outgrew its first buffer
			expect(sawBusyLeaver).toBe(true);
			expect(sawSaturation).toBe(true);
			expect(sawZeroWeight).toBe(true); // some live nodes earn no weight and stay off the list
		});
	}

	it("closes one node's books as written out by hand", () => {
		const nodes = new NodeTable(16);
		const books = emptyEpochAccounting(2);
		const node = nodes.add(1, 0, NodeState.serving, 0, 1);
		trackNode(books, node);
		// Lease from an hour before the epoch to half-way through it, 2 USD per GPU-hour.
		nodes.leaseStartMs[node] = 0;
		nodes.leaseEndMs[node] = 1.5 * MS_PER_HOUR;
		nodes.leasePriceUsdPerGpuHour[node] = 2;
		nodes.ewmaMarginUsdPerHour[node] = 0.5;
		nodes.revenueUsdInEpoch[node] = 0.25; // a bandwidth refund, say
		nodes.powerUsdPerKwh[node] = 0.25; // exact in float32
		nodes.exitThresholdUsdPerHour[node] = 1;
		nodes.patienceEpochs[node] = 1;
		nodes.askUndercut[node] = 0.1; // market policy, busy half the epoch (under 0.9): asks under
		const rewardPaidUnits = Float64Array.of(4e6);
		accountEpoch(
			nodes,
			{
				startMs: MS_PER_HOUR,
				endMs: 2 * MS_PER_HOUR,
				fiatShareToProvider: 0.8,
				// Class 1 at home: idle 0.1875 kW, busy 0.5625 kW more, upkeep 0.046875 USD/h.
				idleKwByGpuHosting: Float64Array.of(0, 0, 0.1875, 0),
				busyKwByGpuHosting: Float64Array.of(0, 0, 0.5625, 0),
				fixedUsdPerHourByGpuHosting: Float64Array.of(0, 0, 0.046875, 0),
				ewmaWeight: 0.5,
				goingRateByGpu: Float64Array.of(Number.NaN, 3),
				raiseAboveUtilisation: 0.9,
				collectWork: false,
				tokens: {
					rewardPaidUnits,
					usdPerUnit: 1e-7,
					weightPerBusyMs: 2 / MS_PER_HOUR,
					weightUptime: 0.5,
					weightPerStakedUnit: 0.1,
					stakedUnits: Float64Array.of(3),
				},
			},
			books,
		);
		// Busy 0.5 h → revenue 0.5 × 2 × 0.8 = 0.8, + 0.25 + reward 0.4 = 1.45 USD.
		// Running cost (0.1875 + 0.5625 × 0.5) × 0.25 + 0.046875 = 0.1640625 USD for the hour.
		expect(books.busyMs).toBe(0.5 * MS_PER_HOUR);
		expect(books.revenueUsd).toBeCloseTo(1.45, 12);
		expect(books.tokenRewardUsd).toBeCloseTo(0.4, 12);
		expect(books.costUsd).toBeCloseTo(0.1640625, 12);
		expect(books.marginSum).toBeCloseTo(1.2859375, 12);
		// EWMA 0.5 + 0.5 × (1.2859375 − 0.5) = 0.89296875 < 1: one epoch below, patience 1, but serving.
		expect(books.ewmaSum).toBeCloseTo(0.89296875, 12);
		expect(nodes.ewmaMarginUsdPerHour[node]).toBeCloseTo(0.89296875, 6);
		expect(books.ewmaByGpu[1]).toBeCloseTo(0.89296875, 12);
		expect(Array.from(books.liveByGpu)).toEqual([0, 1]);
		expect(nodes.cumulativeMarginUsd[node]).toBeCloseTo(1.2859375, 12);
		expect(nodes.epochsBelowThreshold[node]).toBe(1);
		expect(nodes.leaving[node]).toBe(1);
		expect(books.exitCount).toBe(0);
		expect([books.active, books.serving, books.down, books.joining, books.live]).toEqual([1, 1, 0, 0, 1]);
		// Weight: 2 per busy hour × 0.5 + uptime 0.5 + 0.1 × 3 staked = 1.8.
		expect([books.rewardCount, books.rewardNodes[0]]).toEqual([1, node]);
		expect(books.rewardWeight[0]).toBeCloseTo(1.8, 12);
		expect(rewardPaidUnits[0]).toBe(0); // read into this epoch's revenue
		expect(nodes.busyMsInEpoch[node]).toBe(0);
		expect(nodes.revenueUsdInEpoch[node]).toBe(0);
		// Going rate 3 × (1 − 0.1) = 2.7, over the floor 0.75 × 0.25 + 0.046875 = 0.234375; the old ask 1 summed.
		expect(nodes.askUsdPerGpuHour[node]).toBeCloseTo(2.7, 6);
		expect(Array.from(books.askSumByGpu)).toEqual([0, 1]);
	});

	it("saturates the below-threshold count, resets it above, and lists an idle leaver once", () => {
		const nodes = new NodeTable(16);
		const books = emptyEpochAccounting(1);
		const saturated = nodes.add(0, 0, NodeState.idle, 0, 1);
		const almost = nodes.add(0, 0, NodeState.down, 0, 1);
		const recovering = nodes.add(0, 0, NodeState.idle, 0, 1);
		const alreadyLeaving = nodes.add(0, 0, NodeState.idle, 0, 1);
		for (const node of [saturated, almost, recovering, alreadyLeaving]) trackNode(books, node);
		nodes.epochsBelowThreshold[saturated] = 65_535;
		nodes.epochsBelowThreshold[almost] = 65_534;
		nodes.epochsBelowThreshold[recovering] = 5;
		nodes.ewmaMarginUsdPerHour[recovering] = 100;
		nodes.epochsBelowThreshold[alreadyLeaving] = 10;
		nodes.leaving[alreadyLeaving] = 1;
		for (const node of [saturated, almost, recovering, alreadyLeaving]) {
			nodes.patienceEpochs[node] = 2;
		}
		// Idle, no revenue: margin −0.2 (upkeep), below the threshold 0.
		const params = oneClassParams({ fixedUsdPerHourByGpuHosting: Float64Array.of(0.2, 0.2) });
		accountEpoch(nodes, params, books);
		expect(nodes.epochsBelowThreshold[saturated]).toBe(65_535);
		expect(nodes.epochsBelowThreshold[almost]).toBe(65_535);
		expect(nodes.epochsBelowThreshold[recovering]).toBe(0);
		expect(nodes.epochsBelowThreshold[alreadyLeaving]).toBe(11);
		expect(Array.from(books.exits.subarray(0, books.exitCount))).toEqual([saturated]);
		expect(Array.from(nodes.leaving.subarray(0, 4))).toEqual([1, 1, 0, 1]);
		// Nobody exits it: the next pass must not list the saturated node again.
		accountEpoch(nodes, { ...params, startMs: MS_PER_HOUR, endMs: 2 * MS_PER_HOUR }, books);
		expect(books.exitCount).toBe(0);
		expect(books.trackedCount).toBe(4);
	});

	it("a provider who left during the epoch is paid what it served before leaving, in revenue and work rewards", () => {
		const books = emptyEpochAccounting(1);
		const nodes = new NodeTable(16);
		const stays = nodes.add(0, 0, NodeState.idle, 0, 1);
		const leaver = nodes.add(0, 0, NodeState.idle, 0, 1);
		const leftEarlier = nodes.add(0, 0, NodeState.exited, 0, 1);
		for (const node of [stays, leaver, leftEarlier]) trackNode(books, node);
		const params = oneClassParams({ collectWork: true });
		// The earlier leaver is settled by the first pass and gone from the books; the other leaves in the second epoch.
		accountEpoch(nodes, params, books);
		nodes.revenueUsdInEpoch[stays] = 2;
		nodes.revenueUsdInEpoch[leaver] = 3;
		nodes.state[leaver] = NodeState.exited;
		nodes.revenueUsdInEpoch[leftEarlier] = 9;
		accountEpoch(nodes, { ...params, startMs: MS_PER_HOUR, endMs: 2 * MS_PER_HOUR }, books);
		expect(books.revenueUsd).toBe(5);
		expect(books.live).toBe(1);
		expect(Array.from(books.workNodes.subarray(0, books.workCount))).toEqual([stays, leaver]);
		expect(Array.from(books.workUsd.subarray(0, books.workCount))).toEqual([2, 3]);
		// Paid after it left: listed for its rewards to follow it to the leavers' account.
		expect(Array.from(books.leavers.nodes.subarray(0, books.leavers.count))).toEqual([leaver]);
		expect(nodes.revenueUsdInEpoch[leaver]).toBe(0);
		expect(Array.from(books.tracked.subarray(0, books.trackedCount))).toEqual([stays]);
		expect(nodes.revenueUsdInEpoch[leftEarlier]).toBe(9);
	});

	it("trackNode grows the list in order; an epoch with nothing tracked is all zeros", () => {
		const books = emptyEpochAccounting(3);
		const nodes = new NodeTable(16);
		accountEpoch(
			nodes,
			{
				startMs: 0,
				endMs: MS_PER_HOUR,
				fiatShareToProvider: 1,
				idleKwByGpuHosting: new Float64Array(6),
				busyKwByGpuHosting: new Float64Array(6),
				fixedUsdPerHourByGpuHosting: new Float64Array(6),
				ewmaWeight: 0.1,
				goingRateByGpu: new Float64Array(3),
				raiseAboveUtilisation: 0.9,
				collectWork: false,
				tokens: null,
			},
			books,
		);
		expect([books.live, books.active, books.trackedCount, books.exitCount, books.costUsd]).toEqual([0, 0, 0, 0, 0]);
		for (let n = 0; n < 3000; n += 2) trackNode(books, n);
		expect(books.trackedCount).toBe(1500);
		expect(books.tracked.length).toBeGreaterThanOrEqual(1500);
		expect(Array.from(books.tracked.subarray(0, books.trackedCount))).toEqual(
			Array.from({ length: 1500 }, (_, i) => 2 * i),
		);
	});
	it("leavers between live and joining nodes split the pass, yet lists and class sums come in id order", () => {
		const books = emptyEpochAccounting(2);
		const nodes = new NodeTable(16);
		const states = [
			NodeState.idle,
			NodeState.exited,
			NodeState.joining,
			NodeState.exited,
			NodeState.exited,
			NodeState.down,
		];
		const ids = states.map((state, i) => nodes.add(i % 2, 0, state, 0, 1 + i));
		for (const node of ids) {
			trackNode(books, node);
			nodes.revenueUsdInEpoch[node] = 1 + node;
		}
		const params = oneClassParams({
			collectWork: true,
			idleKwByGpuHosting: new Float64Array(4),
			busyKwByGpuHosting: new Float64Array(4),
			fixedUsdPerHourByGpuHosting: new Float64Array(4),
			goingRateByGpu: Float64Array.of(Number.NaN, Number.NaN),
		});
		accountEpoch(nodes, params, books);
		expect(Array.from(books.workNodes.subarray(0, books.workCount))).toEqual(ids);
		expect(Array.from(books.workUsd.subarray(0, books.workCount))).toEqual(ids.map((node) => 1 + node));
		expect(Array.from(books.leavers.nodes.subarray(0, books.leavers.count))).toEqual([1, 3, 4]);
		expect(Array.from(books.tracked.subarray(0, books.trackedCount))).toEqual([0, 2, 5]);
		expect([books.live, books.down, books.joining]).toEqual([2, 1, 1]);
		expect(Array.from(books.liveByGpu)).toEqual([1, 1]);
		expect(Array.from(books.joiningByGpu)).toEqual([1, 0]);
		expect(Array.from(books.askSumByGpu)).toEqual([1, 6]);
		expect(books.leavers.revenueUsd).toBe(2 + 4 + 5);
		expect(books.revenueUsd).toBe(1 + 6 + 2 + 4 + 5);
	});
});
