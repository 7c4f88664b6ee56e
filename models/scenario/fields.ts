/** Field builders shared by the scenario schemas: the number and id constraints used everywhere. */
import Type from "typebox";

type Extra = Record<string, unknown>;

export const positive = (description: string, extra: Extra = {}) =>
	Type.Number({ exclusiveMinimum: 0, description, ...extra });
export const nonNegative = (description: string, extra: Extra = {}) =>
	Type.Number({ minimum: 0, description, ...extra });
export const share = (description: string, extra: Extra = {}) =>
	Type.Number({ minimum: 0, maximum: 1, description, ...extra });
export const id = (description: string, extra: Extra = {}) =>
	Type.String({ minLength: 1, maxLength: 64, pattern: "^[a-z0-9][a-z0-9._-]*$", description, ...extra });
