/**
 * The scenario schema: one TypeBox declaration gives the TypeScript type, the JSON schema
 * (served to the CLI, the HTTP API and the web page) and the defaults. Every field says its
 * meaning and unit; real-world defaults say their source. Units are in the names.
 */
import Type from "typebox";
import { PROFILE_PATH_PATTERN } from "../calibration/schema.js";
import { id, nonNegative, positive, share } from "./fields.js";
import { Tokenomics } from "./tokenomics-schema.js";

/** Hard limits checked before anything is allocated. */
export const LIMITS = {
	maxNodes: 1_000_000,
	maxHorizonDays: 3650,
	maxClasses: 64,
	maxOutages: 1000,
	maxMixEntries: 64,
	maxListLength: 10_000,
	maxRequestsPerSecond: 1_000_000,
} as const;

/** A random quantity: the law and its parameters. */
export const DistributionSpec = Type.Union(
	[
		Type.Object({ dist: Type.Literal("constant"), value: nonNegative("the value") }, { additionalProperties: false }),
		Type.Object({ dist: Type.Literal("exponential"), mean: positive("mean") }, { additionalProperties: false }),
		Type.Object(
			{
				dist: Type.Literal("lognormal"),
				median: positive("median"),
				p95: positive("95th percentile (must exceed the median)"),
			},
			{ additionalProperties: false },
		),
		Type.Object(
			{ dist: Type.Literal("gamma"), shape: positive("shape k"), scale: positive("scale θ") },
			{ additionalProperties: false },
		),
		Type.Object(
			{ dist: Type.Literal("weibull"), scale: positive("scale λ"), shape: positive("shape k") },
			{ additionalProperties: false },
		),
		Type.Object(
			{ dist: Type.Literal("pareto"), scale: positive("minimum"), alpha: positive("tail index") },
			{ additionalProperties: false },
		),
		Type.Object(
			{ dist: Type.Literal("uniform"), min: nonNegative("lower bound"), max: nonNegative("upper bound") },
			{ additionalProperties: false },
		),
	],
	{ description: "a random quantity: {dist: constant|exponential|lognormal|gamma|weibull|pareto|uniform, …}" },
);
export type DistributionSpec = Type.Static<typeof DistributionSpec>;

/**
 * A per-provider quantity drawn from a distribution, with the field's own description and
 * default. Each provider (starting node or prospect) draws its own value from a named stream.
 */
const drawn = (description: string, fallback: DistributionSpec) =>
	Type.Union(DistributionSpec.anyOf, { default: fallback, description });

/** Time-varying intensity of a demand class (multiplies its base rate). */
const Arrival = Type.Object(
	{
		diurnalAmplitude: share(
			"relative swing of the daily cycle: rate × (1 + a·sin(2π(t_local − 6 h)/24 h)), peak at noon local",
			{
				default: 0.3,
			},
		),
		growthPerYear: Type.Number({
			minimum: -0.99,
			maximum: 100,
			description: "compound growth of the base rate per year (0.5 = +50%/year)",
			default: 0,
		}),
		bursts: Type.Array(
			Type.Object(
				{
					startDay: nonNegative("day the burst starts (from the run's start)"),
					durationHours: positive("how long it lasts, hours"),
					multiplier: positive("rate multiplier during the burst"),
				},
				{ additionalProperties: false },
			),
			{ maxItems: 1000, default: [], description: "demand bursts" },
		),
	},
	{ additionalProperties: false, default: {}, description: "arrival process shape (Poisson with this intensity)" },
);

/** What a tenant does when choosing DePIN or cloud: a logit on price and reliability. */
const Choice = Type.Object(
	{
		priceWeight: nonNegative("logit weight on the relative price saving (cloud − depin)/cloud", { default: 4 }),
		reliabilityWeight: nonNegative(
			"logit weight on availability: the DePIN share of orders and requests served last epoch minus the cloud's",
			{
				default: 10,
			},
		),
		slaWeight: nonNegative(
			"logit weight on the SLA-miss share of requests the tenant saw last epoch, the cloud's minus DePIN's (real-time classes)",
			{ default: 10 },
		),
		bias: Type.Number({
			description:
				"logit intercept: preference for DePIN at equal price, availability and SLA (negative: switching costs; docs/assumptions.md)",
			default: -3,
		}),
	},
	{ additionalProperties: false, default: {}, description: "tenant's choice between DePIN and cloud" },
);

const Hardware = Type.Object(
	{
		minVramGb: nonNegative("minimum GPU memory, GB", { default: 0 }),
		requireNvlink: Type.Boolean({ description: "needs NVLink (multi-GPU training)", default: false }),
		requireFp8: Type.Boolean({ description: "needs FP8 tensor cores", default: false }),
		minLinkGbps: nonNegative(
			"slowest downlink a node may have to win the class's orders, Gbit/s (the tenant's filter, as GPU marketplaces let renters filter offers on download speed); 0: any",
			{ default: 0 },
		),
		tiers: Type.Array(Type.Union([Type.Literal("consumer"), Type.Literal("datacenter"), Type.Literal("edge")]), {
			default: ["consumer", "datacenter", "edge"],
			minItems: 1,
			description: "GPU tiers allowed",
		}),
	},
	{ additionalProperties: false, default: {}, description: "which GPUs can serve the class" },
);

/** Roofline cost of one request (models/latency.ts ComputeCost): a real-time request, or a job class's work profile. */
const Compute = Type.Object(
	{
		prefillGflop: nonNegative("compute per request done once (prompt / input), GFLOP", { default: 0 }),
		decodeSteps: Type.Integer({
			minimum: 1,
			maximum: 100_000,
			description: "sequential batch steps per request (output tokens; denoising steps)",
			default: 1,
		}),
		stepGflop: nonNegative("compute per request per step, GFLOP", { default: 0 }),
		weightsGb: nonNegative("weights read per batch step (memory-bound part), GB", { default: 0 }),
		overheadMs: nonNegative("fixed per-batch overhead (launch, framework), ms", { default: 2 }),
		kvCacheBytesPerToken: nonNegative(
			"KV-cache bytes per token of context: 2 (K and V) · layers · KV heads · head dim · bytes per value; Llama 3 8B: 2 · 32 · 8 · 128 · 2 = 131072 (128 KiB; its config.json, GQA with 8 KV heads); 0: none. Read by each decode step and limits the running batch of continuous batching",
			{ default: 0 },
		),
		promptTokens: Type.Integer({
			minimum: 0,
			maximum: 10_000_000,
			description: "prompt tokens whose KV cache a request holds from its prefill (with its decodeSteps output tokens)",
			default: 0,
		}),
		mfuByTier: Type.Optional(
			Type.Object(
				{
					consumer: Type.Optional(
						Type.Number({ exclusiveMinimum: 0, maximum: 1, description: "mfu on consumer GPUs" }),
					),
					datacenter: Type.Optional(
						Type.Number({ exclusiveMinimum: 0, maximum: 1, description: "mfu on data-centre GPUs" }),
					),
					edge: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: "mfu on edge GPUs" })),
				},
				{
					additionalProperties: false,
					description:
						"this workload's own share of peak FP16 tensor FLOP/s on GPUs of a tier, where the calibration profile's tier default (measured on LLM GEMMs) does not hold for it; a GPU class measured or mapped by calibration keeps its own. Absent: the profile's. Base's image class sets datacenter 0.27 (SD 1.5 UNet on the A100, diffusers' published it/s; docs/calibration.md)",
				},
			),
		),
		mfuByGpu: Type.Optional(
			Type.Record(
				Type.String({ minLength: 1, maxLength: 64 }),
				Type.Number({ exclusiveMinimum: 0, maximum: 1, description: "mfu on this GPU class" }),
				{
					description:
						"this workload's own share of peak FP16 tensor FLOP/s on one GPU class (a gpus.csv id), where a published rate for it differs from its tier's (mfuByTier or the profile's); a GPU class measured or mapped by calibration keeps its own. Base's image class sets t4 and l4 0.165 (the T4's published SD 1.5 it/s; the L4 assumed alike: docs/calibration.md)",
				},
			),
		),
	},
	{ additionalProperties: false, default: {}, description: "roofline cost of a request (see models/latency.ts)" },
);

/** Real-time inference: requests with a latency SLA served by leased replicas with dynamic batching. */
export const RealtimeClass = Type.Object(
	{
		id: id("class id"),
		kind: Type.Literal("realtime"),
		requestsPerSecond: positive("base request rate, worldwide, requests/s", {
			maximum: LIMITS.maxRequestsPerSecond,
		}),
		arrival: Arrival,
		slaP95Ms: positive("latency SLA: a request slower than this misses it, ms (the SLA is met when p95 ≤ it)", {
			default: 100,
		}),
		compute: Compute,
		tokensPerRequest: nonNegative("generated tokens per request (for cost per 1k tokens)", { default: 0 }),
		timeoutMs: Type.Optional(
			positive("a request slower than this fails (timeout), ms; default 5 × slaP95Ms (assumption)"),
		),
		imagesPerRequest: nonNegative("generated images per request (for cost per image; image-generation classes)", {
			default: 0,
		}),
		hardware: Hardware,
		batching: Type.Object(
			{
				maxBatch: Type.Integer({ minimum: 1, maximum: 4096, description: "largest batch", default: 8 }),
				maxWaitMs: nonNegative("longest a request waits for its batch to fill (static batching), ms", { default: 5 }),
				mode: Type.Union([Type.Literal("auto"), Type.Literal("static"), Type.Literal("continuous")], {
					description:
						"static: a batch is prefilled, then decoded to its end, before the replica takes the next; continuous: iteration-level scheduling (Orca, vLLM): requests join the running batch at a prefill iteration and leave after their last decode step (models/requests.ts); auto: continuous when decodeSteps > 1, else static",
					default: "auto",
				}),
			},
			{ additionalProperties: false, default: {}, description: "batching at each replica" },
		),
		payloadKbIn: nonNegative("request payload, KB", { default: 4 }),
		payloadKbOut: nonNegative("response payload, KB", { default: 4 }),
		replicas: Type.Object(
			{
				targetUtilisation: Type.Number({
					exclusiveMinimum: 0,
					maximum: 0.95,
					description: "autoscaler's target busy share of a replica at the epoch's peak rate",
					default: 0.6,
				}),
				leaseHours: positive("length of a replica lease, hours (renewed while needed)", { default: 24 }),
				minReplicas: Type.Integer({ minimum: 1, maximum: 100_000, description: "replicas kept at least", default: 2 }),
			},
			{ additionalProperties: false, default: {}, description: "how the orchestrator sizes replicas" },
		),
		choice: Choice,
	},
	{ additionalProperties: false },
);
export type RealtimeClass = Type.Static<typeof RealtimeClass>;

/** Jobs: batch inference, fine-tuning / training, rendering — each an order for GPU time. */
export const JobClass = Type.Object(
	{
		id: id("class id"),
		kind: Type.Union([Type.Literal("batch"), Type.Literal("training"), Type.Literal("render")]),
		ordersPerHour: positive("base order rate, worldwide, orders/hour", { maximum: 1e7 }),
		arrival: Arrival,
		workH100Hours: DistributionSpec,
		workProfile: Type.Optional(
			Type.Object(
				{
					compute: Compute,
					batch: Type.Integer({
						minimum: 1,
						maximum: 65_536,
						description:
							"most requests a GPU runs at once (static batches of the compute block): each card runs as many as its memory holds (weights and KV cache in 90% of it) up to this; vLLM's default max_num_seqs is 256",
						default: 256,
					}),
				},
				{
					additionalProperties: false,
					description:
						"what the job's work is, per request, for converting it between GPU classes: a job takes (batch time of this profile on the GPU ÷ on an H100) GPU-hours per H100-hour of work, the latency model's roofline with each class's own mfu and mbu, so memory-bound work (LLM decode) credits a card's bandwidth. Absent: work converts by achieved FP16 tensor rate (compute-bound); render jobs by FP32 peak",
				},
			),
		),
		gpusPerJob: Type.Integer({ minimum: 1, maximum: 1024, description: "GPUs a job needs at once", default: 1 }),
		hardware: Hardware,
		payloadGbIn: nonNegative("data moved to the node before the job, GB (data locality)", { default: 1 }),
		payloadGbOut: nonNegative("results moved back, GB", { default: 0.1 }),
		modelGbIn: nonNegative(
			"model weights each node pulls before the job from a public model hub (Hugging Face's, say), GB: they add to the transfer time on both sides, each at its own link; no one pays for them (hub downloads are free, and so is ingress). An 8B model in fp16 is 16 GB",
			{ default: 0 },
		),
		maxQueueMinutes: nonNegative("how long an unserved order waits for capacity before falling back to cloud, min", {
			default: 10,
		}),
		choice: Choice,
	},
	{ additionalProperties: false },
);
export type JobClass = Type.Static<typeof JobClass>;

export const WorkloadClass = Type.Union([RealtimeClass, JobClass], {
	description: "a workload class: kind realtime, batch, training or render",
});
export type WorkloadClass = Type.Static<typeof WorkloadClass>;

const Outage = Type.Object(
	{
		scope: Type.Union(
			[Type.Literal("metro"), Type.Literal("region"), Type.Literal("jurisdiction"), Type.Literal("cloud-region")],
			{ description: "what goes dark: a metro id, a continent code, a jurisdiction, or a cloud region id" },
		),
		target: Type.String({
			minLength: 1,
			maxLength: 64,
			description: "id of the metro / region / jurisdiction / cloud region",
		}),
		startDay: nonNegative("start, days from the run's start"),
		durationHours: positive("length, hours (us-east-1, 19–20 Oct 2025: ~14.5 h — docs/claims.md)"),
	},
	{ additionalProperties: false },
);

/** Outages of a node's site (its power or its internet link), a Poisson process per node with durations. */
const siteOutages = (what: string, defaults: { perYear: number; hours: Type.Static<typeof DistributionSpec> }) =>
	Type.Object(
		{
			perYear: nonNegative(`${what}: outages per node per year`, { default: defaults.perYear }),
			hours: Type.Union(DistributionSpec.anyOf, { default: defaults.hours, description: `${what}: duration, hours` }),
		},
		{ additionalProperties: false, default: {}, description: what },
	);

/**
 * Where nodes are hosted and what that does to their availability and links (docs/assumptions.md
 * cites each default): residential sites lose power (EIA-861: 1.4 interruptions and ~4.7–7.8 h a
 * year with major events) and their broadband link (assumption); data-centre sites are Tier III.
 */
const Availability = Type.Object(
	{
		datacenterShareByTier: Type.Object(
			{
				consumer: share("share of consumer-tier GPUs hosted in data centres (assumption)", { default: 0.1 }),
				datacenter: share("share of datacenter-tier GPUs hosted in data centres (assumption)", { default: 1 }),
				edge: share("share of edge-tier GPUs hosted in data centres (assumption)", { default: 0 }),
			},
			{ additionalProperties: false, default: {}, description: "a node's hosting, drawn by its GPU tier" },
		),
		residentialPower: siteOutages("residential power outages (EIA-861, US, with major events)", {
			perYear: 1.4,
			hours: { dist: "lognormal", median: 1.5, p95: 12 },
		}),
		residentialNetwork: siteOutages("residential broadband outages (assumption)", {
			perYear: 12,
			hours: { dist: "lognormal", median: 0.5, p95: 4 },
		}),
		datacenterPower: siteOutages("data-centre power outages (Uptime Tier III: 99.982%, 1.6 h/yr)", {
			perYear: 1,
			hours: { dist: "constant", value: 1.6 },
		}),
		datacenterNetwork: siteOutages("data-centre network outages (assumption: none beyond Tier III)", {
			perYear: 0,
			hours: { dist: "constant", value: 1 },
		}),
		residentialLinkGbps: Type.Union(DistributionSpec.anyOf, {
			default: { dist: "lognormal", median: 0.1075, p95: 1 },
			description:
				"residential downlink (a job's input flows down to the node), Gbit/s (Speedtest Global Index: fixed broadband median download 107.5 Mbps worldwide, July 2021; p95 a gigabit line)",
		}),
		datacenterLinkGbps: Type.Union(DistributionSpec.anyOf, {
			default: { dist: "lognormal", median: 10, p95: 25 },
			description: "data-centre server port, Gbit/s (assumption: 10–25 GbE NICs)",
		}),
	},
	{
		additionalProperties: false,
		default: {},
		description: "hosting, site outages and links of nodes (availability as a process, data movement)",
	},
);

export const Scenario = Type.Object(
	{
		name: id("scenario name (names the results folder)"),
		description: Type.String({ maxLength: 10_000, default: "", description: "what the scenario is for" }),
		seed: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 1, description: "master random seed" }),
		horizonDays: positive("simulated time, days", { maximum: LIMITS.maxHorizonDays, default: 365 }),
		epochHours: Type.Number({
			minimum: 0.25,
			maximum: 168,
			default: 1,
			description: "length of an epoch (provider decisions, accounting, one timeseries row), hours",
		}),
		reference: Type.Object(
			{
				gpus: Type.String({ default: "data/gpus.csv", description: "GPU catalogue CSV (relative to scenarios/)" }),
				metros: Type.String({ default: "data/metros.csv", description: "metro table CSV (relative to scenarios/)" }),
				cloudRegions: Type.String({
					default: "data/cloud-regions.csv",
					description: "hyperscaler regions CSV (relative to scenarios/)",
				}),
			},
			{ additionalProperties: false, default: {}, description: "reference tables" },
		),
		geography: Type.Object(
			{
				fibreKmPerMs: positive("signal speed in fibre, km per ms one way (~200: docs/claims.md)", { default: 200 }),
				coreFloorMs: nonNegative(
					"per-path floor of a data-centre round trip, ms (fitted to measured pings: docs/geo.md)",
					{ maximum: 100, default: 4.624 },
				),
				routeInflationNear: Type.Number({
					minimum: 1,
					maximum: 5,
					default: 1.8273,
					description:
						"route length over great circle for short paths, the limit as distance → 0 (fitted: docs/geo.md)",
				}),
				routeInflationFar: Type.Number({
					minimum: 1,
					maximum: 5,
					default: 1,
					description: "route length over great circle for long paths, the limit as distance → ∞ (fitted: docs/geo.md)",
				}),
				routeInflationScaleKm: positive(
					"distance at which route inflation is halfway between near and far, km (fitted: docs/geo.md)",
					{ maximum: 1_000_000, default: 42_150.6 },
				),
				metros: Type.Array(id("metro id"), {
					default: [],
					maxItems: LIMITS.maxListLength,
					description: "metros in play (empty: every metro of the table)",
				}),
				excludeJurisdictions: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), {
					default: [],
					maxItems: 100,
					description: "jurisdictions where no node may serve (regulation, C13)",
				}),
				zeroNetworkLatency: Type.Boolean({
					default: false,
					description: "ignore RTT and last-mile (a test setting for queueing oracles)",
				}),
			},
			{ additionalProperties: false, default: {}, description: "where users and nodes are, and how far apart" },
		),
		nodes: Type.Object(
			{
				initialCount: Type.Integer({
					minimum: 0,
					maximum: LIMITS.maxNodes,
					default: 10_000,
					description: "nodes at the start when generated",
				}),
				fromSnapshot: Type.Optional(
					Type.String({
						minLength: 1,
						maxLength: 4096,
						description: "CSV of a real network's nodes (columns gpu, metro[, count]) replacing the generated start",
					}),
				),
				mix: Type.Array(
					Type.Object(
						{ gpu: id("GPU id from the catalogue"), share: positive("relative weight") },
						{ additionalProperties: false },
					),
					{
						minItems: 1,
						maxItems: LIMITS.maxMixEntries,
						default: [
							{ gpu: "rtx4090", share: 0.4 },
							{ gpu: "rtx3090", share: 0.2 },
							{ gpu: "a100-80gb", share: 0.15 },
							{ gpu: "h100-sxm", share: 0.1 },
							{ gpu: "l40s", share: 0.15 },
						],
						description: "hardware mix of generated and joining nodes",
					},
				),
				metroWeighting: Type.Union([Type.Literal("population"), Type.Literal("uniform")], {
					default: "population",
					description: "how generated nodes spread over metros",
				}),
			},
			{ additionalProperties: false, default: {}, description: "the node population at the start" },
		),
		providers: Type.Object(
			{
				askMarkup: Type.Number({
					minimum: -0.9,
					maximum: 10,
					default: 0.3,
					description: "ask price over the node's full hourly cost (power + upkeep + amortised capex)",
				}),
				askSpread: nonNegative("sd of the log of a provider's individual markup factor", { default: 0.15 }),
				askUtilisation: Type.Number({
					exclusiveMinimum: 0,
					maximum: 1,
					default: 0.7,
					description:
						"utilisation a cost-plus provider prices at: its ask is its full cost per busy hour at this utilisation (running cost and remaining capex ÷ utilisation) × (1 + markup)",
				}),
				askPolicy: Type.Object(
					{
						marketShare: share(
							"share of providers (starting and joining) with the `market` ask policy; the rest are `cost-plus`",
							{ default: 0.5 },
						),
						undercut: drawn(
							"market policy: how far under the going rate of its GPU class (mean ask listed last epoch) a provider short of work asks (over it when busy), share; drawn per provider",
							{ dist: "uniform", min: 0, max: 0.1 },
						),
						raiseAboveUtilisation: share(
							"market policy: a provider busy at least this share of the last epoch asks over the going rate, else under it",
							{ default: 0.9 },
						),
						clearingHalfLifeEpochs: positive(
							"half-life of the recent clearing price and utilisation per GPU class (what a prospect weighs), epochs",
							{ default: 24 },
						),
					},
					{
						additionalProperties: false,
						default: {},
						description:
							"market policy: ask = max(running cost at full load, going rate of the class × (1 ∓ undercut)), updated each epoch",
					},
				),
				powerPriceFactor: drawn(
					"a provider's electricity price over its metro's (tariff, colocation or home), factor; drawn per provider",
					{ dist: "lognormal", median: 1, p95: 1.6 },
				),
				capex: Type.Object(
					{
						priceFactor: drawn(
							"price a provider paid for its GPU over the catalogue capex, factor; drawn per provider",
							{
								dist: "lognormal",
								median: 1,
								p95: 1.3,
							},
						),
						ageDays: drawn(
							"starting fleet: days since the provider bought its GPU; when the GPU reaches its service life the provider buys again only if a newcomer's return beats its hurdle, else it leaves (prospects buy when they decide); drawn per provider",
							{ dist: "uniform", min: 0, max: 1825 },
						),
						serviceLifeYears: positive(
							"years a GPU serves before it must be replaced (longer than the amortisation period: hardware outlives its books)",
							{ default: 5 },
						),
					},
					{
						additionalProperties: false,
						default: {},
						description: "when and at what price providers bought their GPUs (prospects: now, at today's price)",
					},
				),
				upkeepUsdPerHour: nonNegative(
					"fixed upkeep per GPU of a home host (space, internet, maintenance), USD/h; a data-centre node pays colocation instead (providers.site)",
					{ default: 0.03 },
				),
				site: Type.Object(
					{
						residentialTariffFactor: positive(
							"household electricity tariff over the metro's industrial price a home host pays, factor",
							{ default: 1.5 },
						),
						hostPowerShare: Type.Object(
							{
								residential: nonNegative(
									"host power of a home rig (CPU, board, PSU losses), share of GPU board power",
									{
										default: 0.25,
									},
								),
								datacenter: nonNegative(
									"host power of a GPU server (CPUs, NICs, fans, PSU losses), share of GPU board power",
									{
										default: 0.8,
									},
								),
							},
							{
								additionalProperties: false,
								default: {},
								description: "host power by hosting, share of GPU board power",
							},
						),
						datacenterPue: positive("power usage effectiveness of a data centre (facility over IT power)", {
							default: 1.56,
						}),
						colocationUsdPerKwMonth: nonNegative(
							"colocation fee of a data-centre node per kW of IT load (GPU + host at full power), power metered apart, USD per kW-month",
							{ default: 184 },
						),
						datacenterAskUtilisation: Type.Number({
							exclusiveMinimum: 0,
							maximum: 1,
							default: 0.8,
							description:
								"utilisation a cost-plus data-centre provider prices at (a home host prices at providers.askUtilisation)",
						}),
					},
					{
						additionalProperties: false,
						default: {},
						description:
							"running costs by hosting: household tariff and upkeep at home; colocation, PUE and host power in a data centre",
					},
				),
				bandwidthUsdPerGb: nonNegative(
					"provider's transit cost on the job results it sends back (payloadGbOut), USD/GB; what it receives (input, model weights) is free, as ingress is at a data centre and on a flat-rate home line",
					{ default: 0.01 },
				),
				idlePowerShare: share("power drawn when idle, as a share of TDP", { default: 0.25 }),
				capexLifetimeYears: Type.Optional(
					positive("amortisation period of the hardware, years (absent: providers.capex.serviceLifeYears)"),
				),
				exit: Type.Object(
					{
						ewmaHalfLifeEpochs: positive("half-life of the smoothed operating margin, epochs", { default: 168 }),
						startAtPlannedMargin: Type.Boolean({
							default: true,
							description:
								"burn-in: a provider's smoothed margin starts at the margin it planned (its ask net of the take rate at the utilisation it priced at, less its running cost), not at 0",
						}),
						marginThresholdUsdPerHour: Type.Number({
							default: 0,
							description: "exit when the smoothed operating margin stays below this, USD/GPU-hour",
						}),
						holdingCostSharePerYear: nonNegative(
							"what keeping the GPU rather than selling it costs a year, as a share of its purchase price (its resale value × the return that money would earn elsewhere), added to each provider's exit threshold; 0: capex wholly sunk",
							{ default: 0, maximum: 1 },
						),
						lossToleranceUsdPerHour: drawn(
							"how far below the threshold a provider's smoothed margin may sit before it counts towards exit, USD/GPU-hour; drawn per provider",
							{ dist: "exponential", mean: 0.02 },
						),
						consecutiveEpochs: Type.Union(
							[
								Type.Integer({ minimum: 1, maximum: 65_535, description: "the same patience for every provider" }),
								...DistributionSpec.anyOf,
							],
							{
								default: { dist: "lognormal", median: 336, p95: 1344 },
								description:
									"patience: epochs below the threshold before a provider leaves (hysteresis), a number or drawn per provider (1 … 65,535)",
							},
						),
					},
					{ additionalProperties: false, default: {}, description: "when providers leave" },
				),
				entry: Type.Object(
					{
						prospectivePool: Type.Optional(
							Type.Integer({
								minimum: 0,
								maximum: LIMITS.maxNodes,
								description: "most prospects that ever arrive (absent: no cap; 0: no entry)",
							}),
						),
						arrivalsPerDayPerStartNode: nonNegative(
							"prospects arriving per day per node of the starting fleet; each weighs joining once, on arrival (its own hurdle, power price and capex)",
							{ default: 0.0043 },
						),
						hurdleAnnualReturn: Type.Union(
							[
								Type.Number({ minimum: -1, maximum: 10, description: "the same hurdle for every prospect" }),
								...DistributionSpec.anyOf,
							],
							{
								default: { dist: "lognormal", median: 0.15, p95: 0.4 },
								description:
									"annual return on capex, net of depreciation, a prospect needs before joining: a number or drawn per prospect",
							},
						),
						leadTimeDays: nonNegative("from decision to serving (buying, shipping, setup), days", { default: 14 }),
					},
					{ additionalProperties: false, default: {}, description: "when prospects join" },
				),
				failures: Type.Object(
					{
						mtbfHours: positive("mean time between hardware failures of a node, hours", { default: 8760 }),
						weibullShape: positive("shape of time to failure (1: memoryless)", { default: 1 }),
						mtbfHoursByTier: Type.Object(
							{
								consumer: Type.Optional(positive("consumer-tier nodes, hours")),
								datacenter: Type.Optional(positive("datacenter-tier nodes, hours")),
								edge: Type.Optional(positive("edge-tier nodes, hours")),
							},
							{
								additionalProperties: false,
								default: {},
								description: "mean time between hardware failures by GPU tier, hours (absent: mtbfHours)",
							},
						),
						repairHours: Type.Union(DistributionSpec.anyOf, {
							default: { dist: "lognormal", median: 24, p95: 120 },
							description: "time to repair a failed node, hours",
						}),
					},
					{ additionalProperties: false, default: {}, description: "random hardware failures and repair" },
				),
				availability: Availability,
				outages: Type.Array(Outage, {
					default: [],
					maxItems: LIMITS.maxOutages,
					description: "correlated outages",
				}),
			},
			{ additionalProperties: false, default: {}, description: "provider economics and behaviour" },
		),
		demand: Type.Object(
			{
				classes: Type.Array(WorkloadClass, {
					minItems: 1,
					maxItems: LIMITS.maxClasses,
					description: "workload classes",
				}),
			},
			{ additionalProperties: false, description: "who asks for GPU time" },
		),
		market: Type.Object(
			{
				mechanism: Type.Union([Type.Literal("auction"), Type.Literal("posted"), Type.Literal("routing")], {
					default: "auction",
					description:
						"auction: reverse auction (Akash); posted: price tiers (Render); routing: nearest node at a posted price (io.net)",
				}),
				maxCandidates: Type.Integer({
					minimum: 1,
					maximum: 256,
					default: 8,
					description: "bidders / candidates an order draws from the idle index (nearest first)",
				}),
				bidWindowSeconds: nonNegative("auction: time from order to award, s (Akash ~30 s: docs/claims.md)", {
					default: 30,
				}),
				reservePriceShareOfCloud: positive("auction: reserve price as a share of the cloud list price", { default: 1 }),
				takeRate: share(
					"protocol fee on the lease value in a fiat market (Akash 4% AKT / 20% USDC; Render 5%: docs/claims.md); under burn-and-mint the fee is tokenomics.burnAndMint.feeShare instead",
					{
						default: 0.04,
					},
				),
				postedPriceShareOfOnDemand: positive(
					"posted / routing: price per GPU-hour of a GPU class as a share of its on-demand rental price (gpus.csv)",
					{ default: 0.8 },
				),
				postedPriceBasis: Type.Union([Type.Literal("gpu-hour"), Type.Literal("work")], {
					default: "gpu-hour",
					description:
						"posted / routing: gpu-hour prices each GPU class at its own on-demand rental price × the share; work posts one price per unit of work for every class (the median over the GPU classes of the node mix of their on-demand price per unit of work × the share; render work counted by FP32 peak when every job class renders; with render and tensor classes mixed, prices per GPU-hour follow tensor rates), as Render prices per OctaneBench-hour",
				}),
				deployMinutes: nonNegative("from award to serving (image pull, start), minutes", { default: 2 }),
				jobDataSource: Type.Union([Type.Literal("cloud-bucket"), Type.Literal("local")], {
					default: "cloud-bucket",
					description:
						"where a DePIN job's input data sits: cloud-bucket (in the cloud region nearest the order's origin; the tenant pays that region's internet egress to move it to the node; DePIN providers charge no egress) or local (no transfer cost)",
				}),
			},
			{ additionalProperties: false, default: {}, description: "how orders meet nodes" },
		),
		requests: Type.Object(
			{
				fidelity: Type.Union([Type.Literal("auto"), Type.Literal("full"), Type.Literal("sampled")], {
					default: "auto",
					description:
						"request-level simulation: full (every request), sampled (a window per epoch), auto (full up to fullUpToDays)",
				}),
				fullUpToDays: positive("auto: horizons up to this are simulated in full", { default: 2 }),
				sampleWindowSeconds: positive("sampled: seconds of requests simulated per sampled epoch", { default: 5 }),
				sampleEveryEpochs: Type.Integer({
					minimum: 1,
					maximum: 10_000,
					default: 1,
					description: "sampled: simulate a window every this many epochs",
				}),
			},
			{ additionalProperties: false, default: {}, description: "request-level fidelity (docs/design.md §2)" },
		),
		failover: Type.Union([Type.Literal("nearest-region"), Type.Literal("none")], {
			default: "nearest-region",
			description:
				"what happens to a job or request whose site fails, the same rule on both sides: nearest-region (the cloud moves it to the nearest region that is up; DePIN requeues the job and reroutes the request to the nearest live replica) or none (it fails and is counted as not served)",
		}),
		cloud: Type.Object(
			{
				regions: Type.Array(id("cloud region id"), {
					default: [],
					maxItems: 1000,
					description: "regions of the centralized baseline (empty: all in the table)",
				}),
				realtimeGpu: id(
					"GPU the cloud serves real-time inference on: cheapest (per class, the cloud GPU that holds the model, serves requests within the SLA (its capacity counts only batches whose latency fits it), and costs least per hour for the class's mean demand, replicas placed and sized as the request windows place them: the lowest hourly price where minReplicas binds, the lowest price per request/s of capacity where demand fills replicas), or h100-sxm, a100-80gb, l40s, l4 or t4",
					{ default: "cheapest" },
				),
				provisioningMinutes: nonNegative("from order to serving for a cloud job, minutes", { default: 5 }),
				jobPlacement: Type.Union([Type.Literal("cheapest"), Type.Literal("nearest")], {
					default: "cheapest",
					description:
						"where the cloud runs a job (batch, training, render: not latency-bound): cheapest (the region with the lowest cost for a job of mean size, counting the inter-region transfer of its input from the region nearest its origin) or nearest (the region nearest its origin)",
				}),
				pricing: Type.Union(
					[Type.Literal("on-demand"), Type.Literal("commit-1y"), Type.Literal("spot"), Type.Literal("market")],
					{
						default: "on-demand",
						description:
							"how the cloud pays for GPUs: on-demand list price, a 1-year commitment (on-demand × (1 − the provider's discount)) or spot, per region and GPU class from cloud-regions.csv (source and date in each row); or market: each GPU class at its on-demand rental figure on GPU clouds and marketplaces (RunPod's for the H100 and A100, the median over providers for the L40S, L4 and T4; gpus.csv, dated, sources per row), capped at the region's own list, in the same regions, wherever the region's provider lists the class. Under market the regions' egress, inter-region prices and availability stay the hyperscalers' (an assumption: a neocloud's reach and SLA are not modelled)",
					},
				),
				outages: Type.Object(
					{
						enabled: Type.Boolean({
							default: true,
							description:
								"draw region outages from an up/down process (exponential up and down times, stream cloud/outages/<region>); scripted cloud-region outages apply either way",
						}),
						mttrHours: positive(
							"mean time to repair of a region outage, hours (assumption, docs/assumptions.md); MTBF = MTTR · A / (1 − A) with A the region's availability",
							{ default: 4 },
						),
						availability: Type.Optional(
							share(
								"long-run availability of every region (default: each region's list SLA level in cloud-regions.csv, 99.99% for multi-zone compute)",
							),
						),
					},
					{ additionalProperties: false, default: {}, description: "cloud region outages as a process" },
				),
				capacity: Type.Array(
					Type.Object(
						{
							region: id("cloud region id"),
							gpu: id("GPU class id (h100-sxm, a100-80gb, l40s, l4 or t4)"),
							gpus: nonNegative("GPUs of that class the region can rent to this tenant at once"),
						},
						{ additionalProperties: false },
					),
					{
						default: [],
						maxItems: 1000,
						description:
							"GPUs per region and class the cloud can rent at once (default: none listed, unlimited); orders beyond it go to the next nearest region with room, or are refused",
					},
				),
			},
			{ additionalProperties: false, default: {}, description: "the centralized baseline" },
		),
		calibrationProfile: Type.Union(
			[
				id("a profile id: the file scenarios/calibration/<id>.json"),
				Type.String({
					minLength: 1,
					maxLength: 4096,
					pattern: PROFILE_PATH_PATTERN,
					description: "a profile file (with a slash or ending in .json): absolute, or relative to the scenario file",
				}),
			],
			{
				default: "default",
				description:
					"compute-efficiency profile of the latency model: an id, the file scenarios/calibration/<id>.json (default: literature defaults), or the path of a profile file written by depin-twin calibrate --out (with a slash or ending in .json; absolute, or relative to the scenario file)",
			},
		),
		calibration: Type.Optional(
			Type.Object(
				{
					apply: Type.Record(
						Type.String({ pattern: "^[a-z0-9][a-z0-9._-]{0,63}$" }),
						Type.Union([
							id("a measured profile id: the file scenarios/calibration/<id>.json"),
							Type.String({
								minLength: 1,
								maxLength: 4096,
								pattern: PROFILE_PATH_PATTERN,
								description: "a measured profile file (with a slash or ending in .json), relative to the scenario file",
							}),
						]),
						{
							description:
								"GPU class id (gpus.csv) → measured profile whose measuredEfficiency times that class, e.g. {rtx4090: measured-rtx3090}; each mapping is recorded in summary.json's manifest (calibrationClasses). Default: none, every class keeps calibrationProfile's figures (source: docs/calibration.md)",
						},
					),
				},
				{
					additionalProperties: false,
					description:
						"explicit transfer of measured efficiencies to GPU classes other than the one measured {apply} (optional; absent: none)",
				},
			),
		),
		tokenomics: Tokenomics,
	},
	{ additionalProperties: false, description: "a depin-twin scenario" },
);
export type Scenario = Type.Static<typeof Scenario>;
