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

/** Distinct recent values whose bucket a histogram remembers. */
const RECENT = 4;

export class LogHistogram {
	readonly relativeAccuracy: number;
	readonly minValue: number;
	readonly maxValue: number;
	private readonly gamma: number;
	private readonly logGamma: number;
	private readonly offset: number;
	private readonly counts: Float64Array;
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
	/**
	 * Buckets of the last few distinct values ≥ minValue recorded (NaN: none). Models often
	 * record a handful of values over and over (a fixed provisioning delay per job class), and
	 * a hit here skips the logarithm.
	 */
	private readonly recentValues = new Float64Array(RECENT).fill(Number.NaN);
	private readonly recentIndex = new Int32Array(RECENT);
	private recentNext = 0;

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
	}

	/** Number of buckets (memory is 8 bytes each, fixed at construction). */
	get bucketCount(): number {
		return this.counts.length;
	}

	/** Records `value` (≥ 0) `weight` times. */
	record(value: number, weight = 1): void {
		if (!(value >= 0)) throw new RangeError(`histogram values must be ≥ 0, got ${value}`);
		this.count += weight;
		this.sum += value * weight;
		const recent = this.recentValues;
		for (let r = 0; r < RECENT; r++) {
			if (recent[r] === value) {
				// Already recorded since the last reset: min and max hold it.
				const index = this.recentIndex[r] as number;
				this.counts[index] = (this.counts[index] as number) + weight;
				return;
			}
		}
		if (value < this.min) this.min = value;
		if (value > this.max) this.max = value;
		if (value < this.minValue) {
			this.zeroCount += weight;
			return;
		}
		let index = Math.ceil(Math.log(value) / this.logGamma) - this.offset;
		if (index >= this.counts.length) index = this.counts.length - 1;
		this.counts[index] = (this.counts[index] as number) + weight;
		if (index < this.low) this.low = index;
		if (index > this.high) this.high = index;
		const slot = this.recentNext;
		recent[slot] = value;
		this.recentIndex[slot] = index;
		this.recentNext = (slot + 1) % RECENT;
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
		this.recentValues.fill(Number.NaN);
	}
}
