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

	it("work: one price per unit of render work, 0.8 × the median over the node mix's classes of their on-demand price per unit", () => {
		const { setup, prices } = posted("work");
		// render-like's only job class renders: its work is counted by FP32 peak; its mix is 4090, 3090, L40S.
		const hours = setup.renderHoursPerWorkByGpu;
		const perWork = ["rtx4090", "rtx3090", "l40s"]
			.map((id) => setup.gpus.findIndex((g) => g.id === id))
			.map((i) => (setup.gpus[i]?.rentalOnDemandUsdPerGpuHour as number) * (hours[i] as number))
			.sort((a, b) => a - b);
		const median = perWork[1] as number;
		setup.gpus.forEach((_, i) => {
			// Price per GPU-hour × GPU-hours per unit of work: the same for every class.
			expect((prices[i] as number) * (hours[i] as number)).toBeCloseTo(0.8 * median, 12);
		});
	});

	it("the cloud's hours per unit of work leave out DePIN's audits", () => {
		const state = createNetworkState(inputsFromFile("presets/render-like", ["nodes.initialCount=10"]));
		const { setup } = state;
		expect(setup.auditOverhead).toBeGreaterThan(0);
		const render = state.jobClasses[0];
		if (render === undefined) throw new Error("render-like has a job class");
		let offers = 0;
		render.cloudOfferGpu.forEach((gpu, r) => {
			if (gpu < 0) return;
			offers++;
			const withAudits = (render.hoursPerWorkByGpu[gpu] as number) * render.spec.gpusPerJob;
			expect(render.cloudOfferHoursPerWork[r]).toBeCloseTo(withAudits / (1 + setup.auditOverhead), 12);
		});
		expect(offers).toBeGreaterThan(0);
	});

	it("render work converts by FP32 peak, other job work by FP16 tensor rate", () => {
		const { setup } = posted("work");
		const at = (id: string) => setup.gpus.findIndex((g) => g.id === id);
		const audits = 1 + setup.auditOverhead;
		// An RTX 4090 (82.6 FP32 TFLOP/s) renders faster than an H100 (66.91), but does 1/6 of its tensor work.
		expect(setup.renderHoursPerWorkByGpu[at("rtx4090")]).toBeCloseTo((66.91 / 82.6) * audits, 12);
		expect(setup.renderHoursPerWorkByGpu[at("h100-sxm")]).toBeCloseTo(audits, 12);
		expect(setup.hoursPerWorkByGpu[at("rtx4090")]).toBeCloseTo(((989.4 * 0.5) / (330 * 0.25)) * audits, 9);
	});
});
