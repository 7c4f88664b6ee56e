/**
 * Fitting the core round-trip model (models/geo.ts) to measured data-centre pings: reading a
 * ping table, relative errors, and a deterministic Nelder–Mead fit that minimises the mean
 * absolute log error |ln(model / measured)| (symmetric in over- and under-estimates, and
 * robust to the few pairs whose route detours far from the great circle).
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
		if (byMetro) {
			const from = metroOf(c, r, "from_metro", metroCoords);
			const to = metroOf(c, r, "to_metro", metroCoords);
			km = greatCircleKm(from.lat, from.lon, to.lat, to.lon);
		} else {
			const lat = (column: string) => bounded(c, r, column, 90);
			const lon = (column: string) => bounded(c, r, column, 180);
			km = greatCircleKm(lat("from_lat"), lon("from_lon"), lat("to_lat"), lon("to_lon"));
		}
		const rttMs = c.number(r, "rtt_ms");
		if (!(rttMs > 0)) c.fail(r, "rtt_ms", `expected a round trip > 0 ms, got ${rttMs}`);
		pairs.push({ km, rttMs, line: c.line(r) });
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
	/** Mean |ln(model / measured)|: the fit's objective. */
	readonly meanAbsLogError: number;
}

/** Relative errors of the model on the pairs (quantiles by linear interpolation, type 7). */
export function errorSummary(pairs: readonly PingPair[], params: CoreRttParams): ErrorSummary {
	if (pairs.length === 0) throw new RangeError("no pairs to compare");
	const errors = pairs.map((p) => Math.abs(coreRttMs(p.km, params) - p.rttMs) / p.rttMs).sort((a, b) => a - b);
	return {
		count: pairs.length,
		medianRelativeError: quantile(errors, 0.5),
		p90RelativeError: quantile(errors, 0.9),
		meanAbsLogError: meanAbsLogError(pairs, params),
	};
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

/**
 * Fits floor, near and far inflation and the scale (fibre speed fixed) by minimising the mean
 * absolute log error: Nelder–Mead from the best four of a small grid of starts, each restarted from its optimum
 * until it stops improving. Deterministic. Out-of-range parameters score +∞.
 */
export function fitCoreRtt(pairs: readonly PingPair[], fibreKmPerMs: number): CoreRttParams {
	if (pairs.length < 4) throw new RangeError(`a fit of 4 parameters needs at least 4 pairs, got ${pairs.length}`);
	const objective = (x: readonly number[]) => {
		if (!((x[0] as number) >= 0 && (x[1] as number) >= 0 && (x[2] as number) >= 0 && Math.abs(x[3] as number) < 30)) {
			return Number.POSITIVE_INFINITY;
		}
		const value = meanAbsLogError(pairs, toParams(x, fibreKmPerMs));
		return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
	};
	const starts: number[][] = [];
	for (const floor of [1, 5, 15]) {
		for (const near of [0.3, 1]) {
			for (const far of [0.3, 0.8]) {
				for (const scale of [300, 3000]) starts.push([floor, near, far, Math.log(scale)]);
			}
		}
	}
	// The four best starts only (each objective is one pass over the pairs).
	const ranked = starts.map((x) => ({ x, value: objective(x) })).sort((a, b) => a.value - b.value);
	let best = starts[0] as number[];
	let bestValue = Number.POSITIVE_INFINITY;
	for (const { x: start } of ranked.slice(0, 4)) {
		const { x, value } = nelderMeadRestarted(objective, start, {
			step: 0.2,
			iterations: 1500,
			restarts: 10,
			tolerance: 1e-9,
			floor: 1e-12,
		});
		if (value < bestValue) {
			best = x;
			bestValue = value;
		}
	}
	const fitted = toParams(best, fibreKmPerMs);
	checkCoreRttParams(fitted);
	return fitted;
}

export { fromParams as coreParamsToVector };
