import { describe, expect, it } from "vitest";
import { countAboveMs } from "../../../models/network/request-window.js";
import type { RealtimeClassKpis } from "../../../models/network/types.js";
import { LogHistogram } from "../../../sim/recorder/histogram.js";
import { inputsFromFile, run } from "../network-helpers.js";

describe("request window failures", () => {
	it("counts the values above a threshold in a histogram exactly when they are apart by more than its accuracy", () => {
		const histogram = new LogHistogram();
		for (let v = 1; v <= 100; v++) histogram.record(v);
		expect(countAboveMs(histogram, 50.5)).toBe(50);
		expect(countAboveMs(histogram, 0.5)).toBe(100);
		expect(countAboveMs(histogram, 100)).toBe(0);
		expect(countAboveMs(new LogHistogram(), 1)).toBe(0);
	});

	it("a request slower than its class's timeout fails on both sides; no replica within reach counts apart", () => {
		// The cloud on H100s: its timeouts come from a fixed, fast replica. Every tenant on
		// DePIN (bias 60), so its replicas see full load.
		const result = run(
			inputsFromFile("small", [
				"demand.classes[0].timeoutMs=30",
				"cloud.realtimeGpu=h100-sxm",
				"demand.classes[0].choice.bias=60",
			]),
		);
		for (const twin of [result.kpis, result.baseline]) {
			const vision = twin.classes[0] as RealtimeClassKpis;
			const { arrived, served, failed } = vision.requests;
			expect(vision.timeoutMs).toBe(30);
			expect(served + failed.noReplica + failed.replicaDown + failed.timeout).toBe(arrived);
			expect(vision.servedFraction).toBeCloseTo(served / arrived, 12);
			// Timeouts are a failure of speed, not of availability.
			expect(vision.availability).toBeCloseTo(1 - (failed.noReplica + failed.replicaDown) / arrived, 12);
		}
		// On DePIN some requests take longer than 30 ms (a replica in the same metro answers in ~33 ms),
		// and some metros have no replica within 30 ms of RTT.
		const depinFailed = (result.kpis.classes[0] as RealtimeClassKpis).requests.failed;
		expect(depinFailed.timeout).toBeGreaterThan(0);
		expect(depinFailed.noReplica).toBeGreaterThan(0);
	});

	it("a replica that goes down loses its requests with failover none; nearest-region sends them elsewhere", () => {
		// Every node residential, and residential links fail every ~4 h for ~1 h: replicas go down within most epochs.
		const flaky = [
			"providers.availability.datacenterShareByTier.consumer=0",
			"providers.availability.datacenterShareByTier.datacenter=0",
			"providers.availability.datacenterShareByTier.edge=0",
			"providers.availability.residentialNetwork={perYear: 2000, hours: {dist: constant, value: 1}}",
		];
		const vision = (failover: string) =>
			run(inputsFromFile("small", [...flaky, `failover=${failover}`])).kpis.classes[0] as RealtimeClassKpis;
		const none = vision("none");
		const nearest = vision("nearest-region");
		expect(none.requests.failed.replicaDown).toBeGreaterThan(0);
		expect(none.availability).toBeLessThan(1);
		expect(nearest.requests.failed.replicaDown).toBe(0);
		expect(nearest.availability as number).toBeGreaterThan(none.availability as number);
	});
});
