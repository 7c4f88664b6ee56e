/**
 * Comparing designs KPI by KPI: each design's mean with its CI95, and its difference to the
 * first design with a CI, paired run by run when both ran the same seeds (common random
 * numbers take the noise out of the difference), Welch's interval otherwise.
 */
import { type Difference, kpiStats, pairedDifference, welchDifference } from "./stats.js";

/** One design's runs: the seed of each, and each KPI's value per run (null: none). */
export interface DesignSample {
	readonly label: string;
	readonly seeds: readonly number[];
	readonly kpis: ReadonlyMap<string, readonly (number | null)[]>;
}

export interface KpiComparison {
	readonly kpi: string;
	readonly designs: readonly { n: number; mean: number | null; ci95: readonly [number, number] | null }[];
	/** differences[i]: design i − design 0 (null for design 0). */
	readonly differences: readonly (Difference | null)[];
}

const numbers = (values: readonly (number | null)[]) => values.filter((v): v is number => typeof v === "number");

/** B − A: paired by seed when B ran exactly A's seeds, else unpaired. */
export function differenceOf(a: DesignSample, b: DesignSample, kpi: string): Difference {
	const av = a.kpis.get(kpi) ?? [];
	const bv = b.kpis.get(kpi) ?? [];
	const sameSeeds = a.seeds.length === b.seeds.length && [...a.seeds].sort().join() === [...b.seeds].sort().join();
	if (sameSeeds && new Set(a.seeds).size === a.seeds.length) {
		const bySeed = new Map(b.seeds.map((seed, i) => [seed, bv[i] ?? null]));
		const pa: number[] = [];
		const pb: number[] = [];
		a.seeds.forEach((seed, i) => {
			const x = av[i];
			const y = bySeed.get(seed);
			if (typeof x === "number" && typeof y === "number") {
				pa.push(x);
				pb.push(y);
			}
		});
		return pairedDifference(pa, pb);
	}
	return welchDifference(numbers(av), numbers(bv));
}

/** Every KPI any design has (first-seen order), compared across the designs. */
export function compareDesigns(designs: readonly DesignSample[]): KpiComparison[] {
	const names: string[] = [];
	const seen = new Set<string>();
	for (const design of designs) {
		for (const name of design.kpis.keys()) {
			if (!seen.has(name)) names.push(name);
			seen.add(name);
		}
	}
	const first = designs[0];
	if (first === undefined) return [];
	return names.map((kpi) => ({
		kpi,
		designs: designs.map((design) => {
			const stats = kpiStats(numbers(design.kpis.get(kpi) ?? []));
			return { n: stats.n, mean: stats.mean, ci95: stats.ci95 };
		}),
		differences: designs.map((design, i) => (i === 0 ? null : differenceOf(first, design, kpi))),
	}));
}
