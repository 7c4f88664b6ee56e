import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
	type Account,
	MAX_UNITS,
	NAMED_ACCOUNTS,
	type NamedAccount,
	TokenLedger,
	toDecimalString,
	tokensToUnits,
} from "../../../models/tokenomics/ledger.js";

const MAX = BigInt(MAX_UNITS);
const NODE_IDS = 200;

/** A reference ledger in BigInt: what every operation should do, and whether it should throw. */
class ModelLedger {
	named = new Map<NamedAccount, bigint>(NAMED_ACCOUNTS.map((name) => [name, 0n]));
	balance = new Map<number, bigint>();
	staked = new Map<number, bigint>();
	locked = new Map<number, bigint>();
	locks: { node: number; units: bigint; day: number }[] = [];
	supply = 0n;
	minted = 0n;
	burned = 0n;

	constructor(
		initial: Partial<Record<NamedAccount, number>>,
		readonly cap: bigint,
	) {
		for (const [name, units] of Object.entries(initial)) {
			this.named.set(name as NamedAccount, BigInt(units ?? 0));
			this.supply += BigInt(units ?? 0);
		}
	}

	get(account: Account): bigint {
		return typeof account === "string" ? (this.named.get(account) ?? 0n) : (this.balance.get(account.node) ?? 0n);
	}
	set(account: Account, units: bigint): void {
		if (typeof account === "string") this.named.set(account, units);
		else this.balance.set(account.node, units);
	}
	clone(): ModelLedger {
		const copy = new ModelLedger({}, this.cap);
		copy.named = new Map(this.named);
		copy.balance = new Map(this.balance);
		copy.staked = new Map(this.staked);
		copy.locked = new Map(this.locked);
		copy.locks = this.locks.map((lock) => ({ ...lock }));
		copy.supply = this.supply;
		copy.minted = this.minted;
		copy.burned = this.burned;
		return copy;
	}
}

type Amount = { abs: bigint } | { frac: number };
type Op =
	| { kind: "mint"; to: Account; amount: Amount }
	| { kind: "burn"; from: Account; amount: Amount }
	| { kind: "transfer"; from: Account; to: Account; amount: Amount }
	| { kind: "stake"; node: number; amount: Amount }
	| { kind: "unstake"; node: number; amount: Amount; lockDays: number }
	| { kind: "release"; advanceDays: number }
	| { kind: "slash"; node: number; share: number; burn: boolean }
	| { kind: "split"; from: Account | "mint"; amount: Amount; weights: number[]; ids: number[] | null }
	| { kind: "collect"; to: NamedAccount | "burn"; ids: number[]; fracs: number[] };

const named = fc.constantFrom(...NAMED_ACCOUNTS);
// Few ids most of the time, so that balances build up and stakes get slashed and unlocked.
const nodeId = fc.oneof({ weight: 4, arbitrary: fc.nat(7) }, { weight: 1, arbitrary: fc.nat(NODE_IDS - 1) });
// Stake operations mostly on three nodes, so that stakes meet their unstakes, slashes and releases.
const stakeNode = fc.oneof({ weight: 5, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: nodeId });
const account: fc.Arbitrary<Account> = fc.oneof(
	named,
	nodeId.map((node) => ({ node })),
);
// Evenly spread (fc.double leans to 0 and tiny values, which would leave most balances empty).
const fraction = fc.nat(1000).map((permille) => permille / 1000);
const amount: fc.Arbitrary<Amount> = fc.oneof(
	{ weight: 6, arbitrary: fraction.map((frac) => ({ frac })) },
	{ weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 1_200_000_000_000_000n }).map((abs) => ({ abs })) },
	{ weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 1000n }).map((abs) => ({ abs })) },
	{ weight: 1, arbitrary: fc.bigInt({ min: MAX - 5n, max: MAX + 5n }).map((abs) => ({ abs })) },
);
const share = fc.oneof(fc.constantFrom(0, 0.5, 1, 1 / 3), fraction, fc.double({ min: 0, max: 1, noNaN: true }));
const weight = fc.oneof(fc.constant(0), fc.nat(1000), fc.double({ min: 0, max: 1e6, noNaN: true }));

const op: fc.Arbitrary<Op> = fc.oneof(
	{ weight: 3, arbitrary: fc.record({ kind: fc.constant("mint" as const), to: account, amount }) },
	{ weight: 2, arbitrary: fc.record({ kind: fc.constant("burn" as const), from: account, amount }) },
	{ weight: 3, arbitrary: fc.record({ kind: fc.constant("transfer" as const), from: account, to: account, amount }) },
	{ weight: 3, arbitrary: fc.record({ kind: fc.constant("stake" as const), node: stakeNode, amount }) },
	{
		weight: 3,
		arbitrary: fc.record({
			kind: fc.constant("unstake" as const),
			node: stakeNode,
			amount,
			lockDays: fc.oneof(
				fc.constant(0),
				fc.nat(240).map((eighths) => eighths / 8),
			),
		}),
	},
	{
		weight: 2,
		arbitrary: fc.record({
			kind: fc.constant("release" as const),
			advanceDays: fc.nat(160).map((eighths) => eighths / 8),
		}),
	},
	{
		weight: 1,
		arbitrary: fc.record({ kind: fc.constant("slash" as const), node: stakeNode, share, burn: fc.boolean() }),
	},
	{
		weight: 3,
		arbitrary: fc.nat(NODE_IDS).chain((n) =>
			fc.record({
				kind: fc.constant("split" as const),
				from: fc.oneof(fc.constant("mint" as const), account),
				amount,
				weights: fc.array(weight, { minLength: n, maxLength: n }),
				ids: fc.option(fc.array(nodeId, { minLength: n, maxLength: n }), { nil: null }),
			}),
		),
	},
	{
		weight: 1,
		arbitrary: fc.nat(40).chain((n) =>
			fc.record({
				kind: fc.constant("collect" as const),
				to: fc.oneof(named, fc.constant("burn" as const)),
				ids: fc.array(nodeId, { minLength: n, maxLength: n }),
				fracs: fc.array(fc.oneof({ weight: 30, arbitrary: fraction }, fc.constant(1.5)), {
					minLength: n,
					maxLength: n,
				}),
			}),
		),
	},
);

function resolve(amountSpec: Amount, held: bigint): number {
	return "abs" in amountSpec ? Number(amountSpec.abs) : Math.floor(Number(held) * amountSpec.frac);
}

const validAmount = (units: number) => Number.isInteger(units) && units >= 0 && units <= MAX_UNITS;

/**
 * Applies `o` to the model; returns the new model state, or null if the ledger must throw.
 * The split's per-node payments use the ledger's float formula (exactness against BigInt has
 * a test of its own); everything else is BigInt.
 */
function applyToModel(model: ModelLedger, o: Op, day: number): { next: ModelLedger | null; args: number[] } {
	const m = model.clone();
	switch (o.kind) {
		case "mint": {
			const a = resolve(o.amount, 0n);
			const A = BigInt(Math.min(a, MAX_UNITS));
			if (!validAmount(a) || m.supply + A > m.cap || m.minted + A > MAX) return { next: null, args: [a] };
			m.set(o.to, m.get(o.to) + A);
			m.supply += A;
			m.minted += A;
			return { next: m, args: [a] };
		}
		case "burn": {
			const a = resolve(o.amount, m.get(o.from));
			const A = BigInt(Math.min(a, MAX_UNITS));
			if (!validAmount(a) || m.get(o.from) < A || m.burned + A > MAX) return { next: null, args: [a] };
			m.set(o.from, m.get(o.from) - A);
			m.supply -= A;
			m.burned += A;
			return { next: m, args: [a] };
		}
		case "transfer": {
			const a = resolve(o.amount, m.get(o.from));
			const A = BigInt(Math.min(a, MAX_UNITS));
			if (!validAmount(a) || m.get(o.from) < A) return { next: null, args: [a] };
			m.set(o.from, m.get(o.from) - A);
			m.set(o.to, m.get(o.to) + A);
			return { next: m, args: [a] };
		}
		case "stake": {
			const held = m.balance.get(o.node) ?? 0n;
			const a = resolve(o.amount, held);
			const A = BigInt(Math.min(a, MAX_UNITS));
			if (!validAmount(a) || held < A) return { next: null, args: [a] };
			m.balance.set(o.node, held - A);
			m.staked.set(o.node, (m.staked.get(o.node) ?? 0n) + A);
			return { next: m, args: [a] };
		}
		case "unstake": {
			const staked = m.staked.get(o.node) ?? 0n;
			const a = resolve(o.amount, staked);
			const A = BigInt(Math.min(a, MAX_UNITS));
			if (!validAmount(a) || staked < A) return { next: null, args: [a] };
			m.staked.set(o.node, staked - A);
			m.locked.set(o.node, (m.locked.get(o.node) ?? 0n) + A);
			if (A > 0n) m.locks.push({ node: o.node, units: A, day: day + o.lockDays });
			return { next: m, args: [a] };
		}
		case "release": {
			const now = day + o.advanceDays;
			m.locks = m.locks.filter((lock) => {
				if (lock.day > now) return true;
				m.locked.set(lock.node, (m.locked.get(lock.node) ?? 0n) - lock.units);
				m.balance.set(lock.node, (m.balance.get(lock.node) ?? 0n) + lock.units);
				return false;
			});
			return { next: m, args: [now] };
		}
		case "slash": {
			const staked = m.staked.get(o.node) ?? 0n;
			const a = Math.floor(Number(staked) * o.share);
			const A = BigInt(a);
			if (o.burn) {
				if (m.burned + A > MAX) return { next: null, args: [a] };
				m.burned += A;
				m.supply -= A;
			} else {
				m.named.set("treasury", (m.named.get("treasury") ?? 0n) + A);
			}
			m.staked.set(o.node, staked - A);
			return { next: m, args: [a] };
		}
		case "split": {
			const a = resolve(o.amount, o.from === "mint" ? 0n : m.get(o.from));
			const A = BigInt(Math.min(a, MAX_UNITS));
			if (!validAmount(a)) return { next: null, args: [a] };
			if (o.from === "mint") {
				if (m.supply + A > m.cap || m.minted + A > MAX) return { next: null, args: [a] };
				m.supply += A;
				m.minted += A;
			} else {
				if (m.get(o.from) < A) return { next: null, args: [a] };
				m.set(o.from, m.get(o.from) - A);
			}
			let totalWeight = 0;
			for (const w of o.weights) totalWeight += w;
			let remaining = a;
			if (totalWeight > 0) {
				o.weights.forEach((w, i) => {
					const pay = Math.min(Math.floor((a * w) / totalWeight), remaining);
					remaining -= pay;
					const node = o.ids === null ? i : (o.ids[i] as number);
					m.balance.set(node, (m.balance.get(node) ?? 0n) + BigInt(pay));
				});
			}
			expect(remaining).toBeGreaterThanOrEqual(0);
			m.named.set("dust", (m.named.get("dust") ?? 0n) + BigInt(remaining));
			return { next: m, args: [a] };
		}
		case "collect": {
			const amounts: number[] = [];
			let total = 0n;
			for (let i = 0; i < o.ids.length; i++) {
				const node = o.ids[i] as number;
				const held = m.balance.get(node) ?? 0n;
				const a = Math.floor(Number(held) * (o.fracs[i] as number));
				amounts.push(a);
				if (BigInt(a) > held) return { next: null, args: amounts };
				m.balance.set(node, held - BigInt(a));
				total += BigInt(a);
			}
			if (o.to === "burn") {
				if (m.burned + total > MAX) return { next: null, args: amounts };
				m.burned += total;
				m.supply -= total;
			} else {
				m.named.set(o.to, (m.named.get(o.to) ?? 0n) + total);
			}
			return { next: m, args: amounts };
		}
	}
}

let releasesWithUnits = 0;

function applyToLedger(ledger: TokenLedger, o: Op, args: number[], day: number): void {
	const a = args[0] as number;
	switch (o.kind) {
		case "mint":
			ledger.mint(o.to, a);
			return;
		case "burn":
			ledger.burn(o.from, a);
			return;
		case "transfer":
			ledger.transfer(o.from, o.to, a);
			return;
		case "stake":
			ledger.stake(o.node, a);
			return;
		case "unstake":
			ledger.unstake(o.node, a, day + o.lockDays);
			return;
		case "release":
			releasesWithUnits += ledger.releaseLocked(a) > 0 ? 1 : 0;
			return;
		case "slash":
			expect(ledger.slash(o.node, o.share, o.burn ? "burn" : "treasury")).toBe(a);
			return;
		case "split": {
			const weights = Float64Array.from(o.weights);
			const paid = new Float64Array(o.weights.length);
			const nodes = o.ids === null ? o.weights.length : Int32Array.from(o.ids);
			const paidTotal = ledger.splitProRata(o.from, a, weights, nodes, paid);
			expect(paid.reduce((s, x) => s + x, 0)).toBe(paidTotal);
			return;
		}
		case "collect":
			ledger.collectFromNodes(o.to, Float64Array.from(args), Int32Array.from(o.ids));
			return;
	}
}

function expectSame(ledger: TokenLedger, model: ModelLedger): void {
	expect(BigInt(ledger.supply)).toBe(model.supply);
	expect(BigInt(ledger.minted)).toBe(model.minted);
	expect(BigInt(ledger.burned)).toBe(model.burned);
	for (const name of NAMED_ACCOUNTS) expect(BigInt(ledger.balance(name)), name).toBe(model.named.get(name));
	const mismatches: string[] = [];
	for (let node = 0; node < NODE_IDS; node++) {
		const pairs = [
			[ledger.nodeBalance(node), model.balance.get(node) ?? 0n, "balance"],
			[ledger.nodeStaked(node), model.staked.get(node) ?? 0n, "stake"],
			[ledger.nodeLocked(node), model.locked.get(node) ?? 0n, "locked"],
		] as const;
		for (const [actual, expected, what] of pairs)
			if (BigInt(actual) !== expected) mismatches.push(`node ${node} ${what}: ${actual} ≠ ${expected}`);
	}
	expect(mismatches).toEqual([]);
	expect(ledger.lockCount).toBe(model.locks.length);
}

describe("TokenLedger", () => {
	it("conserves tokens exactly after every operation of random sequences (BigInt reference)", () => {
		const initial = fc.record(
			{
				treasury: fc.bigInt({ min: 0n, max: 10n ** 15n }).map(Number),
				team: fc.bigInt({ min: 0n, max: 10n ** 14n }).map(Number),
				pool: fc.bigInt({ min: 0n, max: 10n ** 14n }).map(Number),
			},
			{ requiredKeys: [] },
		);
		const cap = fc.option(fc.bigInt({ min: 4n * 10n ** 15n, max: MAX }), { nil: undefined });
		let throwsSeen = 0;
		let opsSeen = 0;
		fc.assert(
			fc.property(initial, cap, fc.array(op, { minLength: 20, maxLength: 80, size: "max" }), (init, capUnits, ops) => {
				const ledger = new TokenLedger({
					initialUnits: init,
					initialNodeCapacity: 4,
					...(capUnits === undefined ? {} : { maxSupplyUnits: Number(capUnits) }),
				});
				let model = new ModelLedger(init, capUnits ?? MAX);
				expect(ledger.initialSupply).toBe(Number(model.supply));
				let day = 0;
				// Start with funded, staked nodes so that unstakes, lock-ups and slashes bite early.
				const setup: Op[] = [0, 1, 2].flatMap((node): Op[] => [
					{ kind: "mint", to: { node }, amount: { abs: 10n ** 12n } },
					{ kind: "stake", node, amount: { frac: 0.5 } },
				]);
				for (const o of [...setup, ...ops]) {
					opsSeen++;
					const { next, args } = applyToModel(model, o, day);
					if (next === null) {
						throwsSeen++;
						expect(() => applyToLedger(ledger, o, args, day)).toThrow(RangeError);
					} else {
						applyToLedger(ledger, o, args, day);
						model = next;
						if (o.kind === "release") day = args[0] as number;
					}
					ledger.checkConservation();
					ledger.checkConservationFull();
					expectSame(ledger, model);
					expect(BigInt(ledger.supply)).toBe(
						BigInt(ledger.initialSupply) + BigInt(ledger.minted) - BigInt(ledger.burned),
					);
				}
			}),
			{ numRuns: 250 },
		);
		// The sequences must exercise both outcomes.
		expect(throwsSeen).toBeGreaterThan(opsSeen / 50);
		expect(throwsSeen).toBeLessThan(opsSeen / 2);
		expect(releasesWithUnits).toBeGreaterThan(100);
	});

	it("trips the 2^53 guard on overflow, naming the account and the operation, and changes nothing", () => {
		const ledger = new TokenLedger({ initialUnits: { treasury: MAX_UNITS - 10 } });
		ledger.mint("pool", 10);
		expect(() => ledger.mint({ node: 3 }, 1)).toThrow(/mint to node 3: supply would become 9007199254740992/);
		expect(() => ledger.mint("holders", 2 ** 53)).toThrow(/mint to holders: amount 9007199254740992 is not an integer/);
		expect(() => ledger.transfer("treasury", "pool", 0.5)).toThrow(/transfer treasury → pool: amount 0.5/);
		expect(() => ledger.transfer("pool", { node: 1 }, 11)).toThrow(
			/transfer pool → node 1: pool holds 10 base units, cannot take 11/,
		);
		expect(() => ledger.splitProRata("mint", 1, new Float64Array([1]), 1)).toThrow(RangeError);
		expect(ledger.supply).toBe(MAX_UNITS);
		ledger.checkConservationFull();

		// burned is a running total of its own and is guarded too.
		const churn = new TokenLedger({ initialUnits: { holders: MAX_UNITS - 5 } });
		churn.burn("holders", MAX_UNITS - 5);
		churn.mint("holders", 10);
		expect(() => churn.burn("holders", 6)).toThrow(/burn from holders: burned would become 9007199254740992/);
		expect(() => churn.slash(0, 1.5, "burn")).toThrow(/share 1.5/);
		churn.checkConservationFull();
		expect(() => new TokenLedger({ initialUnits: { treasury: MAX_UNITS, team: 1 } })).toThrow(/initial supply/);
		expect(() => new TokenLedger({ maxSupplyUnits: 100 }).mint("treasury", 101)).toThrow(/past the cap 100/);
	});

	it("splitProRata pays floor(amount·wᵢ/W) exactly and the remainder to dust (BigInt oracle)", () => {
		fc.assert(
			fc.property(
				fc.bigInt({ min: 0n, max: 10n ** 12n }),
				fc.array(fc.oneof(fc.constant(0), fc.nat(1000)), { minLength: 0, maxLength: 300 }),
				fc.boolean(),
				(amountBig, weights, asList) => {
					// amount · w < 2^53 here, so the float formula must agree with exact rationals.
					const ledger = new TokenLedger({ initialUnits: { treasury: Number(amountBig) }, initialNodeCapacity: 1 });
					const ids = weights.map((_, i) => 2 * i + 1);
					const paid = new Float64Array(weights.length);
					ledger.splitProRata(
						"treasury",
						Number(amountBig),
						Float64Array.from(weights),
						asList ? Int32Array.from(ids) : weights.length,
						paid,
					);
					const W = weights.reduce((s, w) => s + BigInt(w), 0n);
					let paidSum = 0n;
					weights.forEach((w, i) => {
						const expected = W === 0n ? 0n : (amountBig * BigInt(w)) / W;
						expect(BigInt(paid[i] as number)).toBe(expected);
						expect(BigInt(ledger.nodeBalance(asList ? (ids[i] as number) : i))).toBe(expected);
						paidSum += expected;
					});
					expect(BigInt(ledger.balance("dust"))).toBe(amountBig - paidSum);
					expect(ledger.balance("treasury")).toBe(0);
					expect(ledger.nodeCount).toBe(weights.length === 0 ? 0 : asList ? 2 * weights.length : weights.length);
					ledger.checkConservationFull();
				},
			),
			{ numRuns: 300 },
		);
	});

	it("splitProRata with zero weights sends everything to dust; with real weights it never overpays", () => {
		const ledger = new TokenLedger();
		expect(ledger.splitProRata("mint", 1_000, new Float64Array(5), 5)).toBe(0);
		expect(ledger.balance("dust")).toBe(1_000);
		expect(ledger.minted).toBe(1_000);
		fc.assert(
			fc.property(
				fc.bigInt({ min: 0n, max: 5n * 10n ** 15n }).map(Number),
				fc.array(fc.double({ min: 0, max: 1e250, noNaN: true }), { maxLength: 200 }),
				(amountUnits, weights) => {
					const split = new TokenLedger();
					const paid = new Float64Array(weights.length);
					const total = split.splitProRata("mint", amountUnits, Float64Array.from(weights), weights.length, paid);
					let sum = 0;
					for (const p of paid) {
						expect(Number.isInteger(p) && p >= 0).toBe(true);
						sum += p;
					}
					expect(sum).toBe(total);
					expect(total + split.balance("dust")).toBe(amountUnits);
					// Σ floors loses less than one unit per node.
					if (weights.some((w) => w > 0)) expect(split.balance("dust")).toBeLessThanOrEqual(weights.length);
					split.checkConservationFull();
				},
			),
			{ numRuns: 200 },
		);
		expect(() => ledger.splitProRata("mint", 1, Float64Array.of(1, Number.NaN), 2)).toThrow(/weight 1 is NaN/);
		expect(() => ledger.splitProRata("mint", 1, Float64Array.of(-1), 1)).toThrow(/weight 0 is -1/);
		expect(() => ledger.splitProRata("mint", 1, Float64Array.of(Number.POSITIVE_INFINITY), 1)).toThrow(RangeError);
		expect(() => ledger.splitProRata("mint", 1, Float64Array.of(1), 2)).toThrow(/2 nodes but 1 weights/);
		expect(() => ledger.splitProRata("mint", 1, Float64Array.of(1), Int32Array.of(-4))).toThrow(/negative/);
		ledger.checkConservationFull();
	});

	it("planMintProRata + mintPlanned end where splitProRata + collectFromNodes end", () => {
		fc.assert(
			fc.property(
				fc.bigInt({ min: 0n, max: 5n * 10n ** 15n }).map(Number),
				fc.array(fc.double({ min: 0, max: 1e12, noNaN: true }), { maxLength: 120 }),
				fc.double({ min: 0, max: 1, noNaN: true }),
				fc.boolean(),
				fc.boolean(),
				fc.constantFrom<NamedAccount>("pool", "holders"),
				(amountUnits, weightList, sellShare, asList, callerSums, buyer) => {
					const weights = Float64Array.from(weightList);
					const n = weightList.length;
					// A list of distinct ids in increasing order with gaps, or the count form.
					const ids = Int32Array.from(weightList, (_, i) => 3 * i + (i % 2));
					const nodes = asList ? ids : n;
					const start = (ledger: TokenLedger) => {
						// Some nodes already hold tokens.
						for (let i = 0; i < n; i += 3) ledger.transfer("treasury", { node: asList ? (ids[i] as number) : i }, 7);
					};
					const before = { initialUnits: { treasury: 1_000 } };
					const twoStep = new TokenLedger(before);
					start(twoStep);
					const paidA = new Float64Array(n);
					const totalA = twoStep.splitProRata("mint", amountUnits, weights, nodes, paidA);
					const soldA = Float64Array.from(paidA, (p) => Math.floor(p * sellShare));
					twoStep.collectFromNodes(buyer, soldA, nodes);

					const fused = new TokenLedger(before);
					start(fused);
					// A list and buffers may be longer than the entries in use (reused buffers): pass their number.
					const padded = asList ? Int32Array.from([...ids, -1, 5]) : n;
					const paidB = new Float64Array(n + 2);
					const soldB = new Float64Array(n + 2);
					// The caller's own sum of the weights, in entry order, gives the same plan as the ledger's.
					const weightTotal = callerSums ? weightList.reduce((a, b) => a + b, 0) : undefined;
					const plan = fused.planMintProRata(amountUnits, weights, padded, n, sellShare, paidB, soldB, weightTotal);
					expect(Array.from(paidB.subarray(0, n))).toEqual(Array.from(paidA));
					expect(Array.from(soldB.subarray(0, n))).toEqual(Array.from(soldA));
					expect([plan.paidTotal, plan.soldTotal]).toEqual([totalA, soldA.reduce((a, b) => a + b, 0)]);
					expect(fused.minted).toBe(0); // planning changes nothing
					const paidByNode = new Float64Array(3 * n + 2).fill(-1);
					expect(fused.mintPlanned(buyer, paidByNode)).toBe(totalA);
					for (let i = 0; i < n; i++) expect(paidByNode[asList ? (ids[i] as number) : i]).toBe(paidA[i]);
					for (const account of NAMED_ACCOUNTS) expect(fused.balance(account), account).toBe(twoStep.balance(account));
					for (let i = 0; i < n; i++) {
						const node = asList ? (ids[i] as number) : i;
						expect(fused.nodeBalance(node)).toBe(twoStep.nodeBalance(node));
					}
					expect([fused.supply, fused.minted, fused.nodeBalanceTotal]).toEqual([
						twoStep.supply,
						twoStep.minted,
						twoStep.nodeBalanceTotal,
					]);
					fused.checkConservationFull();
				},
			),
			{ numRuns: 200 },
		);
	});

	it("plans the same pays over many chunks of entries as splitProRata in one pass (lists past 256 entries)", () => {
		for (const n of [255, 256, 257, 1000]) {
			const weights = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 1 + ((i * 7919) % 1013) / 7));
			const ids = Int32Array.from({ length: n }, (_, i) => 2 * i + 1);
			const amountUnits = 987_654_321_123;
			const oneStep = new TokenLedger();
			const paidA = new Float64Array(n);
			const totalA = oneStep.splitProRata("mint", amountUnits, weights, ids, paidA);
			const planned = new TokenLedger();
			const paidB = new Float64Array(n);
			const soldB = new Float64Array(n);
			const plan = planned.planMintProRata(amountUnits, weights, ids, n, 0.3, paidB, soldB);
			expect(Array.from(paidB)).toEqual(Array.from(paidA));
			expect(Array.from(soldB)).toEqual(Array.from(paidA, (p) => Math.floor(p * 0.3)));
			expect([plan.paidTotal, plan.soldTotal, plan.largestNode]).toEqual([
				totalA,
				soldB.reduce((a, b) => a + b, 0),
				2 * n - 1,
			]);
		}
		// A bad entry past the first chunk is found and named (the caller's total skips the ledger's own sum, which would catch it).
		const weights = new Float64Array(600).fill(1);
		weights[400] = -1;
		const paid = new Float64Array(600);
		const sold = new Float64Array(600);
		expect(() => new TokenLedger().planMintProRata(10, weights, 600, 600, 0, paid, sold, 598)).toThrow(
			/entry 400 has weight -1/,
		);
	});

	it("checks a plan as it makes it, applies it once, and writes nothing on a bad one", () => {
		const ledger = new TokenLedger({ initialUnits: { treasury: 100 } });
		const paid = new Float64Array(3);
		const sold = new Float64Array(3);
		expect(() => ledger.planMintProRata(10, Float64Array.of(1, Number.NaN), 2, 2, 0.5, paid, sold)).toThrow(
			/weight 1 is NaN/,
		);
		expect(() => ledger.planMintProRata(10, Float64Array.of(1), 2, 2, 0.5, paid, sold)).toThrow(/2 entries, 1 inputs/);
		expect(() => ledger.planMintProRata(10, Float64Array.of(1, 1), Int32Array.of(4, -2), 2, 0.5, paid, sold)).toThrow(
			/entry 1 has weight 1 and names node -2/,
		);
		expect(() => ledger.planMintProRata(10, Float64Array.of(1), 1, 1, 1.5, paid, sold)).toThrow(/sell share 1.5/);
		// With the caller's total, the ledger still checks each weight.
		expect(() => ledger.planMintProRata(10, Float64Array.of(1, -1), 2, 2, 0, paid, sold, 0)).toThrow(
			/entry 1 has weight -1/,
		);
		expect(() => ledger.planMintForWork(Float64Array.of(2, -1), 2, 2, 1, 0, paid, sold)).toThrow(/entry 1/);
		expect(() => ledger.mintPlanned("pool")).toThrow(/no planned mint/); // a plan that threw is no plan
		// A good plan: 10 units over weights 1 : 3, each selling half (floors).
		const plan = ledger.planMintProRata(10, Float64Array.of(1, 3), Int32Array.of(4, 9), 2, 0.5, paid, sold);
		expect([Array.from(paid.subarray(0, 2)), Array.from(sold.subarray(0, 2))]).toEqual([
			[2, 7],
			[1, 3],
		]);
		expect([plan.paidTotal, plan.soldTotal, plan.largestNode]).toEqual([9, 4, 9]);
		expect(ledger.minted).toBe(0);
		expect(ledger.mintPlanned("pool")).toBe(9);
		expect([ledger.nodeBalance(4), ledger.nodeBalance(9), ledger.balance("pool"), ledger.balance("dust")]).toEqual([
			1, 4, 4, 1,
		]);
		expect(() => ledger.mintPlanned("pool")).toThrow(/no planned mint/); // applied once
		// Work: floor(usd · units per USD) each, scaled down alike past the cap.
		const capped = new TokenLedger({ initialUnits: { treasury: 100 }, maxSupplyUnits: 110 });
		const work = capped.planMintForWork(Float64Array.of(3, 9), 2, 2, 1, 0, paid, sold);
		expect([Array.from(paid.subarray(0, 2)), work.amountUnits]).toEqual([[2, 7], 9]); // 12 units scaled by 10/12
		expect(capped.mintPlanned("holders")).toBe(9);
		expect(capped.supply).toBe(109);
		ledger.checkConservationFull();
		capped.checkConservationFull();
	});

	it("holds stake in lock-up until its day, slashes by floor, and grows with node ids", () => {
		const ledger = new TokenLedger({ initialUnits: { treasury: 1_000_000 }, initialNodeCapacity: 2 });
		ledger.transfer("treasury", { node: 5_000 }, 1_001);
		expect(ledger.nodeCount).toBe(5_001);
		ledger.stake(5_000, 1_001);
		expect(ledger.slash(5_000, 1 / 3, "burn")).toBe(333);
		expect(ledger.slash(5_000, 0.5, "treasury")).toBe(334);
		expect(ledger.nodeStaked(5_000)).toBe(334);
		ledger.unstake(5_000, 100, 10);
		ledger.unstake(5_000, 34, 3);
		expect(ledger.lockedTotal).toBe(134);
		expect(ledger.releaseLocked(2.9)).toBe(0);
		expect(ledger.releaseLocked(3)).toBe(34);
		expect(ledger.nodeBalance(5_000)).toBe(34);
		expect(ledger.releaseLocked(9)).toBe(0);
		expect(ledger.dueLockedUnits(9.9)).toBe(0);
		expect(ledger.dueLockedUnits(10)).toBe(100);
		// Released to a named account (a leaver's stake sold to the pool), not to the node.
		const poolBefore = ledger.balance("pool");
		expect(ledger.releaseLocked(10, "pool")).toBe(100);
		expect(ledger.balance("pool") - poolBefore).toBe(100);
		expect(ledger.nodeBalance(5_000)).toBe(34);
		expect(ledger.nodeLocked(5_000)).toBe(0);
		expect(ledger.stakedTotal).toBe(200);
		expect(ledger.burned).toBe(333);
		ledger.checkConservationFull();
		expect(ledger.namedBalances().treasury).toBe(1_000_000 - 1_001 + 334);
	});

	it("can fail: a balance corrupted through a back door breaks the conservation check", () => {
		const build = () => {
			const ledger = new TokenLedger({ initialUnits: { treasury: 10_000 } });
			ledger.splitProRata("treasury", 5_000, Float64Array.of(1, 2, 3), 3);
			ledger.stake(2, 1_000);
			ledger.unstake(2, 10, 5);
			ledger.checkConservationFull();
			return ledger;
		};
		const a = build();
		(a.unsafeArrays().named[0] as number) += 1;
		expect(() => a.checkConservation()).toThrow(/conservation broken/);

		// A node's balance is behind a running total: the O(1) check cannot see it, the full one does.
		const b = build();
		b.unsafeArrays().nodeBalance[1] = 0;
		expect(() => b.checkConservation()).not.toThrow();
		expect(() => b.checkConservationFull()).toThrow(/node balances sum to/);

		const c = build();
		c.unsafeArrays().nodeLocked[2] = 11;
		expect(() => c.checkConservationFull()).toThrow(/locked stake/);

		const d = build();
		d.unsafeArrays().nodeStaked[0] = 0.5;
		expect(() => d.checkConservationFull()).toThrow(/node 0 holds/);
	});

	it("writes amounts as exact decimal strings", () => {
		expect(toDecimalString(MAX_UNITS)).toBe("9007199254740991");
		expect(toDecimalString(MAX_UNITS, 6)).toBe("9007199254.740991");
		expect(toDecimalString(5, 6)).toBe("0.000005");
		expect(toDecimalString(-1_234_567, 3)).toBe("-1234.567");
		expect(toDecimalString(0, 2)).toBe("0.00");
		expect(() => toDecimalString(2 ** 53)).toThrow(RangeError);
		expect(() => toDecimalString(1.5)).toThrow(RangeError);
		expect(tokensToUnits(0.1, 6)).toBe(100_000);
		expect(tokensToUnits(500_000_000, 6)).toBe(5e14);
		// Real Bittensor decimals (9) cannot hold its 21M cap in 2^53 base units.
		expect(() => tokensToUnits(21_000_000, 9, "maxSupplyTokens")).toThrow(/maxSupplyTokens/);
	});
});
