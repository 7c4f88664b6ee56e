/** The output streams a command writes to (process.stdout/stderr, or a capture in tests). */
export interface CommandIo {
	readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
	readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}
