/**
 * Streaming histogram with logarithmic buckets (the DDSketch idea): a value v > 0 falls in
 * bucket ⌈log_γ v⌉ with γ = (1 + α)/(1 − α), and a quantile is reported as the bucket's
 * representative 2γ^i/(γ + 1), which lies within relative error α of every value in the
 * bucket. With α = 0.5% the reported quantile is within 0.5% of the exact sample quantile at
 * the same rank — no array of samples is kept. Count, sum, min and max are exact.
 */

export interface HistogramOptions {
	/** Relative accuracy α of reported quantiles (default 0.005 = 0.5%). */
	readonly relativeAccuracy?: number;
	/** Smallest value told apart from zero (default 1e-3, e.g. 1 µs when values are ms). */
	readonly minValue?: number;
	/** Largest value held exactly; larger ones fall in the top bucket (default 1e9). */
	readonly maxValue?: number;
}

/** Mantissa bits below the exponent that key the bucket table: 2^8 slices per octave, each narrower than a bucket. */
const SLICE_BITS = 8;
/** Largest bucket table built (entries); wider settings compute every bucket with a logarithm. */
const MAX_SLICES = 1 << 16;
/** A double's two 32-bit words, through a shared buffer (little-endian: the high word is word 1). */
const bitsOf = new Float64Array(1);
const highWordOf = new Uint32Array(bitsOf.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A positive double's slice: its exponent and top SLICE_BITS mantissa bits, as one integer that grows with it. */
function sliceOf(value: number): number {
	bitsOf[0] = value;
	return (highWordOf[1] as number) >>> (20 - SLICE_BITS);
}

/** The smallest double of slice `slice`. */
function sliceStart(slice: number): number {
	highWordOf[0] = 0;
	highWordOf[1] = slice << (20 - SLICE_BITS);
	return bitsOf[0] as number;
}

/** The bucket by its definition: ⌈log value / log γ⌉ − offset, at most the top one. */
function bucketByLogarithm(value: number, logGamma: number, offset: number, buckets: number): number {
	return Math.min(Math.ceil(Math.log(value) / logGamma) - offset, buckets - 1);
}

/**
 * Where the buckets of one setting begin, so a bucket is found without a logarithm: `lower[i]`
 * is the smallest double whose bucket (⌈log v / log γ⌉ − offset, capped at the top) is ≥ i,
 * found by bisection on that same formula, and `first[k]` is the bucket of the smallest double
 * of slice k (a value's exponent and top SLICE_BITS mantissa bits, counted from minValue's).
 * A value's bucket is its slice's first or a later one, which comparisons with `lower` find
 * (at most one at the default accuracy). The buckets are those of the formula, bit for bit,
 * as long as Math.log never decreases as its argument grows (test/sim/recorder checks every
 * boundary of the settings the model uses, and the doubles around it).
 */
interface BucketTable {
	readonly lower: Float64Array;
	readonly first: Int32Array;
	readonly firstSlice: number;
	/** Values from here up fall in the top bucket. */
	readonly topFrom: number;
}

const bucketTables = new Map<string, BucketTable | null>();

/** What fixes a histogram's buckets: the range, log γ, the first bucket's exponent and the bucket count. */
interface BucketSettings {
	readonly minValue: number;
	readonly maxValue: number;
	readonly logGamma: number;
	readonly offset: number;
	readonly buckets: number;
}

function bucketTable(settings: BucketSettings): BucketTable | null {
	const key = `${settings.minValue}/${settings.maxValue}/${settings.logGamma}`;
	let table = bucketTables.get(key);
	if (table === undefined) {
		table = buildBucketTable(settings);
		bucketTables.set(key, table);
	}
	return table;
}

function buildBucketTable({ minValue, maxValue, logGamma, offset, buckets }: BucketSettings): BucketTable | null {
	if (!LITTLE_ENDIAN || !(minValue >= 2 ** -1000) || !Number.isFinite(maxValue)) return null;
	const firstSlice = sliceOf(minValue);
	const lastSlice = sliceOf(maxValue);
	if (lastSlice - firstSlice + 1 > MAX_SLICES) return null;
	const bucketOf = (value: number): number => bucketByLogarithm(value, logGamma, offset, buckets);
	const lower = new Float64Array(buckets + 1);
	lower[0] = minValue;
	lower[buckets] = Number.POSITIVE_INFINITY;
	for (let i = 1; i < buckets; i++) {
		// Bracket the boundary (bucketOf(low) < i ≤ bucketOf(high)), then halve down to adjacent doubles.
		// The guess is off by a few ulps at most, so the bracket starts narrow (a dozen halvings) and widens if it must.
		const guess = Math.exp((i + offset - 1) * logGamma);
		let low = Math.max(minValue, guess * (1 - 1e-12));
		let high = guess * (1 + 1e-12);
		for (let step = 2e-12; bucketOf(low) >= i; step *= 2) low = Math.max(minValue, guess * (1 - step));
		for (let step = 2e-12; bucketOf(high) < i; step *= 2) high = guess * (1 + step);
		for (;;) {
			const middle = low + (high - low) / 2;
			if (middle === low || middle === high) break;
			if (bucketOf(middle) >= i) high = middle;
			else low = middle;
		}
		lower[i] = high;
	}
	const first = new Int32Array(lastSlice - firstSlice + 1);
	let bucket = 0;
	for (let k = 0; k < first.length; k++) {
		const start = Math.max(minValue, sliceStart(firstSlice + k));
		while ((lower[bucket + 1] as number) <= start) bucket++;
		first[k] = bucket;
	}
	return { lower, first, firstSlice, topFrom: lower[buckets - 1] as number };
}

/** The error for a value below 0 or NaN (built apart: the message's template would double record's bytecode, which V8 then inlines less). */
function notNonNegative(value: number): RangeError {
	return new RangeError(`histogram values must be ≥ 0, got ${value}`);
}

export class LogHistogram {
	readonly relativeAccuracy: number;
	readonly minValue: number;
	readonly maxValue: number;
	private readonly gamma: number;
	private readonly logGamma: number;
	private readonly offset: number;
	private readonly counts: Float64Array;
	/** Bucket boundaries of these settings (null: none built; a logarithm per value). */
	private readonly table: BucketTable | null;
	/** Range of buckets that may be non-zero (empty when low > high): merge and reset skip the rest. */
	private low: number;
	private high = -1;
	private zeroCount = 0;
	/** Number of values recorded. */
	count = 0;
	/** Sum of values recorded (exact up to float rounding). */
	sum = 0;
	min = Number.POSITIVE_INFINITY;
	max = Number.NEGATIVE_INFINITY;

	constructor(options: HistogramOptions = {}) {
		this.relativeAccuracy = options.relativeAccuracy ?? 0.005;
		this.minValue = options.minValue ?? 1e-3;
		this.maxValue = options.maxValue ?? 1e9;
		if (!(this.relativeAccuracy > 0 && this.relativeAccuracy < 0.5)) {
			throw new RangeError(`relativeAccuracy must be in (0, 0.5), got ${this.relativeAccuracy}`);
		}
		if (!(this.minValue > 0 && this.maxValue > this.minValue)) throw new RangeError("need 0 < minValue < maxValue");
		this.gamma = (1 + this.relativeAccuracy) / (1 - this.relativeAccuracy);
		this.logGamma = Math.log(this.gamma);
		this.offset = Math.ceil(Math.log(this.minValue) / this.logGamma);
		const top = Math.ceil(Math.log(this.maxValue) / this.logGamma);
		this.counts = new Float64Array(top - this.offset + 1);
		this.low = this.counts.length;
		this.table = bucketTable({
			minValue: this.minValue,
			maxValue: this.maxValue,
			logGamma: this.logGamma,
			offset: this.offset,
			buckets: this.counts.length,
		});
	}

	/** Number of buckets (memory is 8 bytes each, fixed at construction). */
	get bucketCount(): number {
		return this.counts.length;
	}

	/** Records `value` (≥ 0) `weight` times. */
	record(value: number, weight = 1): void {
		if (!(value >= 0)) throw notNonNegative(value);
		this.count += weight;
		this.sum += value * weight;
		if (value < this.min) this.min = value;
		if (value > this.max) this.max = value;
		if (value < this.minValue) {
			this.zeroCount += weight;
			return;
		}
		const index = this.bucketOf(value);
		this.counts[index] = (this.counts[index] as number) + weight;
		if (index < this.low) this.low = index;
		if (index > this.high) this.high = index;
	}

	/** The bucket of `value` ≥ minValue: ⌈log value / log γ⌉ − offset, at most the top one. */
	bucketOf(value: number): number {
		const table = this.table;
		if (table === null) return bucketByLogarithm(value, this.logGamma, this.offset, this.counts.length);
		if (value >= table.topFrom) return this.counts.length - 1;
		let index = table.first[sliceOf(value) - table.firstSlice] as number;
		// A slice holds at most one boundary at the default accuracy (slices 0.4% wide, buckets 1%); finer ones may hold more.
		while (value >= (table.lower[index + 1] as number)) index++;
		return index;
	}

	get mean(): number {
		return this.count > 0 ? this.sum / this.count : Number.NaN;
	}

	/**
	 * The q-quantile (q in [0, 1]): the value at rank ⌊q·(count − 1)⌋ of the sorted samples,
	 * within relative error α. NaN when empty.
	 */
	quantile(q: number): number {
		if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
		if (this.count === 0) return Number.NaN;
		const rank = Math.floor(q * (this.count - 1));
		if (rank < this.zeroCount) return this.min < this.minValue ? Math.max(0, this.min) : 0;
		let seen = this.zeroCount;
		const counts = this.counts;
		for (let i = this.low; i <= this.high; i++) {
			seen += counts[i] as number;
			if (seen > rank) {
				const estimate = (2 * this.gamma ** (i + this.offset)) / (this.gamma + 1);
				return Math.min(this.max, Math.max(this.min, estimate));
			}
		}
		return this.max;
	}

	/** Adds another histogram with the same settings (for merging runs and shards). */
	merge(other: LogHistogram): void {
		if (
			other.relativeAccuracy !== this.relativeAccuracy ||
			other.minValue !== this.minValue ||
			other.maxValue !== this.maxValue
		) {
			throw new RangeError("cannot merge histograms with different settings");
		}
		for (let i = other.low; i <= other.high; i++)
			this.counts[i] = (this.counts[i] as number) + (other.counts[i] as number);
		if (other.low < this.low) this.low = other.low;
		if (other.high > this.high) this.high = other.high;
		this.zeroCount += other.zeroCount;
		this.count += other.count;
		this.sum += other.sum;
		this.min = Math.min(this.min, other.min);
		this.max = Math.max(this.max, other.max);
	}

	/** Forgets every value (keeps the buckets' memory). */
	reset(): void {
		if (this.high >= this.low) this.counts.fill(0, this.low, this.high + 1);
		this.low = this.counts.length;
		this.high = -1;
		this.zeroCount = 0;
		this.count = 0;
		this.sum = 0;
		this.min = Number.POSITIVE_INFINITY;
		this.max = Number.NEGATIVE_INFINITY;
	}
}
