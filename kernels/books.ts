// AssemblyScript: the providers' books pass of an epoch (called from models/provider-accounting.ts),
// compiled to WebAssembly by `npm run kernels` into models/kernels/books-wasm.ts. It is the
// TypeScript loop it replaced (kept as the oracle in test/kernels/books-reference.ts), operation
// for operation and in the same order, so results are bit-identical but for a NaN's sign (every
// figure is an IEEE double; float32 columns round on store as a Float32Array does). It reads the
// node table's columns in place: they live in this module's imported memory (sim/wasm-arena.ts).
//
// Everything arrives in two frames: `ints` (int32 slots: the arrays' byte offsets and the counts)
// and `floats` (float64 slots: the epoch's constants and the running sums), read at entry and the
// running ones written back at exit. The slot numbers must match BOOKS_INTS and BOOKS_FLOATS in
// models/provider-accounting.ts. (Offsets travel as int32, not float64: a float-to-int conversion
// read once here is otherwise recomputed by V8 inside the loop, at every use.)

// Int slots. Arrays (byte offsets):
const TRACKED = 0; // i32: tracked node ids
const STATE = 1; // u8
const GPU = 2; // u8
const HOSTING = 3; // u8
const BUSY_MS_IN_EPOCH = 4; // f32: busy ms in the epoch
const REVENUE_USD_IN_EPOCH = 5; // f64: revenue in the epoch
const POWER_USD_PER_KWH = 6; // f32
const EWMA_MARGIN_USD_PER_HOUR = 7; // f32
const CUMULATIVE_MARGIN_USD = 8; // f64
const EPOCHS_BELOW_THRESHOLD = 9; // u16
const LEAVING = 10; // u8
const BANDWIDTH_USD_IN_EPOCH = 11; // f64
const EXIT_THRESHOLD_USD_PER_HOUR = 12; // f32
const PATIENCE_EPOCHS = 13; // u16
const ASK_UNDERCUT = 14; // f32
const ASK_USD_PER_GPU_HOUR = 15; // f32
const LEASE_START_MS = 16; // f64
const LEASE_END_MS = 17; // f64
const LEASE_PRICE_USD_PER_GPU_HOUR = 18; // f32
const COSTS = 19; // f64: idle kW, busy kW, fixed USD/h by (GPU class, hosting)
const CLASS_SUMS = 20; // f64: five sums by GPU class
const GOING_RATE = 21; // f64 by GPU class
const EXITS = 22; // i32
const REWARD_NODES = 23; // i32
const REWARD_WEIGHT = 24; // f64
const WORK_NODES = 25; // i32
const WORK_USD = 26; // f64
const REWARD_PAID_UNITS = 27; // f64 by node
const STAKED_UNITS = 28; // f64 by node
// … constants of the epoch:
const STAKED_LENGTH = 29;
const TRACKED_COUNT = 30;
const COLLECT_WORK = 31;
const TOKENS = 32;
// … running counts (in and out):
const KEPT = 33;
const JOINING = 34;
const SERVING = 35;
const DOWN = 36;
const LIVE = 37;
const LIVE_HOSTED = 38;
const DOWN_HOSTED = 39;
const REWARD_COUNT = 40;
const WORK_COUNT = 41;
const EXIT_COUNT = 42;
// … bounds the kernel checks (a node id or GPU class past them traps: never a silent write elsewhere):
const NODE_COUNT = 43;
const GPU_COUNT = 44;
const INT_SLOTS = 45;

// Float slots. Constants of the epoch:
const START_MS = 0;
const END_MS = 1;
const FIAT_SHARE = 2;
const HOURS = 3;
const EPOCH_MS = 4;
const PER_EPOCH_MS = 5;
const PER_HOUR = 6;
const EWMA_WEIGHT = 7;
const RAISE_AT = 8;
const USD_PER_UNIT = 9;
const WEIGHT_PER_BUSY_MS = 10;
const WEIGHT_UPTIME = 11;
const WEIGHT_PER_STAKED_UNIT = 12;
// … running sums (in and out):
const SUM_BUSY_MS = 13;
const SUM_REVENUE = 14;
const SUM_COST = 15;
const SUM_MARGIN = 16;
const SUM_EWMA = 17;
const TOKEN_REWARD_USD = 18;
const REWARD_WEIGHT_TOTAL = 19;
const FLOAT_SLOTS = 20;

const MS_PER_HOUR: f64 = 3_600_000;
const JOINING_STATE: u8 = 0;
const IDLE_STATE: u8 = 1;
const SERVING_STATE: u8 = 2;
const DOWN_STATE: u8 = 3;
const EXITED_STATE: u8 = 4;

function int(ints: usize, index: i32): i32 {
	return load<i32>(ints + ((<usize>index) << 2));
}

function pointer(ints: usize, index: i32): usize {
	return <usize>load<i32>(ints + ((<usize>index) << 2));
}

function float(floats: usize, index: i32): f64 {
	return load<f64>(floats + ((<usize>index) << 3));
}

/** Closes the books of tracked entries from `from` on, up to the first exited node (returned; the tracked count: none). */
export function accountRun(ints: usize, floats: usize, from: i32): i32 {
	const tracked = pointer(ints, TRACKED);
	const stateOf = pointer(ints, STATE);
	const gpuOf = pointer(ints, GPU);
	const hostingOf = pointer(ints, HOSTING);
	const busyCol = pointer(ints, BUSY_MS_IN_EPOCH);
	const revenueCol = pointer(ints, REVENUE_USD_IN_EPOCH);
	const powerCol = pointer(ints, POWER_USD_PER_KWH);
	const ewmaCol = pointer(ints, EWMA_MARGIN_USD_PER_HOUR);
	const cumulativeCol = pointer(ints, CUMULATIVE_MARGIN_USD);
	const belowCol = pointer(ints, EPOCHS_BELOW_THRESHOLD);
	const leavingCol = pointer(ints, LEAVING);
	const bandwidthCol = pointer(ints, BANDWIDTH_USD_IN_EPOCH);
	const thresholdCol = pointer(ints, EXIT_THRESHOLD_USD_PER_HOUR);
	const patienceCol = pointer(ints, PATIENCE_EPOCHS);
	const undercutCol = pointer(ints, ASK_UNDERCUT);
	const askCol = pointer(ints, ASK_USD_PER_GPU_HOUR);
	const leaseStartCol = pointer(ints, LEASE_START_MS);
	const leaseEndCol = pointer(ints, LEASE_END_MS);
	const leasePriceCol = pointer(ints, LEASE_PRICE_USD_PER_GPU_HOUR);
	const costs = pointer(ints, COSTS);
	const sums = pointer(ints, CLASS_SUMS);
	const goingRates = pointer(ints, GOING_RATE);
	const exits = pointer(ints, EXITS);
	const rewardNodes = pointer(ints, REWARD_NODES);
	const rewardWeights = pointer(ints, REWARD_WEIGHT);
	const workNodes = pointer(ints, WORK_NODES);
	const workUsd = pointer(ints, WORK_USD);
	const paidUnits = pointer(ints, REWARD_PAID_UNITS);
	const stakedUnits = pointer(ints, STAKED_UNITS);
	const stakedLength = int(ints, STAKED_LENGTH);
	const trackedCount = int(ints, TRACKED_COUNT);
	const nodeCount = int(ints, NODE_COUNT);
	const gpuCount = int(ints, GPU_COUNT);
	const startMs = float(floats, START_MS);
	const endMs = float(floats, END_MS);
	const fiatShare = float(floats, FIAT_SHARE);
	const hours = float(floats, HOURS);
	const epochMsLength = float(floats, EPOCH_MS);
	const perEpochMs = float(floats, PER_EPOCH_MS);
	const perHour = float(floats, PER_HOUR);
	const ewmaWeight = float(floats, EWMA_WEIGHT);
	const raiseAt = float(floats, RAISE_AT);
	const collectWork = int(ints, COLLECT_WORK) !== 0;
	const tokens = int(ints, TOKENS) !== 0;
	const usdPerUnit = float(floats, USD_PER_UNIT);
	const weightPerBusyMs = float(floats, WEIGHT_PER_BUSY_MS);
	const weightUptime = float(floats, WEIGHT_UPTIME);
	const weightPerStakedUnit = float(floats, WEIGHT_PER_STAKED_UNIT);
	let kept = int(ints, KEPT);
	let joining = int(ints, JOINING);
	let serving = int(ints, SERVING);
	let down = int(ints, DOWN);
	let live = int(ints, LIVE);
	let liveHosted = int(ints, LIVE_HOSTED);
	let downHosted = int(ints, DOWN_HOSTED);
	let busyMs = float(floats, SUM_BUSY_MS);
	let revenueUsd = float(floats, SUM_REVENUE);
	let costUsd = float(floats, SUM_COST);
	let marginSum = float(floats, SUM_MARGIN);
	let ewmaSum = float(floats, SUM_EWMA);
	let tokenRewardUsd = float(floats, TOKEN_REWARD_USD);
	let rewardCount = int(ints, REWARD_COUNT);
	let rewardWeightTotal = float(floats, REWARD_WEIGHT_TOTAL);
	let workCount = int(ints, WORK_COUNT);
	let exitCount = int(ints, EXIT_COUNT);

	let t = from;
	for (; t < trackedCount; t++) {
		const node = load<i32>(tracked + ((<usize>t) << 2));
		if (<u32>node >= <u32>nodeCount) unreachable();
		const at1 = <usize>node;
		const at2 = at1 << 1;
		const at4 = at1 << 2;
		const at8 = at1 << 3;
		const state = load<u8>(stateOf + at1);
		if (state === EXITED_STATE) break;
		store<i32>(tracked + ((<usize>kept) << 2), node);
		kept++;
		const gpu = <i32>load<u8>(gpuOf + at1);
		if (gpu >= gpuCount) unreachable();
		const classAt = sums + ((<usize>(5 * gpu)) << 3);
		if (state === JOINING_STATE) {
			joining++;
			store<f64>(classAt + 32, load<f64>(classAt + 32) + 1);
			if (collectWork && load<f64>(revenueCol + at8) > 0) {
				store<i32>(workNodes + ((<usize>workCount) << 2), node);
				store<f64>(workUsd + ((<usize>workCount) << 3), load<f64>(revenueCol + at8));
				workCount++;
			}
			continue;
		}
		// The running lease's share of this epoch (the rest accrued when earlier leases ended). Branches,
		// not selects: the pass waits on memory more than on mispredictions (measured: 5-15% faster so).
		if (state === SERVING_STATE) {
			serving++;
			const ms = min<f64>(endMs, load<f64>(leaseEndCol + at8)) - max<f64>(load<f64>(leaseStartCol + at8), startMs);
			if (ms > 0) {
				store<f32>(busyCol + at4, <f32>(<f64>load<f32>(busyCol + at4) + ms));
				const leaseUsd = (ms / MS_PER_HOUR) * <f64>load<f32>(leasePriceCol + at4) * fiatShare;
				store<f64>(revenueCol + at8, load<f64>(revenueCol + at8) + leaseUsd);
			}
		}
		if (collectWork && load<f64>(revenueCol + at8) > 0) {
			store<i32>(workNodes + ((<usize>workCount) << 2), node);
			store<f64>(workUsd + ((<usize>workCount) << 3), load<f64>(revenueCol + at8));
			workCount++;
		}
		const hosting = <i32>load<u8>(hostingOf + at1);
		if (hosting > 1) unreachable();
		const isDown: i32 = state === DOWN_STATE ? 1 : 0;
		live++;
		liveHosted += hosting;
		down += isDown;
		downHosted += isDown * hosting;
		const busy = <f64>load<f32>(busyCol + at4);
		const utilisation = busy < epochMsLength ? busy * perEpochMs : 1;
		const k = costs + ((<usize>(3 * (gpu * 2 + hosting))) << 3);
		const powerPrice = <f64>load<f32>(powerCol + at4);
		const fixed = load<f64>(k) * powerPrice + load<f64>(k + 16);
		const perUtilisation = load<f64>(k + 8) * powerPrice;
		const cost = (fixed + perUtilisation * utilisation) * hours + load<f64>(bandwidthCol + at8);
		let revenue = load<f64>(revenueCol + at8);
		if (tokens) {
			// Last epoch's reward, at today's price (read and zeroed), and this epoch's weight.
			const rewardUsd = load<f64>(paidUnits + at8) * usdPerUnit;
			store<f64>(paidUnits + at8, 0);
			tokenRewardUsd += rewardUsd;
			const staked = node < stakedLength ? load<f64>(stakedUnits + at8) : 0;
			const weight =
				weightPerBusyMs * busy +
				(isDown === 1 ? 0 : weightUptime) +
				(weightPerStakedUnit === 0 ? 0 : weightPerStakedUnit * staked);
			if (weight > 0) {
				store<i32>(rewardNodes + ((<usize>rewardCount) << 2), node);
				store<f64>(rewardWeights + ((<usize>rewardCount) << 3), weight);
				rewardCount++;
				rewardWeightTotal += weight;
			}
			revenue += rewardUsd;
		}
		const marginPerHour = (revenue - cost) * perHour;
		store<f64>(cumulativeCol + at8, load<f64>(cumulativeCol + at8) + revenue - cost);
		const previous = <f64>load<f32>(ewmaCol + at4);
		const ewma = previous + ewmaWeight * (marginPerHour - previous);
		store<f32>(ewmaCol + at4, <f32>ewma);
		const below = select<i32>(
			min<i32>(65_535, <i32>load<u16>(belowCol + at2) + 1),
			0,
			ewma < <f64>load<f32>(thresholdCol + at4),
		);
		store<u16>(belowCol + at2, <u16>below);
		busyMs += busy;
		revenueUsd += revenue;
		costUsd += cost;
		marginSum += marginPerHour;
		ewmaSum += ewma;
		store<f64>(classAt, load<f64>(classAt) + ewma);
		store<f64>(classAt + 8, load<f64>(classAt + 8) + 1);
		store<f64>(classAt + 16, load<f64>(classAt + 16) + busy);
		store<f64>(classAt + 24, load<f64>(classAt + 24) + <f64>load<f32>(askCol + at4));
		// Market policy: re-ask from the class's going rate (NaN undercut: cost-plus).
		const undercut = <f64>load<f32>(undercutCol + at4);
		const goingRate = load<f64>(goingRates + ((<usize>gpu) << 3));
		if (!(isNaN(undercut) || isNaN(goingRate))) {
			const ask = goingRate * (utilisation >= raiseAt ? 1 + undercut : 1 - undercut);
			store<f32>(askCol + at4, <f32>max<f64>(ask, fixed + perUtilisation));
		}
		store<f32>(busyCol + at4, 0);
		store<f64>(revenueCol + at8, 0);
		store<f64>(bandwidthCol + at8, 0);
		// Hysteresis passed: the provider leaves now if idle, else when its work ends.
		if (below >= <i32>load<u16>(patienceCol + at2) && load<u8>(leavingCol + at1) === 0) {
			store<u8>(leavingCol + at1, 1);
			if (state === IDLE_STATE) {
				store<i32>(exits + ((<usize>exitCount) << 2), node);
				exitCount++;
			}
		}
	}
	store<i32>(ints + ((<usize>KEPT) << 2), kept);
	store<i32>(ints + ((<usize>JOINING) << 2), joining);
	store<i32>(ints + ((<usize>SERVING) << 2), serving);
	store<i32>(ints + ((<usize>DOWN) << 2), down);
	store<i32>(ints + ((<usize>LIVE) << 2), live);
	store<i32>(ints + ((<usize>LIVE_HOSTED) << 2), liveHosted);
	store<i32>(ints + ((<usize>DOWN_HOSTED) << 2), downHosted);
	store<f64>(floats + ((<usize>SUM_BUSY_MS) << 3), busyMs);
	store<f64>(floats + ((<usize>SUM_REVENUE) << 3), revenueUsd);
	store<f64>(floats + ((<usize>SUM_COST) << 3), costUsd);
	store<f64>(floats + ((<usize>SUM_MARGIN) << 3), marginSum);
	store<f64>(floats + ((<usize>SUM_EWMA) << 3), ewmaSum);
	store<f64>(floats + ((<usize>TOKEN_REWARD_USD) << 3), tokenRewardUsd);
	store<i32>(ints + ((<usize>REWARD_COUNT) << 2), rewardCount);
	store<f64>(floats + ((<usize>REWARD_WEIGHT_TOTAL) << 3), rewardWeightTotal);
	store<i32>(ints + ((<usize>WORK_COUNT) << 2), workCount);
	store<i32>(ints + ((<usize>EXIT_COUNT) << 2), exitCount);
	return t;
}

/** How many int and float slots the kernel reads, as ints · 1000 + floats (the loader checks it). */
export function frameSlots(): i32 {
	return INT_SLOTS * 1000 + FLOAT_SLOTS;
}
