/**
 * `depin-twin geo export [SCENARIO] --out DIR`: the scenario's latency model as CSV — the core
 * RTT matrix between data-centre servers in every metro and region in play, and the
 * user-facing matrices (user metro → residential node, data-centre node, cloud region), with
 * ids and coordinates, and a manifest of the parameters.
 *
 * `depin-twin geo fit --pings FILE [--out FILE] [--held-out]`: fits the core parameters to
 * measured pings (docs/geo.md), prints median and p90 relative error before and after (and,
 * with --held-out, a leave-one-end-out check), and writes the fitted parameters as a YAML
 * snippet for a scenario's `geography` section.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { CloudRegion, Metro } from "../models/catalog.js";
import { CsvError } from "../models/csv.js";
import { buildGeography, type CoreRttParams, coreRttMs, greatCircleKm, HOSTING_KINDS } from "../models/geo.js";
import {
	type ErrorSummary,
	errorSummary,
	fitCoreRtt,
	heldOutErrors,
	type PingPair,
	pairsWithin,
	parsePings,
} from "../models/geo-fit.js";
import type { Scenario } from "../models/scenario/schema.js";
import { InputError } from "./errors.js";
import type { CommandIo } from "./io.js";
import { checkOutDir } from "./out-dir.js";
import { writeFileAtomic, writeResultFiles } from "./output.js";
import { prepareRun } from "./prepare-run.js";

/** The core parameters of a scenario's `geography` section. */
export function coreParamsOf(scenario: Scenario): CoreRttParams {
	const g = scenario.geography;
	return {
		fibreKmPerMs: g.fibreKmPerMs,
		coreFloorMs: g.coreFloorMs,
		routeInflationNear: g.routeInflationNear,
		routeInflationFar: g.routeInflationFar,
		routeInflationScaleKm: g.routeInflationScaleKm,
	};
}

function inPlay<T extends { id: string }>(ids: readonly string[], all: readonly T[]): readonly T[] {
	if (ids.length === 0) return all;
	const byId = new Map(all.map((item) => [item.id, item]));
	return ids.map((id) => byId.get(id) as T);
}

/** Writes the matrices and the manifest of `scenario` into `out` (each file atomically). */
export function geoExportCommand(scenario: string, options: { out: string; set: string[] }, io: CommandIo): void {
	const out = checkOutDir(options.out);
	const { loaded, inputs } = prepareRun(scenario, options.set);
	const s = loaded.scenario;
	const metros = inPlay(s.geography.metros, inputs.catalog.metros);
	const regions = inPlay(s.cloud.regions, inputs.catalog.cloudRegions);
	const params = coreParamsOf(s);
	const geo = buildGeography(metros, regions, { ...params, zeroNetworkLatency: s.geography.zeroNetworkLatency });
	const files = {
		"metros.csv": numericRows(
			["index", "id", "lat", "lon", "last_mile_ms"],
			metros.map((m, i) => [i, m.id, m.lat, m.lon, m.lastMileMs]),
		),
		"regions.csv": numericRows(
			["index", "id", "provider", "lat", "lon"],
			regions.map((r, i) => [i, r.id, r.provider, r.lat, r.lon]),
		),
		"core-rtt.csv": coreMatrix(metros, regions, params, s.geography.zeroNetworkLatency),
		"user-rtt.csv": userMatrix(metros, regions, geo.depinSiteRttMs, geo.metroToRegionRttMs),
		"manifest.json": `${JSON.stringify(manifest(s, params, metros.length, regions.length), null, 2)}\n`,
	};
	writeResultFiles(out, files);
	io.stdout.write(
		`wrote ${Object.keys(files).length} files to ${out} (${metros.length} metros, ${regions.length} regions)\n`,
	);
}

function manifest(s: Scenario, params: CoreRttParams, metroCount: number, regionCount: number) {
	return {
		scenario: s.name,
		model: {
			core: "coreRttMs(d) = coreFloorMs + 2·d·inflation(d)/fibreKmPerMs; inflation(d) = far + (near − far)·scaleKm/(d + scaleKm)",
			access: "an end that is a user or a residential node adds 2·last_mile_ms of its metro",
			units: "ms, km; d is the great-circle distance",
		},
		parameters: params,
		zeroNetworkLatency: s.geography.zeroNetworkLatency,
		metros: metroCount,
		regions: regionCount,
		files: {
			"metros.csv": "metros in play: index, id, coordinates, one-way last mile",
			"regions.csv": "cloud regions in play",
			"core-rtt.csv":
				"data-centre to data-centre RTT, ms: rows and columns are the metros (metro:<id>) then the regions (region:<id>)",
			"user-rtt.csv":
				"RTT from a user in each metro (rows) to a residential node (<id>:residential), a data-centre node (<id>:datacenter) in each metro, and to each cloud region (region:<id>), ms",
		},
	};
}

function numericRows(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
	return `${[header.join(","), ...rows.map((row) => row.map(String).join(","))].join("\n")}\n`;
}

/** Rounds a matrix entry to 1 µs (the files are for reading, not for re-running). */
const ms = (value: number) => String(Math.round(value * 1000) / 1000);

function coreMatrix(
	metros: readonly Metro[],
	regions: readonly CloudRegion[],
	params: CoreRttParams,
	zero: boolean,
): string {
	const points = [
		...metros.map((m) => ({ id: `metro:${m.id}`, lat: m.lat, lon: m.lon })),
		...regions.map((r) => ({ id: `region:${r.id}`, lat: r.lat, lon: r.lon })),
	];
	const lines = [["id", ...points.map((p) => p.id)].join(",")];
	for (const a of points) {
		const row = points.map((b) =>
			zero ? "0" : ms(coreRttMs(a === b ? 0 : greatCircleKm(a.lat, a.lon, b.lat, b.lon), params)),
		);
		lines.push([a.id, ...row].join(","));
	}
	return `${lines.join("\n")}\n`;
}

function userMatrix(
	metros: readonly Metro[],
	regions: readonly CloudRegion[],
	depinSiteRttMs: Float64Array,
	metroToRegionRttMs: Float64Array,
): string {
	const n = metros.length;
	const r = regions.length;
	const siteCount = HOSTING_KINDS * n;
	const header = [
		"user_metro",
		...metros.map((m) => `${m.id}:residential`),
		...metros.map((m) => `${m.id}:datacenter`),
		...regions.map((region) => `region:${region.id}`),
	];
	const lines = [header.join(",")];
	for (let i = 0; i < n; i++) {
		const row = [(metros[i] as Metro).id];
		for (let s = 0; s < siteCount; s++) row.push(ms(depinSiteRttMs[i * siteCount + s] as number));
		for (let k = 0; k < r; k++) row.push(ms(metroToRegionRttMs[i * r + k] as number));
		lines.push(row.join(","));
	}
	return `${lines.join("\n")}\n`;
}

export interface GeoFitOptions {
	pings: string;
	out?: string;
	scenario: string;
	minKm: number;
	maxKm: number;
	/** Also run the leave-one-end-out check (one refit per metro or point: slower). */
	heldOut?: boolean;
}

/** Fits the core parameters to a ping table; prints the errors before and after; writes the snippet. */
export function geoFitCommand(options: GeoFitOptions, io: CommandIo): void {
	if (options.out !== undefined) checkOutDir(dirname(resolve(options.out)));
	if (!existsSync(options.pings)) throw new InputError(`--pings ${options.pings}: no such file`);
	if (!(options.minKm >= 0 && options.maxKm > options.minKm)) {
		throw new InputError(`--min-km ${options.minKm} / --max-km ${options.maxKm}: expected 0 ≤ min < max`);
	}
	const { loaded, inputs } = prepareRun(options.scenario);
	const before = coreParamsOf(loaded.scenario);
	const catalog = inputs.catalog;
	let pairs: PingPair[];
	try {
		pairs = parsePings(readFileSync(options.pings, "utf8"), options.pings, catalog.metroById);
	} catch (error) {
		if (error instanceof CsvError) throw new InputError(error.message);
		throw error;
	}
	const used = pairsWithin(pairs, options.minKm, options.maxKm);
	if (used.length < 4) {
		throw new InputError(
			`${options.pings}: ${used.length} pairs between ${options.minKm} and ${options.maxKm} km; a fit needs at least 4`,
		);
	}
	const after = rounded(fitCoreRtt(used, before.fibreKmPerMs));
	const errorsBefore = errorSummary(used, before);
	const errorsAfter = errorSummary(used, after);
	const range = `${used.length} of ${pairs.length} pairs ${options.minKm}–${options.maxKm} km`;
	io.stdout.write(`geo fit: ${options.pings}, ${range}\n`);
	io.stdout.write(`  before (${loaded.scenario.name}): ${formatErrors(errorsBefore)}\n`);
	io.stdout.write(`  after  (fitted):  ${formatErrors(errorsAfter)}\n`);
	let heldOutLine: string | undefined;
	if (options.heldOut === true) {
		const held = heldOutErrors(used, (train) => fitCoreRtt(train, before.fibreKmPerMs));
		heldOutLine =
			held === null
				? "held out: needs at least 3 distinct ends"
				: `held out (each of ${held.ends} ends left out in turn, its pairs measured): median ${pct(held.medianRelativeError)}, p90 ${pct(held.p90RelativeError)}`;
		io.stdout.write(`  ${heldOutLine}\n`);
	}
	const snippet = yamlSnippet(after, options.pings, range, errorsBefore, errorsAfter, heldOutLine);
	if (options.out === undefined) io.stdout.write(snippet);
	else {
		writeFileAtomic(resolve(options.out), snippet);
		io.stdout.write(`wrote ${options.out}\n`);
	}
}

/** The fitted parameters at the precision a scenario file states them. */
function rounded(p: CoreRttParams): CoreRttParams {
	const to = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
	return {
		fibreKmPerMs: p.fibreKmPerMs,
		coreFloorMs: to(p.coreFloorMs, 3),
		routeInflationNear: to(p.routeInflationNear, 4),
		routeInflationFar: to(p.routeInflationFar, 4),
		routeInflationScaleKm: to(p.routeInflationScaleKm, 1),
	};
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function formatErrors(e: ErrorSummary): string {
	return `median ${pct(e.medianRelativeError)}, p90 ${pct(e.p90RelativeError)} relative error (mean |ln| ${e.meanAbsLogError.toFixed(4)})`;
}

function yamlSnippet(
	p: CoreRttParams,
	file: string,
	range: string,
	before: ErrorSummary,
	after: ErrorSummary,
	heldOutLine: string | undefined,
): string {
	return [
		`# depin-twin geo fit --pings ${file}: ${range}`,
		`# relative error before: median ${pct(before.medianRelativeError)}, p90 ${pct(before.p90RelativeError)}; after: median ${pct(after.medianRelativeError)}, p90 ${pct(after.p90RelativeError)}`,
		...(heldOutLine === undefined ? [] : [`# ${heldOutLine}`]),
		"geography:",
		`  coreFloorMs: ${p.coreFloorMs}`,
		`  routeInflationNear: ${p.routeInflationNear}`,
		`  routeInflationFar: ${p.routeInflationFar}`,
		`  routeInflationScaleKm: ${p.routeInflationScaleKm}`,
		"",
	].join("\n");
}
