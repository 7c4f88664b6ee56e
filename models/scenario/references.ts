/**
 * Checks that need the reference tables: every GPU, metro and cloud region a scenario names
 * exists. Issues point at the scenario's line and column like schema errors do.
 */
import { type Catalog, CLOUD_GPU_IDS } from "../catalog.js";
import type { ScenarioIssue } from "./errors.js";
import { issueAt, type LoadedScenario } from "./load.js";

export function checkReferences(loaded: LoadedScenario, catalog: Catalog): ScenarioIssue[] {
	const { scenario } = loaded;
	const issues: ScenarioIssue[] = [];
	const known = (ids: Iterable<string>) => [...ids].slice(0, 12).join(", ");
	scenario.nodes.mix.forEach((entry, i) => {
		if (!catalog.gpuById.has(entry.gpu)) {
			issues.push(
				issueAt(loaded, `nodes.mix[${i}].gpu`, `unknown GPU "${entry.gpu}" (known: ${known(catalog.gpuById.keys())})`),
			);
		}
	});
	scenario.geography.metros.forEach((id, i) => {
		if (!catalog.metroById.has(id)) issues.push(issueAt(loaded, `geography.metros[${i}]`, `unknown metro "${id}"`));
	});
	scenario.cloud.regions.forEach((id, i) => {
		if (!catalog.cloudRegionById.has(id))
			issues.push(issueAt(loaded, `cloud.regions[${i}]`, `unknown cloud region "${id}"`));
	});
	if (
		scenario.cloud.realtimeGpu !== "cheapest" &&
		!(CLOUD_GPU_IDS as readonly string[]).includes(scenario.cloud.realtimeGpu)
	) {
		issues.push(
			issueAt(
				loaded,
				"cloud.realtimeGpu",
				`expected cheapest or one of ${CLOUD_GPU_IDS.join(", ")} (GPUs with cloud list prices)`,
			),
		);
	}
	// Every compute block (a real-time class's, a job class's work profile) names GPUs in mfuByGpu.
	scenario.demand.classes.forEach((spec, i) => {
		const [compute, path] =
			spec.kind === "realtime" ? [spec.compute, "compute"] : [spec.workProfile?.compute, "workProfile.compute"];
		for (const id of Object.keys(compute?.mfuByGpu ?? {})) {
			if (!catalog.gpuById.has(id))
				issues.push(issueAt(loaded, `demand.classes[${i}].${path}.mfuByGpu.${id}`, `unknown GPU "${id}"`));
		}
	});
	if (!catalog.gpuById.has("h100-sxm")) {
		issues.push(issueAt(loaded, "reference.gpus", "the GPU table must list h100-sxm (the unit of job work)"));
	}
	scenario.providers.outages.forEach((outage, i) => {
		const target = outage.target;
		const exists =
			outage.scope === "metro"
				? catalog.metroById.has(target)
				: outage.scope === "cloud-region"
					? catalog.cloudRegionById.has(target)
					: outage.scope === "region"
						? catalog.metros.some((m) => m.region === target)
						: catalog.metros.some((m) => m.jurisdiction === target);
		if (!exists)
			issues.push(issueAt(loaded, `providers.outages[${i}].target`, `no ${outage.scope} "${target}" in the tables`));
	});
	return issues;
}
