/**
 * Fitting the core round-trip model (models/geo.ts) to measured data-centre pings: reading a
 * ping table, relative errors, and a deterministic Nelder–Mead fit in two stages: the mean
 * absolute log error |ln(model / measured)| (smooth, robust), then the goal objective, the
 * larger of median/15% and p90/35% of the relative errors (the tail the model is judged on).
 * A leave-one-end-out refit checks the result is not fitted to particular metros.
 *
 * A ping table is CSV with either `from_lat,from_lon,to_lat,to_lon,rtt_ms` or
 * `from_metro,to_metro,rtt_ms` (metro ids of the metro table); other columns (source, date)
 * are ignored. Errors name the file, line and column.
 */
import { nelderMeadRestarted } from "./calibration/fit.js";
import { CsvColumns, CsvError, parseCsv } from "./csv.js";
import { type CoreRttParams, checkCoreRttParams, coreRttMs, greatCircleKm } from "./geo.js";

/** One measured pair: great-circle distance and round trip. */
export interface PingPair {
	readonly km: number;
	readonly rttMs: number;
	/** Line of the file the pair came from (1-based; 0 when made in code). */
	readonly line: number;
	/** The two ends (metro id, or "lat,lon" as written), for held-out checks; absent when made in code. */
	readonly from?: string;
	readonly to?: string;
}

/** Reads a ping table. `metroCoords` resolves metro ids (needed only for the metro-id form). */
export function parsePings(
	text: string,
	file: string,
	metroCoords: ReadonlyMap<string, { readonly lat: number; readonly lon: number }>,
): PingPair[] {
	const table = parseCsv(text, file);
	const c = new CsvColumns(table);
	const byMetro = table.header.includes("from_metro");
	if (byMetro) c.require("from_metro", "to_metro", "rtt_ms");
	else c.require("from_lat", "from_lon", "to_lat", "to_lon", "rtt_ms");
	if (c.rowCount === 0) throw new CsvError(`${file}: no rows`, file, 1);
	const pairs: PingPair[] = [];
	for (let r = 0; r < c.rowCount; r++) {
		let km: number;
		let ends: [string, string];
		if (byMetro) {
			const from = metroOf(c, r, "from_metro", metroCoords);
			const to = metroOf(c, r, "to_metro", metroCoords);
			km = greatCircleKm(from.lat, from.lon, to.lat, to.lon);
			ends = [c.requiredString(r, "from_metro"), c.requiredString(r, "to_metro")];
		} else {
			const lat = (column: string) => bounded(c, r, column, 90);
			const lon = (column: string) => bounded(c, r, column, 180);
			km = greatCircleKm(lat("from_lat"), lon("from_lon"), lat("to_lat"), lon("to_lon"));
			ends = [`${lat("from_lat")},${lon("from_lon")}`, `${lat("to_lat")},${lon("to_lon")}`];
		}
		const rttMs = c.number(r, "rtt_ms");
		if (!(rttMs > 0)) c.fail(r, "rtt_ms", `expected a round trip > 0 ms, got ${rttMs}`);
		pairs.push({ km, rttMs, line: c.line(r), from: ends[0], to: ends[1] });
	}
	return pairs;
}

function metroOf(
	c: CsvColumns,
	row: number,
	column: string,
	metroCoords: ReadonlyMap<string, { readonly lat: number; readonly lon: number }>,
): { lat: number; lon: number } {
	const id = c.requiredString(row, column);
	const coords = metroCoords.get(id);
	if (coords === undefined) c.fail(row, column, `unknown metro "${id}" (ids of scenarios/data/metros.csv)`);
	return coords as { lat: number; lon: number };
}

function bounded(c: CsvColumns, row: number, column: string, limit: number): number {
	const value = c.number(row, column);
	if (Math.abs(value) > limit) c.fail(row, column, `expected a value in [−${limit}, ${limit}], got ${value}`);
	return value;
}

/** Median, 90th percentile and count of |model − measured| / measured over the pairs. */
export interface ErrorSummary {
	readonly count: number;
	readonly medianRelativeError: number;
	readonly p90RelativeError: number;
	/** Mean |ln(model / measured)|: the first stage of the fit. */
	readonly meanAbsLogError: number;
}

/** |model − measured| / measured on one pair. */
function relativeError(pair: PingPair, params: CoreRttParams): number {
	return Math.abs(coreRttMs(pair.km, params) - pair.rttMs) / pair.rttMs;
}

/** The model's relative errors on the pairs, in increasing order. */
function sortedRelativeErrors(pairs: readonly PingPair[], params: CoreRttParams): number[] {
	return pairs.map((p) => relativeError(p, params)).sort((a, b) => a - b);
}

/** Relative errors of the model on the pairs (quantiles by linear interpolation, type 7). */
export function errorSummary(pairs: readonly PingPair[], params: CoreRttParams): ErrorSummary {
	if (pairs.length === 0) throw new RangeError("no pairs to compare");
	const errors = sortedRelativeErrors(pairs, params);
	return {
		count: pairs.length,
		medianRelativeError: quantile(errors, 0.5),
		p90RelativeError: quantile(errors, 0.9),
		meanAbsLogError: meanAbsLogError(pairs, params),
	};
}

/**
 * Leave-one-end-out check of the fit: for each end (metro or point) with at least 4 pairs left
 * without it, fit on the pairs that do not touch it and measure the pairs that do. Every pair
 * is measured once per end it has (twice in all). Null when the pairs carry no ends or fewer
 * than 3 distinct ends.
 */
export function heldOutErrors(
	pairs: readonly PingPair[],
	refit: (train: readonly PingPair[]) => CoreRttParams,
): { readonly ends: number; readonly medianRelativeError: number; readonly p90RelativeError: number } | null {
	const ends = [...new Set(pairs.flatMap((p) => (p.from === undefined || p.to === undefined ? [] : [p.from, p.to])))];
	if (ends.length < 3 || pairs.some((p) => p.from === undefined)) return null;
	ends.sort();
	const errors: number[] = [];
	let used = 0;
	for (const end of ends) {
		const touches = (p: PingPair) => p.from === end || p.to === end;
		const train = pairs.filter((p) => !touches(p));
		if (train.length < 4) continue;
		const params = refit(train);
		for (const p of pairs) if (touches(p)) errors.push(relativeError(p, params));
		used++;
	}
	if (errors.length === 0) return null;
	errors.sort((a, b) => a - b);
	return { ends: used, medianRelativeError: quantile(errors, 0.5), p90RelativeError: quantile(errors, 0.9) };
}

function quantile(sorted: readonly number[], q: number): number {
	const h = (sorted.length - 1) * q;
	const lo = Math.floor(h);
	const a = sorted[lo] as number;
	const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
	return a + (h - lo) * (b - a);
}

export function meanAbsLogError(pairs: readonly PingPair[], params: CoreRttParams): number {
	let sum = 0;
	for (const p of pairs) sum += Math.abs(Math.log(coreRttMs(p.km, params) / p.rttMs));
	return sum / pairs.length;
}

/** The pairs whose distance lies in [minKm, maxKm]. */
export function pairsWithin(pairs: readonly PingPair[], minKm: number, maxKm: number): PingPair[] {
	return pairs.filter((p) => p.km >= minKm && p.km <= maxKm);
}

/** Optimiser coordinates ↔ parameters: floor, near − 1, far − 1 as given, the scale by its log. */
function toParams(x: readonly number[], fibreKmPerMs: number): CoreRttParams {
	return {
		fibreKmPerMs,
		coreFloorMs: x[0] as number,
		routeInflationNear: 1 + (x[1] as number),
		routeInflationFar: 1 + (x[2] as number),
		routeInflationScaleKm: Math.exp(x[3] as number),
	};
}

function fromParams(p: CoreRttParams): number[] {
	return [p.coreFloorMs, p.routeInflationNear - 1, p.routeInflationFar - 1, Math.log(p.routeInflationScaleKm)];
}

/** The goal on data-centre pings: median relative error ≤ 15%, p90 ≤ 35%. */
export const GOAL_MEDIAN_RELATIVE_ERROR = 0.15;
export const GOAL_P90_RELATIVE_ERROR = 0.35;

/**
 * Harrell–Davis quantile of sorted values: a weighted mean of every order statistic, weight i
 * the Beta((n+1)q, (n+1)(1−q)) mass on [(i−1)/n, i/n] (midpoint rule, 8 points a cell,
 * normalised). Smooth in the values, so a simplex can descend on it where the type-7 quantile
 * (two order statistics) jumps between pairs.
 */
export function harrellDavisQuantile(sorted: readonly number[], q: number): number {
	const weights = harrellDavisWeights(sorted.length, q);
	let sum = 0;
	for (let i = 0; i < sorted.length; i++) sum += (weights[i] as number) * (sorted[i] as number);
	return sum;
}

const hdWeightCache = new Map<string, Float64Array>();

function harrellDavisWeights(n: number, q: number): Float64Array {
	const key = `${n}:${q}`;
	const cached = hdWeightCache.get(key);
	if (cached !== undefined) return cached;
	const a = (n + 1) * q;
	const b = (n + 1) * (1 - q);
	const SUB = 8;
	// Log-density up to a constant; subtracting its value at the mode keeps exp() in range.
	const mode = Math.min(Math.max((a - 1) / (a + b - 2), 0.5 / (n * SUB)), 1 - 0.5 / (n * SUB));
	const logMode = (a - 1) * Math.log(mode) + (b - 1) * Math.log(1 - mode);
	const weights = new Float64Array(n);
	let total = 0;
	for (let i = 0; i < n; i++) {
		let mass = 0;
		for (let k = 0; k < SUB; k++) {
			const t = (i * SUB + k + 0.5) / (n * SUB);
			mass += Math.exp((a - 1) * Math.log(t) + (b - 1) * Math.log(1 - t) - logMode);
		}
		weights[i] = mass;
		total += mass;
	}
	for (let i = 0; i < n; i++) weights[i] = (weights[i] as number) / total;
	hdWeightCache.set(key, weights);
	return weights;
}

/**
 * The fit's objective: the larger of median / 15% and p90 / 35% of the relative errors
 * (Harrell–Davis quantiles), i.e. how far the worse of the two goals is from being met.
 */
export function goalObjective(pairs: readonly PingPair[], params: CoreRttParams): number {
	const errors = sortedRelativeErrors(pairs, params);
	return Math.max(
		harrellDavisQuantile(errors, 0.5) / GOAL_MEDIAN_RELATIVE_ERROR,
		harrellDavisQuantile(errors, 0.9) / GOAL_P90_RELATIVE_ERROR,
	);
}

type Score = (pairs: readonly PingPair[], params: CoreRttParams) => number;

/** `score` in optimiser coordinates; out-of-range parameters score +∞. */
function inCoordinates(pairs: readonly PingPair[], fibreKmPerMs: number, score: Score) {
	return (x: readonly number[]) => {
		if (!((x[0] as number) >= 0 && (x[1] as number) >= 0 && (x[2] as number) >= 0 && Math.abs(x[3] as number) < 30)) {
			return Number.POSITIVE_INFINITY;
		}
		const value = score(pairs, toParams(x, fibreKmPerMs));
		return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
	};
}

/** Nelder–Mead from each start, restarted from its optimum until it stops improving; the best. */
function bestFrom(objective: (x: readonly number[]) => number, starts: readonly (readonly number[])[]) {
	let best = { x: [...(starts[0] as number[])], value: Number.POSITIVE_INFINITY };
	for (const start of starts) {
		const found = nelderMeadRestarted(objective, start, {
			step: 0.2,
			iterations: 1500,
			restarts: 10,
			tolerance: 1e-9,
			floor: 1e-12,
		});
		if (found.value < best.value) best = found;
	}
	return best;
}

/** A small grid of starts, best first by `objective`. */
function rankedStarts(objective: (x: readonly number[]) => number): number[][] {
	const starts: number[][] = [];
	for (const floor of [1, 5, 15]) {
		for (const near of [0.3, 1]) {
			for (const far of [0.3, 0.8]) {
				for (const scale of [300, 3000]) starts.push([floor, near, far, Math.log(scale)]);
			}
		}
	}
	return starts
		.map((x) => ({ x, value: objective(x) }))
		.sort((a, b) => a.value - b.value)
		.map((s) => s.x);
}

/**
 * Fits floor, near and far inflation and the scale (fibre speed fixed). Two stages, both
 * deterministic: (1) minimise the mean absolute log error |ln(model / measured)| (smooth and
 * robust) from the best four of a grid of starts; (2) from that optimum, minimise the goal
 * objective (the larger of median/15% and p90/35%, goalObjective), which weighs the tail the
 * goal is judged on; starting from stage 1 keeps it near the robust fit rather than at a
 * distant optimum of a few tail pairs. Returns stage 2's optimum.
 */
export function fitCoreRtt(pairs: readonly PingPair[], fibreKmPerMs: number): CoreRttParams {
	if (pairs.length < 4) throw new RangeError(`a fit of 4 parameters needs at least 4 pairs, got ${pairs.length}`);
	const logObjective = inCoordinates(pairs, fibreKmPerMs, meanAbsLogError);
	const logFit = bestFrom(logObjective, rankedStarts(logObjective).slice(0, 4));
	const objective = inCoordinates(pairs, fibreKmPerMs, goalObjective);
	const best = bestFrom(objective, [logFit.x]);
	const fitted = toParams(best.x, fibreKmPerMs);
	checkCoreRttParams(fitted);
	return fitted;
}

export { fromParams as coreParamsToVector };
