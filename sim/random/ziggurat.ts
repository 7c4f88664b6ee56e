/**
 * Standard normal and standard exponential draws by the ziggurat method (Marsaglia & Tsang,
 * "The Ziggurat Method for Generating Random Variables", J. Stat. Software 5(8), 2000), in the
 * 256-layer form with 52- and 53-bit mantissas that NumPy's `Generator` uses. About 99% of
 * draws cost two 32-bit words of the stream, a table lookup and a compare: no logarithm, no
 * polynomial. The rest (a wedge or the tail) fall back to exact rejection steps, so the laws
 * are exact, not approximations.
 *
 * Tables are built once, at load, by Marsaglia's recursion from the base strip's edge r and
 * the common area v of the 256 layers.
 */
import type { RandomStream } from "./stream.js";

const LAYERS = 256;

/** Normal: edge of the base strip and layer area (f(x) = exp(−x²/2), unnormalised). */
const NORMAL_R = 3.6541528853610088;
const NORMAL_V = 0.00492867323399;
/** Exponential: edge and layer area (f(x) = exp(−x)). */
const EXPONENTIAL_R = 7.69711747013105;
const EXPONENTIAL_V = 0.003949659822581557;

interface Tables {
	/** Accept a draw of layer i at once when its mantissa is below k[i]. */
	readonly k: Float64Array;
	/** Layer i's width per mantissa unit: x = mantissa · w[i]. */
	readonly w: Float64Array;
	/** f at layer i's upper edge. */
	readonly f: Float64Array;
}

function buildTables(
	r: number,
	v: number,
	density: (x: number) => number,
	inverse: (y: number) => number,
	scale: number,
): Tables {
	const k = new Float64Array(LAYERS);
	const w = new Float64Array(LAYERS);
	const f = new Float64Array(LAYERS);
	let x = r;
	let previous = r;
	const q = v / density(r);
	k[0] = (r / q) * scale;
	k[1] = 0;
	w[0] = q / scale;
	w[LAYERS - 1] = r / scale;
	f[0] = 1;
	f[LAYERS - 1] = density(r);
	for (let i = LAYERS - 2; i >= 1; i--) {
		x = inverse(v / x + density(x));
		k[i + 1] = (x / previous) * scale;
		previous = x;
		f[i] = density(x);
		w[i] = x / scale;
	}
	return { k, w, f };
}

const NORMAL = buildTables(
	NORMAL_R,
	NORMAL_V,
	(x) => Math.exp(-0.5 * x * x),
	(y) => Math.sqrt(-2 * Math.log(y)),
	2 ** 52,
);
const EXPONENTIAL = buildTables(
	EXPONENTIAL_R,
	EXPONENTIAL_V,
	(x) => Math.exp(-x),
	(y) => -Math.log(y),
	2 ** 53,
);

const NK = NORMAL.k;
const NW = NORMAL.w;
const EK = EXPONENTIAL.k;
const EW = EXPONENTIAL.w;

// Each sampler is its fast path (what ~99% of draws take), small enough for V8 to inline into
// the caller, and a separate function for the rest (wedge, tail, retries).

/** A standard normal draw (mean 0, sd 1). */
export function standardNormal(rng: RandomStream): number {
	// Word 1: layer (bits 0–7), sign (bit 8), low 20 bits of the mantissa (bits 12–31).
	const low = rng.uint32();
	const mantissa = rng.uint32() * 1048576 + (low >>> 12);
	const layer = low & 0xff;
	if (mantissa < (NK[layer] as number)) {
		const x = mantissa * (NW[layer] as number);
		return (low & 0x100) !== 0 ? -x : x;
	}
	return normalBeyondFastPath(rng, low, mantissa);
}

/** standardNormal for a draw that failed the fast test: the wedge or tail test, then redraws. */
function normalBeyondFastPath(rng: RandomStream, firstLow: number, firstMantissa: number): number {
	const { k, w, f } = NORMAL;
	let low = firstLow;
	let mantissa = firstMantissa;
	for (;;) {
		const layer = low & 0xff;
		const negative = (low & 0x100) !== 0;
		const x = mantissa * (w[layer] as number);
		if (mantissa < (k[layer] as number)) return negative ? -x : x;
		if (layer === 0) {
			// The tail beyond r (Marsaglia 1964).
			for (;;) {
				const tail = -Math.log1p(-rng.next()) / NORMAL_R;
				const y = -Math.log1p(-rng.next());
				if (y + y > tail * tail) return negative ? -(NORMAL_R + tail) : NORMAL_R + tail;
			}
		}
		const below = f[layer] as number;
		if (((f[layer - 1] as number) - below) * rng.next() + below < Math.exp(-0.5 * x * x)) return negative ? -x : x;
		low = rng.uint32();
		mantissa = rng.uint32() * 1048576 + (low >>> 12);
	}
}

/** A standard exponential draw (mean 1). */
export function standardExponential(rng: RandomStream): number {
	// Word 1: layer (bits 0–7), low 21 bits of the mantissa (bits 11–31).
	const low = rng.uint32();
	const mantissa = rng.uint32() * 2097152 + (low >>> 11);
	const layer = low & 0xff;
	if (mantissa < (EK[layer] as number)) return mantissa * (EW[layer] as number);
	return exponentialBeyondFastPath(rng, low, mantissa);
}

/** standardExponential for a draw that failed the fast test. */
function exponentialBeyondFastPath(rng: RandomStream, firstLow: number, firstMantissa: number): number {
	const { k, w, f } = EXPONENTIAL;
	let low = firstLow;
	let mantissa = firstMantissa;
	for (;;) {
		const layer = low & 0xff;
		const x = mantissa * (w[layer] as number);
		if (mantissa < (k[layer] as number)) return x;
		// The tail beyond r is r + a fresh exponential (memorylessness).
		if (layer === 0) return EXPONENTIAL_R - Math.log1p(-rng.next());
		const below = f[layer] as number;
		if (((f[layer - 1] as number) - below) * rng.next() + below < Math.exp(-x)) return x;
		low = rng.uint32();
		mantissa = rng.uint32() * 2097152 + (low >>> 11);
	}
}

/** The tables, for tests: edge r and the accept thresholds, widths and densities per layer. */
export const zigguratTables = {
	normal: { r: NORMAL_R, ...NORMAL },
	exponential: { r: EXPONENTIAL_R, ...EXPONENTIAL },
} as const;
