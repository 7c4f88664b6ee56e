/**
 * Special functions behind the distributions and their laws (CDFs, quantiles).
 * Sources: Wichura (1988) AS 241 for the normal quantile; Numerical Recipes §6.1–6.2
 * (Lanczos log-gamma, series / continued fraction for the incomplete gamma function).
 */

const LANCZOS = [
	0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
	12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
	if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
	const z = x - 1;
	let sum = LANCZOS[0] as number;
	for (let i = 1; i < 9; i++) sum += (LANCZOS[i] as number) / (z + i);
	const t = z + 7.5;
	return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a). */
export function regularizedGammaP(a: number, x: number): number {
	if (!(a > 0)) throw new RangeError(`shape must be > 0, got ${a}`);
	if (x <= 0) return 0;
	if (x === Number.POSITIVE_INFINITY) return 1;
	if (x < a + 1) return gammaSeries(a, x);
	return 1 - gammaContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the far tail. */
export function regularizedGammaQ(a: number, x: number): number {
	if (!(a > 0)) throw new RangeError(`shape must be > 0, got ${a}`);
	if (x <= 0) return 1;
	if (x === Number.POSITIVE_INFINITY) return 0;
	if (x < a + 1) return 1 - gammaSeries(a, x);
	return gammaContinuedFraction(a, x);
}

function gammaSeries(a: number, x: number): number {
	let term = 1 / a;
	let sum = term;
	for (let n = 1; n < 10_000; n++) {
		term *= x / (a + n);
		sum += term;
		if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
	}
	return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

function gammaContinuedFraction(a: number, x: number): number {
	const tiny = 1e-300;
	let b = x + 1 - a;
	let c = 1 / tiny;
	let d = 1 / b;
	let h = d;
	for (let i = 1; i < 10_000; i++) {
		const an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (Math.abs(d) < tiny) d = tiny;
		c = b + an / c;
		if (Math.abs(c) < tiny) c = tiny;
		d = 1 / d;
		const delta = d * c;
		h *= delta;
		if (Math.abs(delta - 1) < 1e-16) break;
	}
	return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Standard normal CDF Φ(z), via the complementary error function (relative error < 1.2e-7 … exact tail form). */
export function normalCdf(z: number): number {
	// Φ(z) = Q(1/2, z²/2)/2 for z < 0, computed through the incomplete gamma for full precision.
	if (z === 0) return 0.5;
	const tail = 0.5 * regularizedGammaQ(0.5, (z * z) / 2);
	return z < 0 ? tail : 1 - tail;
}

/** Standard normal quantile Φ⁻¹(p), p in (0, 1) — Wichura's AS 241 (PPND16), ~1e-16 relative. */
export function normalQuantile(p: number): number {
	if (!(p > 0 && p < 1)) {
		if (p === 0) return Number.NEGATIVE_INFINITY;
		if (p === 1) return Number.POSITIVE_INFINITY;
		throw new RangeError(`probability must be in [0, 1], got ${p}`);
	}
	const q = p - 0.5;
	if (Math.abs(q) <= 0.425) {
		const r = 0.180625 - q * q;
		return (
			(q *
				(((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
					45921.953931549871457) *
					r +
					13731.693765509461125) *
					r +
					1971.5909503065514427) *
					r +
					133.14166789178437745) *
					r +
					3.387132872796366608)) /
			(((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
				21213.794301586595867) *
				r +
				5394.1960214247511077) *
				r +
				687.1870074920579083) *
				r +
				42.313330701600911252) *
				r +
				1)
		);
	}
	let r = q < 0 ? p : 1 - p;
	r = Math.sqrt(-Math.log(r));
	let value: number;
	if (r <= 5) {
		r -= 1.6;
		value =
			(((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
				1.27045825245236838258) *
				r +
				3.64784832476320460504) *
				r +
				5.7694972214606914055) *
				r +
				4.6303378461565452959) *
				r +
				1.42343711074968357734) /
			(((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
				0.14810397642748007459) *
				r +
				0.68976733498510000455) *
				r +
				1.6763848301838038494) *
				r +
				2.05319162663775882187) *
				r +
				1);
	} else {
		r -= 5;
		value =
			(((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
				0.026532189526576123093) *
				r +
				0.29656057182850489123) *
				r +
				1.7848265399172913358) *
				r +
				5.4637849111641143699) *
				r +
				6.6579046435011037772) /
			(((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
				7.868691311456132591e-4) *
				r +
				0.0148753612908506148525) *
				r +
				0.13692988092273580531) *
				r +
				0.59983220655588793769) *
				r +
				1);
	}
	return q < 0 ? -value : value;
}

/** Inverts a continuous increasing CDF on [lo, hi] by bisection (to double precision). */
export function invertCdf(cdf: (x: number) => number, p: number, lo: number, hi: number): number {
	let low = lo;
	let high = hi;
	while (cdf(high) < p) high *= 2;
	for (let i = 0; i < 200; i++) {
		const mid = 0.5 * (low + high);
		if (mid === low || mid === high) break;
		if (cdf(mid) < p) low = mid;
		else high = mid;
	}
	return 0.5 * (low + high);
}
