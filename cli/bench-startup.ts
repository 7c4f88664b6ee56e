/**
 * `depin-twin bench startup`: how long a user waits for `--help` and for `validate small`,
 * each a fresh Node process (start, module loading, work, exit), alternating the two;
 * medians of the repetitions. Child processes inherit this process's Node flags, so from
 * the TypeScript sources (tsx) the figures include tsx.
 */
import { spawnSync } from "node:child_process";
import { median } from "../sim/stats.js";

export interface StartupBench {
	readonly helpMs: number;
	readonly validateSmallMs: number;
	readonly repetitions: number;
	readonly samplesMs: { readonly help: number[]; readonly validateSmall: number[] };
}

const COMMANDS = { help: ["--help"], validateSmall: ["validate", "small"] } as const;

/** Wall milliseconds of one CLI process; throws when it fails. */
function timeCli(cliEntry: string, args: readonly string[]): number {
	const started = process.hrtime.bigint();
	const child = spawnSync(process.execPath, [...process.execArgv, cliEntry, ...args], { stdio: "ignore" });
	const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
	if (child.status !== 0) throw new Error(`depin-twin ${args.join(" ")} exited with ${child.status ?? child.signal}`);
	return wallMs;
}

export function benchStartup(cliEntry: string, repetitions: number): StartupBench {
	// One untimed round: the first start after a build also reads the files from disk.
	for (const args of Object.values(COMMANDS)) timeCli(cliEntry, args);
	const help: number[] = [];
	const validateSmall: number[] = [];
	for (let r = 0; r < repetitions; r++) {
		help.push(timeCli(cliEntry, COMMANDS.help));
		validateSmall.push(timeCli(cliEntry, COMMANDS.validateSmall));
	}
	const round = (ms: number) => Math.round(ms * 10) / 10;
	return {
		helpMs: round(median(help)),
		validateSmallMs: round(median(validateSmall)),
		repetitions,
		samplesMs: { help: help.map(round), validateSmall: validateSmall.map(round) },
	};
}
