import { describe, expect, it } from "vitest";
import {
	askUsdPerGpuHour,
	marketAskUsdPerGpuHour,
	newcomerAnnualReturn,
	operatingCostUsdPerHour,
} from "../../models/providers.js";

/** An RTX 4090-like node: 450 W, 0.15 USD/kWh, a quarter of power when idle, 0.03 USD/h upkeep. */
const COST = { tdpWatts: 450, electricityUsdPerKwh: 0.15, idlePowerShare: 0.25, upkeepUsdPerHour: 0.03 };

describe("provider economics", () => {
	it("a cost-plus ask is the full cost per busy hour at the utilisation it prices at", () => {
		// At u = 0.5: power 0.45 × (0.25 + 0.75 × 0.5) = 0.28125 kW × 0.15 = 0.0421875, + 0.03 upkeep
		// = 0.0721875; + capex 0.06 = 0.1321875 per hour, ÷ 0.5 = 0.264375 per busy hour; × 1.3 × 1.1.
		expect(askUsdPerGpuHour(COST, 0.06, 0.3, 1.1, 0.5)).toBeCloseTo(0.264375 * 1.3 * 1.1, 12);
		// At full utilisation it is the full cost at full load (the old rule).
		expect(askUsdPerGpuHour(COST, 0.06, 0.3, 1)).toBeCloseTo((0.45 * 0.15 + 0.03 + 0.06) * 1.3, 12);
	});

	it("a market ask follows the going rate under (idle) or over (busy), never under the floor", () => {
		expect(marketAskUsdPerGpuHour(0.4, 0.05, false, 0.1)).toBeCloseTo(0.38, 12);
		expect(marketAskUsdPerGpuHour(0.4, 0.05, true, 0.1)).toBeCloseTo(0.42, 12);
		expect(marketAskUsdPerGpuHour(0.1, 0.05, false, 0.0975)).toBe(0.0975);
	});

	it("a newcomer's return: clearing price at the utilisation shared with the backlog, tokens, net of depreciation", () => {
		const outlook = {
			clearingUsdPerGpuHour: 0.35,
			fiatShareToProvider: 0.96,
			utilisationOfSimilar: 0.6,
			liveOfClass: 99,
			backlogOfClass: 20,
			tokenRewardUsdPerHour: 0.01,
			capexUsd: 1700,
			lifetimeYears: 3,
		};
		// Busy share 0.6 × 99 / (99 + 20 + 1) = 0.495; revenue 0.35 × 0.495 × 0.96 + 0.01 = 0.17632;
		// running cost at 0.495: 0.45 × (0.25 + 0.75 × 0.495) × 0.15 + 0.03 = 0.071934375.
		const margin = 0.17632 - 0.071934375;
		expect(operatingCostUsdPerHour(COST, 0.495)).toBeCloseTo(0.071934375, 12);
		expect(newcomerAnnualReturn(outlook, COST)).toBeCloseTo((margin * 8760) / 1700 - 1 / 3, 10);
		// A longer backlog lowers it; no clearing price known (NaN) beats no hurdle.
		expect(newcomerAnnualReturn({ ...outlook, backlogOfClass: 200 }, COST)).toBeLessThan(
			newcomerAnnualReturn(outlook, COST),
		);
		expect(newcomerAnnualReturn({ ...outlook, clearingUsdPerGpuHour: Number.NaN }, COST) > -10).toBe(false);
	});

	it("a newcomer shares the emission and the orders with the whole fleet's backlog", () => {
		const outlook = {
			clearingUsdPerGpuHour: 0.35,
			fiatShareToProvider: 0.96,
			utilisationOfSimilar: 0.6,
			liveOfClass: 99,
			backlogOfClass: 20,
			tokenRewardUsdPerHour: 0.05,
			capexUsd: 1700,
			lifetimeYears: 3,
			liveAll: 899,
			backlogAll: 120,
		};
		// Busy share 0.6 × 99 / 120 = 0.495, times 899 / (899 + 100) (the other classes' backlog of 100
		// competes for the same orders) = 0.445495495…; the emission: 0.05 × 899 / (899 + 120 + 1).
		const utilisation = (0.495 * 899) / 999;
		const revenue = 0.35 * utilisation * 0.96 + (0.05 * 899) / 1020;
		const margin = revenue - operatingCostUsdPerHour(COST, utilisation);
		expect(newcomerAnnualReturn(outlook, COST)).toBeCloseTo((margin * 8760) / 1700 - 1 / 3, 10);
		// Without the fleet's figures, neither dilution (the class's backlog alone).
		const { liveAll, backlogAll, ...classOnly } = outlook;
		const classMargin = 0.35 * 0.495 * 0.96 + 0.05 - operatingCostUsdPerHour(COST, 0.495);
		expect(newcomerAnnualReturn(classOnly, COST)).toBeCloseTo((classMargin * 8760) / 1700 - 1 / 3, 10);
		expect(liveAll + backlogAll).toBe(1019);
	});
});
