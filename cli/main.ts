#!/usr/bin/env node
/**
 * depin-twin command line: the composition root. It parses commands and wires the engine
 * (sim/), the DePIN model (models/) and the faces (dashboard/). Exit codes: 0 ok, 1 the run
 * failed, 2 bad input, 130 interrupted. Each command loads what it needs when it runs
 * (dynamic import), so `--help` and `validate` do not pay for the model, tfjs or vega.
 */
import { realpathSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ScenarioError } from "../models/scenario/errors.js";
import type { BenchCliOptions } from "./bench.js";
import type { CompareCliOptions } from "./compare.js";
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_RUN_FAILED, ExitCode, InputError } from "./errors.js";
import { checkOutDir } from "./out-dir.js";
import { packageVersion, scenariosDir } from "./paths.js";
import type { RunCliOptions } from "./run-command.js";
import { assertScenarioExists, formatScenarioList } from "./scenario-names.js";
import type { SensitivityCliOptions } from "./sensitivity.js";
import type { SweepCliOptions } from "./sweep.js";

export { EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_RUN_FAILED, InputError } from "./errors.js";

function integerOption(name: string, min: number) {
	return (value: string): number => {
		const n = Number(value);
		if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
		return n;
	};
}

const collect = (value: string, previous: string[]) => [...previous, value];

interface Io {
	readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
	readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

function addRunCommand(program: Command, io: Io): void {
	program
		.command("run")
		.description("run a scenario and write its results folder (default scenario: base)")
		.argument("[scenario]", "scenario file, or a name in scenarios/ (base, small, presets/…)", "base")
		.option("--seed <n>", "master random seed (overrides the scenario's)", integerOption("--seed", 0))
		.option("--set <path=value>", "override a scenario field (repeatable)", collect, [])
		.option("--out <dir>", "results folder (default out/<name>[-seed<n>][-set-<hash>]/)")
		.option("--force", "replace results of another scenario or seed in the results folder")
		.option("--json", "print the summary (summary.json) on stdout and nothing else")
		.option("--table", "print the KPI table even when stdout is not a terminal")
		.option("--check-invariants", "check conservation and state invariants every epoch (slower)")
		.action(async (scenario: string, options: RunCliOptions) => {
			assertScenarioExists(scenario, scenariosDir());
			// Checked here too (the worker checks the folder it settles on): a bad --out fails at once.
			if (options.out !== undefined) checkOutDir(options.out);
			const { runCommand } = await import("./run-command.js");
			await runCommand(scenario, options, io);
		});
}

function addSweepCommand(program: Command, io: Io): void {
	program
		.command("sweep")
		.description("Monte Carlo runs × design points (--vary grid), on worker threads; resumable, shardable")
		.argument("<scenario>", "scenario file, or a name in scenarios/")
		.requiredOption(
			"--runs <n>",
			"Monte Carlo runs per design point (run r of every point shares its seed)",
			integerOption("--runs", 1),
		)
		.option(
			"--vary <path=values>",
			"a design parameter: path=v1,v2,… or path=lo..hi:steps (repeatable; the grid of all)",
			collect,
			[],
		)
		.option("--set <path=value>", "override a scenario field for every run (repeatable)", collect, [])
		.option("--workers <n>", "worker threads (default: the cores available)", integerOption("--workers", 1))
		.option(
			"--seed <n>",
			"master seed (default the scenario's); run r's seed derives from it",
			integerOption("--seed", 0),
		)
		.option("--out <dir>", "sweep folder (default out/<name>-sweep/); the same command resumes there")
		.option(
			"--shard <k/N>",
			"run only shard k of N (also JOB_COMPLETION_INDEX + DEPIN_TWIN_SHARD_COUNT, or SLURM_ARRAY_TASK_ID/COUNT)",
		)
		.option("--series <names>", "timeseries columns for bands.csv, comma-separated, or all (default: the main ones)")
		.option("--force", "start over: remove the sweep folder's earlier runs")
		.action(async (scenario: string, options: SweepCliOptions) => {
			assertScenarioExists(scenario, scenariosDir());
			if (options.out !== undefined) checkOutDir(options.out);
			const { sweepCommand } = await import("./sweep.js");
			await sweepCommand(scenario, options, io);
		});
}

function addMergeCommand(program: Command, io: Io): void {
	program
		.command("merge")
		.description("combine the shard folders of one sweep into what a one-machine sweep writes")
		.argument("<dirs...>", "shard folders (the same sweep)")
		.requiredOption("--out <dir>", "the merged sweep folder (may be one of the shard folders)")
		.action(async (dirs: string[], options: { out: string }) => {
			checkOutDir(options.out);
			const { mergeCommand } = await import("./merge.js");
			await mergeCommand(dirs, options.out, io);
		});
}

function addCompareCommand(program: Command, io: Io): void {
	program
		.command("compare")
		.description("every KPI of two or more designs with CI95, and each one's difference to the first (paired by seed)")
		.argument("<designs...>", "run folders, sweep folders (each point a design), or scenarios (with --runs)")
		.option("--runs <n>", "runs per scenario given by name or file", integerOption("--runs", 1))
		.option("--set <path=value>", "override a field of the scenarios given (repeatable)", collect, [])
		.option("--seed <n>", "master seed of the scenarios given", integerOption("--seed", 0))
		.option("--workers <n>", "worker threads for the scenarios given", integerOption("--workers", 1))
		.option("--json", "print JSON")
		.option("--csv", "print CSV")
		.action(async (designs: string[], options: CompareCliOptions) => {
			const { compareCommand } = await import("./compare.js");
			await compareCommand(designs, options, io);
		});
}

function addSensitivityCommand(program: Command, io: Io): void {
	program
		.command("sensitivity")
		.description("which parameters move the outputs: a one-at-a-time tornado and Morris elementary effects (μ*, σ)")
		.argument("<scenario>", "scenario file, or a name in scenarios/")
		.requiredOption("--params <paths>", "numeric scenario fields, comma-separated")
		.option("--range <path=lo..hi>", "a parameter's range (repeatable; default its base value ± 20%)", collect, [])
		.requiredOption("--runs <n>", "Monte Carlo runs per design point", integerOption("--runs", 1))
		.option("--trajectories <r>", "Morris trajectories", integerOption("--trajectories", 1), 10)
		.option("--levels <p>", "Morris grid levels (even)", integerOption("--levels", 2), 4)
		.option(
			"--outputs <names>",
			"KPI columns (dotted, * matches anything), comma-separated (default: served fraction, nodes at the end, token price at the end, p95 latencies, payback)",
		)
		.option("--set <path=value>", "override a scenario field for every run (repeatable)", collect, [])
		.option("--seed <n>", "master seed", integerOption("--seed", 0))
		.option("--workers <n>", "worker threads (default: the cores available)", integerOption("--workers", 1))
		.option("--out <dir>", "folder (default out/<name>-sensitivity/); the same command resumes there")
		.option("--force", "start over: remove the folder's earlier runs")
		.action(async (scenario: string, options: SensitivityCliOptions) => {
			assertScenarioExists(scenario, scenariosDir());
			if (options.out !== undefined) checkOutDir(options.out);
			const { sensitivityCommand } = await import("./sensitivity.js");
			await sensitivityCommand(scenario, options, io);
		});
}

function addValidateCommand(program: Command, io: Io): void {
	program
		.command("validate")
		.description("check a scenario file (exit 0 when valid, 2 with the problems when not)")
		.argument("<scenario>", "scenario file, or a name in scenarios/")
		.option("--set <path=value>", "override a scenario field (repeatable)", collect, [])
		.action(async (scenario: string, options: { set: string[] }) => {
			assertScenarioExists(scenario, scenariosDir());
			const { validateCommand } = await import("./validate.js");
			const code = validateCommand(scenario, options.set, scenariosDir(), io);
			if (code !== 0) throw new ExitCode(code);
		});
}

function addScenariosCommand(program: Command, io: Io): void {
	program
		.command("scenarios")
		.description("list the scenarios and presets in scenarios/ with their descriptions")
		.action(async () => {
			io.stdout.write(`${await formatScenarioList(scenariosDir())}\n`);
		});
}

interface CalibrateCliOptions {
	backend: string;
	quick?: boolean;
	import?: string;
	out?: string;
	gpuClass?: string;
	validate?: string | true;
	profile?: string;
}

function addCalibrateCommand(program: Command, io: Io): void {
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
		.option("--gpu-class <id>", "the gpus.csv class the tensorflow backend's GPU is (when its name does not say)")
		.option(
			"--validate [csv]",
			"measure nothing: print the profile's predictions beside published GPU figures (default scenarios/calibration/validation.csv)",
		)
		.option("--profile <id|path>", "with --validate: the profile whose efficiencies predict (default: default)")
		.option(
			"--out <file>",
			"profile file (default scenarios/calibration/measured-<backend>.json); with --validate, an HTML report",
		)
		.action(async (options: CalibrateCliOptions) => {
			// Before measuring: a bad folder would otherwise surface after minutes (or hang, under /proc).
			if (options.out !== undefined) checkOutDir(dirname(resolve(options.out)));
			// Loaded on demand: TensorFlow.js takes about a second to import.
			const { calibrateCommand } = await import("./calibrate.js");
			const code = await calibrateCommand(
				{
					backend: options.backend,
					quick: options.quick === true,
					...(options.import === undefined ? {} : { importCsv: options.import }),
					...(options.out === undefined ? {} : { out: options.out }),
					...(options.gpuClass === undefined ? {} : { gpuClass: options.gpuClass }),
					...(options.validate === undefined ? {} : { validate: options.validate }),
					...(options.profile === undefined ? {} : { profile: options.profile }),
				},
				io,
			);
			if (code !== 0) throw new ExitCode(code);
		});
}

interface GeoFitCliOptions {
	pings: string;
	out?: string;
	scenario: string;
	minKm: number;
	maxKm: number;
	heldOut?: boolean;
}

function numberOption(name: string) {
	return (value: string): number => {
		const n = Number(value);
		if (!Number.isFinite(n) || value.trim() === "") throw new InvalidArgumentError(`${name} must be a number`);
		return n;
	};
}

function addGeoCommands(program: Command, io: Io): void {
	const geo = program
		.command("geo")
		.description("the latency model: export its RTT matrices, fit it to measured pings");
	geo
		.command("export")
		.description("write the core (data-centre) and user-facing RTT matrices of a scenario as CSV, with a manifest")
		.argument("[scenario]", "scenario file, or a name in scenarios/", "base")
		.requiredOption("--out <dir>", "folder for the CSV files and manifest.json")
		.option("--set <path=value>", "override a scenario field (repeatable)", collect, [])
		.action(async (scenario: string, options: { out: string; set: string[] }) => {
			assertScenarioExists(scenario, scenariosDir());
			const { geoExportCommand } = await import("./geo.js");
			geoExportCommand(scenario, options, io);
		});
	geo
		.command("fit")
		.description("fit the core RTT parameters to measured pings and write them as a scenario snippet")
		.requiredOption("--pings <csv>", "from_lat,from_lon,to_lat,to_lon,rtt_ms or from_metro,to_metro,rtt_ms")
		.option("--out <file>", "YAML snippet for a scenario's geography section (default: printed)")
		.option("--scenario <name>", "scenario whose parameters are the 'before' and whose tables name the metros", "base")
		.addOption(
			new Option("--min-km <km>", "ignore pairs nearer than this").default(50).argParser(numberOption("--min-km")),
		)
		.addOption(
			new Option("--max-km <km>", "ignore pairs farther than this").default(20_000).argParser(numberOption("--max-km")),
		)
		.option("--held-out", "also refit leaving out each metro (or point) in turn and report the errors on its pairs")
		.action(async (options: GeoFitCliOptions) => {
			assertScenarioExists(options.scenario, scenariosDir());
			const { geoFitCommand } = await import("./geo.js");
			geoFitCommand(options, io);
		});
}

function addBenchCommands(program: Command, io: Io): void {
	program
		.command("bench")
		.description(
			"benchmark the simulator: engine (hold and M/M/c against a hand-written reference), model (a whole scenario run), all (both), startup (--help and validate wall times), or sweep (pool overhead, memory, runs/s)",
		)
		.argument("[target]", "engine | model | all | startup | sweep", "all")
		.option("--scenario <name>", "scenario of the model benchmark (default base; sweep: small)")
		.option("--runs <n>", "sweep: runs of the overhead sweeps (default 200)", integerOption("--runs", 1))
		.option("--rss-runs <n>", "sweep: runs of the memory sweep (default 1000)", integerOption("--rss-runs", 1))
		.option("--set <path=value>", "override a field of the model benchmark's scenario (repeatable)", collect, [])
		.option("--json", "print only the JSON report")
		.option("--quick", "a tenth of the work, 3 repetitions (a smoke test, not a measurement)")
		.addOption(
			// 5: DEFAULT_ENGINE_BENCH.repetitions (not imported here: bench code loads only when benchmarking).
			new Option("--repetitions <n>", "timed repetitions, median reported (default 5)").argParser(
				integerOption("--repetitions", 1),
			),
		)
		.addOption(new Option("--seed <n>", "master random seed").default(1).argParser(integerOption("--seed", 0)))
		.action(async (target: string, options: BenchCliOptions) => {
			if (!["engine", "model", "all", "startup", "sweep"].includes(target)) {
				throw new InputError(`bench: unknown target "${target}" (expected engine, model, all, startup or sweep)`);
			}
			const { runBench } = await import("./bench.js");
			await runBench(target as Parameters<typeof runBench>[0], options, io, cliEntry());
		});

	program
		.command("bench-worker", { hidden: true })
		.argument("<workload>")
		.argument("<options>")
		.action(async (workload: string, optionsJson: string) => {
			const { benchWorker } = await import("./bench.js");
			process.send?.(await benchWorker(workload, optionsJson));
		});
}

/** The path of this CLI's entry file, for child processes. */
function cliEntry(): string {
	return process.argv[1] ?? fileURLToPath(import.meta.url);
}

export function buildProgram(io: Io): Command {
	const program = new Command("depin-twin")
		.description("Seeded discrete-event simulator and digital twin of a DePIN GPU network for edge AI")
		.version(packageVersion(), "-V, --version", "print the version")
		.exitOverride()
		.configureOutput({
			writeOut: (s) => io.stdout.write(s),
			writeErr: (s) => io.stderr.write(s),
		})
		.showHelpAfterError("(run depin-twin --help for usage)");
	addRunCommand(program, io);
	addValidateCommand(program, io);
	addSweepCommand(program, io);
	addMergeCommand(program, io);
	addCompareCommand(program, io);
	addSensitivityCommand(program, io);
	addScenariosCommand(program, io);
	addCalibrateCommand(program, io);
	addBenchCommands(program, io);
	addGeoCommands(program, io);
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
