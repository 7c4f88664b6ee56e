import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		testTimeout: 300_000,
		hookTimeout: 120_000,
		// The JSON report feeds the plain "N passed, N failed" line of .ci/run.
		reporters: ["default", "json"],
		outputFile: { json: ".vitest-report.json" },
	},
});
