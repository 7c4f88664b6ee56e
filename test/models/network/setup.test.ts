/** The network's setup: posted prices per GPU-hour, or one price per unit of work (Render's OctaneBench-hour). */
import { describe, expect, it } from "vitest";
import { createNetworkState } from "../../../models/network/run.js";
import { inputsFromFile } from "../network-helpers.js";

describe("posted prices", () => {
	const posted = (basis: string) => {
		const { setup } = createNetworkState(
			inputsFromFile("presets/render-like", [`market.postedPriceBasis=${basis}`, "nodes.initialCount=10"]),
		);
		return { setup, prices: setup.marketContext.postedUsdPerGpuHour };
	};

	it("gpu-hour: each class at 0.8 × its own on-demand rental price", () => {
		const { setup, prices } = posted("gpu-hour");
		setup.gpus.forEach((g, i) => {
			const expected = Number.isFinite(g.rentalOnDemandUsdPerGpuHour) ? 0.8 * g.rentalOnDemandUsdPerGpuHour : 0;
			expect(prices[i]).toBeCloseTo(expected, 12);
		});
	});

	it("work: one price per unit of work, 0.8 × the median of the classes' on-demand price per unit of work", () => {
		const { setup, prices } = posted("work");
		const perWork = setup.gpus
			.map((g, i) => g.rentalOnDemandUsdPerGpuHour * (setup.hoursPerWorkByGpu[i] as number))
			.filter((usd) => Number.isFinite(usd) && usd > 0)
			.sort((a, b) => a - b);
		const n = perWork.length;
		const median =
			n % 2 === 1
				? (perWork[(n - 1) / 2] as number)
				: ((perWork[n / 2 - 1] as number) + (perWork[n / 2] as number)) / 2;
		setup.gpus.forEach((_, i) => {
			// Price per GPU-hour × GPU-hours per unit of work: the same for every class.
			expect((prices[i] as number) * (setup.hoursPerWorkByGpu[i] as number)).toBeCloseTo(0.8 * median, 12);
		});
	});
});
