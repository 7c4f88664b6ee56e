/**
 * The token market: the price at which the network's token flows turn into USD, stepped once per simulated day.
 *
 *   advanceDay(d):  network flows, in this order: provider sells → burn-and-mint buys → unlock sells
 *                   exogenous kinds: the day's price (constant | GBM step | replayed close) × shocks of day d
 *                   amm: external factor step → (returns) holders trade its return | (anchor) arbitrage to its level
 *                        → momentum trader → shocks of day d, all through the pool
 *
 * Exogenous kinds (`constant`, `gbm`, `history`) set the price and trade at it without moving it; whoever sells
 * hands the tokens to `holders`, whoever buys gets them from `holders`. The `amm` kind is a constant-product pool
 * (docs/design.md §6): every flow trades through it and moves the price, so a burn can only delete tokens that someone
 * sold to the pool, and a collapsing network cannot show a soaring price. In `returns` mode (the default) the
 * exogenous market factor reaches the pool only as its daily return, traded by holders: it adds noise of a stated
 * size but no level, so the price level is what the flows make it. In `anchor` mode arbitrage pulls the pool toward
 * the factor's level, which then sets the long-run price whatever the flows.
 *
 * Token amounts are integer base units (10^decimals per token) and every movement is reported as a `Trade`, so the
 * ledger can mirror each one exactly; USD amounts are floats. The pool takes whole units in and floors the units it
 * pays out, so it never loses tokens to rounding.
 *
 * Days: the network calls advanceDay(0) at t = 0, then advanceDay(d) at the start of each day d with the flows of
 * day d − 1. One standard normal is drawn per day from day 1 (gbm, amm), whatever the volatility, so a sweep over
 * σ sees the same shocks.
 */
import { readFileSync } from "node:fs";
import { Normal } from "../../sim/random/distributions.js";
import type { RandomStream } from "../../sim/random/stream.js";
import { CsvColumns, parseCsv } from "../csv.js";
import type { TokenMarket, Tokenomics } from "../scenario/tokenomics-schema.js";
import { MS_PER_DAY } from "../units.js";

// ---------------------------------------------------------------------------------------------------------------
// Constants and types

/** Share of each trade's input that stays in the pool (Uniswap v2's 0.3%). */
export const AMM_FEE_SHARE = 0.003;
/** Calendar days per year for per-year drift and volatility (crypto trades every day). */
export const DAYS_PER_YEAR = 365;
/** Lookback of the momentum trader's return, days. */
export const MOMENTUM_LOOKBACK_DAYS = 7;

type VestingAccount = Tokenomics["vesting"][number]["account"];
/**
 * Who trades with the market. `momentum` is the market's own trader; team and investors sell unlocks; validators and
 * owners sell their emission over time.
 */
export type TraderAccount =
	| "holders"
	| "providers"
	| "protocol"
	| "momentum"
	| "validators"
	| "owners"
	| VestingAccount;
/** Ledger accounts a trade moves tokens between. */
export type MarketAccount = TraderAccount | "pool";
export const MARKET_ACCOUNTS = [
	"pool",
	"holders",
	"providers",
	"protocol",
	"momentum",
	"team",
	"investors",
	"validators",
	"owners",
] as const satisfies readonly MarketAccount[];

export type TradeCause =
	| "trade"
	| "provider-sell"
	| "burn-buy"
	| "unlock-sell"
	| "arbitrage"
	| "external"
	| "momentum"
	| "shock";

/** One movement: `units` token base units from seller to buyer, `usd` the other way. */
export interface Trade {
	readonly cause: TradeCause;
	readonly who: TraderAccount;
	/** The other side: the pool (amm) or the holders (exogenous kinds). */
	readonly counterparty: "pool" | "holders";
	/** `sell`: tokens went who → counterparty; `buy`: counterparty → who. */
	readonly side: "sell" | "buy";
	/** Token base units moved (a non-negative integer). */
	readonly units: number;
	/** USD moved the other way. */
	readonly usd: number;
	readonly priceUsdAfter: number;
}

/** What the network hands the market at a day boundary (accumulated over the day before). */
export interface DayFlows {
	/** Network KPI change for the momentum trader (e.g. 7-day log change of active nodes + change in served share). */
	readonly kpiSignal?: number;
	/** Rewards providers sell, base units. */
	readonly providerSellUnits?: number;
	/** Fiat the protocol spends on tokens to burn, USD. */
	readonly burnBuyUsd?: number;
	/** Vesting unlocks sold at once, base units. */
	readonly unlockSells?: readonly { readonly who: TraderAccount; readonly units: number }[];
}

export interface DayReport {
	readonly day: number;
	/** Price at the end of the day's steps: the price until the next advanceDay (barring direct trades). */
	readonly priceUsd: number;
	/** The exogenous reference (amm: the market factor; other kinds: the price). */
	readonly externalPriceUsd: number;
	/** Every movement of the day, in the order it happened. */
	readonly trades: readonly Trade[];
	readonly providerSaleUsd: number;
	/** Tokens the protocol bought, base units: the network burns these. */
	readonly burnBoughtUnits: number;
	readonly burnSpentUsd: number;
	readonly unlockSaleUsd: number;
	/** Change of each account's token balance over the day's trades, base units (they sum to 0). */
	readonly netUnits: Readonly<Record<MarketAccount, number>>;
}

export interface TokenMarketModel {
	readonly kind: TokenMarket["kind"];
	readonly decimals: number;
	/** The last day advanced to (−1 before the first `advanceDay(0)`). */
	readonly day: number;
	readonly priceUsd: number;
	readonly externalPriceUsd: number;
	/** amm: the pool's token reserve, base units (the ledger's `pool` account); 0 for the other kinds. */
	readonly poolTokenUnits: number;
	/** amm: the pool's stable reserve, USD; 0 for the other kinds. */
	readonly poolUsd: number;
	/** Tokens the momentum trader holds, base units (never negative). */
	readonly momentumUnits: number;
	/** Steps to `day` (must be the last day + 1; the first call is day 0) after settling `flows`. */
	advanceDay(day: number, flows?: DayFlows): DayReport;
	/** Sells `units` for USD now. */
	sell(units: number, who: TraderAccount): Trade;
	/** Spends `usd` on tokens now (units floored; less is spent only when the holders run out). */
	buyWithUsd(usd: number, who: TraderAccount): Trade;
	/** Buys exactly `units` now (fewer only when the holders run out). */
	buyExactTokens(units: number, who: TraderAccount): Trade;
}

export interface TokenMarketOptions {
	/** Base units per token = 10^decimals. */
	readonly decimals: number;
	/** Draws of the GBM and of the amm's external factor: one standard normal per day from day 1. */
	readonly rng: RandomStream;
	/** Rows of scenarios/data/token-prices.csv (needed by `history`). */
	readonly history?: readonly TokenPriceRow[];
	/** amm: the ledger's pool balance; the stable side is then set so the price is `priceUsd`. */
	readonly poolTokenUnits?: number;
	/** amm: fee share kept by the pool (default AMM_FEE_SHARE). */
	readonly poolFeeShare?: number;
	/** The ledger's live `holders` balance: caps what holders sell or supply. Absent: unbounded. */
	readonly holderUnits?: () => number;
}

// ---------------------------------------------------------------------------------------------------------------
// Price history table

export interface TokenPriceRow {
	readonly symbol: string;
	readonly date: string;
	readonly closeUsd: number;
	readonly source: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses token-prices.csv text (columns symbol, date, close_usd, source). */
export function parseTokenPriceHistory(text: string, file = "<token-prices>"): TokenPriceRow[] {
	const columns = new CsvColumns(parseCsv(text, file));
	columns.require("symbol", "date", "close_usd", "source");
	const rows: TokenPriceRow[] = [];
	for (let r = 0; r < columns.rowCount; r++) {
		const date = columns.requiredString(r, "date");
		if (!ISO_DATE.test(date)) columns.fail(r, "date", `expected YYYY-MM-DD, got ${JSON.stringify(date)}`);
		const closeUsd = columns.number(r, "close_usd");
		if (!(closeUsd > 0)) columns.fail(r, "close_usd", `expected a positive price, got ${closeUsd}`);
		rows.push({ symbol: columns.requiredString(r, "symbol"), date, closeUsd, source: columns.string(r, "source") });
	}
	return rows;
}

/** Reads scenarios/data/token-prices.csv. */
export function loadTokenPriceHistory(path: string): TokenPriceRow[] {
	return parseTokenPriceHistory(readFileSync(path, "utf8"), path);
}

function dayNumber(date: string): number {
	const [y, m, d] = date.split("-").map(Number);
	const ms = Date.UTC(y as number, (m as number) - 1, d as number);
	if (!ISO_DATE.test(date) || new Date(ms).toISOString().slice(0, 10) !== date) {
		throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
	}
	return ms / MS_PER_DAY;
}

/**
 * Daily closes of `symbol` from `startDate` to the series' last date, one per calendar day: a missing day carries
 * the previous close.
 */
export function dailyCloses(rows: readonly TokenPriceRow[], symbol: string, startDate: string): number[] {
	const series = rows
		.filter((r) => r.symbol === symbol)
		.map((r) => ({ day: dayNumber(r.date), closeUsd: r.closeUsd }))
		.sort((a, b) => a.day - b.day);
	const first = series[0];
	const last = series.at(-1);
	if (first === undefined || last === undefined) throw new RangeError(`no price history for token ${symbol}`);
	const startDay = dayNumber(startDate);
	if (startDay < first.day || startDay > last.day) {
		const span = `${new Date(first.day * MS_PER_DAY).toISOString().slice(0, 10)} … ${new Date(last.day * MS_PER_DAY).toISOString().slice(0, 10)}`;
		throw new RangeError(`${symbol} history covers ${span}; startDate ${startDate} is outside it`);
	}
	const closes: number[] = [];
	let i = 0;
	let carried = first.closeUsd;
	for (let day = first.day; day <= last.day; day++) {
		for (; i < series.length && (series[i] as { day: number }).day <= day; i++) {
			carried = (series[i] as { closeUsd: number }).closeUsd;
		}
		if (day >= startDay) closes.push(carried);
	}
	return closes;
}

/** Burn-and-mint equilibrium: burned per day = minted per day, and D USD buys D/P tokens, so D/P = M and P = D/M. */
export function bmeEquilibriumPriceUsd(burnUsdPerDay: number, mintTokensPerDay: number): number {
	if (!(burnUsdPerDay >= 0 && mintTokensPerDay > 0)) {
		throw new RangeError(`need burn ≥ 0 USD/day and mint > 0 tokens/day, got ${burnUsdPerDay}, ${mintTokensPerDay}`);
	}
	return burnUsdPerDay / mintTokensPerDay;
}

// ---------------------------------------------------------------------------------------------------------------
// Constant-product pool

function checkUnits(name: string, units: number): number {
	if (!Number.isSafeInteger(units) || units < 0) {
		throw new RangeError(`${name} must be a non-negative integer of base units, got ${units}`);
	}
	return units;
}

function checkUsd(name: string, usd: number): number {
	if (!(usd >= 0 && Number.isFinite(usd))) throw new RangeError(`${name} must be a finite USD amount ≥ 0, got ${usd}`);
	return usd;
}

/** Positive root of a·z² + b·z + c = 0 (a, b > 0, c ≤ 0), in the form that does not cancel near c = 0. */
function positiveRoot(a: number, b: number, c: number): number {
	return c === 0 ? 0 : (-2 * c) / (b + Math.sqrt(b * b - 4 * a * c));
}

/**
 * x·y = k with x token base units (an integer) and y USD. The fee is taken from each input and stays in the pool,
 * so k only grows. Price = y / x · 10^decimals USD per token.
 */
export class ConstantProductPool {
	private x: number;
	private y: number;
	private readonly unitsPerToken: number;

	constructor(
		tokenUnits: number,
		usd: number,
		readonly decimals: number,
		readonly feeShare = AMM_FEE_SHARE,
	) {
		checkUnits("pool token reserve", tokenUnits);
		if (tokenUnits < 1) throw new RangeError("pool token reserve must be at least 1 base unit");
		if (!(usd > 0 && Number.isFinite(usd))) throw new RangeError(`pool USD reserve must be positive, got ${usd}`);
		if (!(feeShare >= 0 && feeShare < 1)) throw new RangeError(`pool fee must be in [0, 1), got ${feeShare}`);
		this.x = tokenUnits;
		this.y = usd;
		this.unitsPerToken = 10 ** decimals;
	}

	get tokenUnits(): number {
		return this.x;
	}
	get usd(): number {
		return this.y;
	}
	/** x · y (units · USD). */
	get k(): number {
		return this.x * this.y;
	}
	get priceUsd(): number {
		return (this.y / this.x) * this.unitsPerToken;
	}

	/** USD paid out for `units`. */
	quoteSellTokens(units: number): number {
		const effective = checkUnits("units", units) * (1 - this.feeShare);
		return (this.y * effective) / (this.x + effective);
	}
	sellTokens(units: number): number {
		const usdOut = this.quoteSellTokens(units);
		this.setReserves(this.x + units, this.y - usdOut);
		return usdOut;
	}

	/** Base units paid out for `usd` (floored). */
	quoteBuyTokensWithUsd(usd: number): number {
		const effective = checkUsd("usd", usd) * (1 - this.feeShare);
		return Math.floor((this.x * effective) / (this.y + effective));
	}
	buyTokensWithUsd(usd: number): number {
		const unitsOut = this.quoteBuyTokensWithUsd(usd);
		this.setReserves(this.x - unitsOut, this.y + usd);
		return unitsOut;
	}

	/** USD needed to take exactly `units` out (`units` < the reserve). */
	quoteBuyExactTokens(units: number): number {
		checkUnits("units", units);
		if (units >= this.x) throw new RangeError(`cannot buy ${units} units from a pool holding ${this.x}`);
		return (this.y * units) / (this.x - units) / (1 - this.feeShare);
	}
	buyExactTokens(units: number): number {
		const usdIn = this.quoteBuyExactTokens(units);
		this.setReserves(this.x - units, this.y + usdIn);
		return usdIn;
	}

	/**
	 * Base units to sell so the price falls to `factor` (< 1) times itself: with e = u(1 − f),
	 * P'/P = x² / ((x + e)(x + u)), a quadratic in u. Rounded to a whole unit.
	 */
	unitsToSellForPriceFactor(factor: number): number {
		if (!(factor > 0 && factor <= 1)) throw new RangeError(`sell price factor must be in (0, 1], got ${factor}`);
		const f = this.feeShare;
		const x = this.x;
		return Math.round(positiveRoot(1 - f, x * (2 - f), x * x * (1 - 1 / factor)));
	}

	/** USD to spend so the price rises to `factor` (≥ 1) times itself: e = v(1 − f), P'/P = (y + v)(y + e) / y². */
	usdToBuyForPriceFactor(factor: number): number {
		if (!(factor >= 1 && Number.isFinite(factor))) throw new RangeError(`buy price factor must be ≥ 1, got ${factor}`);
		const f = this.feeShare;
		const y = this.y;
		return positiveRoot(1 - f, y * (2 - f), y * y * (1 - factor));
	}

	private setReserves(x: number, y: number): void {
		if (!Number.isSafeInteger(x) || x < 1) {
			throw new RangeError(
				`pool token reserve would be ${x} base units (1 … 2^53 − 1: fewer decimals or a smaller pool)`,
			);
		}
		if (!(y > 0)) throw new RangeError(`pool USD reserve would be ${y}`);
		this.x = x;
		this.y = y;
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Models

type Shock = TokenMarket["shocks"][number];

const STANDARD_NORMAL = new Normal(0, 1);

abstract class BaseMarket implements TokenMarketModel {
	abstract readonly kind: TokenMarket["kind"];
	private currentDay = -1;
	protected readonly unitsPerToken: number;
	/** Shocks by day (stable: same-day shocks keep their order). */
	private readonly shocks: readonly Shock[];
	private nextShock = 0;
	private log: Trade[] = [];
	/** Holders' change since the ledger last mirrored (reset by each public call). */
	private pendingHolderUnits = 0;

	constructor(
		readonly decimals: number,
		protected readonly rng: RandomStream,
		shocks: readonly Shock[],
		private readonly holderUnits: (() => number) | undefined,
	) {
		if (!Number.isInteger(decimals) || decimals < 0 || decimals > 9) {
			throw new RangeError(`decimals must be an integer in [0, 9], got ${decimals}`);
		}
		this.unitsPerToken = 10 ** decimals;
		this.shocks = [...shocks].sort((a, b) => a.day - b.day);
	}

	get day(): number {
		return this.currentDay;
	}
	abstract get priceUsd(): number;
	abstract get externalPriceUsd(): number;
	get poolTokenUnits(): number {
		return 0;
	}
	get poolUsd(): number {
		return 0;
	}
	get momentumUnits(): number {
		return 0;
	}

	advanceDay(day: number, flows: DayFlows = {}): DayReport {
		if (day !== this.currentDay + 1) {
			throw new RangeError(`advanceDay(${day}): the next day is ${this.currentDay + 1}`);
		}
		this.begin();
		this.currentDay = day;
		const providerSaleUsd = this.sellNow(flows.providerSellUnits ?? 0, "providers", "provider-sell").usd;
		const burn = this.buyWithUsdNow(flows.burnBuyUsd ?? 0, "protocol", "burn-buy");
		let unlockSaleUsd = 0;
		for (const unlock of flows.unlockSells ?? []) {
			unlockSaleUsd += this.sellNow(unlock.units, unlock.who, "unlock-sell").usd;
		}
		this.step(day, flows.kpiSignal ?? 0);
		const trades = this.log;
		const netUnits = netUnitsByAccount(trades);
		this.begin();
		return {
			day,
			priceUsd: this.priceUsd,
			externalPriceUsd: this.externalPriceUsd,
			trades,
			providerSaleUsd,
			burnBoughtUnits: burn.units,
			burnSpentUsd: burn.usd,
			unlockSaleUsd,
			netUnits,
		};
	}

	sell(units: number, who: TraderAccount): Trade {
		this.begin();
		return this.sellNow(units, who, "trade");
	}
	buyWithUsd(usd: number, who: TraderAccount): Trade {
		this.begin();
		return this.buyWithUsdNow(usd, who, "trade");
	}
	buyExactTokens(units: number, who: TraderAccount): Trade {
		this.begin();
		return this.buyExactNow(units, who, "trade");
	}

	/** The day's own dynamics, after the network's flows. */
	protected abstract step(day: number, kpiSignal: number): void;
	protected abstract sellNow(units: number, who: TraderAccount, cause: TradeCause): Trade;
	protected abstract buyWithUsdNow(usd: number, who: TraderAccount, cause: TradeCause): Trade;
	protected abstract buyExactNow(units: number, who: TraderAccount, cause: TradeCause): Trade;

	/** Price factors of the shocks due by `day` (a fractional day fires at the next whole one), in order. */
	protected dueShockFactors(day: number): number[] {
		const factors: number[] = [];
		for (; this.nextShock < this.shocks.length; this.nextShock++) {
			const shock = this.shocks[this.nextShock] as Shock;
			if (shock.day > day) break;
			factors.push(shock.priceFactor);
		}
		return factors;
	}

	/** One standard normal draw (used from day 1 on, one per day, whatever the volatility). */
	protected drawNormal(): number {
		return STANDARD_NORMAL.sample(this.rng);
	}

	/** Holders' tokens available to sell or supply now, base units. */
	protected holdersAvailable(): number {
		if (this.holderUnits === undefined) return Number.POSITIVE_INFINITY;
		return Math.max(0, this.holderUnits() + this.pendingHolderUnits);
	}

	protected record(trade: Trade): Trade {
		if (trade.units === 0 && trade.usd === 0) return trade;
		const sign = trade.side === "sell" ? 1 : -1;
		if (trade.who === "holders") this.pendingHolderUnits -= sign * trade.units;
		if (trade.counterparty === "holders") this.pendingHolderUnits += sign * trade.units;
		this.log.push(trade);
		return trade;
	}

	private begin(): void {
		this.log = [];
		this.pendingHolderUnits = 0;
	}
}

/** Net change of each account's tokens over `trades`, base units. */
export function netUnitsByAccount(trades: readonly Trade[]): Record<MarketAccount, number> {
	const net = Object.fromEntries(MARKET_ACCOUNTS.map((a) => [a, 0])) as Record<MarketAccount, number>;
	for (const t of trades) {
		const sign = t.side === "sell" ? 1 : -1;
		net[t.who] -= sign * t.units;
		net[t.counterparty] += sign * t.units;
	}
	return net;
}

/** constant, gbm, history: the price follows its own path; trades convert at it, against the holders. */
class ExogenousMarket extends BaseMarket {
	private shockFactor = 1;
	private basePriceUsd: number;

	constructor(
		readonly kind: "constant" | "gbm" | "history",
		private readonly pathPriceUsd: (day: number, previousUsd: number) => number,
		decimals: number,
		rng: RandomStream,
		shocks: readonly Shock[],
		holderUnits: (() => number) | undefined,
	) {
		super(decimals, rng, shocks, holderUnits);
		this.basePriceUsd = pathPriceUsd(0, Number.NaN);
	}

	get priceUsd(): number {
		return this.basePriceUsd * this.shockFactor;
	}
	get externalPriceUsd(): number {
		return this.priceUsd;
	}

	protected step(day: number): void {
		if (day > 0) this.basePriceUsd = this.pathPriceUsd(day, this.basePriceUsd);
		for (const factor of this.dueShockFactors(day)) this.shockFactor *= factor;
	}

	protected sellNow(units: number, who: TraderAccount, cause: TradeCause): Trade {
		const usd = (checkUnits("units", units) * this.priceUsd) / this.unitsPerToken;
		return this.record({ cause, who, counterparty: "holders", side: "sell", units, usd, priceUsdAfter: this.priceUsd });
	}

	protected buyWithUsdNow(usd: number, who: TraderAccount, cause: TradeCause): Trade {
		const wanted = Math.floor((checkUsd("usd", usd) * this.unitsPerToken) / this.priceUsd);
		const units = Math.min(wanted, this.holdersAvailable());
		const spentUsd = units === wanted ? usd : (units * this.priceUsd) / this.unitsPerToken;
		return this.record({
			cause,
			who,
			counterparty: "holders",
			side: "buy",
			units,
			usd: spentUsd,
			priceUsdAfter: this.priceUsd,
		});
	}

	protected buyExactNow(units: number, who: TraderAccount, cause: TradeCause): Trade {
		const bought = Math.min(checkUnits("units", units), this.holdersAvailable());
		const usd = (bought * this.priceUsd) / this.unitsPerToken;
		return this.record({
			cause,
			who,
			counterparty: "holders",
			side: "buy",
			units: bought,
			usd,
			priceUsdAfter: this.priceUsd,
		});
	}
}

type AmmSpec = Extract<TokenMarket, { kind: "amm" }>;

/** amm: a constant-product pool, an exogenous market factor with arbitrage, a momentum trader, shocks as trades. */
class AmmMarket extends BaseMarket {
	readonly kind = "amm";
	readonly pool: ConstantProductPool;
	private external: number;
	private momentumPositionUnits = 0;
	/** Pool price at the end of each day (index = day). */
	private readonly closesUsd: number[] = [];
	private readonly initialPriceUsd: number;

	constructor(
		private readonly spec: AmmSpec,
		decimals: number,
		rng: RandomStream,
		poolTokenUnits: number | undefined,
		feeShare: number,
		holderUnits: (() => number) | undefined,
	) {
		super(decimals, rng, spec.shocks, holderUnits);
		const tokenUnits = poolTokenUnits ?? Math.round((spec.liquidityUsd / spec.priceUsd) * this.unitsPerToken);
		const usd = poolTokenUnits === undefined ? spec.liquidityUsd : (spec.priceUsd * tokenUnits) / this.unitsPerToken;
		this.pool = new ConstantProductPool(tokenUnits, usd, decimals, feeShare);
		this.initialPriceUsd = this.pool.priceUsd;
		this.external = this.initialPriceUsd;
	}

	get priceUsd(): number {
		return this.pool.priceUsd;
	}
	get externalPriceUsd(): number {
		return this.external;
	}
	override get poolTokenUnits(): number {
		return this.pool.tokenUnits;
	}
	override get poolUsd(): number {
		return this.pool.usd;
	}
	override get momentumUnits(): number {
		return this.momentumPositionUnits;
	}

	protected step(day: number, kpiSignal: number): void {
		this.arbitrage(day);
		this.momentum(day, kpiSignal);
		for (const factor of this.dueShockFactors(day)) {
			// A shock reprices the token for the whole market, so the external reference moves with
			// it: arbitrage must not simply undo it.
			this.external *= factor;
			this.moveByFactor(factor, "holders", "shock");
		}
		this.closesUsd[day] = this.priceUsd;
	}

	/**
	 * The market factor takes a GBM step. returns: holders trade the step's factor through the pool (no level to
	 * revert to); anchor: they trade `arbitrageShare` of the log gap to the factor's level away.
	 */
	private arbitrage(day: number): void {
		let stepFactor = 1;
		if (day > 0) {
			const dt = 1 / DAYS_PER_YEAR;
			const z = this.drawNormal();
			stepFactor = Math.exp(
				this.spec.externalDriftPerYear * dt + this.spec.externalVolatilityPerYear * Math.sqrt(dt) * z,
			);
			this.external *= stepFactor;
		}
		if (this.spec.externalMode === "returns") {
			this.moveByFactor(stepFactor, "holders", "external");
			return;
		}
		const gap = Math.log(this.external / this.priceUsd);
		if (this.spec.arbitrageShare > 0) {
			this.moveByFactor(Math.exp(this.spec.arbitrageShare * gap), "holders", "arbitrage");
		}
	}

	/**
	 * The trader targets a long position of momentumCapitalUsd · tanh(sensitivity · (7-day log return + kpiWeight ·
	 * kpiSignal)) USD, floored at 0 (it never shorts), and trades all the way to it.
	 */
	private momentum(day: number, kpiSignal: number): void {
		const { momentumCapitalUsd, momentumSensitivity, kpiWeight } = this.spec;
		if (momentumCapitalUsd <= 0 && this.momentumPositionUnits === 0) return;
		const pastUsd = this.closesUsd[day - MOMENTUM_LOOKBACK_DAYS] ?? this.initialPriceUsd;
		const signal = Math.log(this.priceUsd / pastUsd) + kpiWeight * kpiSignal;
		const targetUsd = Math.max(0, momentumCapitalUsd * Math.tanh(momentumSensitivity * signal));
		const heldUsd = (this.momentumPositionUnits * this.priceUsd) / this.unitsPerToken;
		if (targetUsd > heldUsd) {
			this.buyWithUsdNow(targetUsd - heldUsd, "momentum", "momentum");
		} else if (targetUsd < heldUsd) {
			const units =
				targetUsd === 0
					? this.momentumPositionUnits
					: Math.round(((heldUsd - targetUsd) * this.unitsPerToken) / this.priceUsd);
			this.sellNow(Math.min(units, this.momentumPositionUnits), "momentum", "momentum");
		}
	}

	/** A trade by `who` that moves the pool price by `factor` (sell below 1, buy above), solved from x·y = k. */
	private moveByFactor(factor: number, who: TraderAccount, cause: TradeCause): void {
		if (factor < 1) {
			const units = this.pool.unitsToSellForPriceFactor(factor);
			this.sellNow(who === "holders" ? Math.min(units, this.holdersAvailable()) : units, who, cause);
		} else if (factor > 1) {
			this.buyWithUsdNow(this.pool.usdToBuyForPriceFactor(factor), who, cause);
		}
	}

	protected sellNow(units: number, who: TraderAccount, cause: TradeCause): Trade {
		checkUnits("units", units);
		if (who === "momentum" && units > this.momentumPositionUnits) {
			throw new RangeError(`the momentum trader holds ${this.momentumPositionUnits} units, cannot sell ${units}`);
		}
		const usd = this.pool.sellTokens(units);
		if (who === "momentum") this.momentumPositionUnits -= units;
		return this.record({ cause, who, counterparty: "pool", side: "sell", units, usd, priceUsdAfter: this.priceUsd });
	}

	protected buyWithUsdNow(usd: number, who: TraderAccount, cause: TradeCause): Trade {
		const units = this.pool.buyTokensWithUsd(usd);
		if (who === "momentum") this.momentumPositionUnits += units;
		return this.record({ cause, who, counterparty: "pool", side: "buy", units, usd, priceUsdAfter: this.priceUsd });
	}

	protected buyExactNow(units: number, who: TraderAccount, cause: TradeCause): Trade {
		const usd = this.pool.buyExactTokens(units);
		if (who === "momentum") this.momentumPositionUnits += units;
		return this.record({ cause, who, counterparty: "pool", side: "buy", units, usd, priceUsdAfter: this.priceUsd });
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Factory

/** The market a scenario's `tokenomics.market` block describes. */
export function createTokenMarket(spec: TokenMarket, options: TokenMarketOptions): TokenMarketModel {
	const { decimals, rng, holderUnits } = options;
	switch (spec.kind) {
		case "constant":
			return new ExogenousMarket("constant", () => spec.priceUsd, decimals, rng, spec.shocks, holderUnits);
		case "gbm": {
			// μ is the drift of the log price (no Itô term), so daily log returns are Normal(μ/365, σ/√365).
			const dt = 1 / DAYS_PER_YEAR;
			const meanLog = spec.driftPerYear * dt;
			const sdLog = spec.volatilityPerYear * Math.sqrt(dt);
			const path = (day: number, previousUsd: number) =>
				day === 0 ? spec.priceUsd : previousUsd * Math.exp(meanLog + sdLog * STANDARD_NORMAL.sample(rng));
			return new ExogenousMarket("gbm", path, decimals, rng, spec.shocks, holderUnits);
		}
		case "history": {
			if (options.history === undefined) throw new Error("a history market needs the token price table");
			const closes = dailyCloses(options.history, spec.token, spec.startDate);
			const scale = spec.scaleToUsd === undefined ? 1 : spec.scaleToUsd / (closes[0] as number);
			const last = closes.length - 1;
			const path = (day: number) => (closes[Math.min(day, last)] as number) * scale;
			return new ExogenousMarket("history", path, decimals, rng, spec.shocks, holderUnits);
		}
		case "amm":
			return new AmmMarket(
				spec,
				decimals,
				rng,
				options.poolTokenUnits,
				options.poolFeeShare ?? AMM_FEE_SHARE,
				holderUnits,
			);
	}
}
