/**
 * Exit codes and the errors the command line turns into them. Kept apart from main.ts so that
 * the run worker and the command modules share them without loading the command line.
 */

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
/** 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** An error in what the user gave (exit code 2): printed as one line, without a stack. */
export class InputError extends Error {}

/** A command that has already reported its problem and only needs to exit with `code`. */
export class ExitCode extends Error {
	constructor(readonly code: number) {
		super(`exit ${code}`);
	}
}

/** Thrown from the model's epoch callback to stop a run at an epoch boundary (SIGINT, SIGTERM). */
export class RunInterrupted extends Error {
	constructor() {
		super("interrupted");
	}
}
