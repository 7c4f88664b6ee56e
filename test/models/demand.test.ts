import { describe, expect, it } from "vitest";
import { type ArrivalShape, DemandModel, type EpochDemand, epochDemand } from "../../models/demand.js";
import { MS_PER_HOUR } from "../../models/units.js";
import { RandomStream } from "../../sim/random/stream.js";

const SHAPE: ArrivalShape = {
	diurnalAmplitude: 0.5,
	growthPerYear: 0.3,
	bursts: [{ startDay: 1, durationHours: 10, multiplier: 3 }],
};
const METROS = 13;

function geography(seed: number) {
	const rng = RandomStream.create(seed, 0, "test/demand/geography");
	const populationWeights = Float64Array.from({ length: METROS }, () => (rng.int(5) === 0 ? 0 : 0.1 + 10 * rng.next()));
	const longitudesDeg = Float64Array.from({ length: METROS }, () => -180 + 360 * rng.next());
	return { populationWeights, longitudesDeg };
}

/** The demand of one epoch, as the model gives it and as built from scratch, side by side. */
function expectSameDemand(actual: EpochDemand, expected: EpochDemand, what: string): void {
	expect(actual.ratePerHour, what).toBe(expected.ratePerHour);
	expect(actual.metroWeights.length).toBe(METROS);
	for (let m = 0; m < METROS; m++) expect(actual.metroWeights[m], `${what}, metro ${m}`).toBe(expected.metroWeights[m]);
	for (let m = 0; m < METROS; m++) {
		expect(actual.origin.probabilities[m], `${what}, metro ${m}`).toBe(expected.origin.probabilities[m]);
	}
	const a = RandomStream.create(9, 0, what);
	const b = RandomStream.create(9, 0, what);
	for (let i = 0; i < 25; i++) expect(actual.origin.sample(a), `${what}, draw ${i}`).toBe(expected.origin.sample(b));
}

describe("DemandModel", () => {
	const { populationWeights, longitudesDeg } = geography(4);

	it("equals epochDemand number for number at hourly midpoints over four days", () => {
		const model = new DemandModel(120, SHAPE, populationWeights, longitudesDeg);
		for (let hour = 0; hour < 4 * 24; hour++) {
			const midpointMs = (hour + 0.5) * MS_PER_HOUR;
			const fresh = epochDemand(120, SHAPE, midpointMs, populationWeights, longitudesDeg);
			expectSameDemand(model.at(midpointMs), fresh, `hour ${hour}`);
		}
		// Growth and the burst (day 1, 00:00–10:00) move the rate from day to day at one hour of
		// day; the geography repeats.
		const day0 = model.at(6.5 * MS_PER_HOUR);
		const day1 = model.at(30.5 * MS_PER_HOUR);
		const day2 = model.at(54.5 * MS_PER_HOUR);
		expect(day1.ratePerHour / day0.ratePerHour).toBeCloseTo(3 * 1.3 ** (24 / 8760), 9);
		expect(day2.ratePerHour / day0.ratePerHour).toBeCloseTo(1.3 ** (48 / 8760), 9);
		expect(Array.from(day2.metroWeights)).toEqual(Array.from(day0.metroWeights));
		// The diurnal part moves the weights from hour to hour.
		expect(Array.from(model.at(16.5 * MS_PER_HOUR).metroWeights)).not.toEqual(Array.from(day0.metroWeights));
	});

	it("equals epochDemand at midpoints every 0.7 h over ten days (hours of day that are not whole)", () => {
		const model = new DemandModel(37.5, SHAPE, populationWeights, longitudesDeg);
		const epochMs = 0.7 * MS_PER_HOUR;
		let epochs = 0;
		for (let start = 0; start < 10 * 24 * MS_PER_HOUR; start += epochMs) {
			const midpointMs = start + epochMs / 2;
			const fresh = epochDemand(37.5, SHAPE, midpointMs, populationWeights, longitudesDeg);
			expectSameDemand(model.at(midpointMs), fresh, `epoch ${epochs} (${midpointMs} ms)`);
			epochs++;
		}
		expect(epochs).toBeGreaterThan(168 / 0.7); // past the week after which hours of day repeat
	});

	it("asked out of order and twice for the same time, gives the same as from scratch", () => {
		const model = new DemandModel(5, SHAPE, populationWeights, longitudesDeg);
		const rng = RandomStream.create(6, 0, "test/demand/times");
		for (let i = 0; i < 200; i++) {
			const midpointMs = Math.floor(rng.next() * 5 * 24 * 4) * 0.25 * MS_PER_HOUR + rng.int(3) * 0.125 * MS_PER_HOUR;
			const fresh = epochDemand(5, SHAPE, midpointMs, populationWeights, longitudesDeg);
			expectSameDemand(model.at(midpointMs), fresh, `t = ${midpointMs}`);
		}
	});
});
