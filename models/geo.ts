/**
 * Geography: great-circle distances and round-trip times between users, nodes and cloud
 * regions, held in flat typed arrays.
 *
 * Round-trip convention (all figures in ms):
 * - propagation RTT over a great-circle distance d km = 2 · d · routeInflation / fibreKmPerMs
 *   (there and back along a route `routeInflation` times longer than the great circle);
 * - a metro's `lastMileMs` is a ONE-WAY access latency, so it counts twice in a round trip;
 * - user in metro i ↔ DePIN node in metro j: propagation(i, j) + 2·lastMile_i + 2·lastMile_j
 *   (both ends sit on access networks: the user's, and the provider's home or office line).
 *   Same metro: propagation is 0, the RTT is the two access legs, 4·lastMile_i;
 * - user in metro i ↔ cloud region k: propagation(i, k) + 2·lastMile_i (the region sits on a
 *   backbone, so only the user's access counts).
 * With `zeroNetworkLatency` every RTT is 0 (a setting for queueing oracles); the orderings by
 * distance are computed from the RTTs the flag would otherwise give, so they do not change.
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

/** Round-trip propagation over `km` of great circle: 2 · km · routeInflation / fibreKmPerMs, ms. */
export function propagationRttMs(km: number, fibreKmPerMs: number, routeInflation: number): number {
	return (2 * km * routeInflation) / fibreKmPerMs;
}

export interface GeographyOptions {
	/** Signal speed in fibre, km per ms one way (~200). */
	readonly fibreKmPerMs: number;
	/** Route length over great-circle distance (≥ 1; 1.5–2 typical). */
	readonly routeInflation: number;
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
	/** n×n RTT user in metro i ↔ node in metro j, ms (row-major: [i·n + j]); symmetric. */
	readonly metroRttMs: Float64Array;
	/** n×r RTT user in metro i ↔ cloud region k, ms (row-major: [i·r + k]). */
	readonly metroToRegionRttMs: Float64Array;
	/** For each metro i, every metro index sorted by RTT from i (ties by index); [i][0] is i. */
	readonly metrosByDistance: readonly Int32Array[];
	/** For each metro i, every region index sorted by RTT from i (ties by index). */
	readonly regionsByDistance: readonly Int32Array[];
	/** For each metro i, the region with the smallest RTT (ties by index); −1 when r = 0. */
	readonly nearestRegion: Int32Array;
}

/**
 * Builds the RTT matrices and orderings. Metros and regions keep their positions in the
 * arrays passed in. Cost O(n² log n + n·r log r): fine for hundreds of metros.
 */
export function buildGeography(
	metros: readonly Metro[],
	regions: readonly CloudRegion[],
	options: GeographyOptions,
): Geography {
	const { fibreKmPerMs, routeInflation } = options;
	if (!(fibreKmPerMs > 0 && Number.isFinite(fibreKmPerMs))) {
		throw new RangeError(`fibreKmPerMs must be a positive number, got ${fibreKmPerMs}`);
	}
	if (!(routeInflation >= 1 && Number.isFinite(routeInflation))) {
		throw new RangeError(`routeInflation must be ≥ 1, got ${routeInflation}`);
	}
	const zero = options.zeroNetworkLatency === true;
	const n = metros.length;
	const r = regions.length;
	const metroDistanceKm = new Float64Array(n * n);
	const metroRttMs = new Float64Array(n * n);
	const metroToRegionRttMs = new Float64Array(n * r);
	// The RTTs the orderings use: the real ones even when the flag zeroes the reported ones.
	const orderRtt = zero ? new Float64Array(n * n) : metroRttMs;
	const orderRegionRtt = zero ? new Float64Array(n * r) : metroToRegionRttMs;

	for (let i = 0; i < n; i++) {
		const a = metros[i] as Metro;
		for (let j = i; j < n; j++) {
			const b = metros[j] as Metro;
			const km = i === j ? 0 : greatCircleKm(a.lat, a.lon, b.lat, b.lon);
			const rtt = propagationRttMs(km, fibreKmPerMs, routeInflation) + 2 * a.lastMileMs + 2 * b.lastMileMs;
			metroDistanceKm[i * n + j] = km;
			metroDistanceKm[j * n + i] = km;
			orderRtt[i * n + j] = rtt;
			orderRtt[j * n + i] = rtt;
		}
		for (let k = 0; k < r; k++) {
			const region = regions[k] as CloudRegion;
			const km = greatCircleKm(a.lat, a.lon, region.lat, region.lon);
			orderRegionRtt[i * r + k] = propagationRttMs(km, fibreKmPerMs, routeInflation) + 2 * a.lastMileMs;
		}
	}

	const metrosByDistance: Int32Array[] = [];
	const regionsByDistance: Int32Array[] = [];
	const nearestRegion = new Int32Array(n).fill(-1);
	for (let i = 0; i < n; i++) {
		const order = sortedIndices(orderRtt, i * n, n);
		// The own metro first: with a better-connected metro next door, the RTT ordering alone
		// could rank the neighbour first; a user's own metro is always the nearest place.
		moveToFront(order, i);
		metrosByDistance.push(order);
		const regionOrder = sortedIndices(orderRegionRtt, i * r, r);
		regionsByDistance.push(regionOrder);
		if (r > 0) nearestRegion[i] = regionOrder[0] as number;
	}

	return {
		metroCount: n,
		regionCount: r,
		metroDistanceKm,
		metroRttMs,
		metroToRegionRttMs,
		metrosByDistance,
		regionsByDistance,
		nearestRegion,
	};
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
