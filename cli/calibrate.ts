/**
 * `depin-twin calibrate [--backend auto|tensorflow|wasm|cpu] [--quick] [--import CSV] [--gpu-class ID] [--out FILE]`
 * and `depin-twin calibrate --validate [CSV] [--profile P] [--out REPORT]`:
 * times TensorFlow.js kernels on this machine (in a worker thread, with a progress bar on a
 * terminal), fits the roofline latency model, scales it to every GPU class and writes a
 * calibration profile (default scenarios/calibration/measured-<backend>.json, atomically).
 * With --import, external measurements (a CSV) go through the same fit into the same format.
 * With --validate, nothing is measured: the profile's predictions are printed beside published
 * GPU figures (scenarios/calibration/validation.csv) with the relative error of each.
 * Exit codes: 0 ok, 1 the calibration failed (e.g. the asked-for backend does not load), 2 bad
 * input (a bad option or CSV row, with file, line and column).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
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
	type ProfileContext,
	profileFromCsv,
	profileFromMeasurement,
} from "../models/calibration/profile.js";
import { isProfilePath } from "../models/calibration/schema.js";
import {
	formatValidation,
	parseValidationCsv,
	type ValidationSummary,
	validateProfile,
} from "../models/calibration/validation.js";
import { type GpuSpec, loadCatalog, referencePaths } from "../models/catalog.js";
import { CsvError } from "../models/csv.js";
import {
	type CalibrationProfile,
	CalibrationProfileError,
	loadCalibrationProfile,
	parseCalibrationProfile,
} from "../models/latency.js";
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
	/** Profile file to write (default scenarios/calibration/measured-<backend>.json); with validate, the report. */
	readonly out?: string;
	/** The GPU class a tensorflow measurement runs on, when the device name does not say (a gpus.csv id). */
	readonly gpuClass?: string;
	/** Check a profile against published figures instead of measuring: the table (true: scenarios/calibration/validation.csv). */
	readonly validate?: string | true;
	/** With validate: the profile whose efficiencies predict (an id or a path; default "default"). */
	readonly profile?: string;
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

/** Thrown for bad input (exit 2) with the message to print. */
class BadInput extends Error {}

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
	if (options.gpuClass !== undefined && !gpus.some((g) => g.id === options.gpuClass)) {
		io.stderr.write(`error: --gpu-class must be a GPU class of gpus.csv (${gpus.map((g) => g.id).join(", ")})\n`);
		return EXIT_BAD_INPUT;
	}
	try {
		if (options.validate !== undefined) return await validateCommand(options, io, dir, gpus);
		const date = new Date().toISOString(); // clock-ok: the profile's date, not simulation time
		const environment: Environment = { node: process.version, os: `${type()} ${release()} ${arch()}` };
		const context = {
			gpus,
			date,
			environment,
			literature: loadProfileArgument("default", dir).efficiency,
			...(options.gpuClass === undefined ? {} : { gpuClass: options.gpuClass }),
		};
		const built =
			options.importCsv !== undefined
				? importProfile(options.importCsv, context)
				: await measureProfile(options, io, context, dependencies);
		if (typeof built === "number") return built;
		await writeProfileAndReport(built, options.out, io, dir, gpus);
		return EXIT_OK;
	} catch (error) {
		if (error instanceof BadInput || error instanceof CsvError || error instanceof CalibrationProfileError) {
			io.stderr.write(`error: ${error.message}\n`);
			return EXIT_BAD_INPUT;
		}
		throw error;
	}
}

type BuildContext = Omit<ProfileContext, "profile">;

/** A profile from a CSV of external measurements, and its default file name. */
function importProfile(file: string, context: BuildContext): { profile: MeasuredProfileJson; defaultName: string } {
	let text: string;
	try {
		text = readFileSync(file, "utf8");
	} catch (error) {
		throw new BadInput(`${file}: cannot read the measurements (${(error as Error).message})`);
	}
	const profile = profileFromCsv(text, file, { ...context, profile: "imported" });
	return { profile, defaultName: `imported-${matchGpu(profile.measurement.device.gpu, context.gpus)?.id ?? "gpu"}` };
}

/** A profile from timing tfjs kernels here (a worker thread, a progress bar on a terminal); a number is an exit code. */
async function measureProfile(
	options: CalibrateOptions,
	io: CalibrateIo,
	context: BuildContext,
	dependencies: CalibrateDependencies,
): Promise<{ profile: MeasuredProfileJson; defaultName: string } | number> {
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
	const defaultName = `measured-${result.backend}`;
	return { profile: profileFromMeasurement(result, { ...context, profile: defaultName }), defaultName };
}

/** Writes the profile (atomically), its report beside it, and the summary. */
async function writeProfileAndReport(
	built: { profile: MeasuredProfileJson; defaultName: string },
	outOption: string | undefined,
	io: CalibrateIo,
	dir: string,
	gpus: readonly GpuSpec[],
): Promise<void> {
	const out = outOption === undefined ? join(dir, "calibration", `${built.defaultName}.json`) : resolve(outOption);
	const profile: MeasuredProfileJson = { ...built.profile, profile: basename(out).replace(/\.json$/, "") };
	const text = formatProfile(profile);
	// The file must read back as a profile; a failure here is a bug, not bad input.
	const parsed = parseCalibrationProfile(text, out);
	mkdirSync(dirname(out), { recursive: true });
	writeFileAtomic(out, text);
	const validation = validationOf(join(dir, "calibration", VALIDATION_FILE), gpus, parsed);
	// The report: measured points against the fit, efficiencies, predictions per GPU class, validation.
	const reportPath = `${out.replace(/\.json$/, "")}.html`;
	const html = await calibrationReportHtml(JSON.parse(text), {
		gpus,
		source: out,
		profileHash: parsed.profileHash,
		...(validation === undefined ? {} : { validation }),
	});
	writeFileAtomic(reportPath, html);
	io.stdout.write(`${formatSummary(profile)}\n`);
	if (validation !== undefined) {
		io.stdout.write(
			`validation: median |error| ${(validation.medianAbsError * 100).toFixed(1)}% against ${validation.rows.length} published GPU figures (calibrate --validate --profile ${profileReference(out, dir)} for the table)\n`,
		);
	}
	io.stdout.write(`profile: ${out} (sha256 ${parsed.profileHash.slice(0, 12)})\n`);
	io.stdout.write(`report: ${reportPath}\n`);
	io.stdout.write(`use it in a scenario with: calibrationProfile: ${profileReference(out, dir)}\n`);
}

/** The published figures of scenarios/calibration/validation.csv predicted with `profile`; none without the file. */
function validationOf(
	file: string,
	gpus: readonly GpuSpec[],
	profile: CalibrationProfile,
): ValidationSummary | undefined {
	if (!existsSync(file)) return undefined;
	return validateProfile(parseValidationCsv(readFileSync(file, "utf8"), file, gpus), gpus, profile);
}

/** The published-figures table of scenarios/calibration/. */
export const VALIDATION_FILE = "validation.csv";

/** A profile named on the command line: an id of scenarios/calibration/<id>.json, or a path. */
function loadProfileArgument(value: string, dir: string): CalibrationProfile {
	const path = isProfilePath(value) ? resolve(value) : join(dir, "calibration", `${value}.json`);
	if (!existsSync(path)) throw new BadInput(`no profile file ${path}`);
	return loadCalibrationProfile(path, isProfilePath(value) ? value : `scenarios/calibration/${value}.json`);
}

/** `calibrate --validate [CSV] [--profile P] [--out REPORT.html]`: predictions beside published figures. */
async function validateCommand(
	options: CalibrateOptions,
	io: CalibrateIo,
	dir: string,
	gpus: readonly GpuSpec[],
): Promise<number> {
	const file =
		options.validate === true || options.validate === undefined
			? join(dir, "calibration", VALIDATION_FILE)
			: options.validate;
	const profile = loadProfileArgument(options.profile ?? "default", dir);
	let text: string;
	try {
		text = readFileSync(file, "utf8");
	} catch (error) {
		throw new BadInput(`${file}: cannot read the validation table (${(error as Error).message})`);
	}
	const summary = validateProfile(parseValidationCsv(text, file, gpus), gpus, profile);
	io.stdout.write(`profile ${profile.source} (sha256 ${profile.profileHash.slice(0, 12)}) against ${file}\n\n`);
	io.stdout.write(`${formatValidation(summary)}\n`);
	if (options.out !== undefined) {
		const out = resolve(options.out);
		const json = JSON.parse(readFileSync(profileFileOf(options.profile ?? "default", dir), "utf8"));
		const html = await calibrationReportHtml(json, {
			gpus,
			source: profile.source,
			profileHash: profile.profileHash,
			validation: summary,
		});
		mkdirSync(dirname(out), { recursive: true });
		writeFileAtomic(out, html);
		io.stdout.write(`report: ${out}\n`);
	}
	return EXIT_OK;
}

function profileFileOf(value: string, dir: string): string {
	return isProfilePath(value) ? resolve(value) : join(dir, "calibration", `${value}.json`);
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
		`machine peak ${m.machinePeak.gflops.toFixed(1)} GFLOP/s, ${m.machinePeak.gbps.toFixed(1)} GB/s${m.machinePeak.cacheGbps === undefined ? "" : `, cache roof ${m.machinePeak.cacheGbps.toFixed(1)} GB/s`}: ${m.machinePeak.how}`,
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
			`${k.name.padEnd(26)} ${fixed(best, 1)} ${atLeast(f.effectiveGflops, 1, gflopsBound)} ${atLeast(f.effectiveGbps, 1, gbpsBound)} ${fixed(f.overheadMs, 3)} ${atLeast(f.mfu, 3, gflopsBound)} ${atLeast(f.mbu, 3, gbpsBound)} ${fixed(f.rSquared, 4)} ${fixed(f.maxRelativeError, 3)}  ${f.bindingRoof ?? ""}${f.memoryRoof === "cache" ? " (memory roof: cache)" : ""}`,
		);
	}
	const flagged = profile.kernels.filter((k) => k.fit.flag !== undefined);
	for (const k of flagged) lines.push(`flagged ${k.name}: ${k.fit.flag}`);
	const m2 = profile.measuredEfficiency;
	lines.push(
		"",
		m2 === undefined
			? `measured efficiency: none (every kernel flagged); no class uses this profile's measurement`
			: `measured efficiency of ${profile.measuredClass}: mfu ${m2.mfu.toFixed(3)}, mbu ${m2.mbu.toFixed(3)}; it applies to ${profile.measuredClass} only (other classes keep their tier's literature figures; map more with a scenario's calibration.apply)`,
	);
	return lines.join("\n");
}
