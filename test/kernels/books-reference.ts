/**
 * The providers' books pass as the TypeScript loop it was before kernels/books.ts replaced it
 * (2026-12-07), kept as the kernel's oracle: books-kernel.test.ts runs both on twin node tables
 * and compares every byte. The leavers are settled by the model's own settleLeaver, as before.
 */
import { NodeState, type NodeTable } from "../../models/nodes.js";
import {
	accrueLease,
	type EpochAccounting,
	type EpochAccountingParams,
	resetEpochCounts,
	settleLeaver,
} from "../../models/provider-accounting.js";

const MS_PER_HOUR = 3_600_000;
const CLASS_SUMS = 5;

interface Pass {
	kept: number;
	joining: number;
	serving: number;
	down: number;
	live: number;
	liveHosted: number;
	downHosted: number;
	busyMs: number;
	revenueUsd: number;
	costUsd: number;
	marginSum: number;
	ewmaSum: number;
	readonly classSums: Float64Array;
}

/** accountEpoch as it was: the lists sized as it sized them, the same reset, then the pass over the tracked nodes. */
export function referenceAccountEpoch(nodes: NodeTable, params: EpochAccountingParams, out: EpochAccounting): void {
	if (params.tokens !== null && out.rewardNodes.length < out.trackedCount) {
		out.rewardNodes = new Int32Array(out.tracked.length);
		out.rewardWeight = new Float64Array(out.tracked.length);
	}
	if (params.collectWork && out.workNodes.length < out.trackedCount) {
		out.workNodes = new Int32Array(out.tracked.length);
		out.workUsd = new Float64Array(out.tracked.length);
	}
	if (out.exits.length < out.trackedCount) out.exits = new Int32Array(out.tracked.length);
	resetEpochCounts(out);
	const gpuCount = out.liveByGpu.length;
	const pass: Pass = {
		kept: 0,
		joining: 0,
		serving: 0,
		down: 0,
		live: 0,
		liveHosted: 0,
		downHosted: 0,
		busyMs: 0,
		revenueUsd: 0,
		costUsd: 0,
		marginSum: 0,
		ewmaSum: 0,
		classSums: new Float64Array(CLASS_SUMS * gpuCount),
	};
	const { trackedCount } = out;
	for (
		let t = accountRun(nodes, params, out, pass, 0);
		t < trackedCount;
		t = accountRun(nodes, params, out, pass, t + 1)
	)
		settleLeaver(nodes, params, out, out.tracked[t] as number, params.tokens);
	for (let g = 0; g < gpuCount; g++) {
		const c = CLASS_SUMS * g;
		out.ewmaByGpu[g] = pass.classSums[c] as number;
		out.liveByGpu[g] = pass.classSums[c + 1] as number;
		out.busyMsByGpu[g] = pass.classSums[c + 2] as number;
		out.askSumByGpu[g] = pass.classSums[c + 3] as number;
		out.joiningByGpu[g] = pass.classSums[c + 4] as number;
	}
	out.trackedCount = pass.kept;
	out.joining = pass.joining;
	out.serving = pass.serving;
	out.down = pass.down;
	out.active = pass.live - pass.down;
	out.live = pass.live;
	out.busyMs = pass.busyMs;
	out.revenueUsd = pass.revenueUsd + out.leavers.revenueUsd;
	out.costUsd = pass.costUsd + out.leavers.costUsd;
	out.marginSum = pass.marginSum;
	out.ewmaSum = pass.ewmaSum;
	out.liveByHosting[0] = pass.live - pass.liveHosted;
	out.liveByHosting[1] = pass.liveHosted;
	out.downByHosting[0] = pass.down - pass.downHosted;
	out.downByHosting[1] = pass.downHosted;
}

/** The removed loop: tracked entries from `from` on, up to the first exited node (returned). */
function accountRun(
	nodes: NodeTable,
	params: EpochAccountingParams,
	out: EpochAccounting,
	pass: Pass,
	from: number,
): number {
	const { startMs, endMs, tokens, ewmaWeight: weight, goingRateByGpu, raiseAboveUtilisation: raiseAt } = params;
	const sums = pass.classSums;
	const hours = (endMs - startMs) / MS_PER_HOUR;
	const epochMsLength = hours * MS_PER_HOUR;
	const perEpochMs = 1 / epochMsLength;
	const perHour = 1 / hours;
	let t = from;
	for (; t < out.trackedCount; t++) {
		const node = out.tracked[t] as number;
		const state = nodes.state[node] as number;
		if (state === NodeState.exited) break;
		out.tracked[pass.kept++] = node;
		const gpu = nodes.gpu[node] as number;
		const c = CLASS_SUMS * gpu;
		if (state === NodeState.joining) {
			pass.joining++;
			sums[c + 4] = (sums[c + 4] as number) + 1;
			if (params.collectWork && (nodes.revenueUsdInEpoch[node] as number) > 0) listWork(out, nodes, node);
			continue;
		}
		if (state === NodeState.serving) {
			pass.serving++;
			accrueLease(nodes, node, startMs, endMs, params.fiatShareToProvider);
		}
		if (params.collectWork && (nodes.revenueUsdInEpoch[node] as number) > 0) listWork(out, nodes, node);
		const hosting = nodes.hosting[node] as number;
		const isDown = state === NodeState.down ? 1 : 0;
		pass.live++;
		pass.liveHosted += hosting;
		pass.down += isDown;
		pass.downHosted += isDown * hosting;
		const busy = nodes.busyMsInEpoch[node] as number;
		const utilisation = busy < epochMsLength ? busy * perEpochMs : 1;
		const k = gpu * 2 + hosting;
		const powerPrice = nodes.powerUsdPerKwh[node] as number;
		const fixed =
			(params.idleKwByGpuHosting[k] as number) * powerPrice + (params.fixedUsdPerHourByGpuHosting[k] as number);
		const perUtilisation = (params.busyKwByGpuHosting[k] as number) * powerPrice;
		const cost = (fixed + perUtilisation * utilisation) * hours + (nodes.bandwidthUsdInEpoch[node] as number);
		let revenue = nodes.revenueUsdInEpoch[node] as number;
		if (tokens !== null) {
			const rewardUsd = (tokens.rewardPaidUnits[node] as number) * tokens.usdPerUnit;
			tokens.rewardPaidUnits[node] = 0;
			out.tokenRewardUsd += rewardUsd;
			const rewardWeight =
				tokens.weightPerBusyMs * busy +
				(isDown === 1 ? 0 : tokens.weightUptime) +
				(tokens.weightPerStakedUnit === 0 ? 0 : tokens.weightPerStakedUnit * (tokens.stakedUnits[node] ?? 0));
			if (rewardWeight > 0) {
				out.rewardNodes[out.rewardCount] = node;
				out.rewardWeight[out.rewardCount++] = rewardWeight;
				out.rewardWeightTotal += rewardWeight;
			}
			revenue += rewardUsd;
		}
		const marginPerHour = (revenue - cost) * perHour;
		nodes.cumulativeMarginUsd[node] = (nodes.cumulativeMarginUsd[node] as number) + revenue - cost;
		const previous = nodes.ewmaMarginUsdPerHour[node] as number;
		const ewma = previous + weight * (marginPerHour - previous);
		nodes.ewmaMarginUsdPerHour[node] = ewma;
		const below =
			ewma < (nodes.exitThresholdUsdPerHour[node] as number)
				? Math.min(65_535, (nodes.epochsBelowThreshold[node] as number) + 1)
				: 0;
		nodes.epochsBelowThreshold[node] = below;
		pass.busyMs += busy;
		pass.revenueUsd += revenue;
		pass.costUsd += cost;
		pass.marginSum += marginPerHour;
		pass.ewmaSum += ewma;
		sums[c] = (sums[c] as number) + ewma;
		sums[c + 1] = (sums[c + 1] as number) + 1;
		sums[c + 2] = (sums[c + 2] as number) + busy;
		sums[c + 3] = (sums[c + 3] as number) + (nodes.askUsdPerGpuHour[node] as number);
		const undercut = nodes.askUndercut[node] as number;
		const goingRate = goingRateByGpu[gpu] as number;
		if (!(Number.isNaN(undercut) || Number.isNaN(goingRate))) {
			const ask = goingRate * (utilisation >= raiseAt ? 1 + undercut : 1 - undercut);
			nodes.askUsdPerGpuHour[node] = Math.max(ask, fixed + perUtilisation);
		}
		nodes.busyMsInEpoch[node] = 0;
		nodes.revenueUsdInEpoch[node] = 0;
		nodes.bandwidthUsdInEpoch[node] = 0;
		if (below >= (nodes.patienceEpochs[node] as number) && nodes.leaving[node] === 0) {
			nodes.leaving[node] = 1;
			if (state === NodeState.idle) out.exits[out.exitCount++] = node;
		}
	}
	return t;
}

function listWork(out: EpochAccounting, nodes: NodeTable, node: number): void {
	out.workNodes[out.workCount] = node;
	out.workUsd[out.workCount++] = nodes.revenueUsdInEpoch[node] as number;
}
