import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCatalog, referencePaths } from "../../models/catalog.js";
import { buildGeography, type CoreRttParams, coreRttMs, greatCircleKm, routeInflation } from "../../models/geo.js";
import {
	errorSummary,
	fitCoreRtt,
	GOAL_MEDIAN_RELATIVE_ERROR,
	GOAL_P90_RELATIVE_ERROR,
	goalObjective,
	harrellDavisQuantile,
	heldOutErrors,
	type PingPair,
	pairsWithin,
	parsePings,
} from "../../models/geo-fit.js";
import { parseScenario } from "../../models/scenario/load.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const catalog = loadCatalog(referencePaths(resolve(root, "scenarios")));
/** Round numbers for hand computation (not the scenario defaults): inflation 2 → 1.5, halfway at 1,000 km. */
const DEFAULTS: CoreRttParams = {
	fibreKmPerMs: 200,
	coreFloorMs: 4,
	routeInflationNear: 2,
	routeInflationFar: 1.5,
	routeInflationScaleKm: 1000,
};
const geo = buildGeography(catalog.metros, catalog.cloudRegions, DEFAULTS);
const n = geo.metroCount;
const r = geo.regionCount;

function metro(id: string): number {
	const i = catalog.metroIndexById.get(id);
	if (i === undefined) throw new Error(`no metro ${id}`);
	return i;
}

describe("great-circle distance", () => {
	it("New York – London ≈ 5,570 km (±1%)", () => {
		const ny = catalog.metros[metro("new-york")];
		const london = catalog.metros[metro("london")];
		if (ny === undefined || london === undefined) throw new Error("metros missing");
		const km = greatCircleKm(ny.lat, ny.lon, london.lat, london.lon);
		expect(Math.abs(km / 5570 - 1)).toBeLessThan(0.01);
	});

	it("is zero to itself, symmetric, and a quarter meridian is πR/2", () => {
		expect(greatCircleKm(10, 20, 10, 20)).toBe(0);
		expect(greatCircleKm(1, 2, 3, 4)).toBeCloseTo(greatCircleKm(3, 4, 1, 2), 9);
		expect(greatCircleKm(0, 0, 90, 0)).toBeCloseTo((Math.PI / 2) * 6371.0088, 6);
		expect(greatCircleKm(0, 0, 0, 180)).toBeCloseTo(Math.PI * 6371.0088, 6);
	});

	it("core RTT = floor + 2 · km · inflation(km) / speed, inflation from near to far", () => {
		// 1,000 km: inflation 1.5 + 0.5 · 1000/2000 = 1.75; RTT 4 + 2 · 1000 · 1.75 / 200 = 21.5 ms.
		expect(routeInflation(1000, DEFAULTS)).toBe(1.75);
		expect(coreRttMs(1000, DEFAULTS)).toBe(21.5);
		expect(coreRttMs(0, DEFAULTS)).toBe(4);
		expect(routeInflation(0, DEFAULTS)).toBe(2);
		expect(routeInflation(1e12, DEFAULTS)).toBeCloseTo(1.5, 6);
	});
});

describe("buildGeography", () => {
	it("NA–EU user RTT to a residential node: core + both access legs, hand-computed", () => {
		const i = metro("new-york");
		const j = metro("london");
		const km = geo.metroDistanceKm[i * n + j] as number;
		const inflation = 1.5 + (0.5 * 1000) / (km + 1000);
		const core = 4 + (2 * km * inflation) / 200;
		expect(geo.metroCoreRttMs[i * n + j]).toBeCloseTo(core, 9);
		// Both metros have a 5 ms one-way last mile: 10 ms at the user, 10 ms at a residential node.
		expect(geo.metroRttMs[i * n + j]).toBeCloseTo(core + 20, 9);
		expect(geo.depinSiteRttMs[i * 2 * n + j]).toBeCloseTo(core + 20, 9);
		expect(geo.depinSiteRttMs[i * 2 * n + n + j]).toBeCloseTo(core + 10, 9);
	});

	it("same metro: the floor plus the access legs — residential node 4·lastMile, data-centre node 2·lastMile", () => {
		for (let i = 0; i < n; i++) {
			const lastMile = catalog.metros[i]?.lastMileMs as number;
			expect(geo.metroCoreRttMs[i * n + i]).toBe(4);
			expect(geo.metroRttMs[i * n + i]).toBe(4 + 4 * lastMile);
			expect(geo.depinSiteRttMs[i * 2 * n + i]).toBe(4 + 4 * lastMile);
			expect(geo.depinSiteRttMs[i * 2 * n + n + i]).toBe(4 + 2 * lastMile);
		}
	});

	it("is symmetric between metros", () => {
		for (let i = 0; i < n; i++) {
			for (let j = 0; j < n; j++) expect(geo.metroRttMs[i * n + j]).toBe(geo.metroRttMs[j * n + i]);
		}
	});

	it("cloud RTT counts only the user's last mile on top of the core", () => {
		const i = metro("ashburn");
		const k = catalog.cloudRegionIndexById.get("aws-us-east-1") as number;
		// The region sits in the metro (distance 0): floor 4 ms + the user's 2 · 5 ms.
		expect(geo.metroRegionCoreRttMs[i * r + k]).toBe(4);
		expect(geo.metroToRegionRttMs[i * r + k]).toBeCloseTo(4 + 2 * 5, 9);
		expect(geo.nearestRegion[metro("london")]).toBe(
			Math.min(
				catalog.cloudRegionIndexById.get("aws-eu-west-2") as number,
				catalog.cloudRegionIndexById.get("azure-uksouth") as number,
			),
		);
	});

	it("orders metros and regions by RTT, ties by index, own metro first", () => {
		for (let i = 0; i < n; i++) {
			const order = geo.metrosByDistance[i] as Int32Array;
			expect(order.length).toBe(n);
			expect(order[0]).toBe(i);
			expect(new Set(order).size).toBe(n);
			for (let k = 2; k < n; k++) {
				const a = geo.metroRttMs[i * n + (order[k - 1] as number)] as number;
				const b = geo.metroRttMs[i * n + (order[k] as number)] as number;
				expect(a < b || (a === b && (order[k - 1] as number) < (order[k] as number))).toBe(true);
			}
			const regions = geo.regionsByDistance[i] as Int32Array;
			expect(regions.length).toBe(r);
			expect(regions[0]).toBe(geo.nearestRegion[i]);
			for (let k = 1; k < r; k++) {
				const a = geo.metroToRegionRttMs[i * r + (regions[k - 1] as number)] as number;
				const b = geo.metroToRegionRttMs[i * r + (regions[k] as number)] as number;
				expect(a < b || (a === b && (regions[k - 1] as number) < (regions[k] as number))).toBe(true);
			}
		}
	});

	it("keeps the own metro first even where a better-connected neighbour is nearer by RTT", () => {
		// Baghdad's 20 ms last mile makes a Tel Aviv node (5 ms) nearer by RTT than one in Baghdad.
		const baghdad = metro("baghdad");
		const telAviv = metro("tel-aviv-yafo");
		expect(geo.metroRttMs[baghdad * n + telAviv]).toBeLessThan(geo.metroRttMs[baghdad * n + baghdad] as number);
		expect(geo.metrosByDistance[baghdad]?.[0]).toBe(baghdad);
		expect(geo.metrosByDistance[baghdad]?.[1]).toBe(telAviv);
	});

	it("zero-latency mode: every RTT is 0, the orderings are unchanged", () => {
		const zero = buildGeography(catalog.metros, catalog.cloudRegions, { ...DEFAULTS, zeroNetworkLatency: true });
		expect(zero.metroRttMs.every((x) => x === 0)).toBe(true);
		expect(zero.depinSiteRttMs.every((x) => x === 0)).toBe(true);
		expect(zero.metroCoreRttMs.every((x) => x === 0)).toBe(true);
		expect(zero.metroToRegionRttMs.every((x) => x === 0)).toBe(true);
		expect(zero.metroDistanceKm).toEqual(geo.metroDistanceKm);
		expect(zero.metrosByDistance).toEqual(geo.metrosByDistance);
		expect(zero.regionsByDistance).toEqual(geo.regionsByDistance);
		expect(zero.nearestRegion).toEqual(geo.nearestRegion);
	});

	it("rejects impossible settings", () => {
		expect(() => buildGeography(catalog.metros, [], { ...DEFAULTS, fibreKmPerMs: 0 })).toThrow(/fibreKmPerMs/);
		expect(() => buildGeography(catalog.metros, [], { ...DEFAULTS, routeInflationNear: 0.5 })).toThrow(
			/routeInflationNear/,
		);
		expect(() => buildGeography(catalog.metros, [], { ...DEFAULTS, coreFloorMs: -1 })).toThrow(/coreFloorMs/);
		const none = buildGeography(catalog.metros.slice(0, 3), [], DEFAULTS);
		expect(Array.from(none.nearestRegion)).toEqual([-1, -1, -1]);
	});
});

describe("geo fit", () => {
	const TRUTH: CoreRttParams = {
		fibreKmPerMs: 200,
		coreFloorMs: 6,
		routeInflationNear: 2.2,
		routeInflationFar: 1.4,
		routeInflationScaleKm: 1500,
	};
	// Every pair of the first 40 metros, RTTs exactly from the model: the fit must find the truth.
	const synthetic: PingPair[] = [];
	for (let i = 0; i < 40; i++) {
		for (let j = i + 1; j < 40; j++) {
			const km = geo.metroDistanceKm[i * n + j] as number;
			if (km >= 50) synthetic.push({ km, rttMs: coreRttMs(km, TRUTH), line: 0 });
		}
	}

	it("recovers synthetic parameters within 2%", () => {
		const fitted = fitCoreRtt(synthetic, 200);
		for (const key of ["coreFloorMs", "routeInflationNear", "routeInflationFar", "routeInflationScaleKm"] as const) {
			expect(Math.abs(fitted[key] / TRUTH[key] - 1)).toBeLessThan(0.02);
		}
		expect(errorSummary(synthetic, fitted).p90RelativeError).toBeLessThan(1e-3);
	});

	it("error summary: median and p90 of |model − measured| / measured, hand-computed", () => {
		// Model at 1,000 km with DEFAULTS: 21.5 ms. Measured 21.5, 43, 10.75, 20, 25 → errors 0, 0.5, 1, 0.075, 0.14.
		const pairs = [21.5, 43, 10.75, 20, 25].map((rttMs) => ({ km: 1000, rttMs, line: 0 }));
		const e = errorSummary(pairs, DEFAULTS);
		expect(e.count).toBe(5);
		expect(e.medianRelativeError).toBeCloseTo(0.14, 12);
		// Sorted 0, 0.075, 0.14, 0.5, 1: p90 at h = 3.6 → 0.5 + 0.6 · 0.5 = 0.8.
		expect(e.p90RelativeError).toBeCloseTo(0.8, 12);
	});

	it("reads both forms of a ping table and names file, line and column on bad input", () => {
		const coords = new Map([
			["a", { lat: 0, lon: 0 }],
			["b", { lat: 0, lon: 1 }],
		]);
		const byMetro = parsePings("from_metro,to_metro,rtt_ms,source\na,b,5,x\n", "p.csv", coords);
		const byCoords = parsePings("from_lat,from_lon,to_lat,to_lon,rtt_ms\n0,0,0,1,5\n", "q.csv", coords);
		expect(byMetro[0]?.km).toBeCloseTo(greatCircleKm(0, 0, 0, 1), 9);
		expect(byCoords[0]?.km).toBe(byMetro[0]?.km);
		expect(byCoords[0]?.line).toBe(2);
		expect(() => parsePings("from_metro,to_metro,rtt_ms\na,b,5\na,zz,7\n", "p.csv", coords)).toThrow(
			'p.csv:3: column "to_metro": unknown metro "zz"',
		);
		expect(() => parsePings("from_lat,from_lon,to_lat,to_lon,rtt_ms\n0,0,0,1,-3\n", "q.csv", coords)).toThrow(
			/q\.csv:2: column "rtt_ms"/,
		);
		expect(() => parsePings("from_lat,from_lon,to_lat,to_lon,rtt_ms\n95,0,0,1,3\n", "q.csv", coords)).toThrow(
			/q\.csv:2: column "from_lat"/,
		);
	});
});

describe("geo fit objective and held-out check", () => {
	it("Harrell–Davis quantile: a weighted mean of the order statistics (weights sum to 1, symmetric at the median)", () => {
		expect(harrellDavisQuantile([7], 0.9)).toBeCloseTo(7, 12);
		expect(harrellDavisQuantile([3, 3, 3, 3, 3], 0.9)).toBeCloseTo(3, 12);
		// Beta(a, a) is symmetric: the median of 1, 2, 3 is exactly 2; of 0, 0, 0, 1 the weights of 0 and 1 mirror.
		expect(harrellDavisQuantile([1, 2, 3], 0.5)).toBeCloseTo(2, 12);
		expect(harrellDavisQuantile([0, 10], 0.5)).toBeCloseTo(5, 12);
		// Order statistics of a uniform sample at (i − ½)/n: the q-quantile is q (to the rule's resolution).
		const uniform = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
		expect(harrellDavisQuantile(uniform, 0.9)).toBeCloseTo(0.9, 3);
		expect(harrellDavisQuantile(uniform, 0.5)).toBeCloseTo(0.5, 3);
	});

	it("goal objective: the larger of median / 15% and p90 / 35%, hand-computed on equal errors", () => {
		// Model at 1,000 km with DEFAULTS: 21.5 ms; measured 21.5 / 1.1 → every error 0.1 → 0.1 / 0.15.
		const pairs = Array.from({ length: 9 }, () => ({ km: 1000, rttMs: 21.5 / 1.1, line: 0 }));
		expect(goalObjective(pairs, DEFAULTS)).toBeCloseTo(0.1 / GOAL_MEDIAN_RELATIVE_ERROR, 9);
		expect(GOAL_P90_RELATIVE_ERROR).toBe(0.35);
	});

	// Five ends, every pair: leaving one end out keeps the 6 pairs among the other four.
	const ends = ["a", "b", "c", "d", "e"];
	const kmOf = (i: number, j: number) => 500 * (i + j + 1);
	const truth: CoreRttParams = { ...DEFAULTS, coreFloorMs: 6, routeInflationNear: 2.4 };
	const complete: PingPair[] = [];
	for (let i = 0; i < ends.length; i++) {
		for (let j = i + 1; j < ends.length; j++) {
			const km = kmOf(i, j);
			complete.push({ km, rttMs: coreRttMs(km, truth), line: 0, from: ends[i], to: ends[j] });
		}
	}

	it("held out: each end left out in turn, the fit sees only the pairs without it, each pair measured twice", () => {
		const seen: number[] = [];
		// A fit that ignores its data and returns DEFAULTS: the pooled errors are each pair's error, twice.
		const held = heldOutErrors(complete, (train) => {
			seen.push(train.length);
			expect(train.every((p) => p.from !== undefined)).toBe(true);
			return DEFAULTS;
		});
		expect(seen).toEqual([6, 6, 6, 6, 6]);
		const errors = complete.map((p) => Math.abs(coreRttMs(p.km, DEFAULTS) - p.rttMs) / p.rttMs);
		const twice = [...errors, ...errors].sort((x, y) => x - y);
		// Type-7 quantiles of 20 values: median at h = 9.5, p90 at h = 17.1.
		expect(held?.ends).toBe(5);
		expect(held?.medianRelativeError).toBeCloseTo(((twice[9] as number) + (twice[10] as number)) / 2, 12);
		expect(held?.p90RelativeError).toBeCloseTo(
			(twice[17] as number) + 0.1 * ((twice[18] as number) - (twice[17] as number)),
			12,
		);
		// Exact pings: every held-out refit finds the truth.
		expect(heldOutErrors(complete, (train) => fitCoreRtt(train, 200))?.p90RelativeError).toBeLessThan(1e-3);
		// Pairs made in code carry no ends: no check.
		expect(heldOutErrors([{ km: 100, rttMs: 5, line: 0 }], () => DEFAULTS)).toBeNull();
	});

	it("the scenario defaults meet the goal on the measured Azure pings (≤ 15% median, ≤ 35% p90)", () => {
		const text = readFileSync(resolve(root, "scenarios", "geo", "azure-p50-2024-06.csv"), "utf8");
		const pairs = pairsWithin(parsePings(text, "azure.csv", catalog.metroById), 50, 20_000);
		const g = parseScenario(
			"name: x\ndemand:\n  classes:\n    - { id: chat, kind: realtime, requestsPerSecond: 1 }\n",
			"x.yaml",
		).scenario.geography;
		const e = errorSummary(pairs, g);
		expect(e.count).toBe(378);
		expect(e.medianRelativeError).toBeLessThanOrEqual(GOAL_MEDIAN_RELATIVE_ERROR);
		expect(e.p90RelativeError).toBeLessThanOrEqual(GOAL_P90_RELATIVE_ERROR);
	});
});
