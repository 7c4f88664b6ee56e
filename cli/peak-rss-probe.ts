/**
 * Preloaded (`node --import`) into a child process of `bench sweep`, so that the memory test
 * measures the real `depin-twin sweep` and `run` commands, with nothing of the benchmark loaded:
 * as the process ends, it sends its peak resident set size (every thread's) to the parent.
 */
let sent = false;

process.on("beforeExit", () => {
	if (sent || process.send === undefined) return;
	sent = true;
	const peakRssMiB = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
	// Disconnecting lets the process end once the message is out.
	process.send({ peakRssMiB }, () => process.disconnect());
});

export {};
