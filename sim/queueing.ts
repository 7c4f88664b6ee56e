/**
 * Queueing-theory oracles used to check the engine and the models (Erlang B/C for M/M/c).
 * Source: Kleinrock, Queueing Systems Vol. 1 (1975), §3.5–3.6.
 */

/** Erlang B blocking probability for `servers` servers and offered load a = λ/μ (stable recursion). */
export function erlangB(servers: number, offeredLoad: number): number {
	if (!Number.isInteger(servers) || servers < 1)
		throw new RangeError(`servers must be a positive integer, got ${servers}`);
	if (!(offeredLoad > 0)) throw new RangeError(`offered load must be > 0, got ${offeredLoad}`);
	let b = 1;
	for (let k = 1; k <= servers; k++) b = (offeredLoad * b) / (k + offeredLoad * b);
	return b;
}

/** Erlang C: probability that an arrival waits in M/M/c (needs ρ = a/c < 1). */
export function erlangC(servers: number, offeredLoad: number): number {
	const rho = offeredLoad / servers;
	if (!(rho < 1)) throw new RangeError(`M/M/c is unstable at load ρ = ${rho} ≥ 1`);
	const b = erlangB(servers, offeredLoad);
	return b / (1 - rho * (1 - b));
}

/** Mean M/M/c quantities at arrival rate λ and service rate μ per server. */
export function mmcMeans(
	servers: number,
	arrivalRate: number,
	serviceRate: number,
): { probabilityOfWait: number; meanWait: number; meanSojourn: number; meanInSystem: number; meanInQueue: number } {
	const offeredLoad = arrivalRate / serviceRate;
	const probabilityOfWait = erlangC(servers, offeredLoad);
	const meanWait = probabilityOfWait / (servers * serviceRate - arrivalRate);
	const meanSojourn = meanWait + 1 / serviceRate;
	return {
		probabilityOfWait,
		meanWait,
		meanSojourn,
		meanInSystem: arrivalRate * meanSojourn,
		meanInQueue: arrivalRate * meanWait,
	};
}
