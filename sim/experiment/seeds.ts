/**
 * Seeds and identities of runs. Run r of every design point uses the same seed (common random
 * numbers): differences between points then come from the parameters, not from the noise.
 */
import { createHash } from "node:crypto";

/**
 * The seed of run `run`: run 0 keeps the master seed (so one run reproduces `run --seed`),
 * later runs take 31 bits of SHA-256("masterSeed/run"), well spread and independent of the point.
 */
export function runSeed(masterSeed: number, run: number): number {
	if (run === 0) return masterSeed;
	const digest = createHash("sha256").update(`${masterSeed}/${run}`).digest();
	return digest.readUInt32BE(0) >>> 1;
}

/** What names a run: the canonical resolved scenario (its hash, seed included), seed, run index, code version. */
export interface RunIdentityParts {
	readonly scenarioHash: string;
	readonly seed: number;
	readonly run: number;
	readonly codeVersion: string;
}

/** The run's identity: SHA-256 of its parts (hex); the name of its file. */
export function runIdentity(parts: RunIdentityParts): string {
	return createHash("sha256")
		.update(JSON.stringify([parts.scenarioHash, parts.seed, parts.run, parts.codeVersion]))
		.digest("hex");
}
