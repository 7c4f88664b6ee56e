/**
 * The token market: the constant-product pool against its closed forms, shocks, GBM moments, the HNT replay,
 * determinism, burn-and-mint convergence to D/M, the momentum trader's bounds, and exact mirroring by a ledger.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { TokenMarket } from "../../../models/scenario/tokenomics-schema.js";
import {
	bmeEquilibriumPriceUsd,
	ConstantProductPool,
	createTokenMarket,
	type DayFlows,
	type DayReport,
	loadTokenPriceHistory,
	MARKET_ACCOUNTS,
	type MarketAccount,
	parseTokenPriceHistory,
	type TokenMarketModel,
	type TokenPriceRow,
} from "../../../models/tokenomics/token-market.js";
import { RandomStream } from "../../../sim/random/stream.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const DECIMALS = 6;
const UNITS_PER_TOKEN = 10 ** DECIMALS;

type AmmSpec = Extract<TokenMarket, { kind: "amm" }>;

/** The schema's defaults, with `over` on top. */
function ammSpec(over: Partial<AmmSpec> = {}): AmmSpec {
	return {
		kind: "amm",
		priceUsd: 1,
		liquidityUsd: 5_000_000,
		externalMode: "anchor",
		externalVolatilityPerYear: 0.6,
		externalDriftPerYear: 0,
		arbitrageShare: 0.2,
		momentumCapitalUsd: 500_000,
		momentumSensitivity: 2,
		kpiWeight: 1,
		shocks: [],
		...over,
	};
}

/** An amm whose price moves only by the trades a test makes. */
const quietAmm = (over: Partial<AmmSpec> = {}) =>
	ammSpec({ externalVolatilityPerYear: 0, arbitrageShare: 0, momentumCapitalUsd: 0, ...over });

function market(spec: TokenMarket, seed = 1, extra: { history?: readonly TokenPriceRow[] } = {}): TokenMarketModel {
	return createTokenMarket(spec, { decimals: DECIMALS, rng: RandomStream.create(seed, 0, "token-market"), ...extra });
}

/** Advances days 0..lastDay, returning the reports. */
function run(m: TokenMarketModel, lastDay: number, flows: (day: number) => DayFlows = () => ({})): DayReport[] {
	const reports: DayReport[] = [];
	for (let day = 0; day <= lastDay; day++) reports.push(m.advanceDay(day, flows(day)));
	return reports;
}

const logUniform = (rng: RandomStream, lo: number, hi: number) => lo * (hi / lo) ** rng.next();

describe("constant-product pool", () => {
	it("never lets k fall, and keeps the token reserve an integer, over random trade sequences", () => {
		for (const seed of [1, 2, 3]) {
			const rng = RandomStream.create(seed, 0, "test/pool-trades");
			const pool = new ConstantProductPool(5_000_000 * UNITS_PER_TOKEN, 5_000_000, DECIMALS);
			for (let i = 0; i < 2000; i++) {
				const kBefore = pool.k;
				const unitsBefore = pool.tokenUnits;
				const op = rng.int(3);
				if (op === 0) pool.sellTokens(Math.floor(pool.tokenUnits * logUniform(rng, 1e-6, 0.2)));
				else if (op === 1) pool.buyTokensWithUsd(pool.usd * logUniform(rng, 1e-6, 0.2));
				else pool.buyExactTokens(Math.floor(pool.tokenUnits * logUniform(rng, 1e-6, 0.2)));
				// Strictly up whenever tokens moved (the fee); a trade too small to move a unit changes nothing.
				if (pool.tokenUnits !== unitsBefore) expect(pool.k).toBeGreaterThan(kBefore);
				else expect(pool.k).toBeGreaterThanOrEqual(kBefore);
				expect(Number.isSafeInteger(pool.tokenUnits)).toBe(true);
			}
		}
	});

	it("loses exactly the fees on a sell-then-buy round trip", () => {
		const x = 2_000_000 * UNITS_PER_TOKEN;
		for (const fee of [0, 0.003, 0.01]) {
			for (const units of [1_000 * UNITS_PER_TOKEN, 100_000 * UNITS_PER_TOKEN, 1_000_000 * UNITS_PER_TOKEN]) {
				const pool = new ConstantProductPool(x, 3_000_000, DECIMALS, fee);
				const usd = pool.sellTokens(units);
				const back = pool.buyTokensWithUsd(usd);
				// back = u (1−f)² (x + u) / (x + (1−f)² u): with f = 0 the trader gets every unit back.
				const g = (1 - fee) ** 2;
				const closedForm = (units * g * (x + units)) / (x + g * units);
				expect(Math.abs(back - Math.floor(closedForm))).toBeLessThanOrEqual(1);
				if (fee === 0) expect(units - back).toBeLessThanOrEqual(1);
				// What the trader lost is exactly what the pool kept; its USD side is back where it was.
				expect(pool.tokenUnits - x).toBe(units - back);
				expect(pool.usd).toBeCloseTo(3_000_000, 6);
			}
		}
	});

	it("moves the price as the closed forms say", () => {
		const x = 4_000_000 * UNITS_PER_TOKEN;
		const y = 2_000_000;
		for (const fee of [0, 0.003]) {
			for (const units of [10 * UNITS_PER_TOKEN, 40_000 * UNITS_PER_TOKEN, 2_000_000 * UNITS_PER_TOKEN]) {
				const pool = new ConstantProductPool(x, y, DECIMALS, fee);
				const before = pool.priceUsd;
				const e = units * (1 - fee);
				const usdOut = pool.sellTokens(units);
				expect(usdOut).toBeCloseTo((y * e) / (x + e), 6);
				expect(pool.priceUsd / before).toBeCloseTo((x * x) / ((x + e) * (x + units)), 12);
			}
			for (const usd of [10, 50_000, 3_000_000]) {
				const pool = new ConstantProductPool(x, y, DECIMALS, fee);
				const before = pool.priceUsd;
				const e = usd * (1 - fee);
				const unitsOut = pool.buyTokensWithUsd(usd);
				expect(unitsOut).toBe(Math.floor((x * e) / (y + e)));
				expect(pool.priceUsd / before).toBeCloseTo(((y + usd) * (y + e)) / (y * y), 9);
			}
		}
		// buyExactTokens pays exactly the units asked for, and the sale quote inverts it.
		const pool = new ConstantProductPool(x, y, DECIMALS);
		const usdIn = pool.quoteBuyExactTokens(123_456_789);
		expect(new ConstantProductPool(x, y, DECIMALS).buyTokensWithUsd(usdIn * (1 + 1e-12))).toBe(123_456_789);
		expect(() => pool.buyExactTokens(x)).toThrow(RangeError);
	});

	it("solves the trade that moves the price by a given factor", () => {
		for (const factor of [0.1, 0.5, 0.97, 1.03, 2, 10]) {
			const pool = new ConstantProductPool(1_000_000 * UNITS_PER_TOKEN, 800_000, DECIMALS);
			const before = pool.priceUsd;
			if (factor < 1) pool.sellTokens(pool.unitsToSellForPriceFactor(factor));
			else pool.buyTokensWithUsd(pool.usdToBuyForPriceFactor(factor));
			expect(pool.priceUsd / before).toBeCloseTo(factor, 9);
		}
	});
});

describe("burn-and-mint equilibrium", () => {
	it("is D / M", () => {
		expect(bmeEquilibriumPriceUsd(50_000, 20_000)).toBe(2.5);
		expect(() => bmeEquilibriumPriceUsd(1, 0)).toThrow(RangeError);
	});

	/**
	 * The pool alone: each day providers sell the M tokens minted to them, the protocol buys with D USD and burns
	 * what it bought. Tokens are counted: the pool holds its start + minted − burned, to the unit.
	 */
	function bmeLoop(startPriceUsd: number, days: number): { pricesUsd: number[]; pool: ConstantProductPool } {
		const burnUsdPerDay = 20_000;
		const mintUnitsPerDay = 10_000 * UNITS_PER_TOKEN;
		const pool = new ConstantProductPool(
			Math.round((2_000_000 / startPriceUsd) * UNITS_PER_TOKEN),
			2_000_000,
			DECIMALS,
		);
		const startUnits = pool.tokenUnits;
		let mintedUnits = 0;
		let burnedUnits = 0;
		const pricesUsd: number[] = [];
		for (let day = 0; day < days; day++) {
			mintedUnits += mintUnitsPerDay;
			pool.sellTokens(mintUnitsPerDay);
			burnedUnits += pool.buyTokensWithUsd(burnUsdPerDay);
			expect(pool.tokenUnits).toBe(startUnits + mintedUnits - burnedUnits);
			pricesUsd.push(pool.priceUsd);
		}
		return { pricesUsd, pool };
	}

	it("converges to D / M from 3× and from ⅓× of it, within 2%", () => {
		const equilibriumUsd = bmeEquilibriumPriceUsd(20_000, 10_000);
		// Measured: within 2% for good from day 173 (3×) and day 324 (⅓×).
		for (const [start, withinByDay] of [
			[3, 200],
			[1 / 3, 350],
		] as const) {
			const { pricesUsd, pool } = bmeLoop(start * equilibriumUsd, 1000);
			const lastOutside = pricesUsd.findLastIndex((p) => Math.abs(p / equilibriumUsd - 1) >= 0.02);
			expect(lastOutside + 1, `start ${start}×`).toBeLessThanOrEqual(withinByDay);
			// What is left is the day's own price impact: after the sell-then-buy day, y = D(x + M)/M, so the
			// closing price sits at D/M · (1 + M/x) (1.5% from 3×, 0.55% from ⅓×, where the pool ends deeper).
			const mintUnitsPerDay = 10_000 * UNITS_PER_TOKEN;
			expect((pricesUsd.at(-1) as number) / equilibriumUsd).toBeCloseTo(1 + mintUnitsPerDay / pool.tokenUnits, 3);
		}
	});
});

describe("exogenous markets", () => {
	it("constant: shocks multiply the price from their day on", () => {
		const m = market({ kind: "constant", priceUsd: 2, shocks: [{ day: 3, priceFactor: 0.5 }] });
		expect(m.priceUsd).toBe(2);
		const prices = run(m, 6).map((r) => r.priceUsd);
		expect(prices).toEqual([2, 2, 2, 1, 1, 1, 1]);
	});

	it("converts trades at the price without moving it, against the holders", () => {
		const m = market({ kind: "constant", priceUsd: 2, shocks: [] });
		m.advanceDay(0);
		const sale = m.sell(3 * UNITS_PER_TOKEN, "providers");
		expect(sale).toMatchObject({ counterparty: "holders", side: "sell", units: 3 * UNITS_PER_TOKEN, usd: 6 });
		const buy = m.buyWithUsd(5, "protocol");
		expect(buy).toMatchObject({ counterparty: "holders", side: "buy", units: 2.5 * UNITS_PER_TOKEN, usd: 5 });
		expect(m.priceUsd).toBe(2);
		const report = m.advanceDay(1, { providerSellUnits: UNITS_PER_TOKEN, burnBuyUsd: 4 });
		expect(report.providerSaleUsd).toBe(2);
		expect(report.burnBoughtUnits).toBe(2 * UNITS_PER_TOKEN);
		expect(report.netUnits).toMatchObject({ providers: -UNITS_PER_TOKEN, protocol: 2 * UNITS_PER_TOKEN });
		expect(report.netUnits.holders).toBe(-UNITS_PER_TOKEN);
	});

	it("caps what holders supply at their balance", () => {
		const m = createTokenMarket(
			{ kind: "constant", priceUsd: 2, shocks: [] },
			{ decimals: DECIMALS, rng: RandomStream.create(1, 0, "m"), holderUnits: () => 1000 },
		);
		const report = m.advanceDay(0, { burnBuyUsd: 1_000_000 });
		expect(report.burnBoughtUnits).toBe(1000);
		expect(report.burnSpentUsd).toBeCloseTo(0.002, 12);
	});

	it("gbm: daily log returns have mean μ/365 and sd σ/√365 over 10^5 days; shocks multiply", () => {
		const driftPerYear = 0.3;
		const volatilityPerYear = 0.8;
		const days = 100_000;
		const m = market({ kind: "gbm", priceUsd: 1, driftPerYear, volatilityPerYear, shocks: [] }, 7);
		const logReturns = new Float64Array(days);
		m.advanceDay(0);
		let previous = m.priceUsd;
		for (let day = 1; day <= days; day++) {
			m.advanceDay(day);
			logReturns[day - 1] = Math.log(m.priceUsd / previous);
			previous = m.priceUsd;
		}
		const mean = logReturns.reduce((a, b) => a + b, 0) / days;
		const sd = Math.sqrt(logReturns.reduce((a, b) => a + (b - mean) ** 2, 0) / (days - 1));
		const sdExpected = volatilityPerYear / Math.sqrt(365);
		// 4 standard errors: sd/√n for the mean, sd/√(2n) for the sd of a normal sample.
		expect(Math.abs(mean - driftPerYear / 365)).toBeLessThan((4 * sdExpected) / Math.sqrt(days));
		expect(Math.abs(sd - sdExpected)).toBeLessThan((4 * sdExpected) / Math.sqrt(2 * days));

		const plain = market({ kind: "gbm", priceUsd: 1, driftPerYear, volatilityPerYear, shocks: [] }, 9);
		const shocked = market(
			{ kind: "gbm", priceUsd: 1, driftPerYear, volatilityPerYear, shocks: [{ day: 10, priceFactor: 0.25 }] },
			9,
		);
		const a = run(plain, 20).map((r) => r.priceUsd);
		const b = run(shocked, 20).map((r) => r.priceUsd);
		for (let day = 0; day <= 20; day++) {
			expect((b[day] as number) / (a[day] as number)).toBeCloseTo(day < 10 ? 1 : 0.25, 12);
		}
	});

	describe("history", () => {
		const rows = loadTokenPriceHistory(join(root, "scenarios", "data", "token-prices.csv"));
		const close = (symbol: string, date: string) => rows.find((r) => r.symbol === symbol && r.date === date)?.closeUsd;
		const daysBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

		it("replays HNT through its 2022 crash, carries missing days and holds the last close", () => {
			const start = "2021-11-15";
			const m = market({ kind: "history", token: "HNT", startDate: start, shocks: [] }, 1, { history: rows });
			const prices = run(m, daysBetween(start, "2025-03-01")).map((r) => r.priceUsd);
			expect(prices[0]).toBe(close("HNT", start));
			expect(prices[daysBetween(start, "2022-06-30")]).toBe(close("HNT", "2022-06-30"));
			expect(prices[daysBetween(start, "2022-12-31")]).toBe(close("HNT", "2022-12-31"));
			expect(prices[daysBetween(start, "2022-06-30")]).toBeCloseTo(9.59, 2);
			expect(prices[daysBetween(start, "2022-12-31")]).toBeCloseTo(1.58, 2);
			// 2025-01-15 is missing upstream: it carries 2025-01-14's close.
			expect(close("HNT", "2025-01-15")).toBeUndefined();
			expect(prices[daysBetween(start, "2025-01-15")]).toBe(close("HNT", "2025-01-14"));
			// After 2025-01-16 the last close holds.
			expect(prices.at(-1)).toBe(close("HNT", "2025-01-16"));
			expect(prices[daysBetween(start, "2025-01-16") + 1]).toBe(close("HNT", "2025-01-16"));
		});

		it("rescales so the first price is scaleToUsd, and applies shocks", () => {
			const start = "2022-01-01";
			const spec: TokenMarket = { kind: "history", token: "HNT", startDate: start, scaleToUsd: 1, shocks: [] };
			const scaled = run(market(spec, 1, { history: rows }), 400).map((r) => r.priceUsd);
			const raw = close("HNT", start) as number;
			expect(scaled[0]).toBeCloseTo(1, 12);
			expect(scaled[180]).toBeCloseTo((close("HNT", "2022-06-30") as number) / raw, 12);
			const shocked = run(market({ ...spec, shocks: [{ day: 100, priceFactor: 0.5 }] }, 1, { history: rows }), 400).map(
				(r) => r.priceUsd,
			);
			expect((shocked[99] as number) / (scaled[99] as number)).toBeCloseTo(1, 12);
			expect((shocked[250] as number) / (scaled[250] as number)).toBeCloseTo(0.5, 12);
		});

		it("rejects a start outside the series and a missing table", () => {
			expect(() =>
				market({ kind: "history", token: "HNT", startDate: "2019-01-01", shocks: [] }, 1, { history: rows }),
			).toThrow(/HNT history covers 2020-07-01 … 2025-01-16/);
			expect(() =>
				market({ kind: "history", token: "IO", startDate: "2024-01-01", shocks: [] }, 1, { history: rows }),
			).toThrow(/no price history for token IO/);
			expect(() => market({ kind: "history", token: "HNT", startDate: "2022-01-01", shocks: [] })).toThrow(/table/);
			expect(() => parseTokenPriceHistory("symbol,date,close_usd,source\nHNT,2022-1-1,1,x\n", "t.csv")).toThrow(
				/t\.csv:2: column "date"/,
			);
		});
	});
});

describe("amm market", () => {
	it("starts at priceUsd with liquidityUsd on the stable side, or with the ledger's pool balance", () => {
		const m = market(ammSpec({ priceUsd: 0.5, liquidityUsd: 1_000_000 }));
		expect(m.poolTokenUnits).toBe(2_000_000 * UNITS_PER_TOKEN);
		expect(m.poolUsd).toBe(1_000_000);
		expect(m.priceUsd).toBeCloseTo(0.5, 12);
		const funded = createTokenMarket(ammSpec({ priceUsd: 0.5 }), {
			decimals: DECIMALS,
			rng: RandomStream.create(1, 0, "m"),
			poolTokenUnits: 7 * UNITS_PER_TOKEN,
		});
		expect(funded.poolTokenUnits).toBe(7 * UNITS_PER_TOKEN);
		expect(funded.priceUsd).toBeCloseTo(0.5, 12);
	});

	it("a shock trades through the pool and moves the price by exactly its factor", () => {
		const m = market(
			quietAmm({
				shocks: [
					{ day: 3, priceFactor: 0.4 },
					{ day: 6, priceFactor: 1.5 },
				],
			}),
		);
		const reports = run(m, 8);
		const price = (day: number) => (reports[day] as DayReport).priceUsd;
		expect(price(2)).toBeCloseTo(1, 12);
		expect(price(3) / price(2)).toBeCloseTo(0.4, 9);
		expect(price(5)).toBe(price(3));
		expect(price(6) / price(5)).toBeCloseTo(1.5, 9);
		expect(reports[3]?.trades).toMatchObject([{ cause: "shock", who: "holders", counterparty: "pool", side: "sell" }]);
		expect(reports[6]?.trades).toMatchObject([{ cause: "shock", who: "holders", side: "buy" }]);
	});

	it("settles the day's flows in the documented order, then arbitrage, momentum and shocks", () => {
		const m = market(ammSpec({ shocks: [{ day: 1, priceFactor: 0.9 }] }));
		m.advanceDay(0);
		const report = m.advanceDay(1, {
			providerSellUnits: 50_000 * UNITS_PER_TOKEN,
			burnBuyUsd: 20_000,
			unlockSells: [
				{ who: "team", units: 30_000 * UNITS_PER_TOKEN },
				{ who: "investors", units: 10_000 * UNITS_PER_TOKEN },
			],
			kpiSignal: 0.2,
		});
		expect(report.trades.map((t) => `${t.cause}:${t.who}`)).toEqual([
			"provider-sell:providers",
			"burn-buy:protocol",
			"unlock-sell:team",
			"unlock-sell:investors",
			"arbitrage:holders",
			"momentum:momentum",
			"shock:holders",
		]);
		expect(report.burnBoughtUnits).toBe(report.trades[1]?.units);
		expect(report.providerSaleUsd).toBe(report.trades[0]?.usd);
		expect(Object.values(report.netUnits).reduce((a, b) => a + b, 0)).toBe(0);
	});

	it("lets a ledger mirror every movement exactly, and is deterministic per stream", () => {
		const flows = (day: number): DayFlows => ({
			providerSellUnits: (20_000 + (day % 7) * 3_000) * UNITS_PER_TOKEN,
			burnBuyUsd: 15_000 + (day % 5) * 2_000,
			unlockSells: day % 30 === 0 ? [{ who: "team", units: 100_000 * UNITS_PER_TOKEN }] : [],
			kpiSignal: Math.sin(day / 20) * 0.3,
		});
		const simulate = (seed: number) => {
			const m = market(ammSpec({ shocks: [{ day: 200, priceFactor: 0.3 }] }), seed);
			const ledger = new Map<MarketAccount, number>(MARKET_ACCOUNTS.map((a) => [a, 0]));
			ledger.set("pool", m.poolTokenUnits);
			const reports = run(m, 365, flows);
			for (const report of reports) {
				for (const t of report.trades) {
					const [from, to] = t.side === "sell" ? [t.who, t.counterparty] : [t.counterparty, t.who];
					expect(Number.isSafeInteger(t.units) && t.units >= 0).toBe(true);
					ledger.set(from, (ledger.get(from) ?? 0) - t.units);
					ledger.set(to, (ledger.get(to) ?? 0) + t.units);
				}
			}
			expect(ledger.get("pool")).toBe(m.poolTokenUnits);
			expect(ledger.get("momentum")).toBe(m.momentumUnits);
			return reports;
		};
		const a = simulate(11);
		expect(simulate(11)).toEqual(a);
		const b = simulate(12);
		expect(b.map((r) => r.priceUsd)).not.toEqual(a.map((r) => r.priceUsd));
		// The 2022-style shock reads in the price: down by more than half that day.
		expect((a[200] as DayReport).priceUsd / (a[199] as DayReport).priceUsd).toBeLessThan(0.5);
	});

	it("arbitrage closes its share of the gap to the external factor each day", () => {
		// With no other flows the log gap is AR(1): g' = (1 − a)(g + σ_d Z), stationary sd (1 − a) σ_d / √(1 − (1 − a)²).
		const arbitrageShare = 0.3;
		const externalVolatilityPerYear = 0.5;
		const days = 20_000;
		const m = market(ammSpec({ momentumCapitalUsd: 0, arbitrageShare, externalVolatilityPerYear }), 5);
		const gaps = run(m, days).map((r) => Math.log(r.priceUsd / r.externalPriceUsd));
		const sd = Math.sqrt(gaps.reduce((a, g) => a + g * g, 0) / gaps.length);
		const keep = 1 - arbitrageShare;
		const sdExpected = (keep * externalVolatilityPerYear) / Math.sqrt(365) / Math.sqrt(1 - keep * keep);
		expect(Math.abs(sd / sdExpected - 1)).toBeLessThan(0.04);
	});

	it("returns mode: with the external factor off, the price moves only from flows, exactly as the pool's x·y = k says", () => {
		const m = market(ammSpec({ externalMode: "returns", externalVolatilityPerYear: 0, momentumCapitalUsd: 0 }), 3);
		const replay = new ConstantProductPool(m.poolTokenUnits, m.poolUsd, DECIMALS);
		const flows = (day: number): DayFlows =>
			day % 3 === 0
				? {}
				: { providerSellUnits: (1_000 + day * 37) * UNITS_PER_TOKEN, burnBuyUsd: day % 2 === 0 ? 4_000 : 0 };
		let previous = m.priceUsd;
		for (const report of run(m, 60, flows)) {
			if (report.day % 3 === 0) {
				// No flows, no move: the external factor adds nothing when it is off.
				expect(report.trades).toEqual([]);
				expect(report.priceUsd).toBe(previous);
			}
			for (const t of report.trades) {
				expect(t.cause === "provider-sell" || t.cause === "burn-buy").toBe(true);
				if (t.side === "sell") expect(replay.sellTokens(t.units)).toBe(t.usd);
				else expect(replay.buyTokensWithUsd(t.usd)).toBe(t.units);
			}
			expect(report.priceUsd).toBe(replay.priceUsd);
			previous = report.priceUsd;
		}
		expect(previous).not.toBe(1);
	});

	it("returns mode: on a day without flows the pool moves by the external factor's return, with no pull to its level", () => {
		const m = market(ammSpec({ externalMode: "returns", externalVolatilityPerYear: 0.6, momentumCapitalUsd: 0 }), 9);
		// A big sale on day 1 leaves the price far below the factor; nothing pulls it back.
		const reports = run(m, 400, (day) => (day === 1 ? { providerSellUnits: 2_000_000 * UNITS_PER_TOKEN } : {}));
		for (let day = 2; day <= 400; day++) {
			const today = reports[day] as DayReport;
			const before = reports[day - 1] as DayReport;
			const priceReturn = Math.log(today.priceUsd / before.priceUsd);
			const factorReturn = Math.log(today.externalPriceUsd / before.externalPriceUsd);
			expect(Math.abs(priceReturn - factorReturn)).toBeLessThan(1e-6);
			expect(today.trades.every((t) => t.cause === "external" && t.who === "holders")).toBe(true);
		}
		// The gap the sale opened (log(P/E) on day 1) is still there on day 400, to the rounding of whole units.
		const gap = (r: DayReport) => Math.log(r.priceUsd / r.externalPriceUsd);
		expect(gap(reports[1] as DayReport)).toBeLessThan(-0.5);
		expect(Math.abs(gap(reports[400] as DayReport) - gap(reports[1] as DayReport))).toBeLessThan(1e-4);
	});

	it("the momentum trader never sells tokens it does not hold", () => {
		for (const seed of [1, 2, 3, 4]) {
			const m = market(
				ammSpec({
					momentumCapitalUsd: 3_000_000,
					momentumSensitivity: 8,
					externalVolatilityPerYear: 2,
					liquidityUsd: 2_000_000,
				}),
				seed,
			);
			const kpi = RandomStream.create(seed, 0, "test/kpi");
			let held = 0;
			let sold = 0;
			for (let day = 0; day <= 1500; day++) {
				const report = m.advanceDay(day, { kpiSignal: kpi.next() - 0.5 });
				for (const t of report.trades.filter((t) => t.who === "momentum")) {
					if (t.side === "sell") {
						expect(t.units).toBeLessThanOrEqual(held);
						held -= t.units;
						sold += t.units;
					} else held += t.units;
				}
				expect(m.momentumUnits).toBe(held);
				expect(m.momentumUnits).toBeGreaterThanOrEqual(0);
			}
			expect(sold, `seed ${seed}: the trader did trade`).toBeGreaterThan(0);
		}
	});

	it("sells no more for holders (arbitrage, shocks) than the ledger says they hold", () => {
		let holderUnits = 0;
		const m = createTokenMarket(quietAmm({ shocks: [{ day: 1, priceFactor: 0.5 }] }), {
			decimals: DECIMALS,
			rng: RandomStream.create(1, 0, "m"),
			holderUnits: () => holderUnits,
		});
		m.advanceDay(0);
		expect(m.advanceDay(1).trades).toEqual([]);
		holderUnits = 1000;
		const shocked = createTokenMarket(quietAmm({ shocks: [{ day: 1, priceFactor: 0.5 }] }), {
			decimals: DECIMALS,
			rng: RandomStream.create(1, 0, "m"),
			holderUnits: () => holderUnits,
		});
		shocked.advanceDay(0);
		expect(shocked.advanceDay(1).trades).toMatchObject([{ cause: "shock", who: "holders", units: 1000 }]);
	});

	it("rejects days out of order", () => {
		const m = market(quietAmm());
		expect(() => m.advanceDay(1)).toThrow(/next day is 0/);
		m.advanceDay(0);
		expect(() => m.advanceDay(0)).toThrow(RangeError);
	});
});
