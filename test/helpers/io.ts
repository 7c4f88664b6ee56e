/** Captures what a CLI command writes to stdout and stderr (for tests of `main`). */
import { Writable } from "node:stream";

export function captureIo() {
	let out = "";
	let err = "";
	const sink = (append: (text: string) => void) =>
		new Writable({
			write(chunk, _encoding, done) {
				append(String(chunk));
				done();
			},
		});
	return {
		io: { stdout: sink((text) => (out += text)), stderr: sink((text) => (err += text)) },
		out: () => out,
		err: () => err,
	};
}
