/** Real-time replicas: how the autoscaler picks the nodes it leases. */
import { describe, expect, it } from "vitest";
import { onEpoch } from "../../../models/network/epoch.js";
import { autoscale, weightsDownloadMs } from "../../../models/network/replicas.js";
import type { NetworkState, RealtimeClassState } from "../../../models/network/state.js";
import { tinyState } from "../network-helpers.js";

/** One metro, 8 H100s and 8 RTX 3090s, an 8B LLM chat class of `requestsPerSecond` kept on at least 4 replicas. */
function mixedFleet(requestsPerSecond: number): string {
	return `
name: replicas
seed: 5
horizonDays: 1
epochHours: 1
geography: { metros: [new-york], zeroNetworkLatency: true }
nodes: { initialCount: 16, mix: [{ gpu: h100-sxm, share: 0.5 }, { gpu: rtx3090, share: 0.5 }] }
providers:
  askPolicy: { marketShare: 0 }
  entry: { prospectivePool: 0 }
  failures: { mtbfHours: 1.0e12, repairHours: { dist: constant, value: 2 } }
market: { bidWindowSeconds: 0, deployMinutes: 0, maxCandidates: 16, reservePriceShareOfCloud: 1000 }
cloud: { regions: [aws-us-east-1], outages: { enabled: false } }
requests: { fidelity: sampled, sampleWindowSeconds: 1 }
demand:
  classes:
    - id: chat
      kind: realtime
      requestsPerSecond: ${requestsPerSecond}
      choice: { bias: 10 }
      slaP95Ms: 2000
      arrival: { diurnalAmplitude: 0 }
      compute:
        { prefillGflop: 4800, decodeSteps: 32, stepGflop: 16, weightsGb: 16, overheadMs: 5,
          kvCacheBytesPerToken: 131072, promptTokens: 300 }
      batching: { maxBatch: 16, maxWaitMs: 50 }
      replicas: { minReplicas: 4, leaseHours: 24 }
`;
}

function leasedGpus(state: NetworkState, classState: RealtimeClassState): string[] {
	return classState.replicas.map((node) => state.setup.gpus[state.nodes.gpu[node] as number]?.id ?? "?").sort();
}

describe("replicas", () => {
	it("capacity goes to the cheapest per request/s; floor replicas to the cheapest per hour that carries its share", () => {
		const state = tinyState([], mixedFleet(2));
		onEpoch(state, 0);
		const classState = state.realtimeByIndex[0];
		if (classState === undefined) throw new Error("no class");
		const gpuIndex = (id: string) => state.setup.catalog.gpuIndexById.get(id) as number;
		const h100 = classState.capacityRpsByGpu[gpuIndex("h100-sxm")] as number;
		const rtx3090 = classState.capacityRpsByGpu[gpuIndex("rtx3090")] as number;
		const askOf = (id: string) => {
			const node = [...Array(state.nodes.count).keys()].find((n) => state.nodes.gpu[n] === gpuIndex(id));
			return state.nodes.askUsdPerGpuHour[node as number] as number;
		};
		// The H100 is cheaper per request/s, the 3090 per hour, and one H100 carries the whole demand.
		expect(askOf("h100-sxm") / h100).toBeLessThan(askOf("rtx3090") / rtx3090);
		expect(askOf("rtx3090")).toBeLessThan(askOf("h100-sxm"));
		expect(h100).toBeGreaterThan(classState.requiredCapacityRps);
		// A 3090 carries a quarter of the demand within the SLA: the three floor replicas are 3090s.
		const depinRps = classState.requiredCapacityRps * classState.spec.replicas.targetUtilisation;
		expect(rtx3090).toBeGreaterThanOrEqual(depinRps / 4);
		expect(leasedGpus(state, classState)).toEqual(["h100-sxm", "rtx3090", "rtx3090", "rtx3090"]);
	});

	it("a floor replica skips cards that cannot carry its share of the demand", () => {
		// 12× the demand: a quarter of it is over a 3090's capacity within the SLA, so every replica is an H100.
		const state = tinyState([], mixedFleet(24));
		onEpoch(state, 0);
		const classState = state.realtimeByIndex[0];
		if (classState === undefined) throw new Error("no class");
		const rtx3090 = classState.capacityRpsByGpu[state.setup.catalog.gpuIndexById.get("rtx3090") as number] as number;
		expect(rtx3090).toBeLessThan((classState.requiredCapacityRps * classState.spec.replicas.targetUtilisation) / 4);
		expect(leasedGpus(state, classState).every((id) => id === "h100-sxm")).toBe(true);
		expect(classState.replicas.length).toBeGreaterThanOrEqual(4);
	});

	it("a replica leased after the start waits for bid, deploy and the model's weights over its link", () => {
		const state = tinyState([], mixedFleet(2).replace("deployMinutes: 0", "deployMinutes: 2"));
		onEpoch(state, 0);
		const classState = state.realtimeByIndex[0];
		if (classState === undefined) throw new Error("no class");
		// The starting replicas are already deployed.
		for (const node of classState.replicas) expect(state.nodes.leaseStartMs[node]).toBe(0);
		// A later epoch's replicas (the first ones forgotten, so the class leases four more from the idle nodes).
		for (let node = 0; node < state.nodes.count; node++) state.nodes.linkGbps[node] = 0.5;
		state.epochIndex = 1;
		classState.replicas.length = 0;
		autoscale(state, classState);
		expect(classState.replicas.length).toBe(4);
		for (const node of classState.replicas) {
			// 2 min of deploy, then 16 GB × 8 ÷ 0.5 Gbit/s = 256 s of weights.
			expect(weightsDownloadMs(state, classState, node)).toBe(256_000);
			expect(state.nodes.leaseStartMs[node]).toBe(120_000 + 256_000);
		}
	});
});
