import { describe, expect, it } from "vitest";
import { DesignError, gridPoints, parseVary, pointOverrides, rangeValues } from "../../../sim/experiment/design.js";
import { runIdentity, runSeed } from "../../../sim/experiment/seeds.js";
import { inShard, parseShard, ShardError, shardFromEnv } from "../../../sim/experiment/shard.js";

describe("design", () => {
	it("parses lists (YAML flow values kept whole) and ranges", () => {
		expect(parseVary("a.b=1, 2,3")).toEqual({ path: "a.b", values: ["1", "2", "3"] });
		expect(parseVary("mix=[{gpu: x, share: 1}],[]").values).toEqual(["[{gpu: x, share: 1}]", "[]"]);
		expect(parseVary("p=0..1:5").values).toEqual(["0", "0.25", "0.5", "0.75", "1"]);
		expect(rangeValues(0.1, 0.3, 3)).toEqual([0.1, 0.2, 0.3]);
		expect(() => parseVary("novalue")).toThrow(DesignError);
		expect(() => parseVary("a=1,,2")).toThrow(DesignError);
	});

	it("builds the grid with the first path slowest; one empty point without --vary", () => {
		const points = gridPoints([parseVary("a=1,2"), parseVary("b=x,y,z")]);
		expect(points.map((p) => pointOverrides(p).join(" "))).toEqual([
			"a=1 b=x",
			"a=1 b=y",
			"a=1 b=z",
			"a=2 b=x",
			"a=2 b=y",
			"a=2 b=z",
		]);
		expect(gridPoints([])).toEqual([{ index: 0, values: {} }]);
		expect(() => gridPoints([parseVary("a=1"), parseVary("a=2")])).toThrow(/twice/);
	});

	it("seeds: run 0 keeps the master seed, the rest are distinct and depend only on (master, run)", () => {
		expect(runSeed(7, 0)).toBe(7);
		const seeds = Array.from({ length: 1000 }, (_, r) => runSeed(7, r));
		expect(new Set(seeds).size).toBe(1000);
		expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 31)).toBe(true);
		expect(runSeed(8, 5)).not.toBe(runSeed(7, 5));
		const parts = { scenarioHash: "h", seed: 1, run: 0, codeVersion: "v" };
		expect(runIdentity(parts)).toMatch(/^[0-9a-f]{64}$/);
		expect(runIdentity({ ...parts, codeVersion: "w" })).not.toBe(runIdentity(parts));
	});
});

describe("shards", () => {
	it("k/N takes every N-th run; the shards of a split partition the runs", () => {
		const shards = [1, 2, 3].map((k) => parseShard(`${k}/3`));
		const taken = Array.from({ length: 10 }, (_, g) => shards.filter((s) => inShard(s, g)).map((s) => s.index));
		expect(taken).toEqual([[1], [2], [3], [1], [2], [3], [1], [2], [3], [1]]);
		expect(() => parseShard("0/3")).toThrow(ShardError);
		expect(() => parseShard("4/3")).toThrow(ShardError);
		expect(() => parseShard("2")).toThrow(ShardError);
	});

	it("Kubernetes Indexed Job and Slurm array variables select the same runs as --shard", () => {
		for (let index = 0; index < 4; index++) {
			const k8s = shardFromEnv({ JOB_COMPLETION_INDEX: String(index), DEPIN_TWIN_SHARD_COUNT: "4" });
			const slurm = shardFromEnv({
				SLURM_ARRAY_TASK_ID: String(index + 1),
				SLURM_ARRAY_TASK_MIN: "1",
				SLURM_ARRAY_TASK_COUNT: "4",
			});
			const flag = parseShard(`${index + 1}/4`);
			expect(k8s).toEqual(flag);
			expect(slurm).toEqual(flag);
		}
		expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_COUNT: "2" })).toEqual({ index: 1, count: 2 });
		const stepped = { SLURM_ARRAY_TASK_ID: "14", SLURM_ARRAY_TASK_MIN: "10", SLURM_ARRAY_TASK_STEP: "2" };
		expect(shardFromEnv({ ...stepped, SLURM_ARRAY_TASK_COUNT: "3" })).toEqual({ index: 3, count: 3 });
		expect(shardFromEnv({})).toBeUndefined();
		expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: "0" })).toThrow(/DEPIN_TWIN_SHARD_COUNT/);
		expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: "4", DEPIN_TWIN_SHARD_COUNT: "4" })).toThrow(ShardError);
	});
});
