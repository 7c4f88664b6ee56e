/**
 * The tokenomics block of a scenario: the token, its emission, burns, rewards, staking,
 * slashing, vesting, the token market and verification. Amounts of tokens are given in whole
 * tokens here and held in integer base units (10^decimals per token) by the ledger.
 */
import Type from "typebox";
import { nonNegative, positive, share } from "./fields.js";

const strict = { additionalProperties: false } as const;

/** How many new tokens a schedule mints per day at a given time (before the supply cap). */
export const EmissionSchedule = Type.Union(
	[
		Type.Object({ kind: Type.Literal("none") }, { ...strict, description: "no emission (a fixed supply)" }),
		Type.Object(
			{ kind: Type.Literal("constant"), tokensPerDay: nonNegative("tokens minted per day") },
			{ ...strict, description: "the same amount every day" },
		),
		Type.Object(
			{
				kind: Type.Literal("halving"),
				initialTokensPerDay: nonNegative("tokens per day in the first period"),
				periodDays: positive("days between halvings (Helium: 730; Bittensor: ~1460)"),
				firstHalvingDay: Type.Optional(
					nonNegative(
						"day of the first halving (≤ periodDays; default periodDays): a run that starts inside a period, e.g. just before a network's halving",
					),
				),
			},
			{ ...strict, description: "halves every period (Helium, Bittensor)" },
		),
		Type.Object(
			{
				kind: Type.Literal("decay"),
				initialTokensPerDay: nonNegative("tokens per day at the start"),
				decayPerYear: share("share by which the daily amount falls each year (io.net ~0.12)"),
			},
			{ ...strict, description: "continuous exponential decay" },
		),
		Type.Object(
			{
				kind: Type.Literal("inflation"),
				annualRate: Type.Number({ minimum: 0, maximum: 10, description: "new tokens per year as a share of supply" }),
			},
			{ ...strict, description: "a target inflation of the current supply (Akash-like)" },
		),
		Type.Object(
			{
				kind: Type.Literal("piecewise"),
				points: Type.Array(
					Type.Object(
						{ fromDay: nonNegative("first day of the segment"), tokensPerDay: nonNegative("tokens per day") },
						strict,
					),
					{ default: [], maxItems: 10_000, description: "segments, by ascending fromDay" },
				),
				csv: Type.Optional(
					Type.String({
						minLength: 1,
						maxLength: 4096,
						description: "CSV with columns fromDay,tokensPerDay (relative to the scenario file); read into points",
					}),
				),
			},
			{ ...strict, description: "a table of daily amounts (e.g. a published schedule), inline or from a CSV" },
		),
	],
	{ description: "emission: {kind: none|constant|halving|decay|inflation|piecewise, …}", default: { kind: "none" } },
);
export type EmissionSchedule = Type.Static<typeof EmissionSchedule>;

const Shock = Type.Object(
	{
		day: nonNegative("day of the shock"),
		priceFactor: positive(
			"exogenous: the price is multiplied by this; amm: sell (< 1) or buy (> 1) pressure that moves the pool price by this factor",
		),
	},
	strict,
);

export const TokenMarket = Type.Union(
	[
		Type.Object(
			{
				kind: Type.Literal("constant"),
				priceUsd: positive("token price, USD", { default: 1 }),
				shocks: Type.Array(Shock, { default: [], maxItems: 1000 }),
			},
			{ ...strict, description: "a fixed price (with optional shocks)" },
		),
		Type.Object(
			{
				kind: Type.Literal("gbm"),
				priceUsd: positive("starting price, USD", { default: 1 }),
				driftPerYear: Type.Number({
					minimum: -10,
					maximum: 10,
					default: 0,
					description: "μ of the log price, per year",
				}),
				volatilityPerYear: nonNegative("σ of the log price, per √year", { default: 0.8 }),
				shocks: Type.Array(Shock, { default: [], maxItems: 1000 }),
			},
			{ ...strict, description: "geometric Brownian motion, exogenous" },
		),
		Type.Object(
			{
				kind: Type.Literal("history"),
				token: Type.String({
					minLength: 1,
					maxLength: 16,
					description: "symbol in scenarios/data/token-prices.csv (HNT, RNDR, TAO, AKT, FIL, …)",
				}),
				startDate: Type.String({
					pattern: "^\\d{4}-\\d{2}-\\d{2}$",
					description: "first day of the replay (YYYY-MM-DD)",
				}),
				scaleToUsd: Type.Optional(positive("rescale the series so that its first price is this, USD")),
				shocks: Type.Array(Shock, { default: [], maxItems: 1000 }),
			},
			{ ...strict, description: "replay a real daily price series (HNT through its 2022 crash, …)" },
		),
		Type.Object(
			{
				kind: Type.Literal("amm"),
				priceUsd: positive("starting price, USD", { default: 1 }),
				liquidityUsd: positive("stablecoin side of the constant-product pool at the start, USD", {
					default: 5_000_000,
				}),
				externalMode: Type.Union([Type.Literal("returns"), Type.Literal("anchor")], {
					default: "returns",
					description:
						"how the exogenous market factor reaches the pool. returns: each day holders trade the factor's daily return through the pool, so the factor adds noise but the price level is set by the flows (endogenous); anchor: arbitrage closes arbitrageShare of the gap to the factor's level each day (the factor sets the level)",
				}),
				externalVolatilityPerYear: nonNegative(
					"σ of the exogenous market factor, per √year. Default 0.6 = β·σ_BTC: HNT and RNDR have β ≈ 1 to BTC, whose realised σ was 0.66 over 2020–2025 (scenarios/data/token-prices.csv); it explains ~18% (ρ ≈ 0.42) of their daily variance, the rest is the network's own",
					{ default: 0.6 },
				),
				externalDriftPerYear: Type.Number({
					minimum: -10,
					maximum: 10,
					default: 0,
					description: "μ of the exogenous factor",
				}),
				arbitrageShare: share(
					"externalMode anchor: share of the gap between pool price and external price closed each day by arbitrage",
					{ default: 0.2 },
				),
				momentumCapitalUsd: nonNegative("capital of the momentum/sentiment trader, USD", { default: 500_000 }),
				momentumSensitivity: nonNegative("trader's position per unit of 7-day log return (and of KPI change)", {
					default: 2,
				}),
				kpiWeight: nonNegative("weight of network KPIs (node growth, served fraction) in the trader's signal", {
					default: 1,
				}),
				shocks: Type.Array(Shock, { default: [], maxItems: 1000 }),
			},
			{ ...strict, description: "endogenous: a constant-product pool through which every flow trades" },
		),
	],
	{ description: "token market: {kind: constant|gbm|history|amm, …}", default: { kind: "constant" } },
);
export type TokenMarket = Type.Static<typeof TokenMarket>;

const Vesting = Type.Object(
	{
		account: Type.Union([Type.Literal("team"), Type.Literal("investors")], { description: "who holds the tokens" }),
		tokens: nonNegative("tokens under the schedule"),
		cliffDays: nonNegative("days before anything unlocks", { default: 365 }),
		linearDays: nonNegative("days over which the rest unlocks evenly after the cliff", { default: 730 }),
		startDay: Type.Number({
			default: 0,
			description: "day the schedule starts (may be negative: it began before the run)",
		}),
		sellShare: share("share of each unlock sold at once on the market", { default: 0.5 }),
	},
	strict,
);

export const Tokenomics = Type.Object(
	{
		enabled: Type.Boolean({ default: false, description: "model the token (off: providers earn fiat only)" }),
		symbol: Type.String({ minLength: 1, maxLength: 12, default: "TKN", description: "token symbol (for reports)" }),
		decimals: Type.Integer({
			minimum: 0,
			maximum: 9,
			default: 6,
			description: "base units per token = 10^decimals; every amount is an integer number of them",
		}),
		initialSupplyTokens: nonNegative("supply at the start, tokens", { default: 500_000_000 }),
		maxSupplyTokens: Type.Optional(positive("hard cap on supply, tokens (Helium 223M: docs/claims.md)")),
		treasuryTokens: nonNegative("of the initial supply: held by the protocol treasury", { default: 50_000_000 }),
		emission: EmissionSchedule,
		burnAndMint: Type.Object(
			{
				enabled: Type.Boolean({
					default: false,
					description:
						"tenants pay fiat; the protocol buys tokens worth the job value minus the fee and burns them (Render)",
				}),
				feeShare: share("share of the job value kept as the protocol fee (Render 5%: docs/claims.md)", {
					default: 0.05,
				}),
				workRewardShare: share(
					"share of each job's value after the fee re-minted, in tokens at the pool price, to the operator who served it (Render's job payouts, RNP-001 'coupon token rewards'; 0: operators earn emission only)",
					{ default: 1 },
				),
			},
			{ ...strict, default: {}, description: "burn-and-mint equilibrium" },
		),
		rewards: Type.Object(
			{
				workWeight: nonNegative("weight of GPU-hours served in a node's share", { default: 1 }),
				uptimeWeight: nonNegative("weight of hours online (proof-of-coverage analogue)", { default: 0 }),
				stakeWeight: nonNegative("weight of tokens staked", { default: 0 }),
				providersShare: share("share of emission to providers (the rest to validators and owners)", { default: 1 }),
				validatorsShare: share("share of emission to validators (Bittensor 41%)", { default: 0 }),
			},
			{ ...strict, default: {}, description: "how emission is split" },
		),
		staking: Type.Object(
			{
				stakePerNodeTokens: nonNegative("tokens a node must stake to serve", { default: 0 }),
				lockDays: nonNegative("days staked tokens stay locked after a node leaves", { default: 0 }),
			},
			{ ...strict, default: {}, description: "staking with lock-ups" },
		),
		slashing: Type.Object(
			{
				verificationFailureShare: share("share of a node's stake slashed when an audit catches it cheating", {
					default: 0.5,
				}),
				slaBreachShare: share("share of stake slashed when a node's lease is interrupted", { default: 0 }),
			},
			{ ...strict, default: {}, description: "penalties" },
		),
		vesting: Type.Array(Vesting, { default: [], maxItems: 100, description: "unlock schedules (sell pressure)" }),
		market: TokenMarket,
		providerSellShare: share("share of each epoch's rewards providers sell at once (the rest they hold)", {
			default: 0.7,
		}),
		holding: Type.Object(
			{
				providerMeanDays: nonNegative(
					"mean days a provider holds the rewards it did not sell at once: holding times are exponential, so each day it sells 1 − e^(−1/mean) of its balance through the market (0: never sold). Assumption (docs/assumptions.md)",
					{ default: 180 },
				),
				exitSaleMeanDays: nonNegative(
					"mean days over which a provider who leaves sells what it still held (exponential, from one pooled account of leavers; 0: all at once on exit). Assumption",
					{ default: 7 },
				),
				validatorsSellShare: share(
					"share of the validators' emission they ever sell (the rest is restaked or held past the run). Assumption",
					{ default: 0.5 },
				),
				validatorsMeanDays: nonNegative("mean days validators hold what they sell, before selling it. Assumption", {
					default: 90,
				}),
				ownersSellShare: share(
					"share of the owners' emission (the rest after providers and validators: subnet owners, foundation) they ever sell. Assumption",
					{ default: 0.5 },
				),
				ownersMeanDays: nonNegative("mean days owners hold what they sell, before selling it. Assumption", {
					default: 180,
				}),
			},
			{
				...strict,
				default: {},
				description:
					"how holders sell over time: providers' held rewards, leavers' balances, validators' and owners' emission",
			},
		),
		verification: Type.Object(
			{
				auditRate: share("share of work re-executed to check it", { default: 0 }),
				reexecutionMultiplier: positive(
					"compute of an audit over the original (naive 10–100×, replication ≥ 2×: C11)",
					{
						default: 2,
					},
				),
				dishonestShare: share("share of providers who fake work", { default: 0 }),
				detectionProbability: share("chance an audit of faked work catches it", { default: 0.9 }),
			},
			{ ...strict, default: {}, description: "proof of work done: spot-check audits" },
		),
	},
	{
		...strict,
		default: {},
		description: "the token: emission, burns, rewards, staking, vesting, market, verification",
	},
);
export type Tokenomics = Type.Static<typeof Tokenomics>;
