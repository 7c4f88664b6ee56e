/**
 * Picks the tfjs backend to calibrate on, best first: `tensorflow` (libtensorflow through
 * @tensorflow/tfjs-node-gpu: CUDA when present), `wasm` (XNNPACK, SIMD, one thread in Node),
 * `cpu` (plain JavaScript, ~60× slower than wasm). `auto` takes the first that loads; a named
 * backend is the only one tried. Every backend gets a line saying whether it ran and why not.
 *
 * tfjs-node-gpu is an optionalDependency that cannot install where libtensorflow cannot be
 * downloaded, so its import may fail in any way (missing module, missing shared library, no
 * CUDA): any error means "not available", never a crash. Loaders are injectable so a test can
 * make one fail.
 */
import { execFileSync } from "node:child_process";
import type { BackendAttempt } from "../latency.js";
import type { TfModule } from "./kernels.js";

export const BACKEND_NAMES = ["tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendRequest = "auto" | BackendName;
export const BACKEND_REQUESTS: readonly BackendRequest[] = ["auto", ...BACKEND_NAMES];

/** Makes a backend current, or throws saying why it cannot be; may return a device name (a GPU's). */
export type BackendLoader = () => Promise<{ gpu?: string } | undefined>;

export interface BackendSelection {
	readonly backend: BackendName;
	readonly tried: readonly BackendAttempt[];
	readonly gpu?: string;
}

export class BackendUnavailableError extends Error {
	constructor(
		message: string,
		readonly tried: readonly BackendAttempt[],
	) {
		super(message);
		this.name = "BackendUnavailableError";
	}
}

/** Tries the requested backend (or each in order for `auto`) and records every outcome. */
export async function selectBackend(
	request: BackendRequest,
	loaders: Readonly<Record<BackendName, BackendLoader>>,
): Promise<BackendSelection> {
	const tried: BackendAttempt[] = [];
	let chosen: { backend: BackendName; gpu?: string } | undefined;
	for (const name of BACKEND_NAMES) {
		if (request !== "auto" && name !== request) {
			tried.push({ name, ok: false, reason: `not tried: --backend ${request} was asked for` });
			continue;
		}
		if (chosen !== undefined) {
			tried.push({ name, ok: false, reason: `not tried: ${chosen.backend} loaded first` });
			continue;
		}
		try {
			const detail = await loaders[name]();
			chosen = { backend: name, ...(detail?.gpu === undefined ? {} : { gpu: detail.gpu }) };
			tried.push({ name, ok: true, reason: request === "auto" ? "first to load" : "asked for" });
		} catch (error) {
			tried.push({ name, ok: false, reason: firstLine(error) });
		}
	}
	if (chosen === undefined) {
		const why = tried.map((t) => `${t.name}: ${t.reason}`).join("; ");
		throw new BackendUnavailableError(`no tfjs backend could be loaded (${why})`, tried);
	}
	return { ...chosen, tried };
}

/** The real loaders, for a tfjs module already imported. */
export function tfjsLoaders(tf: TfModule): Record<BackendName, BackendLoader> {
	const activate = async (name: BackendName) => {
		// setBackend answers false (and logs) when a registered backend fails to initialise.
		const ok = await tf.setBackend(name);
		if (!ok || tf.getBackend() !== name) throw new Error(`tf.setBackend("${name}") failed to initialise`);
		await tf.ready();
	};
	return {
		async tensorflow() {
			// A variable specifier: the package is optional and may be absent (no types, no file).
			const specifier = "@tensorflow/tfjs-node-gpu";
			await import(specifier);
			await activate("tensorflow");
			const gpu = nvidiaGpuName();
			return gpu === undefined ? undefined : { gpu };
		},
		async wasm() {
			await import("@tensorflow/tfjs-backend-wasm");
			await activate("wasm");
			return undefined;
		},
		async cpu() {
			await import("@tensorflow/tfjs-backend-cpu");
			await activate("cpu");
			return undefined;
		},
	};
}

/** The first GPU's name from nvidia-smi, when there is one. */
function nvidiaGpuName(): string | undefined {
	try {
		const out = execFileSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], {
			encoding: "utf8",
			timeout: 5000,
			stdio: ["ignore", "pipe", "ignore"],
		});
		const name = out.split("\n")[0]?.trim();
		return name === undefined || name === "" ? undefined : name;
	} catch {
		return undefined;
	}
}

function firstLine(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	// Drop the local path Node appends to a missing package ("… imported from /home/…/backends.js").
	const line = (message.split("\n")[0] ?? message).replace(/ imported from \S+$/, "").trim();
	return line || "failed to load";
}
