/**
 * `depin-twin bench [engine|model|all]` and its hidden per-process worker command. Loaded
 * only when benchmarking (the command line imports it on demand).
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
	benchEngine,
	benchWorkload,
	DEFAULT_ENGINE_BENCH,
	type EngineBenchOptions,
	type EngineWorkload,
	formatEngineBench,
	QUICK_ENGINE_BENCH,
} from "./bench-engine.js";
import { benchModel, runModelSample } from "./bench-model.js";
import { benchStartup } from "./bench-startup.js";
import { InputError } from "./errors.js";

export interface BenchCliOptions {
	scenario?: string;
	runs?: number;
	rssRuns?: number;
	set?: string[];
	json?: boolean;
	quick?: boolean;
	repetitions?: number;
	seed: number;
}

interface BenchIo {
	readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
	readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function runBench(
	target: "engine" | "model" | "all" | "startup" | "sweep",
	options: BenchCliOptions,
	io: BenchIo,
	cliEntry: string,
): Promise<void> {
	if (target === "startup") {
		const startup = benchStartup(cliEntry, options.repetitions ?? (options.quick ? 1 : 5));
		const environment = { node: process.version, platform: `${process.platform}-${process.arch}` };
		io.stdout.write(`${JSON.stringify({ startup, environment }, null, options.json ? 0 : 2)}\n`);
		return;
	}
	if (target === "sweep") {
		const { benchSweep } = await import("./bench-sweep.js");
		const progress = io.stderr.isTTY && !options.json ? (m: string) => io.stderr.write(`bench · ${m}\n`) : undefined;
		const report = await benchSweep(
			cliEntry,
			{
				scenario: options.scenario ?? "small",
				overrides: options.set ?? [],
				runs: options.runs ?? (options.quick ? 20 : 200),
				rssRuns: options.rssRuns ?? (options.quick ? 50 : 1000),
				workers: [1, 2],
				baseOverrides: options.quick ? ["horizonDays=30"] : [],
			},
			progress,
		);
		io.stdout.write(`${JSON.stringify(report, null, options.json ? 0 : 2)}\n`);
		return;
	}
	const preset = options.quick ? QUICK_ENGINE_BENCH : DEFAULT_ENGINE_BENCH;
	const progress = io.stderr.isTTY && !options.json ? (m: string) => io.stderr.write(`bench · ${m}\n`) : undefined;
	const report: Record<string, unknown> = {};
	if (target !== "model") {
		const engineOptions: EngineBenchOptions = {
			...preset,
			repetitions: options.repetitions ?? preset.repetitions,
			seed: options.seed,
		};
		const engine = await benchEngine(engineOptions, cliEntry, progress);
		if (!options.json && io.stdout.isTTY) io.stdout.write(`${formatEngineBench(engine)}\n\n`);
		Object.assign(report, engine);
	}
	if (target !== "engine") {
		const scenario = options.scenario ?? "base";
		progress?.(`model: ${scenario}${options.quick ? " (quick: 30 days)" : ""}`);
		const out = join(tmpdir(), `depin-twin-bench-${process.pid}`);
		const model = await benchModel(cliEntry, {
			scenario,
			overrides: [...(options.quick ? ["horizonDays=30"] : []), ...(options.set ?? [])],
			repetitions: options.repetitions ?? (options.quick ? 1 : 3),
			out,
		}).finally(() => rmSync(out, { recursive: true, force: true }));
		if (!options.json && io.stdout.isTTY) {
			io.stdout.write(
				`model ${model.scenario}: ${model.wallMs} ms wall, ${model.events.toLocaleString("en-US")} events (${model.eventsPerSec.toLocaleString("en-US")}/s, ${model.ratio}× a bare heap), peak RSS ${model.peakRssMiB} MiB\n\n`,
			);
		}
		for (const warning of model.warnings) io.stderr.write(`warning: ${warning}\n`);
		report.model = model;
		report.environment ??= {
			node: process.version,
			platform: `${process.platform}-${process.arch}`,
			seed: options.seed,
		};
	}
	io.stdout.write(`${JSON.stringify(report, null, options.json ? 0 : 2)}\n`);
}

/** One benchmark sample in this (child) process, for `bench-worker <workload> <options JSON>`. */
export async function benchWorker(workload: string, optionsJson: string): Promise<unknown> {
	if (workload === "sweep-time") {
		const { sweepTimeSample } = await import("./bench-sweep.js");
		return sweepTimeSample(JSON.parse(optionsJson) as Parameters<typeof sweepTimeSample>[0]);
	}
	if (workload === "model-run") return runModelSample(JSON.parse(optionsJson) as Parameters<typeof runModelSample>[0]);
	if (workload !== "hold" && workload !== "mmc") throw new InputError(`unknown workload ${workload}`);
	return benchWorkload(workload as EngineWorkload, JSON.parse(optionsJson) as EngineBenchOptions);
}
