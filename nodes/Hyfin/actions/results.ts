import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IPairedItemData,
} from 'n8n-workflow';

import type { HyfinFailure } from '../transport/answer';
import type { Redact } from '../transport/redact';

/**
 * Turning one item's outcome into what n8n shows: an output item paired with its input, or an
 * error that follows the node's On Error setting. Shared by every operation.
 */

export type RejectedRecords = 'outputItems' | 'error';

/** Why an item fails before anything is sent for it: what went wrong, and what to do. */
export interface ItemFailure {
	message: string;
	description?: string;
}

/** An item's output, or the error that fails it (thrown or output, as On Error says). */
export type Settled = { item: INodeExecutionData } | { error: NodeApiError | NodeOperationError };

/** How a message names an item: n8n's own `item N` numbering, plus the record's id when known. */
export function itemLabel(itemIndex: number, externalId: string | null): string {
	return externalId ? `item ${itemIndex} (external_id "${externalId}")` : `item ${itemIndex}`;
}

const capitalized = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** An error about the request, not the record: unreachable host, refused token, server failure. */
export function failureError(
	context: IExecuteFunctions,
	failure: HyfinFailure,
	itemIndex: number,
	label: string,
	attempts: number,
	/** For a request that must not be repeated and was not: what to check before running it again. */
	unclear?: string,
): NodeApiError | NodeOperationError {
	const head = failure.refusedFor
		? `${capitalized(label)} was not sent${attempts > 0 ? ' again' : ''}, as Hyfin's answer to ${failure.refusedFor} holds for every request of this run`
		: `Hyfin request for ${label} failed${attempts > 1 ? ` after ${attempts} attempts` : ''}`;
	const tail = unclear ? ` It was not sent again, since Hyfin may have acted on it: ${unclear}` : '';
	const message = `${head}: ${failure.message}${tail}`;
	const { description } = failure;
	if (failure.status === undefined) {
		return new NodeOperationError(context.getNode(), message, { itemIndex, description });
	}
	return new NodeApiError(
		context.getNode(),
		{ message, description, httpCode: String(failure.status) },
		{ message, description, httpCode: String(failure.status), itemIndex },
	);
}

/** The execution was cancelled before the item's request ended, or before it was sent. */
export function cancelledError(
	context: IExecuteFunctions,
	itemIndex: number,
	sent: boolean,
	externalId: string | null = null,
): NodeOperationError {
	const label = itemLabel(itemIndex, externalId);
	const message = sent
		? `The execution was cancelled while ${label} was being sent to Hyfin: whether Hyfin saved it is unknown`
		: `The execution was cancelled before ${label} was sent to Hyfin`;
	return new NodeOperationError(context.getNode(), message, { itemIndex });
}

/**
 * Something went wrong with one item while it was read or settled: it fails that item, and only
 * that one. The node's own errors (a parameter whose expression failed) say what to do; anything
 * else was not foreseen.
 */
export function unexpectedFailure(error: unknown, itemIndex: number, redact: Redact): ItemFailure {
	if (error instanceof NodeOperationError) return { message: redact(error.message) };
	const said = redact(error instanceof Error ? error.message : String(error));
	return {
		message: `Item ${itemIndex} could not be sent to Hyfin: ${said}`,
		description: "The node did not expect this. Check the item and the node's options; if they look right, please report it.",
	};
}

/**
 * A failed item's output, with On Error set to continue: its json is `{ error }` alone, the shape
 * n8n's error output recognises, so n8n routes it there and merges in the input item's fields.
 * (n8n replaces the json of an item that carries `error` with the bare message, so the details
 * travel inside the message instead.)
 */
export function failedItem(error: NodeApiError | NodeOperationError, paired: number[]): INodeExecutionData {
	const message = error.description ? `${error.message} (${error.description})` : error.message;
	return { json: { error: message }, pairedItem: pairedItemOf(paired) };
}

/** An output item's pairing: its input item, or every row of a group. */
export const pairedItemOf = (paired: number[]): IPairedItemData | IPairedItemData[] =>
	paired.length === 1 ? { item: paired[0] } : paired.map((item) => ({ item }));

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
	pairedItem: INodeExecutionData['pairedItem'] = { item: itemIndex },
): Settled {
	const label = itemLabel(itemIndex, rejection.externalId);
	const prefix = rejection.source === 'hyfin' ? `Hyfin rejected ${label}` : `${capitalized(label)} was not sent to Hyfin`;
	const message = `${prefix}: ${rejection.hints.join('; ')}`;
	if (mode === 'error') return { error: new NodeOperationError(context.getNode(), message, { itemIndex }) };
	const json: IDataObject = {
		success: false,
		errors: rejection.errors,
		external_id: rejection.externalId,
		message,
	};
	if (rejection.sent) json.sent = rejection.sent;
	return { item: { json, pairedItem } };
}

/** A Get of a record Hyfin says does not exist: an item to branch on (`found: false`), or an error if asked. */
export function settleNotFound(
	context: IExecuteFunctions,
	notFound: { fail: boolean; what: string },
	errors: string[],
	itemIndex: number,
	externalId: string,
	pairedItem: INodeExecutionData['pairedItem'],
): Settled {
	const message = `Hyfin has no ${notFound.what} with external_id "${externalId}" (item ${itemIndex}): ${errors.join('; ')}`;
	if (notFound.fail) return { error: new NodeOperationError(context.getNode(), message, { itemIndex }) };
	return { item: { json: { found: false, external_id: externalId, errors, message }, pairedItem } };
}
