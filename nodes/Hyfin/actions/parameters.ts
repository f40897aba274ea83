import type { IExecuteFunctions, NodeParameterValueType } from 'n8n-workflow';

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
