/** Growable FIFO ring buffer of numbers: no allocation per push once grown. */
export class FifoRing {
	private buffer: Float64Array;
	private head = 0;
	length = 0;

	constructor(initialCapacity = 1024) {
		this.buffer = new Float64Array(Math.max(4, initialCapacity));
	}

	push(value: number): void {
		if (this.length === this.buffer.length) {
			const bigger = new Float64Array(this.buffer.length * 2);
			for (let i = 0; i < this.length; i++) bigger[i] = this.buffer[(this.head + i) % this.buffer.length] as number;
			this.buffer = bigger;
			this.head = 0;
		}
		this.buffer[(this.head + this.length) % this.buffer.length] = value;
		this.length++;
	}

	/** The oldest value (without removing it). */
	peek(): number {
		if (this.length === 0) throw new RangeError("peek() on an empty FIFO");
		return this.buffer[this.head] as number;
	}

	shift(): number {
		if (this.length === 0) throw new RangeError("shift() on an empty FIFO");
		const value = this.buffer[this.head] as number;
		this.head = (this.head + 1) % this.buffer.length;
		this.length--;
		return value;
	}
}
