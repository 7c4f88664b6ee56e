/** Progress of a sweep on stderr: a bar (runs, failures, ETA) on a terminal, a line per 10% otherwise. */
import type { SweepProgress } from "../sim/experiment/pool.js";

interface ProgressIo {
	readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Show the cursor, re-enable line wrap (what a progress bar switches off). */
const RESTORE_TERMINAL = "\x1b[?25h\x1b[?7h";

export interface SweepProgressReporter {
	readonly update: (progress: SweepProgress) => void;
	readonly stop: () => void;
}

export async function sweepProgress(io: ProgressIo, label: string): Promise<SweepProgressReporter> {
	if (io.stderr.isTTY === true) {
		const { SingleBar } = await import("cli-progress");
		const bar = new SingleBar({
			format: `${label} {bar} {value}/{total} runs | {failed} failed | ETA {eta_formatted}`,
			hideCursor: true,
			etaBuffer: 20,
			stream: io.stderr,
		});
		let started = false;
		return {
			update: (p) => {
				if (!started) {
					started = true;
					bar.start(p.total, p.done, { failed: p.failed });
					// Runs found done must not count towards the ETA's rate.
				} else bar.update(p.done, { failed: p.failed });
			},
			stop: () => {
				if (started) bar.stop();
				io.stderr.write(RESTORE_TERMINAL);
			},
		};
	}
	let lastDecile = -1;
	return {
		update: (p) => {
			const decile = p.total === 0 ? 10 : Math.floor((p.done * 10) / p.total);
			if (decile === lastDecile) return;
			lastDecile = decile;
			const skipped = p.skipped > 0 ? `, ${p.skipped} found done` : "";
			io.stderr.write(`${label}: ${decile * 10}% (${p.done}/${p.total} runs, ${p.failed} failed${skipped})\n`);
		},
		stop: () => {},
	};
}
