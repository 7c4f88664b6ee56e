import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT_BAD_INPUT, EXIT_OK, main } from "../../cli/main.js";
import { loadCatalog, referencePaths } from "../../models/catalog.js";
import { buildGeography, type CoreRttParams, coreRttMs, greatCircleKm } from "../../models/geo.js";
import { parseScenario } from "../../models/scenario/load.js";
import { captureIo } from "../helpers/io.js";

const root = resolve(import.meta.dirname, "..", "..");
const catalog = loadCatalog(referencePaths(resolve(root, "scenarios")));
const dir = mkdtempSync(join(tmpdir(), "depin-twin-geo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The scenario defaults of the geography section. */
const MINIMAL = "name: x\ndemand:\n  classes:\n    - { id: chat, kind: realtime, requestsPerSecond: 1 }\n";
const defaults = parseScenario(MINIMAL, "x.yaml").scenario.geography;
const PARAMS: CoreRttParams = {
	fibreKmPerMs: defaults.fibreKmPerMs,
	coreFloorMs: defaults.coreFloorMs,
	routeInflationNear: defaults.routeInflationNear,
	routeInflationFar: defaults.routeInflationFar,
	routeInflationScaleKm: defaults.routeInflationScaleKm,
};

function csvCell(text: string, rowId: string, column: string): number {
	const lines = text.trim().split("\n");
	const header = (lines[0] as string).split(",");
	const row = lines.find((line) => line.startsWith(`${rowId},`));
	if (row === undefined) throw new Error(`no row ${rowId}`);
	return Number(row.split(",")[header.indexOf(column)]);
}

describe("geo export", () => {
	it("writes core and user-facing matrices that match the model, with a manifest", async () => {
		const out = join(dir, "export");
		const capture = captureIo();
		expect(await main(["geo", "export", "small", "--out", out], capture.io)).toBe(EXIT_OK);
		const metro = (id: string) => catalog.metros[catalog.metroIndexById.get(id) as number];
		const ny = metro("new-york");
		const london = metro("london");
		if (ny === undefined || london === undefined) throw new Error("metros missing");
		const core = readFileSync(join(out, "core-rtt.csv"), "utf8");
		const expected = coreRttMs(greatCircleKm(ny.lat, ny.lon, london.lat, london.lon), PARAMS);
		expect(csvCell(core, "metro:new-york", "metro:london")).toBeCloseTo(expected, 3);
		expect(csvCell(core, "metro:london", "metro:london")).toBeCloseTo(PARAMS.coreFloorMs, 3);
		const user = readFileSync(join(out, "user-rtt.csv"), "utf8");
		// A 5 ms one-way last mile at both ends: +10 ms at the user, +10 ms more at a residential node.
		expect(csvCell(user, "new-york", "london:datacenter")).toBeCloseTo(expected + 10, 3);
		expect(csvCell(user, "new-york", "london:residential")).toBeCloseTo(expected + 20, 3);
		const regions = catalog.cloudRegions;
		const geo = buildGeography([ny], regions, PARAMS);
		const k = catalog.cloudRegionIndexById.get("aws-eu-west-2") as number;
		expect(csvCell(user, "new-york", "region:aws-eu-west-2")).toBeCloseTo(geo.metroToRegionRttMs[k] as number, 3);
		const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
		expect(manifest.parameters).toEqual(PARAMS);
		expect(manifest.metros).toBe(10);
	});
});

describe("geo fit", () => {
	const truth: CoreRttParams = {
		...PARAMS,
		coreFloorMs: 8,
		routeInflationNear: 2.5,
		routeInflationFar: 1.3,
		routeInflationScaleKm: 800,
	};

	/** Exact core RTTs (the `truth` parameters) between every pair of the first `metros` metros at least `minKm` apart, as a pings file. */
	const syntheticPings = (metros: number, minKm: number, name: string): string => {
		const ids = catalog.metros.slice(0, metros);
		const rows = ["from_metro,to_metro,rtt_ms"];
		for (let i = 0; i < ids.length; i++) {
			for (let j = i + 1; j < ids.length; j++) {
				const a = ids[i];
				const b = ids[j];
				if (a === undefined || b === undefined) continue;
				const km = greatCircleKm(a.lat, a.lon, b.lat, b.lon);
				if (km >= minKm) rows.push(`${a.id},${b.id},${coreRttMs(km, truth)}`);
			}
		}
		const pings = join(dir, name);
		writeFileSync(pings, `${rows.join("\n")}\n`);
		return pings;
	};

	it("recovers the parameters of synthetic metro-id pings within 2% and writes a snippet", async () => {
		const pings = syntheticPings(30, 50, "synthetic.csv");
		const out = join(dir, "fit.yaml");
		const capture = captureIo();
		expect(await main(["geo", "fit", "--pings", pings, "--out", out, "--scenario", "small"], capture.io)).toBe(EXIT_OK);
		expect(capture.out()).toMatch(/before \(small\): median [\d.]+%, p90 [\d.]+%/);
		expect(capture.out()).toMatch(/after {2}\(fitted\): {2}median 0\.0%, p90 0\.0%/);
		const snippet = readFileSync(out, "utf8");
		const value = (key: string) => Number(new RegExp(`^  ${key}: (\\S+)$`, "m").exec(snippet)?.[1]);
		for (const key of ["coreFloorMs", "routeInflationNear", "routeInflationFar", "routeInflationScaleKm"] as const) {
			expect(Math.abs(value(key) / truth[key] - 1), key).toBeLessThan(0.02);
		}
		// The snippet is a valid scenario fragment.
		expect(parseScenario(`${MINIMAL}${snippet}`, "f.yaml").scenario.geography.coreFloorMs).toBe(value("coreFloorMs"));
	});

	it("--held-out: refits leaving out each metro in turn and prints and writes the errors on its pairs", async () => {
		const pings = syntheticPings(6, 0, "six.csv");
		const out = join(dir, "six.yaml");
		const capture = captureIo();
		const args = ["geo", "fit", "--pings", pings, "--out", out, "--scenario", "small", "--held-out", "--min-km", "0"];
		expect(await main(args, capture.io)).toBe(EXIT_OK);
		// Exact pings: every refit on the 10 pairs without one metro finds the truth.
		const line = /held out \(each of 6 ends left out in turn, its pairs measured\): median 0\.0%, p90 0\.0%/;
		expect(capture.out()).toMatch(line);
		expect(readFileSync(out, "utf8")).toMatch(line);
	});

	it("bad pings file: exit 2 with one line naming file, line and column", async () => {
		const bad = join(dir, "bad.csv");
		writeFileSync(bad, "from_lat,from_lon,to_lat,to_lon,rtt_ms\n0,0,10,10,80\n0,0,20,abc,90\n");
		const capture = captureIo();
		expect(await main(["geo", "fit", "--pings", bad, "--scenario", "small"], capture.io)).toBe(EXIT_BAD_INPUT);
		expect(capture.err()).toBe(`error: ${bad}:3: column "to_lon": expected a number, got "abc"\n`);
		const missing = captureIo();
		expect(await main(["geo", "fit", "--pings", join(dir, "none.csv")], missing.io)).toBe(EXIT_BAD_INPUT);
		expect(missing.err()).toMatch(/none\.csv: no such file/);
	});
});
