/**
 * Planning a sweep off the main thread (sweep.ts planSweepInWorker, through the sweep worker's
 * `plan` export, here its tsx bootstrap): the same manifest as planning in this thread, and bad
 * input comes back as the same error (class and message) the CLI turns into exit code 2.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../cli/errors.js";
import { planSweepInWorker } from "../../cli/sweep.js";
import { DEFAULT_SERIES, planSweep, planSweepReply, seriesList } from "../../cli/sweep-plan.js";
import { ScenarioError } from "../../models/scenario/errors.js";
import { gridPoints, parseVary } from "../../sim/experiment/design.js";

const SHORT = ["horizonDays=0.125"];
const vary = [parseVary("nodes.initialCount=200,300")];
const request = { scenario: "small", set: SHORT, runs: 3, vary, points: gridPoints(vary) };

describe("sweep planning in a worker", () => {
	it("gives exactly the manifest and context planned in this thread, and the scenario's name", async () => {
		const here = planSweep({ ...request, series: seriesList(undefined) });
		const there = await planSweepInWorker(request);
		expect(there.manifest).toEqual(here.manifest);
		expect(there.context).toEqual(here.context);
		expect(there.name).toBe(here.base.name);
		expect(there.manifest.identities.map((runs) => runs.length)).toEqual([3, 3]);
		expect(there.manifest.series).toEqual(DEFAULT_SERIES);
		const all = await planSweepInWorker({ ...request, runs: 1, seriesOption: "activeNodes,p95LatencyMs" });
		expect(all.manifest.series).toEqual(["activeNodes", "p95LatencyMs"]);
	}, 60_000);

	it("returns a bad scenario as the ScenarioError this thread would have thrown", async () => {
		const set = [...SHORT, "horizonDays=-1"];
		let expected: unknown;
		try {
			planSweep({ ...request, set, series: seriesList(undefined) });
		} catch (error) {
			expected = error;
		}
		expect(expected).toBeInstanceOf(ScenarioError);
		const reply = planSweepReply({ ...request, set });
		expect(reply).toMatchObject({ ok: false, error: { kind: "scenario" } });
		const thrown = await planSweepInWorker({ ...request, set }).catch((error: unknown) => error);
		expect(thrown).toBeInstanceOf(ScenarioError);
		expect((thrown as ScenarioError).message).toBe((expected as ScenarioError).message);
	}, 60_000);

	it("returns a bad design point or --series as an InputError naming it", async () => {
		const bad = [parseVary("nodes.initialCount=200,-5")];
		const point = await planSweepInWorker({ ...request, vary: bad, points: gridPoints(bad) }).catch((e: unknown) => e);
		expect(point).toBeInstanceOf(InputError);
		expect((point as Error).message).toMatch(/^design point 1 \(nodes\.initialCount=-5\) is not a valid scenario:\n/);
		const series = await planSweepInWorker({ ...request, seriesOption: "nope" }).catch((e: unknown) => e);
		expect(series).toBeInstanceOf(InputError);
		expect((series as Error).message).toMatch(/^--series: no timeseries column nope \(known: /);
	}, 60_000);
});
