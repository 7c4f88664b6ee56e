/** A typed array of any numeric kind. */
export type NumericArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** A copy of `values` in a new array of the same kind and `length` elements (the rest zero). */
export function grownArray<T extends NumericArray>(values: T, length: number): T {
	const bigger = new (values.constructor as new (n: number) => T)(length);
	bigger.set(values as never);
	return bigger;
}
