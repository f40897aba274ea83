import { NodeApiError, NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { HyfinFailure } from '../transport/answer';

/**
 * Turning one item's outcome into what n8n shows: an output item paired with its input, or an
 * error that follows the node's On Error setting. Shared by every operation.
 */

export type RejectedRecords = 'outputItems' | 'error';

/** How a message names an item: n8n's own `item N` numbering, plus the record's id when known. */
export function itemLabel(itemIndex: number, externalId: string | null): string {
	return externalId ? `item ${itemIndex} (external_id "${externalId}")` : `item ${itemIndex}`;
}

/** Never let the access token reach a message, whatever a server echoed back. */
export function redact(text: string, secret: string | undefined): string {
	return secret && secret.length >= 4 ? text.split(secret).join('[access token]') : text;
}

/** An error about the request, not the record: unreachable host, refused token, server failure. */
export function failureError(
	context: IExecuteFunctions,
	failure: HyfinFailure,
	itemIndex: number,
	label: string,
	attempts: number,
	accessToken: string | undefined,
): NodeApiError | NodeOperationError {
	const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
	const message = redact(`Hyfin request for ${label} failed${tries}: ${failure.message}`, accessToken);
	const description = redact(failure.description, accessToken);
	if (failure.status === undefined) {
		return new NodeOperationError(context.getNode(), message, { itemIndex, description });
	}
	return new NodeApiError(
		context.getNode(),
		{ message, description, httpCode: String(failure.status) },
		{ message, description, httpCode: String(failure.status), itemIndex },
	);
}

/**
 * Settles a failed item. With On Error set to continue, the item's json is `{ error }` alone, the
 * shape n8n's error output recognises: n8n then routes it there and merges in the input item's
 * fields. (n8n replaces the json of an item that carries `error` with the bare message, so the
 * details travel inside the message instead.) Otherwise it throws.
 */
export function settleFailure(
	context: IExecuteFunctions,
	error: NodeApiError | NodeOperationError,
	itemIndex: number,
): INodeExecutionData {
	if (!context.continueOnFail()) throw error;
	const message = error.description ? `${error.message} (${error.description})` : error.message;
	return { json: { error: message }, pairedItem: { item: itemIndex } };
}

export interface Rejection {
	/** `hyfin` when Hyfin answered `success: false`; `validation` when nothing was sent. */
	source: 'hyfin' | 'validation';
	/** Hyfin's own style: `missing email`, `invalid email`. */
	errors: string[];
	/** One sentence per problem, naming the field and what to do. */
	hints: string[];
	externalId: string | null;
	sent?: IDataObject;
}

/** Settles a record Hyfin would not accept: an output item to branch on, or an error if asked. */
export function settleRejection(
	context: IExecuteFunctions,
	rejection: Rejection,
	itemIndex: number,
	mode: RejectedRecords,
): INodeExecutionData {
	const label = itemLabel(itemIndex, rejection.externalId);
	const prefix = rejection.source === 'hyfin' ? `Hyfin rejected ${label}` : `${label.charAt(0).toUpperCase()}${label.slice(1)} was not sent to Hyfin`;
	const message = `${prefix}: ${rejection.hints.join('; ')}`;
	if (mode === 'error') {
		return settleFailure(context, new NodeOperationError(context.getNode(), message, { itemIndex }), itemIndex);
	}
	const json: IDataObject = {
		success: false,
		errors: rejection.errors,
		external_id: rejection.externalId,
		message,
	};
	if (rejection.sent) json.sent = rejection.sent;
	return { json, pairedItem: { item: itemIndex } };
}
