/** Builds network inputs from a scenario file or YAML text, for tests. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCatalog, referencePaths } from "../../models/catalog.js";
import { loadCalibrationProfile } from "../../models/latency.js";
import { type NetworkInputs, type NetworkOptions, type NetworkResult, runNetwork } from "../../models/network/index.js";
import { createNetworkState } from "../../models/network/run.js";
import type { NetworkState } from "../../models/network/state.js";
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

/**
 * A tiny network for unit tests of the subsystems: one metro, no network latency, H100s only
 * (duration = work), no failures within the horizon, no prospects, no bid window or deploy
 * time, no payloads. Class 0 takes one GPU a job, class 1 two; both wait up to 30 minutes.
 */
export const TINY_SCENARIO = `
name: tiny
seed: 1
horizonDays: 2
epochHours: 1
geography: { metros: [new-york], zeroNetworkLatency: true }
nodes: { initialCount: 4, mix: [{ gpu: h100-sxm, share: 1 }] }
providers:
  entry: { prospectivePool: 0 }
  failures: { mtbfHours: 1.0e12, repairHours: { dist: constant, value: 2 } }
market: { bidWindowSeconds: 0, deployMinutes: 0, reservePriceShareOfCloud: 1000 }
demand:
  classes:
    - id: single
      kind: batch
      ordersPerHour: 1
      workH100Hours: { dist: constant, value: 1 }
      payloadGbIn: 0
      payloadGbOut: 0
      maxQueueMinutes: 30
    - id: pair
      kind: batch
      ordersPerHour: 1
      gpusPerJob: 2
      workH100Hours: { dist: constant, value: 1 }
      payloadGbIn: 0
      payloadGbOut: 0
      maxQueueMinutes: 30
`;

/** The state of the tiny network (or of `yaml`) at time 0: fleet placed, no epoch started. */
export function tinyState(overrides: readonly string[] = [], yaml = TINY_SCENARIO): NetworkState {
	return createNetworkState(inputsFromYaml(yaml, overrides), { checkInvariants: true });
}
