/**
 * Scenario issues: what is wrong, and where — the file, line and column, and the field path.
 * One line each: `scenarios/small.yaml:14:9 demand.classes[0].slaP95Ms: expected a positive number, got "fast"`.
 */

/** One problem in a scenario. `line` 0 means no position (a whole-file problem, or a `--set` override). */
export interface ScenarioIssue {
	readonly source: string;
	readonly line: number;
	readonly column: number;
	/** Field path in dotted/bracket form, `demand.classes[0].slaP95Ms`; "" for the whole scenario. */
	readonly path: string;
	readonly message: string;
}

/** The source name of issues caused by a `--set path=value` override. */
export const OVERRIDE_SOURCE = "--set";

export function formatIssue(issue: ScenarioIssue): string {
	const where = issue.line > 0 ? `${issue.source}:${issue.line}:${issue.column}` : issue.source;
	return issue.path === "" ? `${where}: ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/** File issues by line and column, then override issues in the order given. */
export function sortIssues(issues: readonly ScenarioIssue[]): ScenarioIssue[] {
	const rank = (issue: ScenarioIssue) => (issue.source === OVERRIDE_SOURCE ? 1 : 0);
	return issues
		.map((issue, order) => ({ issue, order }))
		.sort(
			(a, b) =>
				rank(a.issue) - rank(b.issue) ||
				(rank(a.issue) === 0 ? a.issue.line - b.issue.line || a.issue.column - b.issue.column : 0) ||
				a.order - b.order,
		)
		.map(({ issue }) => issue);
}

/** A scenario that cannot be used; `message` (and `toString()`) is one formatted line per issue. */
export class ScenarioError extends Error {
	readonly issues: ScenarioIssue[];

	constructor(issues: readonly ScenarioIssue[]) {
		const sorted = sortIssues(issues);
		super(sorted.map(formatIssue).join("\n"));
		this.name = "ScenarioError";
		this.issues = sorted;
	}

	override toString(): string {
		return this.message;
	}
}
