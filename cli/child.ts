/** Runs a CLI command in a child process and returns the one message it sends back. */
import { fork } from "node:child_process";

export interface ChildOptions {
	/** Node options of the child (default: this process's). */
	readonly execArgv?: readonly string[];
	/** Keep the child's stderr (its last 2,000 characters) for the error message instead of passing it through. */
	readonly captureStderr?: boolean;
}

/** Runs one benchmark task (`depin-twin bench-worker TASK JSON`) in a child process and returns its report. */
export function runBenchWorker(cliEntry: string, task: string, args: unknown): Promise<unknown> {
	return runInChild(cliEntry, ["bench-worker", task, JSON.stringify(args)]);
}

export function runInChild(cliEntry: string, args: readonly string[], options: ChildOptions = {}): Promise<unknown> {
	return new Promise((resolve, reject) => {
		const child = fork(cliEntry, [...args], {
			...(options.execArgv === undefined ? {} : { execArgv: [...options.execArgv] }),
			stdio: ["ignore", "ignore", options.captureStderr === true ? "pipe" : "inherit", "ipc"],
		});
		let stderr = "";
		child.stderr?.on("data", (chunk: Buffer) => {
			stderr = (stderr + chunk.toString("utf8")).slice(-2000);
		});
		let reply: unknown;
		child.on("message", (message) => {
			reply = message;
		});
		child.on("error", reject);
		child.on("exit", (code) => {
			if (code === 0 && reply !== undefined) resolve(reply);
			else
				reject(
					new Error(`${args.slice(0, 2).join(" ")} exited with code ${code}${stderr === "" ? "" : `:\n${stderr}`}`),
				);
		});
	});
}
