/**
 * The token economy with the endogenous pool: burns move the price (twice the burn, same seed: a higher price), and
 * burn-and-mint work rewards mint each node the value it served at the pool price, conserving tokens exactly.
 */
import { describe, expect, it } from "vitest";
import { fillDefaults, type SchemaNode } from "../../../models/scenario/schema-walk.js";
import { Tokenomics } from "../../../models/scenario/tokenomics-schema.js";
import { TokenEconomy, type WorkRewards } from "../../../models/tokenomics/economy.js";
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

/** 120 daily epochs with `jobUsdPerDay` of fiat job value burned (and re-minted as work when `withWork`). */
function simulate(jobUsdPerDay: number, seed: number, withWork: boolean, check?: (e: TokenEconomy) => void) {
	const economy = new TokenEconomy(spec(), { marketRng: RandomStream.create(seed, 0, "tokens/market") });
	const weights = new Float64Array(NODES).fill(1);
	const paid = new Float64Array(NODES);
	const sold = new Float64Array(NODES);
	const perNode = (jobUsdPerDay * 0.95) / (NODES * 2.5);
	for (let day = 0; day < 120; day++) {
		const w = withWork ? work(perNode) : undefined;
		economy.closeEpoch(day, day + 1, weights, NODES, paid, sold, jobUsdPerDay, 0, undefined, w);
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
		const flows = economy.closeEpoch(
			0,
			1 / 24,
			new Float64Array(NODES),
			NODES,
			new Float64Array(NODES),
			new Float64Array(NODES),
			500,
			0,
			undefined,
			w,
		);
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
		economy.closeEpoch(
			0,
			1,
			new Float64Array(NODES),
			NODES,
			new Float64Array(NODES),
			new Float64Array(NODES),
			0,
			0,
			undefined,
			work(1_000),
		);
		expect(economy.ledger.supply).toBeLessThanOrEqual(economy.ledger.maxSupplyUnits);
		economy.ledger.checkConservationFull();
	});
});
