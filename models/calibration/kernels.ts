/**
 * The calibration kernels: what is timed, and how much work each run is, counted by hand.
 *
 * Every tensor is FP32 (4 bytes). FLOPs count the matrix products and convolutions only, 2 per
 * multiply-add; bias adds, activations, softmax and normalisation are left out (under 2% of
 * any kernel here). Bytes are the minimum a run must move: inputs and weights read once, the
 * output written once (intermediates assumed to stay in cache), so achieved GB/s is a lower
 * bound on the traffic really served.
 *
 * Batch b means:
 * - matmul-n: [b·n × n]·[n × n] — b blocks of n rows through one shared n × n weight matrix
 *   (a batch of n-token sequences through a projection). Chosen over b independent
 *   [n×n]·[n×n] products because serving shares the weights; tfjs-wasm's batched 3-D matMul is
 *   also some 25× slower per FLOP here, which would measure the kernel rather than the machine.
 * - conv2d: b NHWC images of 56×56×64 through a 3×3, 64 → 64 filter, stride 1, same padding.
 * - mlp: b rows through dense 1024 → 4096 (ReLU) → 1024 (memory-bound at small b: the weights
 *   are read once for the whole batch, like an LLM decode step).
 * - transformer: b sequences of L tokens through one pre-softmax-scaled multi-head
 *   self-attention block and a 4·D feed-forward, each with a residual and a layer norm.
 */
import type * as Tf from "@tensorflow/tfjs-core";
import type { KernelKind } from "../latency.js";

export type TfModule = typeof Tf;

export interface KernelSpec {
	readonly name: string;
	readonly kind: Exclude<KernelKind, "model">;
	readonly params: Readonly<Record<string, number>>;
}

const FLOAT_BYTES = 4;

export const KERNELS: readonly KernelSpec[] = [
	{ name: "matmul-256", kind: "matmul", params: { n: 256 } },
	{ name: "matmul-512", kind: "matmul", params: { n: 512 } },
	{ name: "matmul-1024", kind: "matmul", params: { n: 1024 } },
	{
		name: "conv2d-3x3-64ch-56px",
		kind: "conv2d",
		params: { height: 56, width: 56, inChannels: 64, outChannels: 64, kernelSize: 3 },
	},
	{ name: "mlp-1024-4096-1024", kind: "mlp", params: { inputs: 1024, hidden: 4096, outputs: 1024 } },
	{
		name: "transformer-d256-h4-l64",
		kind: "transformer",
		params: { dModel: 256, heads: 4, sequence: 64, ffMultiplier: 4 },
	},
];

/** The kernels of a quick calibration (one of each kind). */
export const QUICK_KERNEL_NAMES: readonly string[] = [
	"matmul-256",
	"conv2d-3x3-64ch-56px",
	"mlp-1024-4096-1024",
	"transformer-d256-h4-l64",
];

/** Batch sizes tried, in order; larger ones are skipped when a run would take too long. */
export const FULL_BATCHES: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256];
export const QUICK_BATCHES: readonly number[] = [1, 4, 16, 64];

export function findKernel(name: string): KernelSpec | undefined {
	return KERNELS.find((k) => k.name === name);
}

function param(spec: KernelSpec, key: string): number {
	const x = spec.params[key];
	if (x === undefined) throw new Error(`kernel ${spec.name}: missing parameter ${key}`);
	return x;
}

/** Weights (and biases, norms) of a kernel, in floats. */
function weightFloats(spec: KernelSpec): number {
	switch (spec.kind) {
		case "matmul":
			return param(spec, "n") ** 2;
		case "conv2d":
			return param(spec, "kernelSize") ** 2 * param(spec, "inChannels") * param(spec, "outChannels");
		case "mlp": {
			const [i, h, o] = [param(spec, "inputs"), param(spec, "hidden"), param(spec, "outputs")];
			return i * h + h + h * o + o;
		}
		case "transformer": {
			const d = param(spec, "dModel");
			const ff = param(spec, "ffMultiplier") * d;
			// QKV, output projection, two feed-forward layers (with biases), two layer norms.
			return 3 * d * d + 3 * d + d * d + d + d * ff + ff + ff * d + d + 4 * d;
		}
	}
}

/** Input and output floats per batch element. */
function activationFloats(spec: KernelSpec): { input: number; output: number } {
	switch (spec.kind) {
		case "matmul": {
			const n = param(spec, "n");
			return { input: n * n, output: n * n };
		}
		case "conv2d": {
			const pixels = param(spec, "height") * param(spec, "width");
			return { input: pixels * param(spec, "inChannels"), output: pixels * param(spec, "outChannels") };
		}
		case "mlp":
			return { input: param(spec, "inputs"), output: param(spec, "outputs") };
		case "transformer": {
			const tokens = param(spec, "sequence") * param(spec, "dModel");
			return { input: tokens, output: tokens };
		}
	}
}

/** FLOPs of one run at batch `batch` (see the header for what is counted). */
export function kernelFlops(spec: KernelSpec, batch: number): number {
	switch (spec.kind) {
		case "matmul":
			return 2 * batch * param(spec, "n") ** 3;
		case "conv2d": {
			const pixels = param(spec, "height") * param(spec, "width");
			const k2 = param(spec, "kernelSize") ** 2;
			return 2 * batch * pixels * param(spec, "outChannels") * param(spec, "inChannels") * k2;
		}
		case "mlp": {
			const [i, h, o] = [param(spec, "inputs"), param(spec, "hidden"), param(spec, "outputs")];
			return 2 * batch * (i * h + h * o);
		}
		case "transformer": {
			const d = param(spec, "dModel");
			const l = param(spec, "sequence");
			const ff = param(spec, "ffMultiplier") * d;
			// Projections (QKV + output) 8·L·D², feed-forward 4·L·D·ff, scores and weighted sum 4·L²·D.
			return batch * (8 * l * d * d + 4 * l * d * ff + 4 * l * l * d);
		}
	}
}

/** Minimum bytes moved by one run at batch `batch`. */
export function kernelBytes(spec: KernelSpec, batch: number): number {
	const { input, output } = activationFloats(spec);
	return FLOAT_BYTES * (weightFloats(spec) + batch * (input + output));
}

/** A kernel ready to time at one batch size. */
export interface KernelRun {
	/** One forward pass; reads the result back so the work is really done; frees what it made. */
	run(): void;
	dispose(): void;
}

/** A kernel's weights, living until `dispose`; `atBatch` makes the inputs for one batch size. */
export interface KernelInstance {
	atBatch(batch: number): KernelRun;
	dispose(): void;
}

const SEED = 1;

/** Builds a kernel's weights on the current tfjs backend. */
export function instantiateKernel(tf: TfModule, spec: KernelSpec): KernelInstance {
	const random = (shape: number[], seed: number, scale = 1) =>
		tf.tidy(() => tf.mul(tf.randomUniform(shape, -1, 1, "float32", SEED + seed), scale));
	const weights: Tf.Tensor[] = [];
	const keep = <T extends Tf.Tensor>(t: T): T => {
		weights.push(t);
		return t;
	};
	let forward: (batch: number) => { input: Tf.Tensor; step: (x: Tf.Tensor) => Tf.Tensor };
	switch (spec.kind) {
		case "matmul": {
			const n = param(spec, "n");
			const w = keep(random([n, n], 1));
			forward = (batch) => ({ input: random([batch * n, n], 2), step: (x) => tf.matMul(x, w) });
			break;
		}
		case "conv2d": {
			const [h, w, cin, cout, k] = ["height", "width", "inChannels", "outChannels", "kernelSize"].map((key) =>
				param(spec, key),
			) as [number, number, number, number, number];
			const filter = keep(random([k, k, cin, cout], 1, 0.1));
			forward = (batch) => ({
				input: random([batch, h, w, cin], 2),
				step: (x) => tf.conv2d(x as Tf.Tensor4D, filter as Tf.Tensor4D, 1, "same"),
			});
			break;
		}
		case "mlp": {
			const [i, hidden, o] = [param(spec, "inputs"), param(spec, "hidden"), param(spec, "outputs")];
			const w1 = keep(random([i, hidden], 1, 1 / Math.sqrt(i)));
			const b1 = keep(random([hidden], 2));
			const w2 = keep(random([hidden, o], 3, 1 / Math.sqrt(hidden)));
			const b2 = keep(random([o], 4));
			forward = (batch) => ({
				input: random([batch, i], 5),
				step: (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2),
			});
			break;
		}
		case "transformer": {
			const d = param(spec, "dModel");
			const heads = param(spec, "heads");
			const l = param(spec, "sequence");
			const ff = param(spec, "ffMultiplier") * d;
			const dh = d / heads;
			const scaled = (shape: number[], seed: number) => keep(random(shape, seed, 1 / Math.sqrt(shape[0] ?? 1)));
			const wqkv = scaled([d, 3 * d], 1);
			const bqkv = keep(tf.zeros([3 * d]));
			const wo = scaled([d, d], 2);
			const bo = keep(tf.zeros([d]));
			const w1 = scaled([d, ff], 3);
			const b1 = keep(tf.zeros([ff]));
			const w2 = scaled([ff, d], 4);
			const b2 = keep(tf.zeros([d]));
			const gamma = keep(tf.ones([d]));
			const beta = keep(tf.zeros([d]));
			const layerNorm = (t: Tf.Tensor) => {
				const { mean, variance } = tf.moments(t, -1, true);
				return tf.add(tf.mul(tf.mul(tf.sub(t, mean), tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta);
			};
			forward = (batch) => ({
				input: random([batch * l, d], 5),
				step: (x) => {
					const [q, k, v] = tf.split(tf.add(tf.matMul(x, wqkv), bqkv), 3, 1) as [Tf.Tensor, Tf.Tensor, Tf.Tensor];
					const split = (t: Tf.Tensor) => tf.transpose(tf.reshape(t, [batch, l, heads, dh]), [0, 2, 1, 3]);
					const scores = tf.mul(tf.matMul(split(q), split(k), false, true), 1 / Math.sqrt(dh));
					const context = tf.matMul(tf.softmax(scores), split(v));
					const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * l, d]);
					const attended = layerNorm(tf.add(x, tf.add(tf.matMul(merged, wo), bo)));
					const hidden = tf.relu(tf.add(tf.matMul(attended, w1), b1));
					return layerNorm(tf.add(attended, tf.add(tf.matMul(hidden, w2), b2)));
				},
			});
			break;
		}
	}
	return {
		atBatch(batch: number): KernelRun {
			const { input, step } = forward(batch);
			return {
				run() {
					const out = tf.tidy(() => step(input));
					out.dataSync();
					out.dispose();
				},
				dispose() {
					input.dispose();
				},
			};
		},
		dispose() {
			for (const t of weights) t.dispose();
		},
	};
}
