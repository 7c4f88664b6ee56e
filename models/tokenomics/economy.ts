/**
 * The token economy of one run: the ledger, the emission clock, the token market and the
 * vesting schedules, behind the few calls the network model makes. Every token that moves in
 * the market moves in the ledger too, so supply = initial + minted − burned and
 * Σ balances + staked + locked = supply hold exactly at every epoch.
 *
 * Order of operations at the close of an epoch (docs/design.md §6):
 *   1. mint the epoch's emission; split the providers' share over nodes by weight (work,
 *      uptime, stake), the validators' and owners' shares to their accounts;
 *   2. providers sell `providerSellShare` of what they just received, through the market
 *      (the ledger then pays each node its reward net of its sale in one pass: the same end
 *      state as paying, then collecting);
 *   3. burn-and-mint: the protocol buys tokens with the epoch's fiat job value less the fee,
 *      through the market, and burns them; then each operator is minted the value of the work
 *      it served (after the fee) in tokens at the pool price, and sells `providerSellShare` of
 *      it (Render's job payouts: RNP-001's "coupon token rewards" beside availability rewards;
 *      the 5% fee: RNP-006);
 *   4. vesting unlocks: the unlocked share is sold by team / investors;
 *   5. stake lock-ups that expired (of nodes that left) are sold through the market;
 *   6. at each new day, holders sell a day's share of what they hold (`tokenomics.holding`: exponential
 *      holding times, so a balance left alone decays as e^(−t/mean)): every node's held rewards, what
 *      leavers still held, and the validators' and owners' emission they sell; then the market takes its
 *      daily step (arbitrage, momentum, shocks).
 * A node that leaves moves its balance to the `leavers` account, sold over `exitSaleMeanDays` (at once when 0).
 */
import type { RandomStream } from "../../sim/random/stream.js";
import { grownArray } from "../../sim/typed-arrays.js";
import type { Tokenomics } from "../scenario/tokenomics-schema.js";
import { EmissionClock } from "./emission.js";
import { type NamedAccount, type PlannedMint, TokenLedger, tokensToUnits } from "./ledger.js";
import {
	createTokenMarket,
	type MarketAccount,
	netUnitsByAccount,
	type TokenMarketModel,
	type TokenPriceRow,
	type Trade,
	type TraderAccount,
} from "./token-market.js";

export interface EpochTokenFlows {
	/** Emission and work rewards. */
	readonly mintedUnits: number;
	/** Of those, emission (the rest is work rewards, `workRewardUnits`). */
	readonly emissionMintedUnits: number;
	readonly burnedUnits: number;
	/** Emission and work rewards paid to nodes. */
	readonly providerRewardUnits: number;
	/** Of those, work rewards (burn-and-mint: the jobs' value re-minted to who served them). */
	readonly workRewardUnits: number;
	/** Their USD value at the price they were minted at. */
	readonly workRewardUsd: number;
	readonly providerSaleUsd: number;
	readonly burnSpentUsd: number;
	readonly unlockedUnits: number;
	/** Held tokens sold since the last close (providers' held rewards, leavers', validators', owners'), and their USD. */
	readonly heldSoldUnits: number;
	readonly heldSaleUsd: number;
}

/**
 * Burn-and-mint work rewards of an epoch: node ids (entries 0 … count − 1) and the USD value of the work each served
 * (after the fee), position for position; `paid` and `sold` are scratch of at least `count` entries.
 */
/**
 * The providers' share of an epoch's emission: who is paid, by what weight, and where the pays
 * go. A list and a count, not a subarray: a fresh view per epoch sent V8 into a deopt loop in the caller.
 */
export interface EpochRewards {
	/** Reward weight of each entry (finite, ≥ 0), position for position with `nodes`. */
	readonly weights: Float64Array;
	/** A list of node ids (its first `count` entries), or a count n for ids 0 … n − 1. */
	readonly nodes: Int32Array | number;
	/** Entries of the list in use (default: all). */
	readonly count?: number;
	/** Filled with each entry's pay and what it sells at once, base units. */
	readonly paidUnits: Float64Array;
	readonly soldUnits: Float64Array;
	/** Σ weights, when the caller summed them in entry order (saves the ledger a pass). */
	readonly weightTotal?: number;
	/** When given, each entry's pay is also written at its node id here. */
	readonly paidByNode?: Float64Array;
}

export interface WorkRewards {
	readonly nodes: Int32Array;
	readonly usd: Float64Array;
	readonly count: number;
	readonly paid: Float64Array;
	readonly sold: Float64Array;
}

export interface TokenEconomyOptions {
	readonly marketRng: RandomStream;
	readonly history?: readonly TokenPriceRow[];
}

/** Which ledger account holds the tokens of a market participant. */
function ledgerAccount(account: MarketAccount): NamedAccount {
	switch (account) {
		case "pool":
			return "pool";
		case "team":
			return "team";
		case "investors":
			return "investors";
		case "validators":
			return "validators";
		case "owners":
			return "owners";
		// The momentum trader and arbitrageurs are market holders; providers' and the protocol's
		// trades are mirrored where they happen, never through this map.
		default:
			return "holders";
	}
}

export class TokenEconomy {
	readonly ledger: TokenLedger;
	readonly market: TokenMarketModel;
	readonly unitsPerToken: number;
	private readonly clock: EmissionClock;
	private readonly vestedUnits: {
		account: "team" | "investors";
		units: number;
		startDay: number;
		cliffDays: number;
		linearDays: number;
		sellShare: number;
		releasedUnits: number;
	}[];
	private day = 0;
	/** Daily sale shares of the holding-time distributions, 1 − e^(−1/mean days) (0: never sold). */
	private readonly dailySale: { providers: number; leavers: number; validators: number; owners: number };
	/** Of the validators' and owners' balances, what they will still sell (the rest they keep), base units. */
	private validatorsForSaleUnits = 0;
	private ownersForSaleUnits = 0;
	/** Held tokens sold since the last close, base units and USD. */
	private heldSoldUnits = 0;
	private heldSaleUsd = 0;
	/** Run totals: work rewards minted and held tokens sold, base units. */
	workMintedUnits = 0;
	heldSoldTotalUnits = 0;
	/** What each node's stake cost when it joined, USD (bought on the market, or the starting fleet's at the start price). */
	private stakeUsdByNode = new Float64Array(1024);
	/** Per-node scratch of the daily sales of held rewards (grown as needed). */
	private heldSales = new Float64Array(1024);
	/** The market, once built (its own constructor already asks for the holders' balance). */
	private marketOrNull: TokenMarketModel | undefined;
	/** Price extremes over the run, USD. */
	readonly priceStartUsd: number;
	priceMinUsd: number;
	priceMaxUsd: number;

	constructor(
		readonly spec: Tokenomics,
		options: TokenEconomyOptions,
	) {
		const d = spec.decimals;
		this.unitsPerToken = 10 ** d;
		const initialUnits = tokensToUnits(spec.initialSupplyTokens, d, "tokenomics.initialSupplyTokens");
		const treasuryUnits = tokensToUnits(spec.treasuryTokens, d, "tokenomics.treasuryTokens");
		const vestingUnits = { team: 0, investors: 0 };
		for (const v of spec.vesting) vestingUnits[v.account] += tokensToUnits(v.tokens, d, "tokenomics.vesting.tokens");
		const market = spec.market;
		const poolUnits =
			market.kind === "amm" ? Math.round((market.liquidityUsd / market.priceUsd) * this.unitsPerToken) : 0;
		const holdersUnits = initialUnits - treasuryUnits - vestingUnits.team - vestingUnits.investors - poolUnits;
		if (holdersUnits < 0) {
			throw new RangeError(
				`tokenomics: treasury, vesting and the pool (${poolUnits / this.unitsPerToken} tokens) need more than the initial supply`,
			);
		}
		this.ledger = new TokenLedger({
			initialUnits: {
				treasury: treasuryUnits,
				team: vestingUnits.team,
				investors: vestingUnits.investors,
				pool: poolUnits,
				holders: holdersUnits,
			},
			...(spec.maxSupplyTokens === undefined
				? {}
				: { maxSupplyUnits: tokensToUnits(spec.maxSupplyTokens, d, "tokenomics.maxSupplyTokens") }),
		});
		this.clock = new EmissionClock(spec.emission, {
			decimals: d,
			...(spec.maxSupplyTokens === undefined ? {} : { maxSupplyUnits: this.ledger.maxSupplyUnits }),
		});
		this.market = this.marketOrNull = createTokenMarket(market, {
			decimals: d,
			rng: options.marketRng,
			...(options.history === undefined ? {} : { history: options.history }),
			...(market.kind === "amm" ? { poolTokenUnits: poolUnits } : {}),
			// The momentum trader's tokens sit in the ledger's holders account but are not the
			// holders' to sell: the market tracks and trades them itself.
			holderUnits: () => this.ledger.balance("holders") - (this.marketOrNull?.momentumUnits ?? 0),
		});
		this.mirror(this.market.advanceDay(0).trades);
		this.vestedUnits = spec.vesting.map((v) => ({
			account: v.account,
			units: tokensToUnits(v.tokens, d, "tokenomics.vesting.tokens"),
			startDay: v.startDay,
			cliffDays: v.cliffDays,
			linearDays: v.linearDays,
			sellShare: v.sellShare,
			releasedUnits: 0,
		}));
		// What vested before the run is already in holders' hands.
		for (const v of this.vestedUnits) {
			const due = Math.floor(v.units * vestedShare(v, 0));
			if (due > 0) this.ledger.transfer(v.account, "holders", due);
			v.releasedUnits = due;
		}
		const holding = spec.holding;
		this.dailySale = {
			providers: dailyShare(holding.providerMeanDays),
			leavers: dailyShare(holding.exitSaleMeanDays),
			validators: dailyShare(holding.validatorsMeanDays),
			owners: dailyShare(holding.ownersMeanDays),
		};
		this.priceStartUsd = this.market.priceUsd;
		this.priceMinUsd = this.priceStartUsd;
		this.priceMaxUsd = this.priceStartUsd;
	}

	get priceUsd(): number {
		return this.market.priceUsd;
	}

	/** Token units → USD at the current price. */
	unitsToUsd(units: number): number {
		return (units * this.market.priceUsd) / this.unitsPerToken;
	}

	/** The stake a newcomer must buy now, USD at the current price (0 without staking). */
	stakeCostUsdNow(): number {
		return this.spec.staking.stakePerNodeTokens * this.market.priceUsd;
	}

	/** What `node`'s stake cost when it joined, USD (0: none). */
	stakeCostUsd(node: number): number {
		return node < this.stakeUsdByNode.length ? (this.stakeUsdByNode[node] as number) : 0;
	}

	/** A node starts serving: it stakes what the protocol asks, buying it on the market when `buy`. */
	nodeJoined(node: number, buy: boolean): void {
		this.ledger.ensureNodes(node + 1);
		const stakeUnits = tokensToUnits(this.spec.staking.stakePerNodeTokens, this.spec.decimals, "stake");
		if (stakeUnits === 0) return;
		if (node >= this.stakeUsdByNode.length)
			this.stakeUsdByNode = grownArray(this.stakeUsdByNode, Math.max(node + 1, 2 * this.stakeUsdByNode.length));
		if (buy) {
			const trade = this.market.buyExactTokens(stakeUnits, "providers");
			this.ledger.transfer(ledgerAccount(trade.counterparty), { node }, trade.units);
			this.ledger.stake(node, trade.units);
			this.stakeUsdByNode[node] = trade.usd;
		} else {
			const units = Math.min(stakeUnits, this.ledger.balance("holders"));
			this.ledger.transfer("holders", { node }, units);
			this.ledger.stake(node, units);
			this.stakeUsdByNode[node] = this.unitsToUsd(units);
		}
		this.trackPrice();
	}

	/**
	 * A node leaves: its stake goes into lock-up, and what it still held goes to the leavers' account, sold over
	 * the next days (`holding.exitSaleMeanDays`), or through the market at once when that is 0.
	 */
	nodeExited(node: number, day: number): void {
		const { ledger } = this;
		const staked = ledger.nodeStaked(node);
		if (staked > 0) ledger.unstake(node, staked, day + this.spec.staking.lockDays);
		const held = ledger.nodeBalance(node);
		if (held === 0) return;
		if (this.spec.holding.exitSaleMeanDays > 0) {
			ledger.transfer({ node }, "leavers", held);
			return;
		}
		const trade = this.market.sell(held, "providers");
		ledger.transfer({ node }, ledgerAccount(trade.counterparty), held);
		this.heldSoldUnits += held;
		this.heldSaleUsd += trade.usd;
		this.trackPrice();
	}

	/** Slashes a share of a node's stake to the treasury; returns the units taken. */
	slash(node: number, share: number): number {
		if (share <= 0 || this.ledger.nodeStaked(node) === 0) return 0;
		return this.ledger.slash(node, share, "treasury");
	}

	/**
	 * Closes an epoch [fromDay, toDay): the providers' emission split over `rewards`, provider
	 * sales, burn-and-mint with the epoch's fiat job value, work rewards, vesting unlocks, lock-up
	 * releases, and the market's daily steps.
	 */
	closeEpoch(
		fromDay: number,
		toDay: number,
		rewards: EpochRewards,
		jobValueUsd: number,
		kpiSignal: number,
		work?: WorkRewards,
	): EpochTokenFlows {
		const { spec, ledger, market } = this;
		const burnedBefore = ledger.burned;
		const { nodes } = rewards;
		const nodeCount = typeof nodes === "number" ? nodes : (rewards.count ?? nodes.length);
		if (typeof nodes === "number") this.ledger.ensureNodes(nodes);
		// 1. Emission.
		const mintedUnits = this.clock.unitsToMint(fromDay, toDay, ledger.supply);
		const providerUnits = Math.floor(mintedUnits * spec.rewards.providersShare);
		const validatorUnits = Math.floor(mintedUnits * spec.rewards.validatorsShare);
		const ownerUnits = mintedUnits - providerUnits - validatorUnits;
		// 2. Providers sell part of what they receive. The sale is priced first, so that the
		// ledger pays each node its reward net of its sale in one visit (the same end state as
		// paying, then collecting what was sold).
		const providerSale = this.sellPlanned(
			ledger.planMintProRata(
				providerUnits,
				rewards.weights,
				nodes,
				nodeCount,
				spec.providerSellShare,
				rewards.paidUnits,
				rewards.soldUnits,
				rewards.weightTotal,
			),
		);
		let providerSaleUsd = providerSale.usd;
		const providerRewardUnits = ledger.mintPlanned(providerSale.buyer, rewards.paidByNode);
		if (validatorUnits > 0) {
			ledger.mint("validators", validatorUnits);
			this.validatorsForSaleUnits += Math.floor(validatorUnits * spec.holding.validatorsSellShare);
		}
		if (ownerUnits > 0) {
			ledger.mint("owners", ownerUnits);
			this.ownersForSaleUnits += Math.floor(ownerUnits * spec.holding.ownersSellShare);
		}
		// 3. Burn-and-mint: the fiat paid for jobs buys tokens that are burned.
		let burnSpentUsd = 0;
		if (spec.burnAndMint.enabled && jobValueUsd > 0) {
			const trade = market.buyWithUsd(jobValueUsd * (1 - spec.burnAndMint.feeShare), "protocol");
			ledger.burn(ledgerAccount(trade.counterparty), trade.units);
			burnSpentUsd = trade.usd;
		}
		const paidWork = work === undefined || work.count === 0 ? null : this.mintWork(work);
		if (paidWork !== null) providerSaleUsd += paidWork.saleUsd;
		// 4. Vesting unlocks, partly sold.
		const unlockedUnits = this.unlockVesting(toDay);
		// 5. Lock-ups that expired: the stake of providers who left, sold through the market (a leaver keeps no
		// stake; without this sale, stake bought on joining would be one-way buy pressure).
		const dueUnits = ledger.dueLockedUnits(toDay);
		if (dueUnits > 0) ledger.releaseLocked(toDay, ledgerAccount(market.sell(dueUnits, "providers").counterparty));
		// 6. The market's daily steps.
		while (this.day + 1 <= toDay) {
			this.day++;
			this.sellHeldForDay();
			this.mirror(market.advanceDay(this.day, { kpiSignal }).trades);
			this.trackPrice();
		}
		this.trackPrice();
		const workRewardUnits = paidWork?.units ?? 0;
		const heldSoldUnits = this.heldSoldUnits;
		this.workMintedUnits += workRewardUnits;
		this.heldSoldTotalUnits += heldSoldUnits;
		const heldSaleUsd = this.heldSaleUsd;
		this.heldSoldUnits = 0;
		this.heldSaleUsd = 0;
		return {
			mintedUnits: mintedUnits + workRewardUnits,
			emissionMintedUnits: mintedUnits,
			burnedUnits: ledger.burned - burnedBefore,
			providerRewardUnits: providerRewardUnits + workRewardUnits,
			workRewardUnits,
			workRewardUsd: paidWork?.usd ?? 0,
			providerSaleUsd,
			burnSpentUsd,
			unlockedUnits,
			heldSoldUnits,
			heldSaleUsd,
		};
	}

	/** Vesting unlocks due by `toDay`: the unlocked share sold at once, the rest to holders; returns the units unlocked. */
	private unlockVesting(toDay: number): number {
		const { ledger, market } = this;
		let unlockedUnits = 0;
		for (const v of this.vestedUnits) {
			const due = Math.floor(v.units * vestedShare(v, toDay)) - v.releasedUnits;
			if (due <= 0) continue;
			v.releasedUnits += due;
			unlockedUnits += due;
			const sold = Math.floor(due * v.sellShare);
			if (sold > 0) {
				const trade = market.sell(sold, v.account);
				ledger.transfer(v.account, ledgerAccount(trade.counterparty), trade.units);
			}
			if (due - sold > 0) ledger.transfer(v.account, "holders", due - sold);
		}
		return unlockedUnits;
	}

	/**
	 * A day's sales of held tokens, one trade per holder class: each node sells floor(balance · r) of its held
	 * rewards (r = 1 − e^(−1/providerMeanDays)), the leavers' account floor(balance · r') of what leavers held,
	 * validators and owners the same share of what they still mean to sell.
	 */
	private sellHeldForDay(): void {
		const { ledger, dailySale } = this;
		if (dailySale.providers > 0 && ledger.nodeBalanceTotal > 0) {
			const n = ledger.nodeCount;
			if (this.heldSales.length < n) this.heldSales = new Float64Array(Math.max(n, 2 * this.heldSales.length));
			const total = planDailySales(ledger.unsafeArrays().nodeBalance, n, dailySale.providers, this.heldSales);
			if (total > 0) {
				const trade = this.market.sell(total, "providers");
				ledger.collectFromNodes(ledgerAccount(trade.counterparty), this.heldSales, n);
				this.heldSoldUnits += total;
				this.heldSaleUsd += trade.usd;
			}
		}
		this.sellNamed("leavers", Math.floor(ledger.balance("leavers") * dailySale.leavers), "providers");
		const validatorUnits = Math.floor(this.validatorsForSaleUnits * dailySale.validators);
		this.validatorsForSaleUnits -= validatorUnits;
		this.sellNamed("validators", validatorUnits, "validators");
		const ownerUnits = Math.floor(this.ownersForSaleUnits * dailySale.owners);
		this.ownersForSaleUnits -= ownerUnits;
		this.sellNamed("owners", ownerUnits, "owners");
		this.trackPrice();
	}

	/** Sells `units` of a named account through the market as `who`. */
	private sellNamed(account: NamedAccount, units: number, who: TraderAccount): void {
		if (units <= 0) return;
		const trade = this.market.sell(units, who);
		this.ledger.transfer(account, ledgerAccount(trade.counterparty), units);
		this.heldSoldUnits += units;
		this.heldSaleUsd += trade.usd;
	}

	/**
	 * Work rewards: each node is minted floor(usd / price) units at the pool price and sells its share through the
	 * market (one trade), the rest kept. Past a supply cap the mint is scaled down to fit.
	 */
	private mintWork(work: WorkRewards): { units: number; usd: number; saleUsd: number } {
		const { ledger, market } = this;
		const unitsPerUsd = this.unitsPerToken / market.priceUsd;
		const plan = ledger.planMintForWork(
			work.usd,
			work.nodes,
			work.count,
			unitsPerUsd,
			this.spec.providerSellShare,
			work.paid,
			work.sold,
		);
		const total = plan.amountUnits;
		if (total === 0) return { units: 0, usd: 0, saleUsd: 0 };
		const usd = total / unitsPerUsd;
		const sale = this.sellPlanned(plan);
		ledger.mintPlanned(sale.buyer);
		return { units: total, usd, saleUsd: sale.usd };
	}

	/** The providers' sale of a planned mint's sold units, through the market: who buys (the ledger account) and for how much. */
	private sellPlanned(plan: PlannedMint): { buyer: NamedAccount; usd: number } {
		if (!(plan.soldTotal > 0)) return { buyer: "holders", usd: 0 };
		const trade = this.market.sell(plan.soldTotal, "providers");
		return { buyer: ledgerAccount(trade.counterparty), usd: trade.usd };
	}

	/** Mirrors the market's own trades (arbitrage, momentum, shocks) in the ledger. */
	private mirror(trades: readonly Trade[]): void {
		if (trades.length === 0) return;
		const net = new Map<NamedAccount, number>();
		for (const [account, units] of Object.entries(netUnitsByAccount(trades)) as [MarketAccount, number][]) {
			if (units === 0) continue;
			const target = ledgerAccount(account);
			net.set(target, (net.get(target) ?? 0) + units);
		}
		const sources = [...net].filter(([, units]) => units < 0);
		const sinks = [...net].filter(([, units]) => units > 0);
		for (const sink of sinks) {
			let need = sink[1];
			for (const source of sources) {
				if (need === 0) break;
				const take = Math.min(need, -source[1]);
				if (take <= 0) continue;
				this.ledger.transfer(source[0], sink[0], take);
				source[1] += take;
				need -= take;
			}
		}
	}

	private trackPrice(): void {
		const price = this.market.priceUsd;
		if (price < this.priceMinUsd) this.priceMinUsd = price;
		if (price > this.priceMaxUsd) this.priceMaxUsd = price;
	}
}

/** The daily sale share of an exponential holding time of mean `meanDays`: 1 − e^(−1/mean); 0 (never) for 0. */
export function dailyShare(meanDays: number): number {
	return meanDays > 0 ? 1 - Math.exp(-1 / meanDays) : 0;
}

/**
 * The day's sale of each node's held rewards, floor(balance · share), into `sales[0 … n − 1]`; returns the total.
 * Module-level, over typed arrays: it stays compiled however the rest of an epoch's bookkeeping fares in the JIT.
 */
function planDailySales(balances: Float64Array, n: number, share: number, sales: Float64Array): number {
	let total = 0;
	for (let i = 0; i < n; i++) {
		const balance = balances[i] as number;
		const sale = balance > 0 ? Math.floor(balance * share) : 0;
		sales[i] = sale;
		total += sale;
	}
	return total;
}

/** Share of a vesting schedule unlocked by `day`: nothing before the cliff, then linear. */
export function vestedShare(v: { startDay: number; cliffDays: number; linearDays: number }, day: number): number {
	const elapsed = day - v.startDay;
	if (elapsed < v.cliffDays) return 0;
	if (v.linearDays <= 0) return 1;
	return Math.min(1, (elapsed - v.cliffDays) / v.linearDays);
}
