/** The network model's public API: run a scenario (run.ts) and the types of its inputs and results. */
export { runNetwork } from "./run.js";
export {
	type LatencyKpi,
	type NetworkInputs,
	type NetworkKpis,
	type NetworkOptions,
	type NetworkResult,
	type SnapshotRow,
	TIMESERIES_COLUMNS,
	type TimeseriesColumn,
	TOKEN_UNIT_COLUMNS,
	type TokenKpis,
	type TwinKpis,
} from "./types.js";
