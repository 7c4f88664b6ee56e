/**
 * `depin-twin run` on the main thread: starts the run worker, shows its progress on a terminal,
 * turns SIGINT and SIGTERM into a stop at the next epoch boundary (a second signal exits at
 * once), restores the terminal, and prints the outcome: the results line, the KPI table (on a
 * terminal, or with --table) or the summary JSON alone on stdout (--json).
 */
import type { SingleBar } from "cli-progress";
import { EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_RUN_FAILED, ExitCode } from "./errors.js";
import type { CommandIo } from "./io.js";
import { collapseWarning, formatKpiTable } from "./kpi-table.js";
import { formatNumber } from "./output.js";
import type { RunMessage } from "./run-worker.js";

export interface RunCliOptions {
	readonly seed?: number;
	readonly set: string[];
	readonly out?: string;
	readonly force?: boolean;
	readonly checkInvariants?: boolean;
	readonly json?: boolean;
	readonly table?: boolean;
}

export type RunIo = CommandIo;

/** Show the cursor, re-enable line wrap (what a progress bar switches off). */
const RESTORE_TERMINAL = "\x1b[?25h\x1b[?7h";

/** The progress bar on stderr, created at the first progress message; "done" fills it, "stop" leaves it. */
async function progressBar(
	io: RunIo,
): Promise<(m: Extract<RunMessage, { type: "progress" }> | "done" | "stop") => void> {
	const { SingleBar } = await import("cli-progress");
	let bar: SingleBar | null = null;
	let days = "";
	let rate = "…";
	let last = { events: 0, ns: 0n };
	return (message) => {
		if (typeof message === "string") {
			if (message === "done") bar?.update(bar.getTotal(), { day: days });
			bar?.stop();
			return;
		}
		if (bar === null) {
			days = formatNumber(message.days);
			bar = new SingleBar({
				format: "simulating {bar} day {day}/{days} | {rate} events/s | ETA {eta_formatted}",
				hideCursor: true,
				etaBuffer: 50,
				stream: io.stderr,
			});
			bar.start(message.epochs, 0, { day: 0, days, rate });
			last = { events: message.events, ns: process.hrtime.bigint() };
		}
		const now = process.hrtime.bigint();
		const seconds = Number(now - last.ns) / 1e9;
		// Over half a second or more, so the rate does not jitter.
		if (seconds > 0.5) {
			rate = Math.round((message.events - last.events) / seconds).toLocaleString("en-US");
			last = { events: message.events, ns: now };
		}
		bar.update(message.epoch, { day: formatNumber(message.day), rate });
	};
}

/** Runs a scenario in the worker and reports it; throws ExitCode on anything but success. */
export async function runCommand(scenario: string, options: RunCliOptions, io: RunIo): Promise<void> {
	const { startRunWorker } = await import("./run-worker.js");
	const interactive = io.stderr.isTTY === true && options.json !== true;
	const progress = interactive ? await progressBar(io) : undefined;
	const stop = new Int32Array(new SharedArrayBuffer(4));
	let signals = 0;
	const onSignal = () => {
		signals++;
		Atomics.store(stop, 0, 1);
		if (signals > 1) {
			// A second signal: the user does not want to wait for the epoch to end.
			progress?.("stop");
			if (io.stderr.isTTY) io.stderr.write(RESTORE_TERMINAL);
			io.stderr.write("interrupted\n");
			process.exit(EXIT_INTERRUPTED);
		}
	};
	process.on("SIGINT", onSignal);
	process.on("SIGTERM", onSignal);
	const worker = startRunWorker({
		scenario,
		overrides: options.set,
		...(options.seed === undefined ? {} : { seed: options.seed }),
		...(options.out === undefined ? {} : { out: options.out }),
		force: options.force === true,
		checkInvariants: options.checkInvariants === true,
		stop,
	});
	try {
		const final = await new Promise<RunMessage>((resolve, reject) => {
			worker.on("message", (message: RunMessage) => {
				if (message.type === "progress") progress?.(message);
				else if (message.type !== "started") resolve(message);
			});
			worker.on("error", reject);
			worker.on("exit", (code) => reject(new Error(`the run worker exited (code ${code}) without a result`)));
		});
		progress?.(final.type === "done" ? "done" : "stop");
		report(final, options, io);
	} finally {
		process.off("SIGINT", onSignal);
		process.off("SIGTERM", onSignal);
		await worker.terminate();
	}
}

function report(message: RunMessage, options: RunCliOptions, io: RunIo): void {
	switch (message.type) {
		case "done": {
			const line = `results: ${message.outDir} (${message.eventsFired.toLocaleString("en-US")} events in ${(message.wallMs / 1000).toFixed(1)} s)\n`;
			const table = options.json !== true && (options.table ?? io.stdout.isTTY === true);
			const warning = collapseWarning(message.summary);
			// The table carries the warning; without it, the warning goes to stderr.
			if (!table && warning !== undefined) io.stderr.write(`${warning}\n`);
			if (options.json === true) {
				io.stdout.write(message.summaryJson);
				io.stderr.write(line);
				return;
			}
			if (table) io.stdout.write(`\n${formatKpiTable(message.summary)}\n\n`);
			io.stdout.write(line);
			return;
		}
		case "interrupted":
			if (io.stderr.isTTY) io.stderr.write(RESTORE_TERMINAL);
			io.stderr.write("interrupted\n");
			io.stderr.write(
				message.kept
					? `no results written: ${message.outDir} still holds the previous run's results, unchanged\n`
					: "no results written\n",
			);
			throw new ExitCode(EXIT_INTERRUPTED);
		case "bad-input":
			io.stderr.write(`${message.message}\n`);
			throw new ExitCode(EXIT_BAD_INPUT);
		case "failed":
			io.stderr.write(`depin-twin: run failed: ${message.message}\n`);
			throw new ExitCode(EXIT_RUN_FAILED);
		default:
			throw new Error(`unexpected message from the run worker: ${message.type}`);
	}
}
