/** Builds network inputs from a scenario file or YAML text, for tests. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCatalog, referencePaths } from "../../models/catalog.js";
import { loadCalibrationProfile } from "../../models/latency.js";
import { type NetworkInputs, type NetworkOptions, type NetworkResult, runNetwork } from "../../models/network/index.js";
import { loadScenario, parseScenario } from "../../models/scenario/load.js";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const scenariosDir = join(root, "scenarios");
const catalog = loadCatalog(referencePaths(scenariosDir));
const calibration = loadCalibrationProfile(join(scenariosDir, "calibration", "default.json"));

export function inputsFromFile(name: string, overrides: readonly string[] = []): NetworkInputs {
	return { scenario: loadScenario(name, { overrides, scenariosDir }).scenario, catalog, calibration };
}

export function inputsFromYaml(yaml: string, overrides: readonly string[] = []): NetworkInputs {
	return { scenario: parseScenario(yaml, "<test>", overrides).scenario, catalog, calibration };
}

export function run(inputs: NetworkInputs, options: NetworkOptions = {}): NetworkResult {
	return runNetwork(inputs, { checkInvariants: true, ...options });
}
