/**
 * A piscina worker of `depin-twin sweep`: one task is one run of the network model at one
 * design point and seed. The run's KPIs and main series go straight into its own file. The
 * `plan` export plans the sweep in a pool of one such worker before the runs (see sweep.ts).
 */
import {
	type NetworkResult,
	TIMESERIES_COLUMNS,
	type TimeseriesColumn,
	TOKEN_UNIT_COLUMNS,
} from "../models/network/index.js";
import { executeTask, type RunOutput, type RunTask, type TaskReceipt } from "../sim/experiment/task.js";
import { computeRun, prepareRun } from "./run.js";
import { planSweepReply, type SweepPlanReply, type SweepPlanRequest } from "./sweep-plan.js";

/** What every run of a sweep shares: the scenario and its --set overrides. */
export interface SweepContext {
	readonly scenario: string;
	readonly overrides: readonly string[];
}

/** A main series of the timeseries, per epoch: token amounts in tokens, missing values null. */
export function seriesOf(result: NetworkResult, name: string): (number | null)[] {
	if (!(TIMESERIES_COLUMNS as readonly string[]).includes(name)) return [];
	const column = result.timeseries.column(name as TimeseriesColumn);
	const scale =
		result.tokenDecimals !== null && TOKEN_UNIT_COLUMNS.has(name as TimeseriesColumn) ? 10 ** result.tokenDecimals : 1;
	const out: (number | null)[] = [];
	for (let row = 0; row < result.timeseries.length; row++) {
		const value = column[row] as number;
		out.push(Number.isFinite(value) ? value / scale : null);
	}
	return out;
}

export function runSweepTask(task: RunTask): RunOutput {
	const context = task.context as SweepContext;
	const prepared = prepareRun(context.scenario, [...context.overrides, ...task.overrides], task.seed);
	const { result } = computeRun(prepared);
	const series: Record<string, (number | null)[]> = {};
	for (const name of task.series) series[name] = seriesOf(result, name);
	return { kpis: { kpis: result.kpis, baseline: result.baseline }, series };
}

export default function sweepTask(task: RunTask): TaskReceipt | Promise<TaskReceipt> {
	return executeTask(task, runSweepTask);
}

/** The planning task (piscina's `name: "plan"`): the sweep's manifest, made in this thread. */
export function plan(request: SweepPlanRequest): SweepPlanReply {
	return planSweepReply(request);
}
