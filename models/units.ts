/** Time and unit constants: the one home for them in the model (time is integer ms throughout). */
export const MS_PER_SECOND = 1000;
export const SECONDS_PER_MINUTE = 60;
export const SECONDS_PER_HOUR = 3600;
export const MS_PER_MINUTE = SECONDS_PER_MINUTE * MS_PER_SECOND;
export const MS_PER_HOUR = SECONDS_PER_HOUR * MS_PER_SECOND;
export const HOURS_PER_DAY = 24;
export const MS_PER_DAY = HOURS_PER_DAY * MS_PER_HOUR;
export const HOURS_PER_YEAR = 8760;
/** Bits per byte (payload GB → Gbit). */
export const BITS_PER_BYTE = 8;

/** Time to move `gb` gigabytes over a `gbps` Gbit/s link, ms (not rounded). */
export function transferMs(gb: number, gbps: number): number {
	return ((gb * BITS_PER_BYTE) / gbps) * MS_PER_SECOND;
}
