/**
 * `depin-twin validate SCENARIO [--set path=value ...]`: loads and checks a scenario without
 * running it — everything `run` checks (schema, tables, snapshot, token prices, calibration
 * profile). Prints `ok: <file> (<name>, hash <12 hex>)`, or every issue on stderr (exit 2).
 */
import { formatIssue, ScenarioError, scenarioHash } from "../models/scenario/load.js";
import { EXIT_BAD_INPUT, EXIT_OK } from "./errors.js";
import { prepareRun } from "./prepare-run.js";

export function validateCommand(
	nameOrPath: string,
	overrides: readonly string[],
	scenariosDir: string,
	io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): number {
	try {
		const { loaded } = prepareRun(nameOrPath, overrides, undefined, scenariosDir);
		const hash = scenarioHash(loaded.scenario).slice(0, 12);
		io.stdout.write(`ok: ${loaded.source} (${loaded.scenario.name}, hash ${hash})\n`);
		return EXIT_OK;
	} catch (error) {
		if (!(error instanceof ScenarioError)) throw error;
		for (const issue of error.issues) io.stderr.write(`${formatIssue(issue)}\n`);
		return EXIT_BAD_INPUT;
	}
}
