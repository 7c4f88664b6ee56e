/**
 * Screening which parameters matter: a one-at-a-time tornado around the base, and Morris
 * elementary effects (Morris 1991; μ* of Campolongo, Cariboni & Saltelli 2007) on r random
 * trajectories through a grid of p levels in the unit cube, each trajectory moving one
 * parameter at a time by Δ = p / (2(p − 1)). Domain-free: points are unit coordinates.
 */
import { mean, sampleStandardDeviation } from "simple-statistics";
import { RandomStream } from "../random/stream.js";

export interface MorrisDesign {
	/** Distinct points of the unit cube, k coordinates each. */
	readonly points: readonly (readonly number[])[];
	/** Per trajectory: its k + 1 point indices in order, and which parameter each step moves. */
	readonly trajectories: readonly { readonly points: readonly number[]; readonly moved: readonly number[] }[];
	readonly delta: number;
}

/**
 * r trajectories for k parameters on `levels` levels (even, ≥ 2): a random start x* with every
 * coordinate at most 1 − Δ, a random order and random directions (each coordinate goes
 * x* → x* + Δ or x* + Δ → x*). Identical points are run once.
 */
export function morrisDesign(k: number, trajectories: number, levels: number, seed: number): MorrisDesign {
	if (k < 1 || trajectories < 1 || levels < 2) throw new RangeError("Morris needs k ≥ 1, r ≥ 1 and p ≥ 2");
	const delta = levels / (2 * (levels - 1));
	const random = RandomStream.create(seed, 0, "morris");
	const startLevels = Math.floor((1 - delta) * (levels - 1) + 1e-9) + 1;
	const points: number[][] = [];
	const indexOf = new Map<string, number>();
	const add = (x: readonly number[]) => {
		const key = x.join(",");
		let index = indexOf.get(key);
		if (index === undefined) {
			index = points.length;
			points.push([...x]);
			indexOf.set(key, index);
		}
		return index;
	};
	const out: { points: number[]; moved: number[] }[] = [];
	for (let t = 0; t < trajectories; t++) {
		const start = Array.from({ length: k }, () => random.int(startLevels) / (levels - 1));
		const up = Array.from({ length: k }, () => random.int(2) === 1);
		const x = start.map((s, i) => (up[i] ? s : s + delta));
		const order = Array.from({ length: k }, (_, i) => i);
		for (let i = k - 1; i > 0; i--) {
			const j = random.int(i + 1);
			[order[i], order[j]] = [order[j] as number, order[i] as number];
		}
		const trajectory = [add(x)];
		for (const i of order) {
			x[i] = up[i] ? (start[i] as number) + delta : (start[i] as number);
			trajectory.push(add(x));
		}
		out.push({ points: trajectory, moved: order });
	}
	return { points, trajectories: out, delta };
}

export interface MorrisEffect {
	/** Mean of |elementary effect|: overall influence. */
	readonly muStar: number;
	/** Mean elementary effect (signed). */
	readonly mu: number;
	/** Standard deviation of the effects: interactions or non-linearity (null with one trajectory). */
	readonly sigma: number | null;
	readonly effects: number;
}

/** Elementary effects (Δy / Δx in unit coordinates) of each parameter from the outputs at the design's points. */
export function morrisEffects(design: MorrisDesign, y: readonly number[]): MorrisEffect[] {
	const k = design.points[0]?.length ?? 0;
	const effects: number[][] = Array.from({ length: k }, () => []);
	for (const trajectory of design.trajectories) {
		trajectory.moved.forEach((i, step) => {
			const a = trajectory.points[step] as number;
			const b = trajectory.points[step + 1] as number;
			const dx = (design.points[b]?.[i] as number) - (design.points[a]?.[i] as number);
			const dy = (y[b] as number) - (y[a] as number);
			if (Number.isFinite(dy)) effects[i]?.push(dy / dx);
		});
	}
	return effects.map((e) => ({
		muStar: e.length === 0 ? Number.NaN : mean(e.map(Math.abs)),
		mu: e.length === 0 ? Number.NaN : mean(e),
		sigma: e.length >= 2 ? sampleStandardDeviation(e) : null,
		effects: e.length,
	}));
}

/** A unit coordinate on a parameter's range. */
export const onRange = (unit: number, lo: number, hi: number): number => lo + unit * (hi - lo);

export interface TornadoBar {
	readonly param: number;
	readonly low: number;
	readonly high: number;
	/** |high − low|: the bar's length; bars sort longest first. */
	readonly swing: number;
}

/** One-at-a-time bars: the output with each parameter at its low and its high end, the rest at base. */
export function tornado(low: readonly number[], high: readonly number[]): TornadoBar[] {
	return low
		.map((l, param) => ({ param, low: l, high: high[param] as number, swing: Math.abs((high[param] as number) - l) }))
		.sort((a, b) => (Number.isNaN(b.swing) ? -1 : b.swing - a.swing) || a.param - b.param);
}
