/**
 * Providers in the network: each leaves on its own rule (so exits after a shock spread as the
 * patience distribution says), prospects join only on a newcomer's return above their hurdle,
 * and base, without a shock, never loses a large share of its fleet in one epoch.
 */
import { describe, expect, it } from "vitest";
import { LogNormal } from "../../../sim/random/distributions.js";
import { inputsFromFile, inputsFromYaml, run } from "../network-helpers.js";

/**
 * 3,000 H100 providers in one metro whose tenants never choose DePIN (bias −60): from the first
 * epoch every provider's smoothed margin is below zero (idle power and colocation, no revenue, and
 * no burn-in: it starts at 0), and with no loss tolerance every one counts towards exit from that
 * epoch on.
 */
const noRevenue = (patience: string, entry = "{ prospectivePool: 0 }") => `
name: no-revenue
seed: 5
horizonDays: 60
epochHours: 1
geography: { metros: [new-york], zeroNetworkLatency: true }
nodes: { initialCount: 3000, mix: [{ gpu: h100-sxm, share: 1 }] }
providers:
  capex: { ageDays: { dist: constant, value: 0 } } # new GPUs: no end of life within the run
  exit: { consecutiveEpochs: ${patience}, lossToleranceUsdPerHour: { dist: constant, value: 0 }, startAtPlannedMargin: false }
  entry: ${entry}
  failures: { mtbfHours: 1.0e12, mtbfHoursByTier: { datacenter: 1.0e12 }, repairHours: { dist: constant, value: 1 } }
  availability: { datacenterPower: { perYear: 0 }, datacenterNetwork: { perYear: 0 } } # no node ever down
demand:
  classes:
    - id: jobs
      kind: batch
      ordersPerHour: 1
      workH100Hours: { dist: constant, value: 0.1 }
      choice: { bias: -60, priceWeight: 0, reliabilityWeight: 0, slaWeight: 0 }
`;

describe("providers in the network", () => {
	it("after a shock, exits spread over time as the patience distribution says (closed form)", () => {
		// Patience lognormal, median 200 epochs, p95 800. Provider i counts an epoch below from
		// the first close on and leaves (idle, at once) at the close of epoch max(1, round(p_i)):
		// P(gone by the end of epoch k) = F(k + ½), F the lognormal CDF Φ((ln x − ln 200) / σ),
		// σ = ln 4 / 1.6449.
		const result = run(inputsFromYaml(noRevenue("{ dist: lognormal, median: 200, p95: 800 }")), {
			checkInvariants: false,
		});
		const exits = result.timeseries.column("exits");
		const law = LogNormal.fromMedianP95(200, 800);
		const n = 3000;
		let gone = 0;
		let ks = 0;
		for (let k = 0; k < exits.length; k++) {
			gone += exits[k] as number;
			// Row k closes epoch k (its end is k + 1 epochs): gone by then.
			ks = Math.max(ks, Math.abs(gone / n - law.cdf(k + 1 + 0.5)));
		}
		// Kolmogorov–Smirnov at 1%: 1.63 / √n = 0.030 (measured well under it).
		expect(ks).toBeLessThan(1.63 / Math.sqrt(n));
		// The spread: no hour loses more than the density allows (peak f ≈ 0.0025 per epoch).
		expect(Math.max(...exits) / n).toBeLessThan(0.006);
		// The same providers with one patience for all (the old rule) leave in one hour.
		const cliff = run(inputsFromYaml(noRevenue("200")), { checkInvariants: false });
		expect(Math.max(...cliff.timeseries.column("exits"))).toBe(n);
	});

	it("no prospect joins when a newcomer's return is below the hurdle; some do when above", () => {
		// 3,000 prospects a day arrive (1 per starting node), capped at 1,000 in all.
		const pool = "{ prospectivePool: 1000, arrivalsPerDayPerStartNode: 1, hurdleAnnualReturn: ";
		const patience = "65535";
		const below = run(inputsFromYaml(noRevenue(patience, `${pool} 10 }`)), { checkInvariants: false });
		expect(below.kpis.providers.joins).toBe(0);
		expect(below.timeseries.column("joiningNodes").every((x) => x === 0)).toBe(true);
		// A hurdle of −100%: any return beats it (the pool empties; lead time 14 days < 60).
		const above = run(inputsFromYaml(noRevenue(patience, `${pool} -1 }`)), { checkInvariants: false });
		expect(above.kpis.providers.joins).toBe(1000);
	});

	it("prospects arrive as a flow: joins are Poisson with mean rate × starting fleet × days (all join)", () => {
		// 0.01 a day per starting node × 3,000 = 30 prospects a day, each joining (hurdle −100%) after
		// 14 days of lead time: those deciding in the first 46 days of 60 come online, 30 × 46 = 1,380
		// on average (Poisson: sd 37). No cap: the old finite pool would have stopped at its size.
		const flow = "{ arrivalsPerDayPerStartNode: 0.01, hurdleAnnualReturn: -1 }";
		const result = run(inputsFromYaml(noRevenue("65535", flow)), { checkInvariants: false });
		expect(Math.abs(result.kpis.providers.joins - 1380)).toBeLessThan(4 * Math.sqrt(1380));
		// Arrivals spread evenly: each 10-day window of decisions brings 300 ± 4 sd of joins.
		const joins = result.timeseries.column("joins");
		for (let day = 14; day + 10 <= 60; day += 10) {
			const window = Array.from(joins.subarray(day * 24, (day + 10) * 24)).reduce((a, b) => a + b, 0);
			expect(Math.abs(window - 300)).toBeLessThan(4 * Math.sqrt(300));
		}
	});

	it("the holding cost of a GPU raises the exit threshold by its share of the capex per hour", () => {
		// Threshold −1 USD/h: no idle H100 (margin −(1.26 kW × 0.25 × PUE 1.56 × power price +
		// colocation 1.26 kW × 184 × 12 / 8,760 = 0.318), under 0.4 USD/h) is below it. A holding cost h adds h × 27,500 / 8,760 USD/h (capex at its catalogue price):
		// h = 0.1 adds 0.314 (threshold −0.686: all stay), h = 0.5 adds 1.570 (threshold +0.570: all
		// are below from the first epoch and leave after their patience of 24 epochs).
		const withHolding = (h: number) =>
			noRevenue("24")
				.replace("capex: {", "capex: { priceFactor: { dist: constant, value: 1 },")
				.replace("exit: {", `exit: { marginThresholdUsdPerHour: -1, holdingCostSharePerYear: ${h},`);
		const stay = run(inputsFromYaml(withHolding(0.1)), { checkInvariants: false });
		expect(stay.kpis.providers.exits).toBe(0);
		const leave = run(inputsFromYaml(withHolding(0.5)), { checkInvariants: false });
		expect(leave.kpis.providers.exits).toBe(3000);
		expect(leave.timeseries.column("exits")[23]).toBe(3000);
	});

	it("base without a shock: no epoch loses more than 1% of the fleet, and the fleet stays near its start", () => {
		// 75 days: the old rule (a month of patience for all) lost 28% of base in epoch 719.
		const result = run(inputsFromFile("base", ["horizonDays=75"]), { checkInvariants: false });
		const active = result.timeseries.column("activeNodes");
		const exits = result.timeseries.column("exits");
		for (let k = 1; k < exits.length; k++) {
			expect((exits[k] as number) / (active[k - 1] as number)).toBeLessThanOrEqual(0.01);
		}
		// Base starts near the fleet its demand sustains: seeds 1–3 never dip more than 11% below the
		// start over a year (the old 10,000-node start had lost 35% by day 75).
		const lowest = Math.min(...active);
		expect(lowest / result.kpis.nodes.start).toBeGreaterThan(0.85);
	});
});
