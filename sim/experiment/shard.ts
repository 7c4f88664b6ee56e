/**
 * Shards: shard k of N (1-based) runs every N-th run of the sweep, counting runs over all
 * design points in order (global index g = point × runs + run; shard k takes g ≡ k − 1 mod N).
 * Cluster schedulers name the shard through their own variables.
 */
export interface Shard {
	/** 1-based. */
	readonly index: number;
	readonly count: number;
}

export class ShardError extends Error {}

export const WHOLE: Shard = { index: 1, count: 1 };

function shardOf(index: number, count: number, from: string): Shard {
	if (!Number.isSafeInteger(count) || count < 1)
		throw new ShardError(`${from}: the shard count must be an integer ≥ 1`);
	if (!Number.isSafeInteger(index) || index < 1 || index > count) {
		throw new ShardError(`${from}: the shard must be an integer from 1 to ${count}`);
	}
	return { index, count };
}

/** `k/N`. */
export function parseShard(text: string): Shard {
	const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
	if (match === null) throw new ShardError(`--shard ${text}: expected k/N, e.g. 2/8`);
	return shardOf(Number(match[1]), Number(match[2]), `--shard ${text}`);
}

/** Count variable read beside a Kubernetes Indexed Job's JOB_COMPLETION_INDEX (set it to the Job's completions). */
export const SHARD_COUNT_ENV = "DEPIN_TWIN_SHARD_COUNT";

/**
 * The shard the environment names, if any: a Kubernetes Indexed Job (JOB_COMPLETION_INDEX,
 * 0-based, with DEPIN_TWIN_SHARD_COUNT) or a Slurm job array ((SLURM_ARRAY_TASK_ID −
 * SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP, defaults 0 and 1, of SLURM_ARRAY_TASK_COUNT).
 */
export function shardFromEnv(env: Readonly<Record<string, string | undefined>>): Shard | undefined {
	const integer = (name: string): number => {
		const text = env[name] as string;
		if (!/^\d+$/.test(text.trim())) throw new ShardError(`${name}=${text}: expected a whole number`);
		return Number(text);
	};
	if (env.JOB_COMPLETION_INDEX !== undefined) {
		if (env[SHARD_COUNT_ENV] === undefined) {
			throw new ShardError(`JOB_COMPLETION_INDEX is set: set ${SHARD_COUNT_ENV} to the Job's completions too`);
		}
		return shardOf(integer("JOB_COMPLETION_INDEX") + 1, integer(SHARD_COUNT_ENV), "JOB_COMPLETION_INDEX");
	}
	if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
		const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : integer("SLURM_ARRAY_TASK_MIN");
		const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : Math.max(1, integer("SLURM_ARRAY_TASK_STEP"));
		const index = (integer("SLURM_ARRAY_TASK_ID") - min) / step + 1;
		return shardOf(index, integer("SLURM_ARRAY_TASK_COUNT"), "SLURM_ARRAY_TASK_ID");
	}
	return undefined;
}

export function inShard(shard: Shard, globalIndex: number): boolean {
	return globalIndex % shard.count === shard.index - 1;
}
