import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateCommand } from "../../cli/validate.js";
import { parseScenario, scenarioHash } from "../../models/scenario/load.js";
import { captureIo } from "../helpers/io.js";

const SMALL = `name: small
demand:
  classes:
    - id: chat
      kind: realtime
      requestsPerSecond: 50
`;

const BROKEN = `name: broken
demand:
  classes:
    - id: chat
      kind: realtime
      requestsPerSecond: 50
      slaP95Ms: fast
market: {mechanism: lottery}
`;

describe("validate command", () => {
	const scenariosDir = mkdtempSync(join(tmpdir(), "depin-twin-validate-"));
	writeFileSync(join(scenariosDir, "small.yaml"), SMALL);
	writeFileSync(join(scenariosDir, "broken.yaml"), BROKEN);
	afterAll(() => rmSync(scenariosDir, { recursive: true, force: true }));

	it("prints ok with the name and hash, and returns 0", () => {
		const capture = captureIo();
		expect(validateCommand("small", [], scenariosDir, capture.io)).toBe(0);
		const hash = scenarioHash(parseScenario(SMALL, "small.yaml").scenario).slice(0, 12);
		expect(capture.out()).toMatch(new RegExp(`^ok: \\S*small\\.yaml \\(small, hash ${hash}\\)\\n$`));
		expect(capture.err()).toBe("");
	});

	it("applies --set overrides (a new hash)", () => {
		const capture = captureIo();
		expect(validateCommand("small", ["seed=42"], scenariosDir, capture.io)).toBe(0);
		const plain = scenarioHash(parseScenario(SMALL, "small.yaml").scenario).slice(0, 12);
		expect(capture.out()).toMatch(/^ok: .*\(small, hash [0-9a-f]{12}\)\n$/);
		expect(capture.out()).not.toContain(plain);
	});

	it("prints every issue on stderr and returns 2", () => {
		const capture = captureIo();
		expect(validateCommand("broken", [], scenariosDir, capture.io)).toBe(2);
		expect(capture.out()).toBe("");
		const lines = capture.err().trimEnd().split("\n");
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(
			/broken\.yaml:7:17 demand\.classes\[0\]\.slaP95Ms: expected a positive number, got "fast"$/,
		);
		expect(lines[1]).toMatch(
			/broken\.yaml:8:21 market\.mechanism: expected one of auction, posted, routing, got "lottery"$/,
		);
	});

	it("reports override issues against --set", () => {
		const capture = captureIo();
		expect(validateCommand("small", ["demand.classes[0].slaP95Ms=fast", "oops"], scenariosDir, capture.io)).toBe(2);
		expect(capture.err()).toBe(
			'--set oops: expected path=value\n--set demand.classes[0].slaP95Ms: expected a positive number, got "fast"\n',
		);
	});

	it("says when there is no such scenario", () => {
		const capture = captureIo();
		expect(validateCommand("missing", [], scenariosDir, capture.io)).toBe(2);
		expect(capture.err()).toMatch(/^missing: no such scenario \(looked for .*missing\.yaml\)\n$/);
	});
});
