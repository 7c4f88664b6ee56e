#!/usr/bin/env node
/**
 * depin-twin command line: the composition root. It parses commands and wires the engine
 * (sim/), the DePIN model (models/) and the faces (dashboard/). Exit codes: 0 ok, 1 the run
 * failed, 2 bad input.
 */
import { realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ScenarioError } from "../models/scenario/load.js";
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
import { scenariosDir } from "./paths.js";
import { executeRun, formatKpiTable, prepareRun } from "./run.js";
import { validateCommand } from "./validate.js";

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** An error in what the user gave (exit code 2). */
export class InputError extends Error {}

/** A command that has already reported its problem and only needs to exit with `code`. */
class ExitCode extends Error {
	constructor(readonly code: number) {
		super(`exit ${code}`);
	}
}

function integerOption(name: string, min: number) {
	return (value: string): number => {
		const n = Number(value);
		if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
		return n;
	};
}

interface Io {
	readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
	readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

interface BenchCliOptions {
	scenario?: string;
	set?: string[];
	json?: boolean;
	quick?: boolean;
	repetitions?: number;
	seed: number;
}

async function runBench(target: "engine" | "model" | "all", options: BenchCliOptions, io: Io): Promise<void> {
	const preset = options.quick ? QUICK_ENGINE_BENCH : DEFAULT_ENGINE_BENCH;
	const progress = io.stderr.isTTY && !options.json ? (m: string) => io.stderr.write(`bench · ${m}\n`) : undefined;
	const report: Record<string, unknown> = {};
	if (target !== "model") {
		const engineOptions: EngineBenchOptions = {
			...preset,
			repetitions: options.repetitions ?? preset.repetitions,
			seed: options.seed,
		};
		const engine = await benchEngine(engineOptions, cliEntry(), progress);
		if (!options.json && io.stdout.isTTY) io.stdout.write(`${formatEngineBench(engine)}\n\n`);
		Object.assign(report, engine);
	}
	if (target !== "engine") {
		const scenario = options.scenario ?? "base";
		progress?.(`model: ${scenario}${options.quick ? " (quick: 30 days)" : ""}`);
		const out = join(tmpdir(), `depin-twin-bench-${process.pid}`);
		const model = await benchModel(cliEntry(), {
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
		report.model = model;
		report.environment ??= {
			node: process.version,
			platform: `${process.platform}-${process.arch}`,
			seed: options.seed,
		};
	}
	io.stdout.write(`${JSON.stringify(report, null, options.json ? 0 : 2)}\n`);
}

/** The path of this CLI's entry file, for child processes. */
function cliEntry(): string {
	return process.argv[1] ?? fileURLToPath(import.meta.url);
}

export function buildProgram(io: Io): Command {
	const program = new Command("depin-twin")
		.description("Seeded discrete-event simulator and digital twin of a DePIN GPU network for edge AI")
		.exitOverride()
		.configureOutput({
			writeOut: (s) => io.stdout.write(s),
			writeErr: (s) => io.stderr.write(s),
		})
		.showHelpAfterError("(run depin-twin --help for usage)");

	const seedOption = () =>
		new Option("--seed <n>", "master random seed").default(1).argParser(integerOption("--seed", 0));

	const collect = (value: string, previous: string[]) => [...previous, value];

	program
		.command("run")
		.description("run a scenario and write its results folder (default scenario: base)")
		.argument("[scenario]", "scenario file, or a name in scenarios/ (base, small, presets/…)", "base")
		.option("--seed <n>", "master random seed (overrides the scenario's)", integerOption("--seed", 0))
		.option("--set <path=value>", "override a scenario field (repeatable)", collect, [])
		.option("--out <dir>", "results folder (default out/<scenario name>/)")
		.option("--check-invariants", "check conservation and state invariants every epoch (slower)")
		.action((scenario: string, options: { seed?: number; set: string[]; out?: string; checkInvariants?: boolean }) => {
			const prepared = prepareRun(scenario, options.set, options.seed);
			const interactive = io.stderr.isTTY === true;
			const outcome = executeRun(prepared, {
				...(options.out === undefined ? {} : { out: options.out }),
				checkInvariants: options.checkInvariants === true,
				interactive,
			});
			if (io.stdout.isTTY) io.stdout.write(`\n${formatKpiTable(outcome.summary)}\n\n`);
			io.stdout.write(
				`results: ${outcome.outDir} (${outcome.result.eventsFired.toLocaleString("en-US")} events in ${(outcome.wallMs / 1000).toFixed(1)} s)\n`,
			);
		});

	program
		.command("validate")
		.description("check a scenario file (exit 0 when valid, 2 with the problems when not)")
		.argument("<scenario>", "scenario file, or a name in scenarios/")
		.option("--set <path=value>", "override a scenario field (repeatable)", collect, [])
		.action((scenario: string, options: { set: string[] }) => {
			const code = validateCommand(scenario, options.set, scenariosDir(), io);
			if (code !== 0) throw new ExitCode(code);
		});

	program
		.command("calibrate")
		.description("time TensorFlow.js kernels on this machine, fit the latency model and write a calibration profile")
		.addOption(
			new Option("--backend <name>", "tfjs backend (auto: the best that loads)")
				.choices(["auto", "tensorflow", "wasm", "cpu"])
				.default("auto"),
		)
		.option("--quick", "a few kernels, batches and samples (seconds; a smoke test)")
		.option(
			"--import <csv>",
			"turn external measurements (device,kernel,batch,latency_ms[,flops,bytes]) into a profile",
		)
		.option("--out <file>", "profile file (default scenarios/calibration/measured-<backend>.json)")
		.action(async (options: { backend: string; quick?: boolean; import?: string; out?: string }) => {
			// Loaded on demand: TensorFlow.js takes about a second to import.
			const { calibrateCommand } = await import("./calibrate.js");
			const code = await calibrateCommand(
				{
					backend: options.backend,
					quick: options.quick === true,
					...(options.import === undefined ? {} : { importCsv: options.import }),
					...(options.out === undefined ? {} : { out: options.out }),
				},
				io,
			);
			if (code !== 0) throw new ExitCode(code);
		});

	program
		.command("bench")
		.description(
			"benchmark the simulator: engine (hold and M/M/c against a hand-written reference), model (a whole scenario run), or all",
		)
		.argument("[target]", "engine | model | all", "all")
		.option("--scenario <name>", "scenario of the model benchmark (default base)")
		.option("--set <path=value>", "override a field of the model benchmark's scenario (repeatable)", collect, [])
		.option("--json", "print only the JSON report")
		.option("--quick", "a tenth of the work, 3 repetitions (a smoke test, not a measurement)")
		.addOption(
			new Option(
				"--repetitions <n>",
				`timed repetitions, median reported (default ${DEFAULT_ENGINE_BENCH.repetitions})`,
			).argParser(integerOption("--repetitions", 1)),
		)
		.addOption(seedOption())
		.action(async (target: string, options: BenchCliOptions) => {
			if (target !== "engine" && target !== "model" && target !== "all") {
				throw new InputError(`bench: unknown target "${target}" (expected engine, model or all)`);
			}
			await runBench(target, options, io);
		});

	program
		.command("bench-worker", { hidden: true })
		.argument("<workload>")
		.argument("<options>")
		.action((workload: string, optionsJson: string) => {
			if (workload === "model-run") {
				process.send?.(runModelSample(JSON.parse(optionsJson) as Parameters<typeof runModelSample>[0]));
				return;
			}
			if (workload !== "hold" && workload !== "mmc") throw new InputError(`unknown workload ${workload}`);
			const report = benchWorkload(workload as EngineWorkload, JSON.parse(optionsJson) as EngineBenchOptions);
			process.send?.(report);
		});

	return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(
	argv: readonly string[],
	io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
	const program = buildProgram(io);
	try {
		await program.parseAsync([...argv], { from: "user" });
		return EXIT_OK;
	} catch (error) {
		if (error instanceof CommanderError) {
			if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0) {
				return EXIT_OK;
			}
			return EXIT_BAD_INPUT;
		}
		if (error instanceof ExitCode) return error.code;
		if (error instanceof InputError) {
			io.stderr.write(`error: ${error.message}\n`);
			return EXIT_BAD_INPUT;
		}
		if (error instanceof ScenarioError) {
			io.stderr.write(`${error.message}\n`);
			return EXIT_BAD_INPUT;
		}
		io.stderr.write(
			`depin-twin: run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		return EXIT_RUN_FAILED;
	}
}

function isEntryPoint(): boolean {
	const entry = process.argv[1];
	if (entry === undefined) return false;
	try {
		return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
	} catch {
		return false;
	}
}

if (isEntryPoint()) {
	process.exitCode = await main(process.argv.slice(2));
}
