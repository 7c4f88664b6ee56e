/**
 * Geography: great-circle distances and round-trip times between users, nodes and cloud
 * regions, held in flat typed arrays. The latency model has two parts (docs/geo.md):
 *
 * - the CORE round trip between two data-centre servers d km apart (metro or cloud region):
 *     coreRttMs(d) = floorMs + 2 · d · inflation(d) / fibreKmPerMs,
 *     inflation(d) = far + (near − far) · scaleKm / (d + scaleKm),
 *   a per-path floor (switching and the last hops inside both networks) plus propagation along a
 *   route `inflation(d)` times the great circle: short paths detour more (inflation → near as
 *   d → 0), long ones follow trunk cables (inflation → far). Same metro: d = 0, the floor alone.
 *   Defaults fitted to measured data-centre pings (scenarios/geo/azure-p50-2024-06.csv; models/geo-fit.ts);
 * - ACCESS legs: a metro's `lastMileMs` is a ONE-WAY access latency, so an end on an access
 *   network adds 2 · lastMileMs. Only users and residential nodes sit on access networks:
 *     user in i ↔ data-centre node in j:  2·lastMile_i + core(i, j)
 *     user in i ↔ residential node in j:  2·lastMile_i + core(i, j) + 2·lastMile_j
 *     user in i ↔ cloud region k:         2·lastMile_i + core(i, k)
 *
 * DePIN request routing sees 2n sites, site = hosting · n + metro (hosting 0 residential,
 * 1 data centre: models/nodes.ts). With `zeroNetworkLatency` every RTT is 0 (a setting for
 * queueing oracles); the orderings by distance are computed from the RTTs the flag would
 * otherwise give, so they do not change.
 */
import type { CloudRegion, Metro } from "./catalog.js";

/** Mean Earth radius (IUGG), km. */
export const EARTH_RADIUS_KM = 6371.0088;

const DEG = Math.PI / 180;

/** Great-circle distance by the haversine formula, km. Coordinates in decimal degrees. */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
	const phi1 = lat1 * DEG;
	const phi2 = lat2 * DEG;
	const dPhi = phi2 - phi1;
	const dLambda = (lon2 - lon1) * DEG;
	const s = Math.sin(dPhi / 2);
	const t = Math.sin(dLambda / 2);
	const h = s * s + Math.cos(phi1) * Math.cos(phi2) * t * t;
	return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The parameters of the core round trip between data-centre servers. */
export interface CoreRttParams {
	/** Signal speed in fibre, km per ms one way (~200). */
	readonly fibreKmPerMs: number;
	/** Per-path floor of a round trip, ms (≥ 0). */
	readonly coreFloorMs: number;
	/** Route length over great circle as the distance → 0 (≥ 1). */
	readonly routeInflationNear: number;
	/** Route length over great circle as the distance → ∞ (≥ 1). */
	readonly routeInflationFar: number;
	/** Distance at which the inflation is halfway between near and far, km (> 0). */
	readonly routeInflationScaleKm: number;
}

/** Route length over great-circle length at `km`: far + (near − far) · scale / (km + scale). */
export function routeInflation(km: number, p: CoreRttParams): number {
	return (
		p.routeInflationFar +
		((p.routeInflationNear - p.routeInflationFar) * p.routeInflationScaleKm) / (km + p.routeInflationScaleKm)
	);
}

/** Core round trip between two data-centre servers `km` apart, ms: floor + 2 · km · inflation(km) / fibre speed. */
export function coreRttMs(km: number, p: CoreRttParams): number {
	return p.coreFloorMs + (2 * km * routeInflation(km, p)) / p.fibreKmPerMs;
}

/** Throws a RangeError naming the first parameter out of range. */
export function checkCoreRttParams(p: CoreRttParams): void {
	const finite = (name: string, value: number, ok: boolean, expected: string) => {
		if (!(Number.isFinite(value) && ok)) throw new RangeError(`${name} must be ${expected}, got ${value}`);
	};
	finite("fibreKmPerMs", p.fibreKmPerMs, p.fibreKmPerMs > 0, "a positive number");
	finite("coreFloorMs", p.coreFloorMs, p.coreFloorMs >= 0, "≥ 0");
	finite("routeInflationNear", p.routeInflationNear, p.routeInflationNear >= 1, "≥ 1");
	finite("routeInflationFar", p.routeInflationFar, p.routeInflationFar >= 1, "≥ 1");
	finite("routeInflationScaleKm", p.routeInflationScaleKm, p.routeInflationScaleKm > 0, "> 0");
}

export interface GeographyOptions extends CoreRttParams {
	/** Every RTT is 0 (orderings are still by distance). */
	readonly zeroNetworkLatency?: boolean;
}

export interface Geography {
	/** n: number of metros (rows and columns of metro matrices). */
	readonly metroCount: number;
	/** r: number of cloud regions. */
	readonly regionCount: number;
	/** n×n great-circle distances, km (row-major: [i·n + j]). */
	readonly metroDistanceKm: Float64Array;
	/** n×n core RTT between data-centre servers in metros i and j, ms; symmetric. */
	readonly metroCoreRttMs: Float64Array;
	/** n×r core RTT between a data-centre server in metro i and cloud region k, ms. */
	readonly metroRegionCoreRttMs: Float64Array;
	/**
	 * n×n RTT user in metro i ↔ RESIDENTIAL node in metro j, ms (both ends on access networks);
	 * the upper bound over hosting kinds, which the market's RTT filter uses.
	 */
	readonly metroRttMs: Float64Array;
	/** n×2n RTT user in metro i ↔ DePIN site s = hosting·n + j, ms (row-major: [i·2n + s]). */
	readonly depinSiteRttMs: Float64Array;
	/** n×r RTT user in metro i ↔ cloud region k, ms (row-major: [i·r + k]). */
	readonly metroToRegionRttMs: Float64Array;
	/** For each metro i, every metro index sorted by RTT from i (ties by index); [i][0] is i. */
	readonly metrosByDistance: readonly Int32Array[];
	/** For each metro i, every region index sorted by RTT from i (ties by index). */
	readonly regionsByDistance: readonly Int32Array[];
	/** For each metro i, the region with the smallest RTT (ties by index); −1 when r = 0. */
	readonly nearestRegion: Int32Array;
}

/** Number of DePIN sites per metro: one per hosting kind (residential, data centre). */
export const HOSTING_KINDS = 2;

/**
 * Builds the RTT matrices and orderings. Metros and regions keep their positions in the
 * arrays passed in. Cost O(n² log n + n·r log r): fine for hundreds of metros.
 */
export function buildGeography(
	metros: readonly Metro[],
	regions: readonly CloudRegion[],
	options: GeographyOptions,
): Geography {
	checkCoreRttParams(options);
	const zero = options.zeroNetworkLatency === true;
	const n = metros.length;
	const r = regions.length;
	const metroDistanceKm = new Float64Array(n * n);
	const metroCoreRttMs = new Float64Array(n * n);
	const metroRegionCoreRttMs = new Float64Array(n * r);
	for (let i = 0; i < n; i++) {
		const a = metros[i] as Metro;
		for (let j = i; j < n; j++) {
			const b = metros[j] as Metro;
			const km = i === j ? 0 : greatCircleKm(a.lat, a.lon, b.lat, b.lon);
			const core = coreRttMs(km, options);
			metroDistanceKm[i * n + j] = km;
			metroDistanceKm[j * n + i] = km;
			metroCoreRttMs[i * n + j] = core;
			metroCoreRttMs[j * n + i] = core;
		}
		for (let k = 0; k < r; k++) {
			const region = regions[k] as CloudRegion;
			metroRegionCoreRttMs[i * r + k] = coreRttMs(greatCircleKm(a.lat, a.lon, region.lat, region.lon), options);
		}
	}
	const user = userRtts(metros, r, metroCoreRttMs, metroRegionCoreRttMs);
	const { metrosByDistance, regionsByDistance, nearestRegion } = orderings(
		n,
		r,
		user.metroRttMs,
		user.metroToRegionRttMs,
	);
	if (zero) {
		for (const m of [
			metroCoreRttMs,
			metroRegionCoreRttMs,
			user.metroRttMs,
			user.depinSiteRttMs,
			user.metroToRegionRttMs,
		]) {
			m.fill(0);
		}
	}
	return {
		metroCount: n,
		regionCount: r,
		metroDistanceKm,
		metroCoreRttMs,
		metroRegionCoreRttMs,
		...user,
		metrosByDistance,
		regionsByDistance,
		nearestRegion,
	};
}

/** The user-facing matrices: access legs added to the core where an end is a user or a residential node. */
function userRtts(
	metros: readonly Metro[],
	r: number,
	metroCoreRttMs: Float64Array,
	metroRegionCoreRttMs: Float64Array,
): { metroRttMs: Float64Array; depinSiteRttMs: Float64Array; metroToRegionRttMs: Float64Array } {
	const n = metros.length;
	const siteCount = HOSTING_KINDS * n;
	const metroRttMs = new Float64Array(n * n);
	const depinSiteRttMs = new Float64Array(n * siteCount);
	const metroToRegionRttMs = new Float64Array(n * r);
	for (let i = 0; i < n; i++) {
		const userAccessMs = 2 * (metros[i] as Metro).lastMileMs;
		for (let j = 0; j < n; j++) {
			const toDatacentre = userAccessMs + (metroCoreRttMs[i * n + j] as number);
			const toResidential = toDatacentre + 2 * (metros[j] as Metro).lastMileMs;
			metroRttMs[i * n + j] = toResidential;
			depinSiteRttMs[i * siteCount + j] = toResidential;
			depinSiteRttMs[i * siteCount + n + j] = toDatacentre;
		}
		for (let k = 0; k < r; k++)
			metroToRegionRttMs[i * r + k] = userAccessMs + (metroRegionCoreRttMs[i * r + k] as number);
	}
	return { metroRttMs, depinSiteRttMs, metroToRegionRttMs };
}

function orderings(n: number, r: number, metroRtt: Float64Array, regionRtt: Float64Array) {
	const metrosByDistance: Int32Array[] = [];
	const regionsByDistance: Int32Array[] = [];
	const nearestRegion = new Int32Array(n).fill(-1);
	for (let i = 0; i < n; i++) {
		const order = sortedIndices(metroRtt, i * n, n);
		// The own metro first: with a better-connected metro next door, the RTT ordering alone
		// could rank the neighbour first; a user's own metro is always the nearest place.
		moveToFront(order, i);
		metrosByDistance.push(order);
		const regionOrder = sortedIndices(regionRtt, i * r, r);
		regionsByDistance.push(regionOrder);
		if (r > 0) nearestRegion[i] = regionOrder[0] as number;
	}
	return { metrosByDistance, regionsByDistance, nearestRegion };
}

/** Indices 0…count−1 sorted by values[offset + index], ties by index. */
function sortedIndices(values: Float64Array, offset: number, count: number): Int32Array {
	const order = new Int32Array(count);
	for (let k = 0; k < count; k++) order[k] = k;
	order.sort((x, y) => (values[offset + x] as number) - (values[offset + y] as number) || x - y);
	return order;
}

function moveToFront(order: Int32Array, value: number): void {
	const at = order.indexOf(value);
	if (at > 0) {
		order.copyWithin(1, 0, at);
		order[0] = value;
	}
}
