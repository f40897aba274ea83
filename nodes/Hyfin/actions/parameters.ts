import type { IExecuteFunctions, INodeProperties, NodeParameterValueType } from 'n8n-workflow';
import { z } from 'zod';

/** Whether a stored parameter value holds an n8n expression anywhere (`={{ ... }}`). */
function holdsExpression(value: NodeParameterValueType | object | undefined): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some((entry) => holdsExpression(entry));
	if (value && typeof value === 'object') return Object.values(value).some((entry) => holdsExpression(entry));
	return false;
}

/**
 * A parameter's value for each item. n8n resolves a parameter anew for every item, which for
 * thousands of items costs more than the requests; a value without expressions is the same for
 * every item, so it is read once.
 */
export function parameterPerItem<T>(context: IExecuteFunctions, name: string, fallback?: T): (itemIndex: number) => T {
	if (holdsExpression(context.getNode().parameters[name])) {
		return (itemIndex) => context.getNodeParameter(name, itemIndex, fallback) as T;
	}
	const value = context.getNodeParameter(name, 0, fallback) as T;
	return () => value;
}

type OptionValue = string | number | boolean | null;

/** Text that is a number, as an expression may give one, read as that number. */
const numberLike = (value: unknown) => (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value);

const booleanLike = (value: unknown) => {
	if (typeof value !== 'string') return value;
	const word = value.trim().toLowerCase();
	return word === 'true' ? true : word === 'false' ? false : value;
};

/** How one option of a collection is checked, and the rule a message states; from its description. */
function ruleOf(option: INodeProperties): { schema: z.ZodType<OptionValue, z.ZodTypeDef, unknown>; rule: string } {
	switch (option.type) {
		case 'number': {
			const { minValue: min, maxValue: max, numberPrecision } = option.typeOptions ?? {};
			const whole = numberPrecision === 0;
			let schema = z.number().finite();
			if (whole) schema = schema.int();
			if (min !== undefined) schema = schema.min(min);
			if (max !== undefined) schema = schema.max(max);
			const range =
				min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of ${min} or more` : max !== undefined ? ` up to ${max}` : '';
			return { schema: z.preprocess(numberLike, schema), rule: `${whole ? 'a whole number' : 'a number'}${range}` };
		}
		case 'boolean':
			return { schema: z.preprocess(booleanLike, z.boolean()), rule: 'true or false' };
		case 'options': {
			const choices = (option.options ?? []).filter((choice): choice is { name: string; value: string } => 'value' in choice && typeof choice.value === 'string');
			const values = new Set(choices.map((choice) => choice.value));
			return {
				schema: z.string().refine((value) => values.has(value)),
				rule: `one of ${choices.map((choice) => `${choice.value} (${choice.name})`).join(', ')}`,
			};
		}
		default:
			// Null (an expression that found nothing) is passed on: the operation knows whether the option matters.
			return { schema: z.preprocess((value) => (typeof value === 'number' ? String(value) : value), z.string().nullable()), rule: 'text' };
	}
}

export type OptionsResult<T> = { ok: true; options: T } | { ok: false; message: string };

const shown = (value: unknown) => (typeof value === 'string' ? `"${value}"` : value === null ? 'empty' : JSON.stringify(value) ?? String(value));

/**
 * An "Options" collection's values for each item, each checked against the option's own
 * description (type, range, choices), including values that expressions give. A wrong value is
 * a message naming the option, the item and the rule; `names` limits which options are read.
 */
export function optionsPerItem<T extends object>(
	context: IExecuteFunctions,
	collection: INodeProperties,
): (itemIndex: number, names?: readonly string[]) => OptionsResult<T> {
	const rules = new Map(
		(collection.options ?? []).filter((option): option is INodeProperties => 'type' in option).map((option) => [option.name, { option, ...ruleOf(option) }]),
	);
	const valuesOf = parameterPerItem<Record<string, unknown>>(context, collection.name, {});
	return (itemIndex, names) => {
		const values = valuesOf(itemIndex) ?? {};
		const options: Partial<Record<string, OptionValue>> = {};
		for (const [name, given] of Object.entries(values)) {
			const rule = rules.get(name);
			if (!rule || (names && !names.includes(name))) continue;
			// An option that is set but whose expression found nothing is empty, not "left at its default".
			const value = given === undefined ? null : given;
			const parsed = rule.schema.safeParse(value);
			if (!parsed.success) {
				return {
					ok: false,
					message: `The option "${rule.option.displayName}" must be ${rule.rule}, but for item ${itemIndex} it is ${shown(value)}`,
				};
			}
			options[name] = parsed.data;
		}
		return { ok: true, options: options as T };
	};
}
