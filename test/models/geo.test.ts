import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCatalog, referencePaths } from "../../models/catalog.js";
import { buildGeography, greatCircleKm, propagationRttMs } from "../../models/geo.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const catalog = loadCatalog(referencePaths(resolve(root, "scenarios")));
/** Scenario defaults (models/scenario/schema.ts): 200 km/ms, route inflation 1.7. */
const DEFAULTS = { fibreKmPerMs: 200, routeInflation: 1.7 };
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

	it("propagation RTT = 2 · km · inflation / speed", () => {
		expect(propagationRttMs(1000, 200, 1.5)).toBe(15);
	});
});

describe("buildGeography", () => {
	it("NA–EU RTT with the defaults lies in the 80–130 ms band around CLAIMS' 124 ms", () => {
		const rtt = geo.metroRttMs[metro("new-york") * n + metro("london")] as number;
		expect(rtt).toBeGreaterThan(80);
		expect(rtt).toBeLessThan(130);
		// Propagation over ~5,567 km plus four 5 ms access legs.
		expect(rtt).toBeCloseTo(
			propagationRttMs(geo.metroDistanceKm[metro("new-york") * n + metro("london")] as number, 200, 1.7) + 20,
			9,
		);
	});

	it("same metro: only the last miles, counted both ways at both ends", () => {
		for (let i = 0; i < n; i++) {
			expect(geo.metroRttMs[i * n + i]).toBe(4 * (catalog.metros[i]?.lastMileMs as number));
		}
	});

	it("is symmetric between metros", () => {
		for (let i = 0; i < n; i++) {
			for (let j = 0; j < n; j++) expect(geo.metroRttMs[i * n + j]).toBe(geo.metroRttMs[j * n + i]);
		}
	});

	it("cloud RTT counts only the user's last mile", () => {
		const i = metro("ashburn");
		const k = catalog.cloudRegionIndexById.get("aws-us-east-1") as number;
		expect(geo.metroToRegionRttMs[i * r + k]).toBeCloseTo(2 * 5, 9);
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
		expect(zero.metroToRegionRttMs.every((x) => x === 0)).toBe(true);
		expect(zero.metroDistanceKm).toEqual(geo.metroDistanceKm);
		expect(zero.metrosByDistance).toEqual(geo.metrosByDistance);
		expect(zero.regionsByDistance).toEqual(geo.regionsByDistance);
		expect(zero.nearestRegion).toEqual(geo.nearestRegion);
	});

	it("rejects impossible settings", () => {
		expect(() => buildGeography(catalog.metros, [], { fibreKmPerMs: 0, routeInflation: 1.5 })).toThrow(/fibreKmPerMs/);
		expect(() => buildGeography(catalog.metros, [], { fibreKmPerMs: 200, routeInflation: 0.5 })).toThrow(
			/routeInflation/,
		);
		const none = buildGeography(catalog.metros.slice(0, 3), [], DEFAULTS);
		expect(Array.from(none.nearestRegion)).toEqual([-1, -1, -1]);
	});
});
