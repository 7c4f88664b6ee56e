/**
 * The worker's side of a sweep: one task is one run. `executeTask` runs the model's function,
 * records a success or a failure (with its seed, values and error) in the run's own file, and
 * returns only a small receipt, so results never pile up in the main thread.
 */
import type { RunRecord } from "./store.js";
import { runPath, runRecordJson, writeAtomic } from "./store.js";

export interface RunTask {
	readonly outDir: string;
	readonly identity: string;
	readonly point: number;
	readonly run: number;
	readonly seed: number;
	readonly values: Readonly<Record<string, string>>;
	/** The point's settings as `path=value`. */
	readonly overrides: readonly string[];
	readonly series: readonly string[];
	/** What the model needs beside (its own shape: scenario, base overrides…). */
	readonly context: unknown;
}

/** What a model returns for one run. */
export interface RunOutput {
	/** Nested KPIs: every numeric (or null) leaf becomes a dotted column. */
	readonly kpis: Readonly<Record<string, unknown>>;
	readonly series: Readonly<Record<string, readonly (number | null)[]>>;
}

export interface TaskReceipt {
	readonly identity: string;
	readonly point: number;
	readonly run: number;
	readonly ok: boolean;
	readonly error?: string;
	/** Wall time of the run in the worker, ms (not written to any result file). */
	readonly wallMs: number;
	/** When the run started, ms on the process's monotonic clock (process.hrtime). */
	readonly startedMs: number;
}

/** An array item's name: its string `id` when it has one (per-class blocks), else its index. */
function itemKey(item: unknown, index: number): string {
	const id = item !== null && typeof item === "object" ? (item as { id?: unknown }).id : undefined;
	return typeof id === "string" && id !== "" ? id : String(index);
}

/**
 * Every number or null leaf of a nested value, under dotted names in key order; array items
 * are named by their `id` or index (`kpis.classes.vision-edge.latencyMs.p95`); strings and
 * booleans are skipped.
 */
export function flattenNumeric(value: unknown, prefix = "", out: Record<string, number | null> = {}) {
	const join = (key: string) => (prefix === "" ? key : `${prefix}.${key}`);
	if (value === null) {
		if (prefix !== "") out[prefix] = null;
	} else if (typeof value === "number") {
		out[prefix] = Number.isFinite(value) ? value : null;
	} else if (Array.isArray(value)) {
		for (let index = 0; index < value.length; index++) {
			flattenNumeric(value[index], join(itemKey(value[index], index)), out);
		}
	} else if (typeof value === "object") {
		for (const [key, inner] of Object.entries(value)) flattenNumeric(inner, join(key), out);
	}
	return out;
}

function errorText(error: unknown): string {
	return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Writes the record of a run (also from the main thread, when a worker dies). */
export function recordFailure(task: RunTask, error: unknown): void {
	writeRecord(task, { status: "failed", kpis: {}, series: {}, error: errorText(error) });
}

/** Writes a run's file: the task's identity, point, run, seed and values, then its outcome. */
function writeRecord(task: RunTask, outcome: Pick<RunRecord, "status" | "kpis" | "series" | "error">): void {
	const { identity, point, run, seed, values } = task;
	const record: RunRecord = { identity, point, run, seed, values, ...outcome };
	writeAtomic(runPath(task.outDir, identity), runRecordJson(record));
}

/**
 * Runs one task and writes its file. A synchronous model is run and recorded synchronously:
 * the worker may hold a second task in its queue, and an await here would let that run start
 * inside this one's timing.
 */
export function executeTask(
	task: RunTask,
	run: (task: RunTask) => RunOutput | Promise<RunOutput>,
): TaskReceipt | Promise<TaskReceipt> {
	const started = process.hrtime.bigint();
	const receipt = (ok: boolean, error?: string): TaskReceipt => ({
		identity: task.identity,
		point: task.point,
		run: task.run,
		ok,
		...(error === undefined ? {} : { error }),
		wallMs: Number(process.hrtime.bigint() - started) / 1e6,
		startedMs: Number(started) / 1e6,
	});
	const fail = (error: unknown): TaskReceipt => {
		recordFailure(task, error);
		return receipt(false, error instanceof Error ? error.message : String(error));
	};
	const finish = (output: RunOutput): TaskReceipt => {
		writeRecord(task, { status: "ok", kpis: flattenNumeric(output.kpis), series: output.series });
		return receipt(true);
	};
	let output: RunOutput | Promise<RunOutput>;
	try {
		output = run(task);
	} catch (error) {
		return fail(error);
	}
	return output instanceof Promise ? output.then(finish, fail) : finish(output);
}
