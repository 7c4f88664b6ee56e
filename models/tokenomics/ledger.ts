/**
 * Exact token accounting. Every amount is an integer number of base units (10^decimals per
 * token) held in a float64, which is exact up to 2^53 − 1; every write is checked to stay there,
 * so a result is either exact or an error, never silently rounded. Running totals make the
 * conservation check O(accounts); checkConservationFull() recomputes the per-node sums.
 */

/** Largest integer a float64 holds exactly: the bound of every balance and total. */
export const MAX_UNITS = Number.MAX_SAFE_INTEGER;

/**
 * Accounts that are not nodes. `pool` is the AMM's token reserve, `holders` the free float, `dust` split remainders,
 * `leavers` what providers who left still held (sold over the next days).
 */
export const NAMED_ACCOUNTS = [
	"treasury",
	"team",
	"investors",
	"pool",
	"holders",
	"validators",
	"owners",
	"dust",
	"leavers",
] as const;
export type NamedAccount = (typeof NAMED_ACCOUNTS)[number];
export type NodeAccount = { readonly node: number };
export type Account = NamedAccount | NodeAccount;

// No prototype: a name like "toString" must not resolve to an index.
const NAMED_INDEX: Readonly<Record<NamedAccount, number>> = Object.assign(Object.create(null), {
	treasury: 0,
	team: 1,
	investors: 2,
	pool: 3,
	holders: 4,
	validators: 5,
	owners: 6,
	dust: 7,
	leavers: 8,
});

/** Node ids are stored in Int32Arrays (lock-ups, callers' id lists). */
const MAX_NODE_ID = 2 ** 31 - 1;
/** Bound on Σ weights so that amount · weight never overflows to Infinity. */
const MAX_TOTAL_WEIGHT = Number.MAX_VALUE / 2 ** 54;

export interface LedgerOptions {
	/** Genesis balances of named accounts, base units; their sum is the initial supply. */
	initialUnits?: Partial<Record<NamedAccount, number>>;
	/** Hard cap on supply, base units: a mint past it throws. */
	maxSupplyUnits?: number;
	/** Nodes to allocate room for at the start (the arrays grow as ids appear). */
	initialNodeCapacity?: number;
}

/** The live arrays behind the ledger: for bulk reads and tests. Writing them breaks the ledger. */
export interface LedgerArrays {
	named: Float64Array;
	nodeBalance: Float64Array;
	nodeStaked: Float64Array;
	nodeLocked: Float64Array;
}

type Source = Account | "mint";

function describeAccount(account: Source): string {
	return account === "mint" ? "a mint" : typeof account === "string" ? account : `node ${account.node}`;
}

/**
 * Names an operation for an error message, e.g. "transfer pool → node 3". Built only when
 * something throws, so that a call allocates no string.
 */
function label(verb: string, a?: Source | number, b?: Account): string {
	const first = a === undefined ? "" : typeof a === "number" ? ` node ${a}` : ` ${describeAccount(a)}`;
	if (b === undefined) return verb + first;
	return `${verb}${first} → ${describeAccount(b)}`;
}

/** Whether `value` is an integer within ±(2^53 − 1): the condition every write must meet. */
function fits(value: number): boolean {
	return Number.isInteger(value) && value <= MAX_UNITS && value >= -MAX_UNITS;
}

function overflow(operation: string, what: string, value: number): RangeError {
	return new RangeError(`${operation}: ${what} would become ${value}, not an integer within ±(2^53 − 1) base units`);
}

function isAmount(amountUnits: number): boolean {
	return Number.isInteger(amountUnits) && amountUnits >= 0 && amountUnits <= MAX_UNITS;
}

function badAmount(operation: string, amountUnits: number): RangeError {
	return new RangeError(`${operation}: amount ${amountUnits} is not an integer number of base units in [0, 2^53 − 1]`);
}

function insufficient(operation: string, what: string, heldUnits: number, amountUnits: number): RangeError {
	return new RangeError(`${operation}: ${what} holds ${heldUnits} base units, cannot take ${amountUnits}`);
}

function isNodeId(node: number): boolean {
	return Number.isInteger(node) && node >= 0 && node <= MAX_NODE_ID;
}

function badNode(operation: string, node: number): RangeError {
	return new RangeError(`${operation}: node id ${node} is not an integer in [0, 2^31 − 1]`);
}

/** A mint the ledger has planned and checked (planMintProRata, planMintForWork); mintPlanned applies it. */
export interface PlannedMint {
	readonly amountUnits: number;
	/** The entries' node ids (null: entry i is node i). */
	readonly nodes: Int32Array | null;
	readonly count: number;
	/** Units each entry is paid and sells at once (entries 0 … count − 1): the caller's arrays, filled by the plan. */
	readonly paidUnits: Float64Array;
	readonly soldUnits: Float64Array;
	readonly paidTotal: number;
	readonly soldTotal: number;
	/** Largest node id among the entries (−1: none). */
	readonly largestNode: number;
}

export class TokenLedger {
	private named = new Float64Array(NAMED_ACCOUNTS.length);
	private balanceOfNode: Float64Array;
	private stakedOfNode: Float64Array;
	private lockedOfNode: Float64Array;
	private capacity: number;
	private nodes = 0;

	// Lock-ups: (node, amount, unlock day) rows, compacted on release.
	private lockNode = new Int32Array(64);
	private lockUnits = new Float64Array(64);
	private lockDay = new Float64Array(64);
	private lockRows = 0;
	private earliestUnlockDay = Number.POSITIVE_INFINITY;

	private supplyUnits: number;
	private mintedUnits = 0;
	private burnedUnits = 0;
	private nodeBalanceUnits = 0;
	private stakedUnits = 0;
	private lockedUnits = 0;
	/** The mint planned last and not applied yet (planMintProRata / planMintForWork → mintPlanned). */
	private planned: PlannedMint | null = null;
	readonly initialSupplyUnits: number;
	readonly maxSupplyUnits: number;

	constructor(options: LedgerOptions = {}) {
		let initial = 0;
		for (const [name, units] of Object.entries(options.initialUnits ?? {})) {
			const index = NAMED_INDEX[name as NamedAccount];
			if (index === undefined) throw new RangeError(`TokenLedger: unknown account "${name}"`);
			if (!isAmount(units ?? 0)) throw badAmount(`TokenLedger: initial balance of ${name}`, units ?? 0);
			this.named[index] = units ?? 0;
			initial += units ?? 0;
			if (!fits(initial)) throw overflow("TokenLedger", "initial supply", initial);
		}
		this.initialSupplyUnits = initial;
		this.supplyUnits = initial;
		this.maxSupplyUnits = options.maxSupplyUnits ?? MAX_UNITS;
		if (!isAmount(this.maxSupplyUnits)) throw badAmount("TokenLedger: maxSupplyUnits", this.maxSupplyUnits);
		if (initial > this.maxSupplyUnits)
			throw new RangeError(`TokenLedger: initial supply ${initial} exceeds the cap ${this.maxSupplyUnits}`);
		this.capacity = Math.max(16, Math.floor(options.initialNodeCapacity ?? 1024));
		this.balanceOfNode = new Float64Array(this.capacity);
		this.stakedOfNode = new Float64Array(this.capacity);
		this.lockedOfNode = new Float64Array(this.capacity);
	}

	// ---- totals ----

	get supply(): number {
		return this.supplyUnits;
	}
	get initialSupply(): number {
		return this.initialSupplyUnits;
	}
	get minted(): number {
		return this.mintedUnits;
	}
	get burned(): number {
		return this.burnedUnits;
	}
	get stakedTotal(): number {
		return this.stakedUnits;
	}
	get lockedTotal(): number {
		return this.lockedUnits;
	}
	/** Σ of node balances (not staked, not locked). */
	get nodeBalanceTotal(): number {
		return this.nodeBalanceUnits;
	}
	/** One more than the highest node id seen. */
	get nodeCount(): number {
		return this.nodes;
	}
	/** Pending lock-up rows. */
	get lockCount(): number {
		return this.lockRows;
	}

	balance(account: Account): number {
		if (typeof account === "string") return this.named[this.namedIndex(account)] as number;
		return this.nodeBalance(account.node);
	}
	nodeBalance(node: number): number {
		return node < this.capacity ? (this.balanceOfNode[node] ?? 0) : 0;
	}
	nodeStaked(node: number): number {
		return node < this.capacity ? (this.stakedOfNode[node] ?? 0) : 0;
	}
	/** Stake the node unstaked that is still in lock-up. */
	nodeLocked(node: number): number {
		return node < this.capacity ? (this.lockedOfNode[node] ?? 0) : 0;
	}
	/** Balances of the named accounts, base units. */
	namedBalances(): Record<NamedAccount, number> {
		const out = {} as Record<NamedAccount, number>;
		for (const name of NAMED_ACCOUNTS) out[name] = this.named[NAMED_INDEX[name]] as number;
		return out;
	}
	/** The live arrays (index = node id, up to capacity). Read only: writing them breaks conservation. */
	unsafeArrays(): LedgerArrays {
		return {
			named: this.named,
			nodeBalance: this.balanceOfNode,
			nodeStaked: this.stakedOfNode,
			nodeLocked: this.lockedOfNode,
		};
	}

	/** Makes room for node ids 0 … count − 1 (ids also grow the arrays on first use). */
	ensureNodes(count: number): void {
		if (!Number.isInteger(count) || count < 0 || count > MAX_NODE_ID + 1)
			throw new RangeError(`ensureNodes: ${count} is not a node count`);
		if (count > this.capacity) this.grow(count);
		if (count > this.nodes) this.nodes = count;
	}

	// ---- operations ----

	mint(to: Account, amountUnits: number): void {
		if (!isAmount(amountUnits)) throw badAmount(label("mint to", to), amountUnits);
		this.mintChecks(amountUnits, "mint to", to);
		this.credit(to, amountUnits, "mint to", to);
		this.supplyUnits += amountUnits;
		this.mintedUnits += amountUnits;
	}

	burn(from: Account, amountUnits: number): void {
		if (!isAmount(amountUnits)) throw badAmount(label("burn from", from), amountUnits);
		const burned = this.burnedUnits + amountUnits;
		if (!fits(burned)) throw overflow(label("burn from", from), "burned", burned);
		this.debit(from, amountUnits, "burn from", from);
		this.burnedUnits = burned;
		this.supplyUnits -= amountUnits;
	}

	transfer(from: Account, to: Account, amountUnits: number): void {
		if (!isAmount(amountUnits)) throw badAmount(label("transfer", from, to), amountUnits);
		// Debit first: it validates; the credit cannot overflow since no balance exceeds supply.
		this.debit(from, amountUnits, "transfer", from, to);
		this.credit(to, amountUnits, "transfer", from, to);
	}

	/** Moves `amountUnits` of the node's balance into its stake. */
	stake(node: number, amountUnits: number): void {
		if (!isAmount(amountUnits)) throw badAmount(label("stake", node), amountUnits);
		if (!isNodeId(node)) throw badNode(label("stake", node), node);
		const held = this.nodeBalance(node);
		if (held < amountUnits) throw insufficient(label("stake", node), `node ${node}'s balance`, held, amountUnits);
		// Stake moves within supply (≤ 2^53 − 1): no sum here can overflow.
		this.touch(node);
		this.balanceOfNode[node] = held - amountUnits;
		this.nodeBalanceUnits -= amountUnits;
		this.stakedOfNode[node] = (this.stakedOfNode[node] as number) + amountUnits;
		this.stakedUnits += amountUnits;
	}

	/** Moves stake into lock-up; releaseLocked(day ≥ unlockAtDay) returns it to the node's balance. */
	unstake(node: number, amountUnits: number, unlockAtDay: number): void {
		if (!isAmount(amountUnits)) throw badAmount(label("unstake", node), amountUnits);
		if (!isNodeId(node)) throw badNode(label("unstake", node), node);
		if (Number.isNaN(unlockAtDay)) throw new RangeError(`${label("unstake", node)}: unlock day is NaN`);
		const staked = this.nodeStaked(node);
		if (staked < amountUnits) throw insufficient(label("unstake", node), `node ${node}'s stake`, staked, amountUnits);
		if (amountUnits === 0) return;
		if (this.lockRows === this.lockUnits.length) this.growLocks();
		const row = this.lockRows++;
		this.lockNode[row] = node;
		this.lockUnits[row] = amountUnits;
		this.lockDay[row] = unlockAtDay;
		if (unlockAtDay < this.earliestUnlockDay) this.earliestUnlockDay = unlockAtDay;
		this.stakedOfNode[node] = staked - amountUnits;
		this.stakedUnits -= amountUnits;
		this.lockedOfNode[node] = (this.lockedOfNode[node] as number) + amountUnits;
		this.lockedUnits += amountUnits;
	}

	/** Units due by `day` across the lock-ups: what releaseLocked(day) would release. */
	dueLockedUnits(day: number): number {
		if (!(day >= this.earliestUnlockDay)) return 0;
		let due = 0;
		for (let row = 0; row < this.lockRows; row++)
			if ((this.lockDay[row] as number) <= day) due += this.lockUnits[row] as number;
		return due;
	}

	/**
	 * Returns every lock-up due by `day` to its node's balance; the units released. With `to`, they go to that
	 * named account instead (a leaver's stake sold on release: the market's buyer).
	 */
	releaseLocked(day: number, to?: NamedAccount): number {
		if (!(day >= this.earliestUnlockDay)) return 0;
		const toIndex = to === undefined ? -1 : this.namedIndex(to);
		let kept = 0;
		let releasedUnits = 0;
		let earliest = Number.POSITIVE_INFINITY;
		for (let row = 0; row < this.lockRows; row++) {
			const node = this.lockNode[row] as number;
			const units = this.lockUnits[row] as number;
			const unlockDay = this.lockDay[row] as number;
			if (unlockDay <= day) {
				this.lockedOfNode[node] = (this.lockedOfNode[node] as number) - units;
				if (toIndex < 0) this.balanceOfNode[node] = (this.balanceOfNode[node] as number) + units;
				releasedUnits += units;
			} else {
				this.lockNode[kept] = node;
				this.lockUnits[kept] = units;
				this.lockDay[kept] = unlockDay;
				kept++;
				if (unlockDay < earliest) earliest = unlockDay;
			}
		}
		this.lockRows = kept;
		this.earliestUnlockDay = earliest;
		this.lockedUnits -= releasedUnits;
		if (toIndex < 0) this.nodeBalanceUnits += releasedUnits;
		else this.named[toIndex] = (this.named[toIndex] as number) + releasedUnits;
		return releasedUnits;
	}

	/** Takes floor(stake · share) of the node's active stake to the treasury or burns it; the units slashed. */
	slash(node: number, share: number, to: "treasury" | "burn"): number {
		if (!(share >= 0 && share <= 1)) throw new RangeError(`${label("slash", node)}: share ${share} is not in [0, 1]`);
		if (!isNodeId(node)) throw badNode(label("slash", node), node);
		const staked = this.nodeStaked(node);
		const amountUnits = Math.floor(staked * share);
		if (amountUnits === 0) return 0;
		if (to === "burn") {
			const burned = this.burnedUnits + amountUnits;
			if (!fits(burned)) throw overflow(label("slash", node), "burned", burned);
			this.burnedUnits = burned;
			this.supplyUnits -= amountUnits;
		} else {
			this.named[NAMED_INDEX.treasury] = (this.named[NAMED_INDEX.treasury] as number) + amountUnits;
		}
		this.stakedOfNode[node] = staked - amountUnits;
		this.stakedUnits -= amountUnits;
		return amountUnits;
	}

	/**
	 * Pays floor(amount · wᵢ / W) to each node (W = Σ weights) and the remainder to `dust`; zero W
	 * sends it all to dust. `nodes` is a list of node ids (weights[i] belongs to nodes[i]) or a count
	 * n (weights[i] belongs to node i < n). `from: "mint"` mints the amount. `paidUnits`, if given,
	 * receives each entry's payment. Returns the units paid to nodes (the rest went to dust).
	 */
	splitProRata(
		from: Account | "mint",
		amountUnits: number,
		weights: Float64Array,
		nodes: Int32Array | number,
		paidUnits?: Float64Array,
	): number {
		if (!isAmount(amountUnits)) throw badAmount(label("splitProRata from", from), amountUnits);
		const list = typeof nodes === "number" ? null : nodes;
		const n = list === null ? (nodes as number) : list.length;
		if (!Number.isInteger(n) || n < 0 || n > weights.length)
			throw new RangeError(`${label("splitProRata from", from)}: ${n} nodes but ${weights.length} weights`);
		if (paidUnits !== undefined && paidUnits.length < n)
			throw new RangeError(
				`${label("splitProRata from", from)}: paidUnits holds ${paidUnits.length} entries, ${n} needed`,
			);

		// Passes over the weights and ids (contiguous): their sum, and the largest id to make room for.
		const totalWeight = sumWeights(weights, n, from);
		const maxNode = list === null ? n - 1 : largestId(list, n, from);
		if (!(totalWeight <= MAX_TOTAL_WEIGHT))
			throw new RangeError(
				`${label("splitProRata from", from)}: weights sum to ${totalWeight}, above ${MAX_TOTAL_WEIGHT}`,
			);

		// Take the amount from its source (all checks before any write).
		if (from === "mint") {
			this.mintChecks(amountUnits, "splitProRata from", from);
			this.supplyUnits += amountUnits;
			this.mintedUnits += amountUnits;
		} else {
			this.debit(from, amountUnits, "splitProRata from", from);
		}
		if (maxNode >= 0) this.ensureNodes(maxNode + 1);

		// The pays, then a pass over the nodes. No balance can exceed supply (≤ 2^53 − 1), so no
		// write here can overflow.
		const pays = paidUnits ?? scratchPays(n);
		const remaining = planPays(weights, n, amountUnits, totalWeight, pays);
		addToBalances(this.balanceOfNode, list, pays, null, n);
		const paid = amountUnits - remaining;
		this.nodeBalanceUnits += paid;
		this.named[NAMED_INDEX.dust] = (this.named[NAMED_INDEX.dust] as number) + remaining;
		return paid;
	}

	/**
	 * Plans a mint of `amountUnits` paid pro rata to weights[0 … n − 1] (floor(amount · wᵢ / W), as
	 * splitProRata pays), each entry selling floor(paid · sellShare) of its pay at once: fills
	 * paidUnits and soldUnits. Nothing changes until mintPlanned applies the plan (once the sale has
	 * found its buyer); until then the two arrays are the ledger's, not to be written. `nodes`: a list
	 * of ids (its first n entries) or a count n (ids 0 … n − 1). The ledger checks the plan as it
	 * makes it, so applying it needs no second look.
	 */
	planMintProRata(
		amountUnits: number,
		weights: Float64Array,
		nodes: Int32Array | number,
		n: number,
		sellShare: number,
		paidUnits: Float64Array,
		soldUnits: Float64Array,
		weightTotal?: number,
	): PlannedMint {
		const operation = "planMintProRata";
		this.planned = null;
		if (!isAmount(amountUnits)) throw badAmount(operation, amountUnits);
		const list = checkPlanShape(operation, nodes, n, weights.length, paidUnits, soldUnits, sellShare);
		// A caller's total (its own sum, in entry order) saves a pass; a wrong one skews the split, never the books.
		const totalWeight = weightTotal ?? sumWeights(weights, n, "mint");
		if (!(totalWeight >= 0 && totalWeight <= MAX_TOTAL_WEIGHT))
			throw new RangeError(`${operation}: weights sum to ${totalWeight}, not in [0, ${MAX_TOTAL_WEIGHT}]`);
		const bad = planProRataSales(weights, list, n, amountUnits, totalWeight, sellShare, paidUnits, soldUnits);
		if (bad >= 0)
			throw new RangeError(
				`${operation}: entry ${bad} has weight ${weights[bad]} and names node ${list?.[bad] ?? bad}`,
			);
		return this.keepPlan(amountUnits, list, n, paidUnits, soldUnits);
	}

	/**
	 * Plans a mint of work rewards: entry i is paid floor(usd[i] · unitsPerUsd) units, all scaled
	 * down alike where that would pass the supply cap, and sells floor(paid · sellShare) at once.
	 * The mint is the sum of the pays (no dust). As planMintProRata otherwise.
	 */
	planMintForWork(
		usd: Float64Array,
		nodes: Int32Array | number,
		n: number,
		unitsPerUsd: number,
		sellShare: number,
		paidUnits: Float64Array,
		soldUnits: Float64Array,
	): PlannedMint {
		const operation = "planMintForWork";
		this.planned = null;
		if (!(unitsPerUsd > 0 && unitsPerUsd < Number.POSITIVE_INFINITY))
			throw new RangeError(`${operation}: ${unitsPerUsd} units per USD`);
		const list = checkPlanShape(operation, nodes, n, usd.length, paidUnits, soldUnits, sellShare);
		const headroom = this.maxSupplyUnits - this.supplyUnits;
		let bad = planWorkSales(usd, list, n, unitsPerUsd, 1, sellShare, paidUnits, soldUnits);
		const total = planScan[0] as number;
		if (bad < 0 && total > headroom)
			bad = planWorkSales(usd, list, n, unitsPerUsd, headroom / total, sellShare, paidUnits, soldUnits);
		if (bad >= 0) throw new RangeError(`${operation}: entry ${bad} (node ${list?.[bad] ?? bad}) earns ${usd[bad]} USD`);
		return this.keepPlan(planScan[0] as number, list, n, paidUnits, soldUnits);
	}

	/**
	 * Applies the plan of the last planMintProRata / planMintForWork: mints its amount, pays each
	 * node its pay less its sale, credits the sales to `to` (the sale's buyer) and what no node was
	 * paid to `dust`. The same end state as splitProRata("mint", …) followed by
	 * collectFromNodes(to, sales, nodes). All checks come before any write. Returns the units paid.
	 * `paidByNode`, when given, also gets each entry's pay at its node id (in the same pass).
	 */
	mintPlanned(to: NamedAccount, paidByNode?: Float64Array): number {
		const operation = `mintPlanned to ${to}`;
		const plan = this.planned;
		if (plan === null) throw new Error(`${operation}: no planned mint (plan one first; a plan is applied once)`);
		const toIndex = this.namedIndex(to);
		this.mintChecks(plan.amountUnits, "mintPlanned to", to);
		const bought = (this.named[toIndex] as number) + plan.soldTotal;
		if (!fits(bought)) throw overflow(operation, to, bought);
		if (plan.largestNode >= 0) this.ensureNodes(plan.largestNode + 1);
		if (paidByNode !== undefined && !(plan.largestNode < paidByNode.length))
			throw new RangeError(`${operation}: paidByNode holds ${paidByNode.length} nodes, node ${plan.largestNode} paid`);
		// Writes.
		this.planned = null;
		this.supplyUnits += plan.amountUnits;
		this.mintedUnits += plan.amountUnits;
		addToBalances(this.balanceOfNode, plan.nodes, plan.paidUnits, plan.soldUnits, plan.count, paidByNode ?? null);
		this.nodeBalanceUnits += plan.paidTotal - plan.soldTotal;
		this.named[toIndex] = bought;
		this.named[NAMED_INDEX.dust] = (this.named[NAMED_INDEX.dust] as number) + (plan.amountUnits - plan.paidTotal);
		return plan.paidTotal;
	}

	/** Remembers a plan just made (sums and largest id in planScan) for mintPlanned. */
	private keepPlan(
		amountUnits: number,
		nodes: Int32Array | null,
		count: number,
		paidUnits: Float64Array,
		soldUnits: Float64Array,
	): PlannedMint {
		const paidTotal = planScan[0] as number;
		const soldTotal = planScan[1] as number;
		const largestNode = nodes === null ? count - 1 : (planScan[2] as number);
		// Floors never overpay; a total past 2^53 − 1 units would not be exact.
		if (!(paidTotal <= amountUnits && fits(paidTotal)))
			throw new RangeError(`a plan paying ${paidTotal} units (of ${amountUnits}) is not exact`);
		this.planned = { amountUnits, nodes, count, paidUnits, soldUnits, paidTotal, soldTotal, largestNode };
		return this.planned;
	}

	/**
	 * Moves amountsUnits[i] from each node's balance (node ids as in splitProRata) to a named
	 * account, or burns it. All or nothing: on a shortfall, earlier entries are undone and it
	 * throws. Returns the units moved.
	 */
	collectFromNodes(to: NamedAccount | "burn", amountsUnits: Float64Array, nodes: Int32Array | number): number {
		const list = typeof nodes === "number" ? null : nodes;
		const n = list === null ? (nodes as number) : list.length;
		if (!Number.isInteger(n) || n < 0 || n > amountsUnits.length)
			throw new RangeError(`collectFromNodes to ${to}: ${n} nodes but ${amountsUnits.length} amounts`);
		const toIndex = to === "burn" ? -1 : this.namedIndex(to);
		const balances = this.balanceOfNode;
		let totalUnits = 0;
		const capacity = this.capacity;
		for (let i = 0; i < n; i++) {
			const amount = amountsUnits[i] as number;
			const node = list === null ? i : (list[i] as number);
			// Nothing to take (most nodes, most epochs): no change, nothing to check.
			if (amount === 0 && node >= 0) continue;
			const held = node >= 0 && node < capacity ? (balances[node] as number) : 0;
			if (!(Number.isInteger(amount) && amount >= 0 && amount <= held && node >= 0)) {
				for (let j = 0; j < i; j++) {
					const back = list === null ? j : (list[j] as number);
					balances[back] = (balances[back] as number) + (amountsUnits[j] as number);
				}
				const operation = `collectFromNodes to ${to}`;
				if (!isAmount(amount)) throw badAmount(operation, amount);
				throw insufficient(operation, `node ${node}'s balance`, held, amount);
			}
			balances[node] = held - amount;
			totalUnits += amount;
		}
		this.nodeBalanceUnits -= totalUnits;
		if (toIndex < 0) {
			const burned = this.burnedUnits + totalUnits;
			if (!fits(burned)) {
				for (let j = 0; j < n; j++) {
					const back = list === null ? j : (list[j] as number);
					balances[back] = (balances[back] as number) + (amountsUnits[j] as number);
				}
				this.nodeBalanceUnits += totalUnits;
				throw overflow(`collectFromNodes to ${to}`, "burned", burned);
			}
			this.burnedUnits = burned;
			this.supplyUnits -= totalUnits;
		} else {
			this.named[toIndex] = (this.named[toIndex] as number) + totalUnits;
		}
		return totalUnits;
	}

	// ---- checks ----

	/** O(accounts): supply = initial + minted − burned and Σ balances + staked + locked = supply, exactly. */
	checkConservation(): void {
		const expected = this.initialSupplyUnits + (this.mintedUnits - this.burnedUnits);
		if (this.supplyUnits !== expected)
			throw new Error(
				`conservation broken: supply ${this.supplyUnits} ≠ initial ${this.initialSupplyUnits} + minted ${this.mintedUnits} − burned ${this.burnedUnits}`,
			);
		let namedUnits = 0;
		for (let i = 0; i < this.named.length; i++) namedUnits += this.named[i] as number;
		const held = namedUnits + this.nodeBalanceUnits + this.stakedUnits + this.lockedUnits;
		if (held !== this.supplyUnits || !Number.isSafeInteger(namedUnits))
			throw new Error(
				`conservation broken: named ${namedUnits} + nodes ${this.nodeBalanceUnits} + staked ${this.stakedUnits} + locked ${this.lockedUnits} = ${held} ≠ supply ${this.supplyUnits}`,
			);
	}

	/** O(nodes + lock-ups): recomputes every running total from the arrays, then checkConservation(). */
	checkConservationFull(): void {
		let balanceUnits = 0;
		let stakedUnits = 0;
		let lockedUnits = 0;
		for (let node = 0; node < this.capacity; node++) {
			const b = this.balanceOfNode[node] as number;
			const s = this.stakedOfNode[node] as number;
			const l = this.lockedOfNode[node] as number;
			if (
				!(Number.isSafeInteger(b) && b >= 0 && Number.isSafeInteger(s) && s >= 0 && Number.isSafeInteger(l) && l >= 0)
			)
				throw new Error(`conservation broken: node ${node} holds balance ${b}, stake ${s}, locked ${l}`);
			balanceUnits += b;
			stakedUnits += s;
			lockedUnits += l;
		}
		let lockRowUnits = 0;
		for (let row = 0; row < this.lockRows; row++) lockRowUnits += this.lockUnits[row] as number;
		for (let i = 0; i < this.named.length; i++) {
			const v = this.named[i] as number;
			if (!(Number.isSafeInteger(v) && v >= 0)) throw new Error(`conservation broken: ${NAMED_ACCOUNTS[i]} holds ${v}`);
		}
		if (balanceUnits !== this.nodeBalanceUnits)
			throw new Error(
				`conservation broken: node balances sum to ${balanceUnits}, running total ${this.nodeBalanceUnits}`,
			);
		if (stakedUnits !== this.stakedUnits)
			throw new Error(`conservation broken: stakes sum to ${stakedUnits}, running total ${this.stakedUnits}`);
		if (lockedUnits !== this.lockedUnits || lockRowUnits !== this.lockedUnits)
			throw new Error(
				`conservation broken: locked stake sums to ${lockedUnits} by node, ${lockRowUnits} by lock-up, running total ${this.lockedUnits}`,
			);
		this.checkConservation();
	}

	// ---- internals ----

	private namedIndex(name: string): number {
		const index = NAMED_INDEX[name as NamedAccount];
		if (index === undefined) throw new RangeError(`unknown account "${name}"`);
		return index;
	}

	/** Room for `node` and count it. */
	private touch(node: number): void {
		if (node >= this.capacity) this.grow(node + 1);
		if (node >= this.nodes) this.nodes = node + 1;
	}

	/** Throws unless supply and minted can grow by `amountUnits` (within 2^53 − 1 and the cap). */
	private mintChecks(amountUnits: number, verb: string, a: Source): void {
		const supply = this.supplyUnits + amountUnits;
		if (!fits(supply)) throw overflow(label(verb, a), "supply", supply);
		if (supply > this.maxSupplyUnits)
			throw new RangeError(`${label(verb, a)}: supply would become ${supply}, past the cap ${this.maxSupplyUnits}`);
		const minted = this.mintedUnits + amountUnits;
		if (!fits(minted)) throw overflow(label(verb, a), "minted", minted);
	}

	/** Adds to an account. `verb`, `a`, `b` name the operation in an error. */
	private credit(to: Account, amountUnits: number, verb: string, a: Source, b?: Account): void {
		if (typeof to === "string") {
			const index = this.namedIndex(to);
			const next = (this.named[index] as number) + amountUnits;
			if (!fits(next)) throw overflow(label(verb, a, b), to, next);
			this.named[index] = next;
			return;
		}
		const node = to.node;
		if (!isNodeId(node)) throw badNode(label(verb, a, b), node);
		const next = this.nodeBalance(node) + amountUnits;
		if (!fits(next)) throw overflow(label(verb, a, b), `node ${node}'s balance`, next);
		const total = this.nodeBalanceUnits + amountUnits;
		if (!fits(total)) throw overflow(label(verb, a, b), "node balance total", total);
		this.touch(node);
		this.balanceOfNode[node] = next;
		this.nodeBalanceUnits = total;
	}

	/** Takes from an account; throws, changing nothing, if it holds too little. */
	private debit(from: Account, amountUnits: number, verb: string, a: Source, b?: Account): void {
		if (typeof from === "string") {
			const index = this.namedIndex(from);
			const held = this.named[index] as number;
			if (held < amountUnits) throw insufficient(label(verb, a, b), from, held, amountUnits);
			this.named[index] = held - amountUnits;
			return;
		}
		const node = from.node;
		if (!isNodeId(node)) throw badNode(label(verb, a, b), node);
		const held = this.nodeBalance(node);
		if (held < amountUnits) throw insufficient(label(verb, a, b), `node ${node}'s balance`, held, amountUnits);
		this.balanceOfNode[node] = held - amountUnits;
		this.nodeBalanceUnits -= amountUnits;
	}

	private grow(minimum: number): void {
		let capacity = this.capacity;
		while (capacity < minimum) capacity *= 2;
		if (capacity > MAX_NODE_ID + 1) capacity = MAX_NODE_ID + 1;
		const widen = (old: Float64Array): Float64Array => {
			const bigger = new Float64Array(capacity);
			bigger.set(old);
			return bigger;
		};
		this.balanceOfNode = widen(this.balanceOfNode);
		this.stakedOfNode = widen(this.stakedOfNode);
		this.lockedOfNode = widen(this.lockedOfNode);
		this.capacity = capacity;
	}

	private growLocks(): void {
		const capacity = this.lockUnits.length * 2;
		const nodes = new Int32Array(capacity);
		nodes.set(this.lockNode);
		const units = new Float64Array(capacity);
		units.set(this.lockUnits);
		const days = new Float64Array(capacity);
		days.set(this.lockDay);
		this.lockNode = nodes;
		this.lockUnits = units;
		this.lockDay = days;
	}
}

/** Σ weights[0 … n − 1]; throws on a weight that is negative or NaN. */
function sumWeights(weights: Float64Array, n: number, from: Source): number {
	let total = 0;
	let smallest = 0;
	for (let i = 0; i < n; i++) {
		const w = weights[i] as number;
		total += w;
		if (w < smallest) smallest = w;
	}
	// A NaN weight makes the total NaN.
	if (smallest < 0 || Number.isNaN(total)) {
		const bad = weights.subarray(0, n).findIndex((w) => !(w >= 0));
		throw new RangeError(
			`${label("splitProRata from", from)}: weight ${bad} is ${weights[bad]}, not a finite number ≥ 0`,
		);
	}
	return total;
}

/** The largest id in the list (−1 if empty); throws on a negative one. */
function largestId(nodes: Int32Array, n: number, from: Source): number {
	let largest = -1;
	let smallest = 0;
	for (let i = 0; i < n; i++) {
		const node = nodes[i] as number;
		if (node > largest) largest = node;
		if (node < smallest) smallest = node;
	}
	if (smallest < 0) throw new RangeError(`${label("splitProRata from", from)}: node id ${smallest} is negative`);
	return largest;
}

// The per-node loops of the pro-rata split: module-level, so that each compiles on its own (a
// per-node loop inside a big, rarely called method is compiled on the stack, and V8 was seen to
// deopt and recompile such code on every call).

/**
 * The pays of a pro-rata split into paidUnits[0 … n − 1]: floor(amount · wᵢ / W), clamped to
 * what is left (float rounding in W could overpay by a unit); nothing when W is 0. Returns the
 * remainder (the dust).
 */
function planPays(
	weights: Float64Array,
	n: number,
	amountUnits: number,
	totalWeight: number,
	paidUnits: Float64Array,
): number {
	if (!(totalWeight > 0)) {
		paidUnits.fill(0, 0, n);
		return amountUnits;
	}
	let remaining = amountUnits;
	for (let i = 0; i < n; i++) {
		const weight = weights[i] as number;
		// Most entries may weigh nothing (providers gone or idle): no division for them.
		if (weight === 0) {
			paidUnits[i] = 0;
			continue;
		}
		let pay = Math.floor((amountUnits * weight) / totalWeight);
		if (pay > remaining) pay = remaining;
		remaining -= pay;
		paidUnits[i] = pay;
	}
	return remaining;
}

/** splitProRata's pays when the caller keeps none (grown as needed, reused). */
let scratch = new Float64Array(1024);
function scratchPays(n: number): Float64Array {
	if (scratch.length < n) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
	return scratch;
}

/** A plan's sums, left by planProRataSales / planWorkSales: Σ paid, Σ sold, and the largest node id (−1: none). */
const planScan = new Float64Array(3);

/** The shape checks of a plan (counts, list, sell share); returns the list (null: ids 0 … n − 1). */
function checkPlanShape(
	operation: string,
	nodes: Int32Array | number,
	n: number,
	inputs: number,
	paidUnits: Float64Array,
	soldUnits: Float64Array,
	sellShare: number,
): Int32Array | null {
	const list = typeof nodes === "number" ? null : nodes;
	if (list === null && nodes !== n) throw new RangeError(`${operation}: ${n} entries for ${nodes} nodes`);
	if (!Number.isInteger(n) || n < 0 || n > inputs || n > paidUnits.length || n > soldUnits.length)
		throw new RangeError(
			`${operation}: ${n} entries, ${inputs} inputs, ${paidUnits.length} paid and ${soldUnits.length} sold`,
		);
	if (list !== null && !(n <= list.length))
		throw new RangeError(`${operation}: ${n} entries of a list of ${list.length}`);
	if (!(sellShare >= 0 && sellShare <= 1)) throw new RangeError(`${operation}: sell share ${sellShare} not in [0, 1]`);
	return list;
}

/**
 * Entries per call of a per-node loop. V8 compiles a loop that runs long on a function's first calls
 * on the stack (OSR) and, here, kept running that slower code on every later call; short calls get
 * the function itself compiled (measured: −21% instructions for the token close of 6,500 nodes).
 */
const CHUNK_ENTRIES = 256;

/**
 * One pass of a pro-rata plan: pays as planPays makes them, each entry's sale floor(pay · share),
 * their sums and the largest id into planScan. Returns −1, or the first entry whose weight is not a
 * finite number ≥ 0 or that names a negative id. Pays are whole, ≤ what is left, so ≥ the sale.
 */
function planProRataSales(
	weights: Float64Array,
	nodes: Int32Array | null,
	n: number,
	amountUnits: number,
	totalWeight: number,
	share: number,
	paidUnits: Float64Array,
	soldUnits: Float64Array,
): number {
	// The chunks carry units left, Σ sold and the largest id in planScan; the first becomes units paid at the end.
	planScan[0] = amountUnits;
	planScan[1] = 0;
	planScan[2] = -1;
	for (let from = 0; from < n; from += CHUNK_ENTRIES) {
		const to = Math.min(n, from + CHUNK_ENTRIES);
		const bad = planProRataChunk(weights, nodes, from, to, amountUnits, totalWeight, share, paidUnits, soldUnits);
		if (bad >= 0) return bad;
	}
	planScan[0] = amountUnits - (planScan[0] as number);
	return -1;
}

/** Entries from … to − 1 of planProRataSales, carrying its sums in planScan (the same order of sums). */
function planProRataChunk(
	weights: Float64Array,
	nodes: Int32Array | null,
	from: number,
	to: number,
	amountUnits: number,
	totalWeight: number,
	share: number,
	paidUnits: Float64Array,
	soldUnits: Float64Array,
): number {
	let remaining = planScan[0] as number;
	let soldTotal = planScan[1] as number;
	let largest = planScan[2] as number;
	for (let i = from; i < to; i++) {
		const weight = weights[i] as number;
		if (!(weight >= 0 && weight <= MAX_TOTAL_WEIGHT)) return i;
		let pay = 0;
		// Most entries may weigh nothing (providers gone or idle): no division for them (and none when W is 0).
		if (weight !== 0) {
			pay = Math.floor((amountUnits * weight) / totalWeight);
			if (pay > remaining) pay = remaining;
			remaining -= pay;
		}
		const sold = Math.floor(pay * share);
		paidUnits[i] = pay;
		soldUnits[i] = sold;
		soldTotal += sold;
		if (nodes !== null) {
			const node = nodes[i] as number;
			if (node < 0) return i;
			if (node > largest) largest = node;
		}
	}
	planScan[0] = remaining;
	planScan[1] = soldTotal;
	planScan[2] = largest;
	return -1;
}

/**
 * One pass of a work plan: paid[i] = floor(usd[i] · unitsPerUsd · scale), the sale floor(paid · share),
 * sums and largest id into planScan. Returns −1, or the first entry whose pay is not ≥ 0 (negative or NaN
 * USD, or an infinite one scaled by 0) or that names a negative id.
 */
function planWorkSales(
	usd: Float64Array,
	nodes: Int32Array | null,
	n: number,
	unitsPerUsd: number,
	scale: number,
	share: number,
	paidUnits: Float64Array,
	soldUnits: Float64Array,
): number {
	let paidTotal = 0;
	let soldTotal = 0;
	let largest = -1;
	for (let i = 0; i < n; i++) {
		const pay = Math.floor((usd[i] as number) * unitsPerUsd * scale);
		// A pay past 2^53 passes here: the cap's scaling brings it down, or keepPlan's check stops it.
		if (!(pay >= 0)) return i;
		const sold = Math.floor(pay * share);
		paidUnits[i] = pay;
		soldUnits[i] = sold;
		paidTotal += pay;
		soldTotal += sold;
		if (nodes !== null) {
			const node = nodes[i] as number;
			if (node < 0) return i;
			if (node > largest) largest = node;
		}
	}
	planScan[0] = paidTotal;
	planScan[1] = soldTotal;
	planScan[2] = largest;
	return -1;
}

/**
 * balances[node of entry i] += paidUnits[i] − soldUnits[i] (no sales when null); node i, or nodes[i] in
 * a list. `paidByNode` (or null): paidByNode[node of entry i] = paidUnits[i] as well.
 */
function addToBalances(
	balances: Float64Array,
	nodes: Int32Array | null,
	paidUnits: Float64Array,
	soldUnits: Float64Array | null,
	n: number,
	paidByNode: Float64Array | null = null,
): void {
	for (let i = 0; i < n; i++) {
		const paid = paidUnits[i] as number;
		const node = nodes === null ? i : (nodes[i] as number);
		if (paidByNode !== null) paidByNode[node] = paid;
		const net = paid - (soldUnits === null ? 0 : (soldUnits[i] as number));
		if (net !== 0) balances[node] = (balances[node] as number) + net;
	}
}

/** Whole tokens → base units, rounded to the nearest unit; throws past 2^53 − 1. */
export function tokensToUnits(tokens: number, decimals: number, what = "amount"): number {
	if (!Number.isInteger(decimals) || decimals < 0 || decimals > 15)
		throw new RangeError(`decimals ${decimals} is not an integer in [0, 15]`);
	const units = Math.round(tokens * 10 ** decimals);
	if (!(units >= 0 && units <= MAX_UNITS))
		throw new RangeError(
			`${what}: ${tokens} tokens at ${decimals} decimals is ${units} base units, outside [0, 2^53 − 1]`,
		);
	return units;
}

/**
 * An integer number of base units as an exact decimal string: the integer itself, or with
 * `decimals` > 0 the token amount with that many fractional digits (123456789, 6 → "123.456789").
 */
export function toDecimalString(units: number, decimals = 0): string {
	if (!Number.isSafeInteger(units)) throw new RangeError(`toDecimalString: ${units} is not a safe integer`);
	if (!Number.isInteger(decimals) || decimals < 0) throw new RangeError(`toDecimalString: bad decimals ${decimals}`);
	const sign = units < 0 ? "-" : "";
	// String() of a safe integer is its exact digits (no exponent below 10^21).
	const digits = String(Math.abs(units));
	if (decimals === 0) return sign + digits;
	const padded = digits.padStart(decimals + 1, "0");
	return `${sign}${padded.slice(0, -decimals)}.${padded.slice(-decimals)}`;
}
