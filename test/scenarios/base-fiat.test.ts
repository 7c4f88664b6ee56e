/** base-fiat.yaml is base.yaml without the token: equal in every other field, so comparing them isolates the token. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../models/scenario/load.js";
import { scenariosDir } from "../models/network-helpers.js";

describe("base-fiat", () => {
	it("is base with tokenomics off, every other field equal", () => {
		const base = loadScenario(join(scenariosDir, "base.yaml"), { scenariosDir }).scenario;
		const fiat = loadScenario(join(scenariosDir, "base-fiat.yaml"), { scenariosDir }).scenario;
		expect(base.tokenomics.enabled).toBe(true);
		expect(base.tokenomics.burnAndMint.enabled).toBe(true);
		expect(base.tokenomics.market.kind).toBe("amm");
		expect(fiat.tokenomics.enabled).toBe(false);
		const rest = (s: typeof base) => ({ ...s, name: "", description: "", tokenomics: null });
		expect(rest(fiat)).toEqual(rest(base));
	});
});
