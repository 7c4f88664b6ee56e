/**
 * Loading and checking a run's inputs: the scenario and everything it names (reference tables,
 * snapshot, emission table, token prices, calibration profile). `validate` loads only this
 * module, not the network model, so that it starts fast.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { isProfilePath } from "../models/calibration/schema.js";
import { type Catalog, parseCatalog, referencePaths } from "../models/catalog.js";
import { CsvColumns, CsvError, parseCsv } from "../models/csv.js";
import {
	type CalibrationProfile,
	CalibrationProfileError,
	loadCalibrationProfile,
	withMappedClass,
} from "../models/latency.js";
import type { NetworkInputs, SnapshotRow } from "../models/network/types.js";
import { issueAt, type LoadedScenario, loadScenario, ScenarioError } from "../models/scenario/load.js";
import { checkReferences } from "../models/scenario/references.js";
import type { Scenario } from "../models/scenario/schema.js";
import { dailyCloses, loadTokenPriceHistory, type TokenPriceRow } from "../models/tokenomics/token-market.js";
import { scenariosDir } from "./paths.js";

/** A scenario checked against everything it names, with what the network model needs to run it. */
export interface PreparedRun {
	readonly loaded: LoadedScenario;
	readonly inputs: NetworkInputs;
	/** SHA-256 of the three reference tables as read (for the manifest). */
	readonly referenceTablesHash: string;
}

/** Reads the reference tables once: the catalogue and the hash of the bytes it was built from. */
function readReferenceTables(reference: Scenario["reference"]): { catalog: Catalog; hash: string } {
	const paths = referencePaths(scenariosDir(), reference);
	const hash = createHash("sha256");
	const read = (file: string) => {
		const bytes = readFileSync(file);
		hash.update(bytes);
		return { file, text: bytes.toString("utf8") };
	};
	const sources = { gpus: read(paths.gpus), metros: read(paths.metros), cloudRegions: read(paths.cloudRegions) };
	return { catalog: parseCatalog(sources), hash: hash.digest("hex") };
}

/**
 * Loads the scenario (a path, or a name looked up in `lookupDir`), the tables, snapshot, token
 * prices and calibration profile it names, and checks them all; throws ScenarioError on bad
 * input. `validate` and `run` both go through here, so they accept the same scenarios.
 */
export function prepareRun(
	nameOrPath: string,
	overrides: readonly string[] = [],
	seed?: number,
	lookupDir: string = scenariosDir(),
): PreparedRun {
	const allOverrides = seed === undefined ? overrides : [...overrides, `seed=${seed}`];
	const loaded = loadScenario(nameOrPath, { overrides: allOverrides, scenariosDir: lookupDir });
	const { catalog, hash: referenceTablesHash } = readReferenceTables(loaded.scenario.reference);
	const issues = checkReferences(loaded, catalog);
	let snapshot: SnapshotRow[] | undefined;
	const snapshotPath = loaded.scenario.nodes.fromSnapshot;
	if (snapshotPath !== undefined) {
		const path = resolveBesideScenario(loaded, snapshotPath);
		if (!existsSync(path)) issues.push(issueAt(loaded, "nodes.fromSnapshot", `no such file ${snapshotPath}`));
		else {
			try {
				snapshot = readSnapshot(path, catalog);
			} catch (error) {
				if (!(error instanceof CsvError)) throw error;
				issues.push(issueAt(loaded, "nodes.fromSnapshot", error.message));
			}
		}
	}
	const emission = loaded.scenario.tokenomics.emission;
	if (emission.kind === "piecewise" && emission.csv !== undefined) {
		const path = resolveBesideScenario(loaded, emission.csv);
		if (!existsSync(path)) issues.push(issueAt(loaded, "tokenomics.emission.csv", `no such file ${emission.csv}`));
		else {
			try {
				// The points join the scenario, so scenario.resolved.yaml reproduces the run without the CSV.
				emission.points = readEmissionPoints(path);
				delete emission.csv;
			} catch (error) {
				if (!(error instanceof CsvError)) throw error;
				issues.push(issueAt(loaded, "tokenomics.emission.csv", error.message));
			}
		}
	}
	let tokenPriceHistory: TokenPriceRow[] | undefined;
	const tokenMarket = loaded.scenario.tokenomics.market;
	if (loaded.scenario.tokenomics.enabled && tokenMarket.kind === "history") {
		tokenPriceHistory = loadTokenPriceHistory(join(scenariosDir(), "data", "token-prices.csv"));
		if (dailyCloses(tokenPriceHistory, tokenMarket.token, tokenMarket.startDate).length === 0) {
			const known = [...new Set(tokenPriceHistory.map((row) => row.symbol))].join(", ");
			issues.push(
				issueAt(
					loaded,
					"tokenomics.market.token",
					`no prices for ${tokenMarket.token} from ${tokenMarket.startDate} (known: ${known})`,
				),
			);
		}
	}
	if (issues.length > 0) throw new ScenarioError(issues);
	const calibration = loadScenarioCalibration(loaded, catalog);
	const inputs: NetworkInputs = {
		scenario: loaded.scenario,
		catalog,
		calibration,
		...(snapshot === undefined ? {} : { snapshot }),
		...(tokenPriceHistory === undefined ? {} : { tokenPriceHistory }),
	};
	return { loaded, inputs, referenceTablesHash };
}

/**
 * The scenario's calibration profile (calibrationProfile) with its calibration.apply mappings:
 * each maps a GPU class of the catalogue to a measured profile's measured efficiency.
 */
function loadScenarioCalibration(loaded: LoadedScenario, catalog: Catalog): CalibrationProfile {
	let calibration = loadProfileAt(loaded, "calibrationProfile", loaded.scenario.calibrationProfile);
	const apply = loaded.scenario.calibration?.apply ?? {};
	const known = new Set(catalog.gpus.map((g) => g.id));
	for (const [gpuId, value] of Object.entries(apply)) {
		const field = `calibration.apply.${gpuId}`;
		if (!known.has(gpuId)) {
			throw new ScenarioError([
				issueAt(loaded, field, `${gpuId} is no GPU class of gpus.csv (ids: ${[...known].join(", ")})`),
			]);
		}
		try {
			calibration = withMappedClass(calibration, gpuId, loadProfileAt(loaded, field, value));
		} catch (error) {
			if (!(error instanceof CalibrationProfileError)) throw error;
			throw new ScenarioError([issueAt(loaded, field, error.message)]);
		}
	}
	return calibration;
}

/** A profile a scenario field names: an id of scenarios/calibration/<id>.json, or a path beside the scenario. */
function loadProfileAt(loaded: LoadedScenario, field: string, value: string): CalibrationProfile {
	const byPath = isProfilePath(value);
	const path = byPath ? resolveBesideScenario(loaded, value) : join(scenariosDir(), "calibration", `${value}.json`);
	const shown = byPath ? value : `scenarios/calibration/${value}.json`;
	if (!existsSync(path)) {
		const where = byPath && path !== value ? ` (looked for ${path})` : "";
		throw new ScenarioError([issueAt(loaded, field, `no profile file ${shown}${where}`)]);
	}
	try {
		return loadCalibrationProfile(path, shown);
	} catch (error) {
		if (!(error instanceof CalibrationProfileError)) throw error;
		throw new ScenarioError(error.message.split("\n").map((line) => issueAt(loaded, field, line)));
	}
}

/** A path a scenario names: absolute, or relative to the scenario file's folder. */
function resolveBesideScenario(loaded: LoadedScenario, path: string): string {
	const base = existsSync(loaded.source) ? dirname(resolve(loaded.source)) : scenariosDir();
	return isAbsolute(path) ? path : join(base, path);
}

/** An emission table: columns fromDay, tokensPerDay, days ascending. */
function readEmissionPoints(path: string): { fromDay: number; tokensPerDay: number }[] {
	const columns = new CsvColumns(parseCsv(readFileSync(path, "utf8"), path));
	columns.require("fromDay", "tokensPerDay");
	const points: { fromDay: number; tokensPerDay: number }[] = [];
	for (let row = 0; row < columns.rowCount; row++) {
		const fromDay = columns.number(row, "fromDay");
		const tokensPerDay = columns.number(row, "tokensPerDay");
		if (fromDay < 0) columns.fail(row, "fromDay", "expected a day ≥ 0");
		if (tokensPerDay < 0) columns.fail(row, "tokensPerDay", "expected a number ≥ 0");
		const previous = points[points.length - 1];
		if (previous !== undefined && fromDay <= previous.fromDay) columns.fail(row, "fromDay", "days must ascend");
		points.push({ fromDay, tokensPerDay });
	}
	if (points.length === 0) throw new CsvError(`${path}: no rows`, path, 1);
	return points;
}

/** A snapshot CSV: columns gpu, metro and optionally count (default 1). */
function readSnapshot(path: string, catalog: Catalog): SnapshotRow[] {
	const columns = new CsvColumns(parseCsv(readFileSync(path, "utf8"), path));
	columns.require("gpu", "metro");
	const hasCount = columns.table.header.includes("count");
	const rows: SnapshotRow[] = [];
	for (let row = 0; row < columns.rowCount; row++) {
		const gpu = columns.requiredString(row, "gpu");
		const metro = columns.requiredString(row, "metro");
		if (!catalog.gpuById.has(gpu)) columns.fail(row, "gpu", `unknown GPU "${gpu}"`);
		if (!catalog.metroById.has(metro)) columns.fail(row, "metro", `unknown metro "${metro}"`);
		const count = hasCount ? columns.number(row, "count") : 1;
		if (!Number.isInteger(count) || count < 0) columns.fail(row, "count", "expected a whole number ≥ 0");
		rows.push({ gpu, metro, count });
	}
	return rows;
}
