/**
 * The token economy with the endogenous pool: burns move the price (twice the burn, same seed: a higher price), and
 * burn-and-mint work rewards mint each node the value it served at the pool price, conserving tokens exactly.
 */
import { describe, expect, it } from "vitest";
import { fillDefaults, type SchemaNode } from "../../../models/scenario/schema-walk.js";
import { Tokenomics } from "../../../models/scenario/tokenomics-schema.js";
import { dailyShare, TokenEconomy, type WorkRewards } from "../../../models/tokenomics/economy.js";
import { RandomStream } from "../../../sim/random/stream.js";

const NODES = 20;

/** Schema defaults (the endogenous amm: external factor as returns, σ 0.6), burn-and-mint on, with `over` on top. */
function spec(over: Record<string, unknown> = {}): Tokenomics {
	return fillDefaults(Tokenomics as unknown as SchemaNode, {
		enabled: true,
		initialSupplyTokens: 10_000_000,
		treasuryTokens: 0,
		emission: { kind: "constant", tokensPerDay: 2_000 },
		burnAndMint: { enabled: true, feeShare: 0.05 },
		rewards: { workWeight: 1, uptimeWeight: 1 },
		providerSellShare: 0.8,
		market: { kind: "amm", priceUsd: 1, liquidityUsd: 500_000 },
		...over,
	}) as Tokenomics;
}

function work(usdPerNode: number): WorkRewards {
	const nodes = Int32Array.from({ length: NODES }, (_, i) => i);
	const usd = Float64Array.from({ length: NODES }, (_, i) => usdPerNode * (1 + (i % 4)));
	return { nodes, usd, count: NODES, paid: new Float64Array(NODES), sold: new Float64Array(NODES) };
}

/** Emission weights all 0 (the providers' share goes to dust). */
function noRewards() {
	return {
		weights: new Float64Array(NODES),
		nodes: NODES,
		paidUnits: new Float64Array(NODES),
		soldUnits: new Float64Array(NODES),
	};
}

/** 120 daily epochs with `jobUsdPerDay` of fiat job value burned (and re-minted as work when `withWork`). */
function simulate(jobUsdPerDay: number, seed: number, withWork: boolean, check?: (e: TokenEconomy) => void) {
	const economy = new TokenEconomy(spec(), { marketRng: RandomStream.create(seed, 0, "tokens/market") });
	const weights = new Float64Array(NODES).fill(1);
	const paid = new Float64Array(NODES);
	const sold = new Float64Array(NODES);
	const perNode = (jobUsdPerDay * 0.95) / (NODES * 2.5);
	for (let day = 0; day < 120; day++) {
		const w = withWork ? work(perNode) : undefined;
		economy.closeEpoch(day, day + 1, { weights, nodes: NODES, paidUnits: paid, soldUnits: sold }, jobUsdPerDay, 0, w);
		check?.(economy);
	}
	return economy;
}

describe("token economy (endogenous pool)", () => {
	it("the same seed with twice the burn ends with a higher price, with or without work rewards", () => {
		for (const seed of [1, 2, 3, 4, 5]) {
			for (const withWork of [false, true]) {
				const once = simulate(3_000, seed, withWork);
				const twice = simulate(6_000, seed, withWork);
				expect(twice.priceUsd, `seed ${seed} work ${withWork}`).toBeGreaterThan(once.priceUsd);
			}
		}
	});

	it("work rewards mint floor(usd / price) to each node and sell their share; tokens are conserved at every epoch", () => {
		const economy = new TokenEconomy(spec(), { marketRng: RandomStream.create(7, 0, "tokens/market") });
		const w = work(10);
		const price = economy.priceUsd;
		const before = economy.ledger.minted;
		const flows = economy.closeEpoch(0, 1 / 24, noRewards(), 500, 0, w);
		// The burn buys first (price up), then the work is minted at the pool price then.
		expect(economy.priceUsd).not.toBe(price);
		for (let i = 0; i < NODES; i++) {
			const units = w.paid[i] as number;
			expect(units).toBeGreaterThan(0);
			expect(Number.isInteger(units)).toBe(true);
			expect(w.sold[i]).toBe(Math.floor(units * 0.8));
			// Emission weights are all 0 (it goes to dust): a node holds its work reward less what it sold.
			expect(economy.ledger.nodeBalance(i)).toBe(units - (w.sold[i] as number));
		}
		const total = w.paid.reduce((a, b) => a + b, 0);
		expect(flows.workRewardUnits).toBe(total);
		expect(economy.ledger.minted - before).toBe(flows.mintedUnits);
		// Floors lose under a base unit per node.
		const usd = w.usd.reduce((a, b) => a + b, 0);
		expect(flows.workRewardUsd).toBeLessThanOrEqual(usd);
		expect(flows.workRewardUsd).toBeGreaterThan(usd - (NODES * economy.priceUsd) / 1e6 - 1e-9);
		economy.ledger.checkConservationFull();
		simulate(5_000, 3, true, (e) => e.ledger.checkConservationFull());
	});

	it("work rewards stop at a supply cap instead of breaking it", () => {
		const economy = new TokenEconomy(spec({ maxSupplyTokens: 10_000_050 }), {
			marketRng: RandomStream.create(1, 0, "tokens/market"),
		});
		economy.closeEpoch(0, 1, noRewards(), 0, 0, work(1_000));
		expect(economy.ledger.supply).toBeLessThanOrEqual(economy.ledger.maxSupplyUnits);
		economy.ledger.checkConservationFull();
	});
});

/** One day's emission of `tokens`, then none: providers keep all of it (no sale at once), split evenly over NODES. */
function oneDayEmission(tokens: number, over: Record<string, unknown> = {}): TokenEconomy {
	const economy = new TokenEconomy(
		spec({
			emission: {
				kind: "piecewise",
				points: [
					{ fromDay: 0, tokensPerDay: tokens },
					{ fromDay: 1, tokensPerDay: 0 },
				],
			},
			burnAndMint: { enabled: false },
			providerSellShare: 0,
			...over,
		}),
		{ marketRng: RandomStream.create(3, 0, "tokens/market") },
	);
	return economy;
}

function closeDay(economy: TokenEconomy, day: number): void {
	const zeros = () => new Float64Array(NODES);
	economy.closeEpoch(
		day,
		day + 1,
		{ weights: new Float64Array(NODES).fill(1), nodes: NODES, paidUnits: zeros(), soldUnits: zeros() },
		0,
		0,
	);
}

describe("held tokens are sold over time (tokenomics.holding)", () => {
	it("a node's held rewards decay as e^(−t/mean): each day it sells floor(balance · (1 − e^(−1/mean)))", () => {
		const meanDays = 30;
		const economy = oneDayEmission(20_000, { holding: { providerMeanDays: meanDays } });
		const share = dailyShare(meanDays);
		expect(share).toBeCloseTo(1 - Math.exp(-1 / 30), 15);
		// Day 0's epoch pays 1,000 tokens a node, then the first day's sale happens at day 1.
		const paidUnits = 1_000 * 1e6;
		for (let day = 0; day < 90; day++) {
			closeDay(economy, day);
			economy.ledger.checkConservationFull();
			const sales = day + 1;
			const closedForm = paidUnits * Math.exp(-sales / meanDays);
			for (let node = 0; node < NODES; node++) {
				const held = economy.ledger.nodeBalance(node);
				// Each floor keeps under one unit more than the exact decay.
				expect(held).toBeGreaterThanOrEqual(closedForm - 1e-6 * paidUnits);
				expect(held).toBeLessThanOrEqual(closedForm * (1 + 1e-12) + sales);
			}
		}
		const heldNow = economy.ledger.nodeBalanceTotal;
		expect(economy.heldSoldTotalUnits).toBe(NODES * paidUnits - heldNow);
		// After 90 days (3 means) about e^−3 ≈ 5% is left.
		expect(heldNow / (NODES * paidUnits)).toBeCloseTo(Math.exp(-3), 6);
	});

	it("providerMeanDays 0 keeps held rewards for ever (the old model)", () => {
		const economy = oneDayEmission(20_000, { holding: { providerMeanDays: 0 } });
		for (let day = 0; day < 30; day++) closeDay(economy, day);
		expect(economy.ledger.nodeBalanceTotal).toBe(20_000 * 1e6);
		expect(economy.heldSoldTotalUnits).toBe(0);
	});

	it("validators and owners sell their sell share of the emission at their own rate; the rest they keep", () => {
		const economy = oneDayEmission(10_000, {
			rewards: { workWeight: 1, uptimeWeight: 1, providersShare: 0.2, validatorsShare: 0.5 },
			holding: {
				providerMeanDays: 0,
				validatorsSellShare: 0.6,
				validatorsMeanDays: 10,
				ownersSellShare: 0.25,
				ownersMeanDays: 40,
			},
		});
		const validatorUnits = 5_000 * 1e6;
		const ownerUnits = 3_000 * 1e6;
		for (let day = 0; day < 60; day++) closeDay(economy, day);
		economy.ledger.checkConservationFull();
		const validatorsSold = validatorUnits - economy.ledger.balance("validators");
		const ownersSold = ownerUnits - economy.ledger.balance("owners");
		const forSaleV = validatorUnits * 0.6;
		const forSaleO = ownerUnits * 0.25;
		expect(validatorsSold).toBeGreaterThanOrEqual(forSaleV * (1 - Math.exp(-60 / 10)) - 60);
		expect(validatorsSold).toBeLessThanOrEqual(forSaleV * (1 - Math.exp(-60 / 10)) + 1);
		expect(ownersSold).toBeGreaterThanOrEqual(forSaleO * (1 - Math.exp(-60 / 40)) - 60);
		expect(ownersSold).toBeLessThanOrEqual(forSaleO * (1 - Math.exp(-60 / 40)) + 1);
		expect(economy.heldSoldTotalUnits).toBe(validatorsSold + ownersSold);
	});

	it("a node that leaves sells what it held: at once through the pool (exitSaleMeanDays 0)", () => {
		const economy = oneDayEmission(20_000, { holding: { providerMeanDays: 0, exitSaleMeanDays: 0 } });
		closeDay(economy, 0);
		const held = economy.ledger.nodeBalance(3);
		expect(held).toBe(1_000 * 1e6);
		const pool = economy.ledger.balance("pool");
		const price = economy.priceUsd;
		economy.nodeExited(3, 1);
		expect(economy.ledger.nodeBalance(3)).toBe(0);
		expect(economy.ledger.balance("pool") - pool).toBe(held);
		expect(economy.market.poolTokenUnits).toBe(economy.ledger.balance("pool"));
		expect(economy.priceUsd).toBeLessThan(price);
		economy.ledger.checkConservationFull();
		const flows = economy.closeEpoch(1, 1.5, noRewards(), 0, 0);
		expect(flows.heldSoldUnits).toBe(held);
		expect(economy.heldSoldTotalUnits).toBe(held);
	});

	it("a node that leaves sells what it held over the next days (exitSaleMeanDays > 0), as e^(−t/mean)", () => {
		const meanDays = 5;
		const economy = oneDayEmission(20_000, { holding: { providerMeanDays: 0, exitSaleMeanDays: meanDays } });
		closeDay(economy, 0);
		const held = economy.ledger.nodeBalance(7);
		economy.nodeExited(7, 1);
		expect(economy.ledger.nodeBalance(7)).toBe(0);
		expect(economy.ledger.balance("leavers")).toBe(held);
		for (let day = 1; day <= 20; day++) {
			closeDay(economy, day);
			economy.ledger.checkConservationFull();
			const left = economy.ledger.balance("leavers");
			const closedForm = held * Math.exp(-day / meanDays);
			expect(left).toBeGreaterThanOrEqual(closedForm * (1 - 1e-12));
			expect(left).toBeLessThanOrEqual(closedForm + day);
		}
		// The other nodes keep theirs (providerMeanDays 0): only the leaver's tokens were sold.
		expect(economy.heldSoldTotalUnits).toBe(held - economy.ledger.balance("leavers"));
	});

	it("a node's stake cost (for its payback): the start price for the starting fleet, what it paid in the pool for a joiner", () => {
		const economy = new TokenEconomy(spec({ staking: { stakePerNodeTokens: 10, lockDays: 0 } }), {
			marketRng: RandomStream.create(1, 0, "tokens/market"),
		});
		expect(economy.stakeCostUsdNow()).toBeCloseTo(10 * economy.priceUsd, 12);
		economy.nodeJoined(0, false);
		expect(economy.stakeCostUsd(0)).toBeCloseTo(10 * economy.priceUsd, 9);
		const before = economy.priceUsd;
		economy.nodeJoined(5_000, true);
		// Bought through the pool: more than at the price before (slippage and the 0.3% fee), the price up after.
		expect(economy.stakeCostUsd(5_000)).toBeGreaterThan(10 * before);
		expect(economy.priceUsd).toBeGreaterThan(before);
		expect(economy.stakeCostUsd(5_000)).toBeLessThan(10 * economy.priceUsd * 1.01);
		expect(economy.stakeCostUsd(4_999)).toBe(0);
		economy.ledger.checkConservationFull();
	});
});
