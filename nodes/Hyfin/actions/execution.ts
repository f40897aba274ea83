import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeOperationError } from 'n8n-workflow';

import type { HyfinConnection } from '../transport/connection';
import { sendWithRetries, type HyfinRequest, type SentRequest } from '../transport';
import { AdaptiveConcurrency, mapInOrder } from '../transport/pool';
import type { RetryPolicy } from '../transport/retry';
import { failureError, itemLabel, settleFailure, settleRejection, type RejectedRecords, type Rejection } from './results';

/**
 * What an operation decided for one input item, before anything is sent. Operations only plan;
 * sending (concurrently, with retries) and turning answers into output items happen here, the
 * same way for every operation.
 */
export type ItemPlan = (
	| { kind: 'output'; json: IDataObject }
	| { kind: 'rejected'; rejection: Rejection }
	| { kind: 'failed'; error: NodeOperationError }
	| {
			kind: 'send';
			connection: HyfinConnection;
			request: HyfinRequest;
			externalId: string | null;
			/** The output item's json for Hyfin's success answer. */
			succeeded: (body: IDataObject) => IDataObject;
			/** The body, when the user asked to see what was sent. */
			sent?: IDataObject;
	  }
) & {
	/** Added to the item's output, unless it fails (a failed item carries only its error). */
	annotations?: IDataObject;
};

export interface ExecutionSettings {
	rejectedRecords: RejectedRecords;
	maxConcurrent: number;
	retry: RetryPolicy;
}

/**
 * Plans each item (`planItem`, in input order) and sends what it planned, at most
 * `maxConcurrent` requests at once (fewer while Hyfin pushes back); an item is planned just
 * before it is sent, so reading thousands of items overlaps with the requests already under way.
 * Returns exactly one output item per input item, in input order, paired with it. With On Error =
 * Stop, nothing new is planned or sent once an item has failed, and the first failure in input
 * order is thrown.
 */
export async function executePlans(
	context: IExecuteFunctions,
	itemCount: number,
	planItem: (itemIndex: number) => ItemPlan,
	settings: ExecutionSettings,
): Promise<INodeExecutionData[]> {
	const stopOnFailure = !context.continueOnFail();
	const concurrency = new AdaptiveConcurrency(settings.maxConcurrent);
	const plans: Array<ItemPlan | undefined> = new Array(itemCount).fill(undefined);
	let failed = false;
	const answers = await mapInOrder(
		plans,
		settings.maxConcurrent,
		async (_, itemIndex) => {
			const plan = (plans[itemIndex] = planItem(itemIndex));
			if (plan.kind === 'failed' || (plan.kind === 'rejected' && settings.rejectedRecords === 'error')) failed = true;
			if (plan.kind !== 'send') return undefined;
			const result = await sendWithRetries(context, plan.connection, plan.request, settings.retry, concurrency);
			const { answer } = result;
			if (answer.kind === 'failure' || (answer.kind === 'rejected' && settings.rejectedRecords === 'error')) failed = true;
			return result;
		},
		() => stopOnFailure && failed,
	);

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		const plan = plans[itemIndex];
		// Not reached, or not answered, because an earlier item stopped the run: that item's error is thrown first.
		if (plan === undefined || (plan.kind === 'send' && answers[itemIndex] === undefined)) continue;
		const item = settle(context, plan, answers[itemIndex], itemIndex, settings);
		if (plan.annotations && item.json.error === undefined) Object.assign(item.json, plan.annotations);
		output.push(item);
	}
	return output;
}

function settle(
	context: IExecuteFunctions,
	plan: ItemPlan,
	sent: SentRequest | undefined,
	itemIndex: number,
	settings: ExecutionSettings,
): INodeExecutionData {
	switch (plan.kind) {
		case 'output':
			return { json: plan.json, pairedItem: { item: itemIndex } };
		case 'rejected':
			return settleRejection(context, plan.rejection, itemIndex, settings.rejectedRecords);
		case 'failed':
			return settleFailure(context, plan.error, itemIndex);
	}
	const { answer, attempts } = sent as SentRequest;
	switch (answer.kind) {
		case 'success': {
			const json = plan.succeeded(answer.body);
			if (plan.sent) json.sent = plan.sent;
			return { json, pairedItem: { item: itemIndex } };
		}
		case 'rejected':
			return settleRejection(
				context,
				{ source: 'hyfin', errors: answer.errors, hints: answer.errors, externalId: plan.externalId, sent: plan.sent },
				itemIndex,
				settings.rejectedRecords,
			);
		case 'failure': {
			const label = itemLabel(itemIndex, plan.externalId);
			const { accessToken } = plan.connection.credentials;
			const error = failureError(context, answer.failure, itemIndex, label, attempts, typeof accessToken === 'string' ? accessToken : undefined);
			return settleFailure(context, error, itemIndex);
		}
	}
}
