/**
 * `depin-twin validate SCENARIO [--set path=value ...]`: loads and checks a scenario without
 * running it. Prints `ok: <file> (<name>, hash <12 hex>)`, or every issue on stderr (exit 2).
 */
import { loadCatalog, referencePaths } from "../models/catalog.js";
import { formatIssue, loadScenario, ScenarioError, scenarioHash } from "../models/scenario/load.js";
import { checkReferences } from "../models/scenario/references.js";
import { scenariosDir as packageScenariosDir } from "./paths.js";

const EXIT_OK = 0;
const EXIT_BAD_INPUT = 2;

export function validateCommand(
	nameOrPath: string,
	overrides: readonly string[],
	scenariosDir: string,
	io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): number {
	try {
		const loaded = loadScenario(nameOrPath, { overrides, scenariosDir });
		// Names the tables must know (GPU, metro and region ids) are checked too.
		const catalog = loadCatalog(referencePaths(packageScenariosDir(), loaded.scenario.reference));
		const issues = checkReferences(loaded, catalog);
		if (issues.length > 0) throw new ScenarioError(issues);
		const hash = scenarioHash(loaded.scenario).slice(0, 12);
		io.stdout.write(`ok: ${loaded.source} (${loaded.scenario.name}, hash ${hash})\n`);
		return EXIT_OK;
	} catch (error) {
		if (!(error instanceof ScenarioError)) throw error;
		for (const issue of error.issues) io.stderr.write(`${formatIssue(issue)}\n`);
		return EXIT_BAD_INPUT;
	}
}
