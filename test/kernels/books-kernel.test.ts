/**
 * The books kernel (kernels/books.ts) against the TypeScript loop it replaced
 * (books-reference.ts), on twin node tables over 12 epochs with nodes joining, leaving and
 * changing state between them: every column, token array, sum, count and list must be equal
 * bit for bit. Only a NaN's sign and payload may differ (WebAssembly leaves them open), so a
 * float is equal when Object.is says so or both are NaN. Edge runs draw ±0, ±Infinity, NaN,
 * subnormals and values past float32's range into every input.
 */
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
import { referenceAccountEpoch } from "./books-reference.js";

const H = 3_600_000;
const GPUS = 3;
const COLUMNS = [
	"state",
	"gpu",
	"hosting",
	"busyMsInEpoch",
	"revenueUsdInEpoch",
	"powerUsdPerKwh",
	"ewmaMarginUsdPerHour",
	"cumulativeMarginUsd",
	"epochsBelowThreshold",
	"leaving",
	"bandwidthUsdInEpoch",
	"exitThresholdUsdPerHour",
	"patienceEpochs",
	"askUndercut",
	"askUsdPerGpuHour",
	"leaseStartMs",
	"leaseEndMs",
	"leasePriceUsdPerGpuHour",
] as const;
type Column = (typeof COLUMNS)[number];
const EDGE = [
	0,
	-0,
	Number.NaN,
	Number.POSITIVE_INFINITY,
	Number.NEGATIVE_INFINITY,
	1e-310,
	1e-40,
	3.4e38,
	1e39,
	-1e39,
];

/** The first entry (of `count`) where two arrays differ, or null. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>, count: number): string | null {
	for (let i = 0; i < count; i++) {
		const x = a[i] as number;
		const y = b[i] as number;
		if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) return `entry ${i}: ${x} vs ${y}`;
	}
	return null;
}

function compare(kernel: { nodes: NodeTable; books: EpochAccounting; paid: Float64Array }, reference: typeof kernel) {
	const bad: string[] = [];
	const check = (what: string, a: ArrayLike<number>, b: ArrayLike<number>, count: number) => {
		const difference = firstDifference(a, b, count);
		if (difference !== null) bad.push(`${what} ${difference}`);
	};
	const [k, r] = [kernel.books, reference.books];
	for (const column of COLUMNS) check(column, kernel.nodes[column], reference.nodes[column], kernel.nodes.count);
	check("rewardPaidUnits", kernel.paid, reference.paid, kernel.nodes.count);
	const scalars = ["active", "serving", "down", "joining", "live", "busyMs", "revenueUsd", "costUsd"] as const;
	const more = ["tokenRewardUsd", "marginSum", "ewmaSum", "exitCount", "trackedCount", "rewardCount"] as const;
	for (const key of [...scalars, ...more, "rewardWeightTotal", "workCount"] as const) check(key, [k[key]], [r[key]], 1);
	for (const key of ["ewmaByGpu", "liveByGpu", "busyMsByGpu", "askSumByGpu", "joiningByGpu"] as const)
		check(key, k[key], r[key], GPUS);
	for (const key of ["liveByHosting", "downByHosting"] as const) check(key, k[key], r[key], 2);
	check("exits", k.exits, r.exits, k.exitCount);
	check("tracked", k.tracked, r.tracked, k.trackedCount);
	check("rewardNodes", k.rewardNodes, r.rewardNodes, k.rewardCount);
	check("rewardWeight", k.rewardWeight, r.rewardWeight, k.rewardCount);
	check("workNodes", k.workNodes, r.workNodes, k.workCount);
	check("workUsd", k.workUsd, r.workUsd, k.workCount);
	check("leavers", [k.leavers.revenueUsd, k.leavers.costUsd], [r.leavers.revenueUsd, r.leavers.costUsd], 2);
	return bad;
}

/** One run: 12 epochs of random (or edge) books on twin tables, compared after each. */
function run(seed: number, edge: boolean): void {
	const rng = RandomStream.create(seed, 0, "test/books-kernel");
	const pick = <T>(values: readonly T[]): T => values[rng.int(values.length)] as T;
	const value = (scale: number) => (edge && rng.int(6) === 0 ? pick(EDGE) : (rng.next() - 0.3) * scale);
	const withTokens = seed % 2 === 0;
	const collectWork = seed % 3 !== 0;
	const stakeWeight = pick([0, -0, 1e-7, Number.NaN]);
	// The kernel's side keeps its reward array in the arena on some seeds and stages a copy on others.
	const paidInArena = seed % 4 < 2;
	const twins = [0, 1].map(() => ({
		nodes: new NodeTable(16),
		books: emptyEpochAccounting(GPUS),
		paid: new Float64Array(8) as Float64Array<ArrayBufferLike>,
	}));
	const [kernel, reference] = twins as [(typeof twins)[0], (typeof twins)[0]];
	if (paidInArena) kernel.paid = kernel.nodes.arena.alloc(Float64Array, 8);
	// Stakes shorter than the tables on purpose: nodes past the end have none (`?? 0`).
	const staked = Float64Array.from({ length: 300 }, () => value(1e6));
	const costs = [0, 1, 2].map(() => Float64Array.from({ length: 2 * GPUS }, () => value(1)));
	const going = Float64Array.from({ length: GPUS }, () => (rng.int(3) === 0 ? Number.NaN : value(3)));
	const setBoth = (column: Column, node: number, v: number) => {
		for (const twin of twins) twin.nodes[column][node] = v;
	};
	const growPaid = (count: number) => {
		for (const twin of twins) {
			if (twin.paid.length >= count) continue;
			const inArena = twin === kernel && paidInArena;
			twin.paid = inArena ? twin.nodes.arena.grown(twin.paid, 2 * count) : growCopy(twin.paid, 2 * count);
		}
	};
	const add = (startMs: number) => {
		const gpu = rng.int(GPUS);
		const state = rng.int(5) as NodeState;
		const ask = value(3);
		let node = -1;
		for (const twin of twins) {
			node = twin.nodes.add(gpu, 0, state, startMs, ask);
			trackNode(twin.books, node);
		}
		setBoth("hosting", node, rng.int(2));
		setBoth("busyMsInEpoch", node, rng.int(3) === 0 ? value(2 * H) : rng.int(2 * H));
		for (const column of ["revenueUsdInEpoch", "ewmaMarginUsdPerHour", "bandwidthUsdInEpoch"] as const)
			setBoth(column, node, value(2));
		setBoth("powerUsdPerKwh", node, value(0.5));
		setBoth("cumulativeMarginUsd", node, value(100));
		setBoth("epochsBelowThreshold", node, pick([0, 1, 2, 65_534, 65_535]));
		setBoth("leaving", node, rng.int(5) === 0 ? 1 : 0);
		setBoth("exitThresholdUsdPerHour", node, value(0.1));
		setBoth("patienceEpochs", node, pick([0, 1, 2, 3, 65_535]));
		setBoth("askUndercut", node, rng.int(2) === 0 ? Number.NaN : value(0.2));
		const leaseStart = startMs - 2 * H + rng.int(4 * H);
		setBoth("leaseStartMs", node, edge && rng.int(8) === 0 ? pick(EDGE) : leaseStart);
		setBoth("leaseEndMs", node, edge && rng.int(8) === 0 ? pick(EDGE) : leaseStart + rng.int(4 * H));
		setBoth("leasePriceUsdPerGpuHour", node, value(4));
		growPaid(node + 1);
		const paid = value(1e6);
		for (const twin of twins) twin.paid[node] = paid;
	};
	let startMs = 10 * H;
	for (let i = 0; i < 200; i++) add(startMs);
	for (let epoch = 0; epoch < 12; epoch++) {
		const endMs = startMs + pick([1, 1.37, 0.5, 2]) * H;
		const constants = {
			startMs,
			endMs,
			fiatShareToProvider: edge ? pick([0.85, -0, Number.NaN]) : 0.85,
			raiseAboveUtilisation: edge ? pick([0.5, 0, 1, Number.NaN]) : 0.5,
			ewmaWeight: edge ? pick([0.3, 0, 1, Number.NaN, -0]) : 0.3,
		};
		const params = (paid: Float64Array): EpochAccountingParams => ({
			...constants,
			idleKwByGpuHosting: costs[0] as Float64Array,
			busyKwByGpuHosting: costs[1] as Float64Array,
			fixedUsdPerHourByGpuHosting: costs[2] as Float64Array,
			goingRateByGpu: going,
			collectWork,
			tokens: withTokens
				? {
						rewardPaidUnits: paid,
						usdPerUnit: 1e-6,
						weightPerBusyMs: 1 / H,
						weightUptime: 0.2,
						weightPerStakedUnit: stakeWeight,
						stakedUnits: staked,
					}
				: null,
		});
		accountEpoch(kernel.nodes, params(kernel.paid), kernel.books);
		referenceAccountEpoch(reference.nodes, params(reference.paid), reference.books);
		expect(compare(kernel, reference), `seed ${seed}${edge ? " (edge values)" : ""}, epoch ${epoch}`).toEqual([]);
		// Between epochs: some nodes leave, some change state, new work and rewards come in, some join.
		for (let node = 0; node < kernel.nodes.count; node++) {
			if (kernel.nodes.state[node] === NodeState.exited) continue;
			const roll = rng.int(20);
			if (roll < 4) setBoth("state", node, roll === 0 ? NodeState.exited : rng.int(4));
			setBoth("busyMsInEpoch", node, rng.int(2 * H));
			setBoth("revenueUsdInEpoch", node, value(2));
			const paid = value(1e6);
			for (const twin of twins) twin.paid[node] = paid;
		}
		const joins = rng.int(400);
		for (let i = 0; i < joins; i++) add(endMs);
		startMs = endMs;
	}
}

function growCopy(values: Float64Array<ArrayBufferLike>, length: number): Float64Array<ArrayBufferLike> {
	const bigger = new Float64Array(length);
	bigger.set(values);
	return bigger;
}

describe("books kernel against the TypeScript loop it replaced", () => {
	for (const edge of [false, true]) {
		it(`is bit-identical over 60 seeds × 12 epochs${edge ? ", with edge values in every input" : ""}`, () => {
			for (let seed = 1; seed <= 60; seed++) run(seed, edge);
		});
	}
});
