import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { z } from 'zod';

import { readExternalId } from '../schemas/values';
import type { Rejection } from './results';

/** A node parameter by its path, `options.timeoutSeconds` included, as it is stored. */
function stored(context: IExecuteFunctions, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
			context.getNode().parameters,
		);
}

/** The paths under a stored parameter value whose leaves hold n8n expressions (`={{ ... }}`). */
function expressionPaths(value: unknown, path: string): string[] {
	if (typeof value === 'string') return value.startsWith('=') ? [path] : [];
	if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, entry]) => expressionPaths(entry, `${path}.${key}`));
	return [];
}

/**
 * A parameter's value for each item. n8n resolves a parameter anew for every item, which for
 * thousands of items costs more than the requests; a value without expressions is the same for
 * every item, so it is read once. An expression that cannot be run throws a NodeOperationError
 * naming `label`, the item and, when the parameter holds several, the expression's field.
 */
export function parameterPerItem<T>(context: IExecuteFunctions, name: string, label: string, fallback?: T): (itemIndex: number) => T {
	const read = (itemIndex: number): T => {
		try {
			return context.getNodeParameter(name, itemIndex, fallback) as T;
		} catch (error) {
			const failing = expressionPaths(stored(context, name), name).filter((path) => path !== name);
			const where = failing.find((path) => {
				try {
					context.getNodeParameter(path, itemIndex);
					return false;
				} catch {
					return true;
				}
			});
			const field = where ? ` (the expression for ${where.split('.').pop()})` : '';
			const said = error instanceof Error ? error.message : String(error);
			throw new NodeOperationError(context.getNode(), `${label} could not be read for item ${itemIndex}${field}: ${said}`, { itemIndex });
		}
	};
	if (expressionPaths(stored(context, name), name).length > 0) return read;
	let once: { value: T } | undefined;
	return (itemIndex) => (once ??= { value: read(itemIndex) }).value;
}

type OptionValue = string | number | boolean | null;

/** Text that is a number, as an expression may give one, read as that number. */
const numberLike = (value: unknown) =>
	typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;

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
				min !== undefined && max !== undefined
					? ` from ${min} to ${max}`
					: min !== undefined
						? ` of ${min} or more`
						: max !== undefined
							? ` up to ${max}`
							: '';
			return { schema: z.preprocess(numberLike, schema), rule: `${whole ? 'a whole number' : 'a number'}${range}` };
		}
		case 'boolean':
			return { schema: z.preprocess(booleanLike, z.boolean()), rule: 'true or false' };
		case 'options': {
			const choices = (option.options ?? []).filter(
				(choice): choice is { name: string; value: string } => 'value' in choice && typeof choice.value === 'string',
			);
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

const shown = (value: unknown) =>
	typeof value === 'string' ? `"${value}"` : value === null ? 'empty' : (JSON.stringify(value) ?? String(value));

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
		(collection.options ?? [])
			.filter((option): option is INodeProperties => 'type' in option)
			.map((option) => [option.name, { option, ...ruleOf(option) }]),
	);
	// Each option set is read on its own, so an expression that fails in one leaves the others be.
	const set = stored(context, collection.name);
	const readers = Object.keys(set && typeof set === 'object' ? set : {}).flatMap((name) => {
		const rule = rules.get(name);
		if (!rule) return [];
		return [
			{
				name,
				rule,
				read: parameterPerItem<unknown>(context, `${collection.name}.${name}`, `The option "${rule.option.displayName}"`, null),
			},
		];
	});
	return (itemIndex, names) => {
		const options: Partial<Record<string, OptionValue>> = {};
		for (const { name, rule, read } of readers) {
			if (names && !names.includes(name)) continue;
			let value: unknown;
			try {
				value = read(itemIndex);
			} catch (error) {
				return { ok: false, message: error instanceof Error ? error.message : String(error) };
			}
			// An option that is set but whose expression found nothing is empty, not "left at its default".
			const parsed = rule.schema.safeParse(value === undefined ? null : value);
			if (!parsed.success) {
				return {
					ok: false,
					message: `The option "${rule.option.displayName}" must be ${rule.rule}, but for item ${itemIndex} it is ${shown(value ?? null)}`,
				};
			}
			options[name] = parsed.data;
		}
		return { ok: true, options: options as T };
	};
}

/**
 * The record an operation acts on, by the external ID an item gives (the "External ID"
 * parameter, an expression per item): the id as it will be sent, or the rejection of an empty one.
 */
export function externalIdPerItem(context: IExecuteFunctions, label: string, what: string) {
	const read = parameterPerItem<unknown>(context, 'externalId', `The "${label}" parameter`, '');
	return (itemIndex: number): { externalId: string } | { rejection: Rejection } => {
		const externalId = readExternalId(read(itemIndex));
		if (externalId) return { externalId };
		const hint = `${label} is empty: map the ${what}'s external ID to it`;
		return { rejection: { source: 'validation', errors: ['missing external_id'], hints: [hint], externalId: null } };
	};
}
