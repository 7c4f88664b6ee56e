import { describe, expect, it } from "vitest";
import {
	askUsdPerGpuHour,
	marketAskUsdPerGpuHour,
	newcomerAnnualReturn,
	operatingCostUsdPerHour,
	siteCostInputs,
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

	it("running costs by hosting: household tariff at home; host power, PUE and colocation in a data centre", () => {
		const spec = {
			idlePowerShare: 0.25,
			upkeepUsdPerHour: 0.03,
			residentialTariffFactor: 1.5,
			hostPowerShareResidential: 0.25,
			hostPowerShareDatacenter: 0.8,
			datacenterPue: 1.5,
			colocationUsdPerKwMonth: 146,
		};
		// Home, 450 W card at 0.1 USD/kWh industrial: tariff 0.15; GPU + host 0.5625 kW.
		// Idle: 0.5625 × 0.25 × 0.15 + 0.03 = 0.02109375 + 0.03; full: 0.5625 × 0.15 + 0.03.
		const home = siteCostInputs(spec, 450, false, 0.1);
		expect(operatingCostUsdPerHour(home, 0)).toBeCloseTo(0.05109375, 12);
		expect(operatingCostUsdPerHour(home, 1)).toBeCloseTo(0.114375, 12);
		// Data centre, 700 W H100 at 0.1 USD/kWh: IT 1.26 kW; colocation 1.26 × 146 × 12 / 8,760 =
		// 0.252 USD/h; power at u = 0.5: 1.26 × (0.25 + 0.75 × 0.5) × 1.5 × 0.1 = 0.118125.
		const datacenter = siteCostInputs(spec, 700, true, 0.1);
		expect(datacenter.upkeepUsdPerHour).toBeCloseTo(0.252, 12);
		expect(operatingCostUsdPerHour(datacenter, 0.5)).toBeCloseTo(0.252 + 0.118125, 12);
	});

	it("a market ask follows the going rate under (idle) or over (busy), never under the floor", () => {
		expect(marketAskUsdPerGpuHour(0.4, 0.05, false, 0.1)).toBeCloseTo(0.38, 12);
		expect(marketAskUsdPerGpuHour(0.4, 0.05, true, 0.1)).toBeCloseTo(0.42, 12);
		expect(marketAskUsdPerGpuHour(0.1, 0.05, false, 0.0975)).toBe(0.0975);
	});

	/** A newcomer's outlook on a class of 99 live nodes and 20 joining (a 4090 at $0.35 a GPU-hour). */
	const OUTLOOK = {
		clearingUsdPerGpuHour: 0.35,
		fiatShareToProvider: 0.96,
		utilisationOfSimilar: 0.6,
		liveOfClass: 99,
		backlogOfClass: 20,
		tokenRewardUsdPerHour: 0.01,
		capexUsd: 1700,
		lifetimeYears: 3,
	};

	it("a newcomer's return: clearing price at the utilisation shared with the backlog, tokens, net of depreciation", () => {
		const outlook = OUTLOOK;
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
		const outlook = { ...OUTLOOK, tokenRewardUsdPerHour: 0.05, liveAll: 899, backlogAll: 120 };
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
