import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CalibrationProfileSchema, isProfilePath } from "../../../models/calibration/schema.js";
import { checkProfileValue, formatIssue } from "../../../models/calibration/validate.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const read = (file: string) => JSON.parse(readFileSync(resolve(root, file), "utf8"));

interface Node {
	description?: string;
	properties?: Record<string, Node>;
	patternProperties?: Record<string, Node>;
	items?: Node;
	anyOf?: Node[];
}

/** Paths of schema nodes that a reader would need documented and are not. */
function undocumented(node: Node, path: string): string[] {
	const own = node.description === undefined && !path.endsWith("[key]") ? [path] : [];
	const children = [
		...Object.entries(node.properties ?? {}).map(([key, child]) => undocumented(child, `${path}.${key}`)),
		...Object.values(node.patternProperties ?? {}).map((child) =>
			child.anyOf === undefined && child.description === undefined && child.properties === undefined
				? []
				: undocumented(child, `${path}[key]`),
		),
		...(node.items ? [undocumented(node.items, `${path}[]`)] : []),
	];
	return [...own, ...children.flat()];
}

describe("calibration profile schema", () => {
	it("documents every field", () => {
		expect(undocumented(CalibrationProfileSchema as unknown as Node, "profile")).toEqual([]);
	});

	it("accepts the shipped profiles and the report fixture unchanged", () => {
		for (const file of [
			"scenarios/calibration/default.json",
			"scenarios/calibration/measured-wasm.json",
			"test/fixtures/calibration-profile.json",
		]) {
			expect(checkProfileValue(read(file)).map(formatIssue), file).toEqual([]);
		}
	});

	it("names each problem by its field path", () => {
		const profile = read("test/fixtures/calibration-profile.json");
		profile.efficiency.edge.mfu = 0;
		profile.kernels[1].points[2].batch = 1.5;
		profile.kernels[0].fit.bindingRoof = "disk";
		profile.kernels[0].params.n = true;
		delete profile.measurement.versions.os;
		profile.gpuPredictions["h100-sxm"]["matmul-512"][0].predictedMs = "fast";
		expect(checkProfileValue(profile).map(formatIssue)).toEqual([
			"efficiency.edge.mfu: expected a positive number ≤ 1, got 0",
			"measurement.versions.os: required field is missing: operating system, release and architecture",
			"kernels[0].params.n: expected a number or a string, got true",
			'kernels[0].fit.bindingRoof: expected one of compute, memory, both, got "disk"',
			"kernels[1].points[2].batch: expected an integer ≥ 1, got 1.5",
			'gpuPredictions.h100-sxm.matmul-512[0].predictedMs: expected a positive number, got "fast"',
		]);
	});

	it("a measured profile must say which class it measured, and only that class may use its efficiency", () => {
		const measured = read("scenarios/calibration/measured-wasm.json") as Record<string, unknown>;
		const { measuredClass: _c, ...noClass } = measured;
		expect(checkProfileValue(noClass).map(formatIssue)).toEqual([
			'measuredClass: a measured profile must name the class it measured ("cpu-wasm", "cpu" or a GPU class id)',
			"measuredEfficiency: needs measuredClass (the class it applies to)",
		]);
	});

	it("refuses what is not an object at all", () => {
		expect(checkProfileValue([1]).map(formatIssue)).toEqual([
			"expected an object {profile, provenance, efficiency, measuredClass, measuredEfficiency, overheadMsScale, measurement, kernels, gpuPredictions}, got an array",
		]);
	});
});

describe("a scenario's calibrationProfile: id or path", () => {
	it("is a path when it has a slash or ends in .json, else an id", () => {
		for (const path of ["./my-gpu.json", "my-gpu.json", "profiles/a", "/data/a100.json", "..\\x", "C:\\p\\x.json"]) {
			expect(isProfilePath(path), path).toBe(true);
		}
		for (const id of ["default", "measured-wasm", "imported-h100-sxm", "my.json-v2"])
			expect(isProfilePath(id), id).toBe(false);
	});
});
