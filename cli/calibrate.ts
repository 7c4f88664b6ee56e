/**
 * `depin-twin calibrate [--backend auto|tensorflow|wasm|cpu] [--quick] [--import CSV] [--out FILE]`:
 * times TensorFlow.js kernels on this machine (in a worker thread, with a progress bar on a
 * terminal), fits the roofline latency model, scales it to every GPU class and writes a
 * calibration profile (default scenarios/calibration/measured-<backend>.json, atomically).
 * With --import, external measurements (a CSV) go through the same fit into the same format.
 * Exit codes: 0 ok, 1 the calibration failed (e.g. the asked-for backend does not load), 2 bad
 * input (a bad option or CSV row, with file, line and column).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { arch, release, type } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { SingleBar } from "cli-progress";
import { calibrationReportHtml } from "../dashboard/calibration-report.js";
import { BACKEND_REQUESTS, type BackendRequest, BackendUnavailableError } from "../models/calibration/backends.js";
import { matchGpu } from "../models/calibration/fit.js";
import {
	type MeasurementResult,
	type MeasureOptions,
	type MeasureProgress,
	measureInWorker,
} from "../models/calibration/measure.js";
import {
	type Environment,
	formatProfile,
	type MeasuredProfileJson,
	profileFromCsv,
	profileFromMeasurement,
} from "../models/calibration/profile.js";
import { isProfilePath } from "../models/calibration/schema.js";
import { loadCatalog, referencePaths } from "../models/catalog.js";
import { CsvError } from "../models/csv.js";
import { parseCalibrationProfile } from "../models/latency.js";
import { writeFileAtomic } from "./output.js";
import { scenariosDir } from "./paths.js";

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_BAD_INPUT = 2;

export interface CalibrateOptions {
	readonly backend: string;
	readonly quick: boolean;
	/** A CSV of external measurements to import instead of measuring. */
	readonly importCsv?: string;
	/** Profile file to write (default scenarios/calibration/measured-<backend>.json). */
	readonly out?: string;
}

export interface CalibrateIo {
	readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
	readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface CalibrateDependencies {
	/** Runs the measurement (default: in a worker thread). */
	readonly measure?: typeof measureInWorker;
	/** The scenarios folder holding data/gpus.csv and calibration/. */
	readonly scenariosDir?: string;
}

export async function calibrateCommand(
	options: CalibrateOptions,
	io: CalibrateIo,
	dependencies: CalibrateDependencies = {},
): Promise<number> {
	if (!(BACKEND_REQUESTS as readonly string[]).includes(options.backend)) {
		io.stderr.write(`error: --backend must be one of ${BACKEND_REQUESTS.join(", ")}, got "${options.backend}"\n`);
		return EXIT_BAD_INPUT;
	}
	const dir = dependencies.scenariosDir ?? scenariosDir();
	const gpus = loadCatalog(referencePaths(dir)).gpus;
	const date = new Date().toISOString(); // clock-ok: the profile's date, not simulation time
	const environment: Environment = { node: process.version, os: `${type()} ${release()} ${arch()}` };
	let built: MeasuredProfileJson;
	let defaultName: string;
	if (options.importCsv !== undefined) {
		const file = options.importCsv;
		let text: string;
		try {
			text = readFileSync(file, "utf8");
		} catch (error) {
			io.stderr.write(`error: ${file}: cannot read the measurements (${(error as Error).message})\n`);
			return EXIT_BAD_INPUT;
		}
		try {
			built = profileFromCsv(text, file, { profile: "imported", gpus, date, environment });
		} catch (error) {
			if (!(error instanceof CsvError)) throw error;
			io.stderr.write(`error: ${error.message}\n`);
			return EXIT_BAD_INPUT;
		}
		defaultName = `imported-${matchGpu(built.measurement.device.gpu, gpus)?.id ?? "gpu"}`;
	} else {
		const request: MeasureOptions = { backend: options.backend as BackendRequest, quick: options.quick };
		const bar =
			io.stderr.isTTY === true
				? new SingleBar({ format: "calibrating {bar} {value}/{total} | {label}", hideCursor: true, stream: io.stderr })
				: null;
		bar?.start(1, 0, { label: "loading TensorFlow.js" });
		const onProgress = (p: MeasureProgress) => {
			bar?.setTotal(p.total);
			bar?.update(p.done, { label: p.label });
		};
		let result: MeasurementResult;
		try {
			result = await (dependencies.measure ?? measureInWorker)(request, onProgress);
		} catch (error) {
			if (!(error instanceof BackendUnavailableError)) throw error;
			io.stderr.write(`calibrate: ${error.message}\n`);
			return EXIT_FAILED;
		} finally {
			bar?.stop();
		}
		defaultName = `measured-${result.backend}`;
		built = profileFromMeasurement(result, { profile: defaultName, gpus, date, environment });
	}
	const out = options.out === undefined ? join(dir, "calibration", `${defaultName}.json`) : resolve(options.out);
	const profile: MeasuredProfileJson = { ...built, profile: basename(out).replace(/\.json$/, "") };
	const text = formatProfile(profile);
	// The file must read back as a profile; a failure here is a bug, not bad input.
	const parsed = parseCalibrationProfile(text, out);
	mkdirSync(dirname(out), { recursive: true });
	writeFileAtomic(out, text);
	// The report: measured points against the fit, efficiencies, predictions per GPU class.
	const reportPath = `${out.replace(/\.json$/, "")}.html`;
	const html = await calibrationReportHtml(JSON.parse(text), { gpus, source: out, profileHash: parsed.profileHash });
	writeFileAtomic(reportPath, html);
	io.stdout.write(`${formatSummary(profile)}\n`);
	io.stdout.write(`profile: ${out} (sha256 ${parsed.profileHash.slice(0, 12)})\n`);
	io.stdout.write(`report: ${reportPath}\n`);
	io.stdout.write(`use it in a scenario with: calibrationProfile: ${profileReference(out, dir)}\n`);
	return EXIT_OK;
}

/**
 * How a scenario names the profile at `out`: its id when it is in scenarios/calibration/, else
 * its absolute path (a relative one would be read beside the scenario file, not from here);
 * quoted for YAML when the path needs it.
 */
export function profileReference(out: string, dir: string): string {
	const id = basename(out, ".json");
	const isId = /^[a-z0-9][a-z0-9._-]{0,63}$/.test(id) && !isProfilePath(id);
	if (isId && out.endsWith(".json") && dirname(out) === join(dir, "calibration")) return id;
	return /^[\w./\\-]+$/.test(out) ? out : JSON.stringify(out);
}

const fixed = (x: number, digits: number) => x.toFixed(digits).padStart(9);

/** A table of the kernels: best achieved rate, fitted rates, shares of peak, goodness of fit. */
export function formatSummary(profile: MeasuredProfileJson): string {
	const m = profile.measurement;
	const lines = [
		`backend ${m.backend} on ${m.device.gpu ?? m.device.cpu}${m.quick ? " (quick)" : ""}; tried: ${m.backendsTried.map((t) => `${t.name} ${t.ok ? "ok" : `no (${t.reason})`}`).join("; ") || "n/a"}`,
		`machine peak ${m.machinePeak.gflops.toFixed(1)} GFLOP/s, ${m.machinePeak.gbps.toFixed(1)} GB/s: ${m.machinePeak.how}`,
		"",
		`${"kernel".padEnd(26)} ${"best GF/s".padStart(9)} ${"fit GF/s".padStart(9)} ${"fit GB/s".padStart(9)} ${"ovh ms".padStart(9)} ${"mfu".padStart(9)} ${"mbu".padStart(9)} ${"R² log".padStart(9)} ${"max err".padStart(9)}  roof`,
	];
	for (const k of profile.kernels) {
		const best = Math.max(...k.points.map((p) => p.achievedGflops));
		const f = k.fit;
		// A roof no point touches is only bounded below.
		const atLeast = (x: number, digits: number, bound: boolean) =>
			bound ? `≥${x.toFixed(digits)}`.padStart(9) : fixed(x, digits);
		const gbpsBound = f.bindingRoof === "compute";
		const gflopsBound = f.bindingRoof === "memory";
		lines.push(
			`${k.name.padEnd(26)} ${fixed(best, 1)} ${atLeast(f.effectiveGflops, 1, gflopsBound)} ${atLeast(f.effectiveGbps, 1, gbpsBound)} ${fixed(f.overheadMs, 3)} ${atLeast(f.mfu, 3, gflopsBound)} ${atLeast(f.mbu, 3, gbpsBound)} ${fixed(f.rSquared, 4)} ${fixed(f.maxRelativeError, 3)}  ${f.bindingRoof ?? ""}`,
		);
	}
	const e = profile.efficiency.datacenter;
	lines.push("", `efficiency (every tier): mfu ${e.mfu.toFixed(3)}, mbu ${e.mbu.toFixed(3)}`);
	return lines.join("\n");
}
