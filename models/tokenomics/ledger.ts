/**
 * Exact token accounting. Every amount is an integer number of base units (10^decimals per
 * token) held in a float64, which is exact up to 2^53 − 1; every write is checked to stay there,
 * so a result is either exact or an error, never silently rounded. Running totals make the
 * conservation check O(accounts); checkConservationFull() recomputes the per-node sums.
 */

/** Largest integer a float64 holds exactly: the bound of every balance and total. */
export const MAX_UNITS = Number.MAX_SAFE_INTEGER;

/** Accounts that are not nodes. `pool` is the AMM's token reserve, `holders` the free float, `dust` split remainders. */
export const NAMED_ACCOUNTS = [
	"treasury",
	"team",
	"investors",
	"pool",
	"holders",
	"validators",
	"owners",
	"dust",
] as const;
export type NamedAccount = (typeof NAMED_ACCOUNTS)[number];
export type NodeAccount = { readonly node: number };
export type Account = NamedAccount | NodeAccount;

const NAMED_INDEX: Readonly<Record<NamedAccount, number>> = {
	treasury: 0,
	team: 1,
	investors: 2,
	pool: 3,
	holders: 4,
	validators: 5,
	owners: 6,
	dust: 7,
};

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

function describeAccount(account: Account): string {
	return typeof account === "string" ? account : `node ${account.node}`;
}

/** Throws unless `value` is an integer within ±(2^53 − 1). */
function guard(value: number, what: string, operation: string): number {
	if (!Number.isInteger(value) || value > MAX_UNITS || value < -MAX_UNITS)
		throw new RangeError(`${operation}: ${what} would become ${value}, not an integer within ±(2^53 − 1) base units`);
	return value;
}

function checkAmount(amountUnits: number, operation: string): void {
	if (!Number.isInteger(amountUnits) || amountUnits < 0 || amountUnits > MAX_UNITS)
		throw new RangeError(`${operation}: amount ${amountUnits} is not an integer number of base units in [0, 2^53 − 1]`);
}

function insufficient(operation: string, what: string, heldUnits: number, amountUnits: number): RangeError {
	return new RangeError(`${operation}: ${what} holds ${heldUnits} base units, cannot take ${amountUnits}`);
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
	readonly initialSupplyUnits: number;
	readonly maxSupplyUnits: number;

	constructor(options: LedgerOptions = {}) {
		let initial = 0;
		for (const [name, units] of Object.entries(options.initialUnits ?? {})) {
			const index = NAMED_INDEX[name as NamedAccount];
			if (index === undefined) throw new RangeError(`TokenLedger: unknown account "${name}"`);
			checkAmount(units ?? 0, `initial balance of ${name}`);
			this.named[index] = units ?? 0;
			initial = guard(initial + (units ?? 0), "initial supply", "TokenLedger");
		}
		this.initialSupplyUnits = initial;
		this.supplyUnits = initial;
		this.maxSupplyUnits = options.maxSupplyUnits ?? MAX_UNITS;
		checkAmount(this.maxSupplyUnits, "maxSupplyUnits");
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
		const op = `mint to ${describeAccount(to)}`;
		checkAmount(amountUnits, op);
		const supply = guard(this.supplyUnits + amountUnits, "supply", op);
		if (supply > this.maxSupplyUnits)
			throw new RangeError(`${op}: supply would become ${supply}, past the cap ${this.maxSupplyUnits}`);
		const minted = guard(this.mintedUnits + amountUnits, "minted", op);
		this.credit(to, amountUnits, op);
		this.supplyUnits = supply;
		this.mintedUnits = minted;
	}

	burn(from: Account, amountUnits: number): void {
		const op = `burn from ${describeAccount(from)}`;
		checkAmount(amountUnits, op);
		const burned = guard(this.burnedUnits + amountUnits, "burned", op);
		this.debit(from, amountUnits, op);
		this.burnedUnits = burned;
		this.supplyUnits = guard(this.supplyUnits - amountUnits, "supply", op);
	}

	transfer(from: Account, to: Account, amountUnits: number): void {
		const op = `transfer ${describeAccount(from)} → ${describeAccount(to)}`;
		checkAmount(amountUnits, op);
		// Debit first: it validates; the credit cannot overflow since no balance exceeds supply.
		this.debit(from, amountUnits, op);
		this.credit(to, amountUnits, op);
	}

	/** Moves `amountUnits` of the node's balance into its stake. */
	stake(node: number, amountUnits: number): void {
		const op = `stake node ${node}`;
		checkAmount(amountUnits, op);
		this.checkNode(node, op);
		const held = this.nodeBalance(node);
		if (held < amountUnits) throw insufficient(op, `node ${node}'s balance`, held, amountUnits);
		const staked = guard(this.nodeStaked(node) + amountUnits, `node ${node}'s stake`, op);
		const stakedTotal = guard(this.stakedUnits + amountUnits, "staked total", op);
		this.touch(node);
		this.balanceOfNode[node] = held - amountUnits;
		this.nodeBalanceUnits -= amountUnits;
		this.stakedOfNode[node] = staked;
		this.stakedUnits = stakedTotal;
	}

	/** Moves stake into lock-up; releaseLocked(day ≥ unlockAtDay) returns it to the node's balance. */
	unstake(node: number, amountUnits: number, unlockAtDay: number): void {
		const op = `unstake node ${node}`;
		checkAmount(amountUnits, op);
		this.checkNode(node, op);
		if (Number.isNaN(unlockAtDay)) throw new RangeError(`${op}: unlock day is NaN`);
		const staked = this.nodeStaked(node);
		if (staked < amountUnits) throw insufficient(op, `node ${node}'s stake`, staked, amountUnits);
		if (amountUnits === 0) return;
		const locked = guard(this.nodeLocked(node) + amountUnits, `node ${node}'s locked stake`, op);
		const lockedTotal = guard(this.lockedUnits + amountUnits, "locked total", op);
		if (this.lockRows === this.lockUnits.length) this.growLocks();
		const row = this.lockRows++;
		this.lockNode[row] = node;
		this.lockUnits[row] = amountUnits;
		this.lockDay[row] = unlockAtDay;
		if (unlockAtDay < this.earliestUnlockDay) this.earliestUnlockDay = unlockAtDay;
		this.stakedOfNode[node] = staked - amountUnits;
		this.stakedUnits -= amountUnits;
		this.lockedOfNode[node] = locked;
		this.lockedUnits = lockedTotal;
	}

	/** Returns every lock-up due by `day` to its node's balance; the units released. */
	releaseLocked(day: number): number {
		if (!(day >= this.earliestUnlockDay)) return 0;
		let kept = 0;
		let releasedUnits = 0;
		let earliest = Number.POSITIVE_INFINITY;
		for (let row = 0; row < this.lockRows; row++) {
			const node = this.lockNode[row] as number;
			const units = this.lockUnits[row] as number;
			const unlockDay = this.lockDay[row] as number;
			if (unlockDay <= day) {
				this.lockedOfNode[node] = (this.lockedOfNode[node] as number) - units;
				this.balanceOfNode[node] = (this.balanceOfNode[node] as number) + units;
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
		this.nodeBalanceUnits += releasedUnits;
		return releasedUnits;
	}

	/** Takes floor(stake · share) of the node's active stake to the treasury or burns it; the units slashed. */
	slash(node: number, share: number, to: "treasury" | "burn"): number {
		const op = `slash node ${node}`;
		if (!(share >= 0 && share <= 1)) throw new RangeError(`${op}: share ${share} is not in [0, 1]`);
		this.checkNode(node, op);
		const staked = this.nodeStaked(node);
		const amountUnits = Math.floor(staked * share);
		if (amountUnits === 0) return 0;
		if (to === "burn") {
			this.burnedUnits = guard(this.burnedUnits + amountUnits, "burned", op);
			this.supplyUnits -= amountUnits;
		} else {
			const treasury = NAMED_INDEX.treasury;
			this.named[treasury] = guard((this.named[treasury] as number) + amountUnits, "treasury", op);
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
		const op = from === "mint" ? "splitProRata from a mint" : `splitProRata from ${describeAccount(from)}`;
		checkAmount(amountUnits, op);
		const list = typeof nodes === "number" ? null : nodes;
		const n = list === null ? (nodes as number) : list.length;
		if (!Number.isInteger(n) || n < 0 || n > weights.length)
			throw new RangeError(`${op}: ${n} nodes but ${weights.length} weights`);
		if (paidUnits !== undefined && paidUnits.length < n)
			throw new RangeError(`${op}: paidUnits holds ${paidUnits.length} entries, ${n} needed`);

		// Pass over the weights (contiguous): their sum, and the largest id to make room for.
		let totalWeight = 0;
		let maxNode = list === null ? n - 1 : -1;
		for (let i = 0; i < n; i++) {
			const w = weights[i] as number;
			if (!(w >= 0)) throw new RangeError(`${op}: weight ${i} is ${w}, not a finite number ≥ 0`);
			totalWeight += w;
			if (list !== null) {
				const node = list[i] as number;
				if (node < 0) throw new RangeError(`${op}: node id ${node} is negative`);
				if (node > maxNode) maxNode = node;
			}
		}
		if (!(totalWeight <= MAX_TOTAL_WEIGHT))
			throw new RangeError(`${op}: weights sum to ${totalWeight}, above ${MAX_TOTAL_WEIGHT}`);

		if (maxNode >= 0) this.ensureNodes(maxNode + 1);
		// Take the amount from its source (all checks before any write).
		if (from === "mint") {
			const supply = guard(this.supplyUnits + amountUnits, "supply", op);
			if (supply > this.maxSupplyUnits)
				throw new RangeError(`${op}: supply would become ${supply}, past the cap ${this.maxSupplyUnits}`);
			this.mintedUnits = guard(this.mintedUnits + amountUnits, "minted", op);
			this.supplyUnits = supply;
		} else {
			this.debit(from, amountUnits, op);
		}

		// Pass over the nodes. No balance can exceed supply (≤ 2^53 − 1), so no write here can
		// overflow; the clamp to `remaining` only guards against float rounding in W.
		let remaining = amountUnits;
		if (totalWeight > 0) {
			const balances = this.balanceOfNode;
			for (let i = 0; i < n; i++) {
				let pay = Math.floor((amountUnits * (weights[i] as number)) / totalWeight);
				if (pay > remaining) pay = remaining;
				remaining -= pay;
				const node = list === null ? i : (list[i] as number);
				balances[node] = (balances[node] as number) + pay;
				if (paidUnits !== undefined) paidUnits[i] = pay;
			}
		} else if (paidUnits !== undefined) {
			paidUnits.fill(0, 0, n);
		}
		const paid = amountUnits - remaining;
		this.nodeBalanceUnits += paid;
		const dust = NAMED_INDEX.dust;
		this.named[dust] = guard((this.named[dust] as number) + remaining, "dust", op);
		return paid;
	}

	/**
	 * Moves amountsUnits[i] from each node's balance (node ids as in splitProRata) to a named
	 * account, or burns it. All or nothing: on a shortfall, earlier entries are undone and it
	 * throws. Returns the units moved.
	 */
	collectFromNodes(to: NamedAccount | "burn", amountsUnits: Float64Array, nodes: Int32Array | number): number {
		const op = `collectFromNodes to ${to}`;
		const list = typeof nodes === "number" ? null : nodes;
		const n = list === null ? (nodes as number) : list.length;
		if (!Number.isInteger(n) || n < 0 || n > amountsUnits.length)
			throw new RangeError(`${op}: ${n} nodes but ${amountsUnits.length} amounts`);
		const toIndex = to === "burn" ? -1 : this.namedIndex(to);
		const balances = this.balanceOfNode;
		let totalUnits = 0;
		for (let i = 0; i < n; i++) {
			const amount = amountsUnits[i] as number;
			const node = list === null ? i : (list[i] as number);
			const held = node >= 0 && node < this.capacity ? (balances[node] as number) : 0;
			if (!(Number.isInteger(amount) && amount >= 0 && amount <= held && node >= 0)) {
				for (let j = 0; j < i; j++) {
					const back = list === null ? j : (list[j] as number);
					balances[back] = (balances[back] as number) + (amountsUnits[j] as number);
				}
				if (!Number.isInteger(amount) || amount < 0) checkAmount(amount, op);
				throw insufficient(op, `node ${node}'s balance`, held, amount);
			}
			balances[node] = held - amount;
			totalUnits += amount;
		}
		this.nodeBalanceUnits -= totalUnits;
		if (toIndex < 0) {
			this.burnedUnits = guard(this.burnedUnits + totalUnits, "burned", op);
			this.supplyUnits -= totalUnits;
		} else {
			this.named[toIndex] = guard((this.named[toIndex] as number) + totalUnits, to, op);
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

	private checkNode(node: number, op: string): void {
		if (!Number.isInteger(node) || node < 0 || node > MAX_NODE_ID)
			throw new RangeError(`${op}: node id ${node} is not an integer in [0, 2^31 − 1]`);
	}

	/** Room for `node` and count it. */
	private touch(node: number): void {
		if (node >= this.capacity) this.grow(node + 1);
		if (node >= this.nodes) this.nodes = node + 1;
	}

	private credit(to: Account, amountUnits: number, op: string): void {
		if (typeof to === "string") {
			const index = this.namedIndex(to);
			this.named[index] = guard((this.named[index] as number) + amountUnits, to, op);
			return;
		}
		const node = to.node;
		this.checkNode(node, op);
		const next = guard(this.nodeBalance(node) + amountUnits, `node ${node}'s balance`, op);
		const total = guard(this.nodeBalanceUnits + amountUnits, "node balance total", op);
		this.touch(node);
		this.balanceOfNode[node] = next;
		this.nodeBalanceUnits = total;
	}

	private debit(from: Account, amountUnits: number, op: string): void {
		if (typeof from === "string") {
			const index = this.namedIndex(from);
			const held = this.named[index] as number;
			if (held < amountUnits) throw insufficient(op, from, held, amountUnits);
			this.named[index] = held - amountUnits;
			return;
		}
		const node = from.node;
		this.checkNode(node, op);
		const held = this.nodeBalance(node);
		if (held < amountUnits) throw insufficient(op, `node ${node}'s balance`, held, amountUnits);
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
