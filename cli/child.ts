/** Runs a hidden CLI command in a child process and returns the one message it sends back. */
import { fork } from "node:child_process";

export function runInChild(cliEntry: string, args: readonly string[]): Promise<unknown> {
	return new Promise((resolve, reject) => {
		const child = fork(cliEntry, [...args], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
		let reply: unknown;
		child.on("message", (message) => {
			reply = message;
		});
		child.on("error", reject);
		child.on("exit", (code) => {
			if (code === 0 && reply !== undefined) resolve(reply);
			else reject(new Error(`${args.slice(0, 2).join(" ")} exited with code ${code}`));
		});
	});
}
