/** Field paths: segments (`["demand", "classes", 0]`) and their text form (`demand.classes[0]`). */

export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatPath(segments: readonly PathSegment[]): string {
	let text = "";
	for (const segment of segments) {
		if (typeof segment === "number") text += `[${segment}]`;
		else if (!PLAIN_KEY.test(segment)) text += `[${JSON.stringify(segment)}]`;
		else text += text === "" ? segment : `.${segment}`;
	}
	return text;
}

/** Parses `a.b[0].c` (and `a["odd key"]`); undefined when malformed. "" is the whole scenario. */
export function parsePath(text: string): PathSegment[] | undefined {
	const segments: PathSegment[] = [];
	const token = /\.?([A-Za-z0-9_$-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
	let at = 0;
	while (at < text.length) {
		token.lastIndex = at;
		const match = token.exec(text);
		if (match === null) return undefined;
		const [whole, key, index, quoted] = match;
		if (key !== undefined) {
			if ((at === 0) === whole.startsWith(".")) return undefined;
			segments.push(key);
		} else if (index !== undefined) {
			if (at === 0) return undefined;
			segments.push(Number(index));
		} else if (quoted !== undefined) {
			segments.push(JSON.parse(quoted) as string);
		}
		at = token.lastIndex;
	}
	return segments;
}

export function isPathPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
	return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}
