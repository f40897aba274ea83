import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { CREDENTIAL_NAME, sendWithRetries, type HyfinRequest, type SentRequest } from '../transport';
import { readConnection, type ConnectionResult, type HyfinConnection } from '../transport/connection';
import { RunControl } from '../transport/control';
import { Capacity, DEFAULT_CEILING } from '../transport/capacity';
import { forEachIndex, OneAtATimePerKey } from '../transport/pool';
import type { Redact } from '../transport/redact';
import { DEFAULT_MAX_RETRIES, DEFAULT_RETRY_POLICY, type RetryPolicy } from '../transport/retry';
import { optionsPerItem } from './parameters';
import {
	cancelledError,
	failedItem,
	pairedItemOf,
	settleNotFound,
	failureError,
	itemLabel,
	settleRejection,
	unexpectedFailure,
	type ItemFailure,
	type RejectedRecords,
	type Rejection,
	type Settled,
} from './results';

/**
 * What an operation decided for one input item, before anything is sent. Operations only plan;
 * sending (concurrently, with retries) and turning answers into output items happen here, the
 * same way for every operation.
 */
export type ItemPlan = (
	| { kind: 'output'; json: IDataObject }
	| { kind: 'rejected'; rejection: Rejection }
	| ({ kind: 'failed' } & ItemFailure)
	| {
			kind: 'send';
			connection: HyfinConnection;
			request: HyfinRequest;
			externalId: string;
			/** The output item's json for Hyfin's success answer. */
			succeeded: (body: IDataObject) => IDataObject;
			/** The body, when the user asked to see what was sent. */
			sent?: IDataObject;
			/**
			 * For a request that notifies someone (Send Invoice): at most one item of the run sends it
			 * for the same record; a later one is not sent, and says which item did.
			 */
			oncePerRun?: { what: string };
			/** For a Get: the output item when Hyfin says the record does not exist, or fail the item. */
			notFound?: { fail: boolean; what: string };
			/** For a request that must not be repeated: what to check before running the item again. */
			unclear?: string;
	  }
) & {
	/** Added to the item's output, unless it fails (a failed item carries only its error). */
	annotations?: IDataObject;
};

export interface ExecutionSettings {
	rejectedRecords: RejectedRecords;
	maxConcurrent: number;
	retry: RetryPolicy;
	/** Hides the access token in messages of errors nobody foresaw. */
	redact: Redact;
}

interface Outcome {
	plan: ItemPlan;
	sent?: SentRequest;
}

/**
 * Records that Hyfin may take for one: they are sent one after another, in input order, so the
 * later row is the one that stays. Case and Unicode forms are folded, as Hyfin might fold them.
 */
const recordKey = (externalId: string) => externalId.normalize('NFKC').toLowerCase();

/**
 * Plans each item (`planItem`, in input order) and sends what it planned, at most
 * `maxConcurrent` requests at once (as many as Hyfin takes: see Capacity); an item is planned just
 * before it is sent, so reading thousands of items overlaps with the requests already under way.
 * Rows with the same external_id are sent one after another, in input order.
 *
 * Returns exactly one output item per input item, in input order, paired with it. Every step of
 * an item is isolated: whatever goes wrong becomes that item's error. With On Error = Stop,
 * nothing new is sent once an item has failed, and the first failure in input order is thrown.
 * Once Hyfin has refused the credential or the address, nothing more is sent with it. It returns
 * (or throws) only when no request of its own is under way any more.
 */
export async function executePlans(
	context: IExecuteFunctions,
	itemCount: number,
	planItem: (itemIndex: number) => ItemPlan,
	settings: ExecutionSettings,
	pairedItems: (itemIndex: number) => number[] = (itemIndex) => [itemIndex],
): Promise<INodeExecutionData[]> {
	const stopOnFailure = !context.continueOnFail();
	const control = new RunControl(context.getExecutionCancelSignal());
	const capacity = new Capacity(settings.maxConcurrent);
	const oneAtATime = new OneAtATimePerKey();
	/** The input item that names a unit in messages: the item itself, or a group's first row. */
	const rowOf = (itemIndex: number) => pairedItems(itemIndex)[0];
	/** Records a notifying request was planned for, by key, and the item that planned it. */
	const notifiedBy = new Map<string, number>();
	const sendOnce = (plan: ItemPlan, itemIndex: number): ItemPlan => {
		if (plan.kind !== 'send' || !plan.oncePerRun) return plan;
		const key = recordKey(plan.externalId);
		const earlier = notifiedBy.get(key);
		if (earlier === undefined) {
			notifiedBy.set(key, itemIndex);
			return plan;
		}
		const { what } = plan.oncePerRun;
		const hint = `Item ${rowOf(earlier)} of this run already sent ${what} "${plan.externalId}", so it was not sent again: Hyfin would notify the customer twice`;
		return {
			kind: 'rejected',
			rejection: { source: 'validation', errors: ['already sent in this run'], hints: [hint], externalId: plan.externalId },
			annotations: plan.annotations,
		};
	};

	const send = async (itemIndex: number, sending: Extract<ItemPlan, { kind: 'send' }>): Promise<SentRequest> => {
		return await oneAtATime.run(
			recordKey(sending.externalId),
			async () =>
				await sendWithRetries(
					context,
					sending.connection,
					sending.request,
					settings.retry,
					capacity,
					control.forItem(itemIndex, itemLabel(rowOf(itemIndex), sending.externalId)),
				),
		);
	};
	const runItem = async (itemIndex: number): Promise<Outcome> => {
		try {
			// Planned in input order (items start in order, and planning does not wait), so the first item wins.
			const plan = sendOnce(planItem(itemIndex), itemIndex);
			return plan.kind === 'send' ? { plan, sent: await send(itemIndex, plan) } : { plan };
		} catch (error) {
			return { plan: { kind: 'failed', ...unexpectedFailure(error, rowOf(itemIndex), settings.redact) } };
		}
	};

	/**
	 * Each item as n8n will show it, settled as soon as it ends, so that neither its request nor
	 * Hyfin's answer is kept to the end of the run; undefined for an item never started.
	 */
	const settledItems: Array<{ settled?: Settled } | undefined> = new Array(itemCount).fill(undefined);
	const settleNow = (unit: number, outcome: Outcome): Settled | undefined => {
		const paired = pairedItems(unit);
		try {
			const settled = settle(context, outcome, paired[0], settings.rejectedRecords, paired);
			if (settled && 'item' in settled && outcome.plan.annotations) Object.assign(settled.item.json, outcome.plan.annotations);
			return settled;
		} catch (error) {
			const { message, description } = unexpectedFailure(error, paired[0], settings.redact);
			return { error: new NodeOperationError(context.getNode(), message, { itemIndex: paired[0], description }) };
		}
	};

	try {
		await forEachIndex(
			itemCount,
			settings.maxConcurrent,
			async (itemIndex) => {
				const outcome = await runItem(itemIndex);
				settledItems[itemIndex] = { settled: settleNow(itemIndex, outcome) };
				if (stopOnFailure && fails(outcome, settings.rejectedRecords)) control.halt(itemIndex);
			},
			() => control.stopped,
		);
	} finally {
		control.dispose();
	}

	const output: INodeExecutionData[] = [];
	for (let unit = 0; unit < itemCount; unit++) {
		const paired = pairedItems(unit);
		// Never started: the run was cancelled, or stopped by an earlier item's failure.
		const ended = settledItems[unit];
		const settled = ended ? ended.settled : control.wasCancelled ? { error: cancelledError(context, paired[0], false) } : undefined;
		if (settled === undefined) continue;
		if ('error' in settled) {
			if (stopOnFailure) throw settled.error;
			output.push(failedItem(settled.error, paired));
			continue;
		}
		output.push(settled.item);
	}
	return output;
}

/** Whether an item's outcome fails it (and so, with On Error = Stop, stops the run). */
function fails({ plan, sent }: Outcome, rejectedRecords: RejectedRecords): boolean {
	if (plan.kind === 'failed') return true;
	if (plan.kind === 'rejected') return rejectedRecords === 'error';
	if (!sent) return false;
	if ('interrupted' in sent) return sent.interrupted.kind !== 'halted';
	return sent.answer.kind === 'failure' || (sent.answer.kind === 'rejected' && rejectedRecords === 'error');
}

/** One item's outcome as n8n shows it; undefined for an item the run stopped before it ended. */
function settle(
	context: IExecuteFunctions,
	{ plan, sent }: Outcome,
	itemIndex: number,
	rejectedRecords: RejectedRecords,
	paired: number[],
): Settled | undefined {
	const pairedItem = pairedItemOf(paired);
	switch (plan.kind) {
		case 'output':
			return { item: { json: plan.json, pairedItem } };
		case 'rejected':
			return settleRejection(context, plan.rejection, itemIndex, rejectedRecords, pairedItem);
		case 'failed':
			return { error: new NodeOperationError(context.getNode(), plan.message, { itemIndex, description: plan.description }) };
	}
	const label = itemLabel(itemIndex, plan.externalId);
	if (!sent) return undefined;
	if ('interrupted' in sent) {
		const { interrupted, attempts } = sent;
		if (interrupted.kind === 'halted') return undefined;
		if (interrupted.kind === 'cancelled') return { error: cancelledError(context, itemIndex, attempts > 0, plan.externalId) };
		return { error: failureError(context, interrupted.failure, itemIndex, label, attempts) };
	}
	const { answer, attempts } = sent;
	switch (answer.kind) {
		case 'success': {
			const json = plan.succeeded(answer.body);
			if (plan.sent) json.sent = plan.sent;
			return { item: { json, pairedItem } };
		}
		case 'rejected':
			if (plan.notFound) return settleNotFound(context, plan.notFound, answer.errors, itemIndex, plan.externalId, pairedItem);
			return settleRejection(
				context,
				{ source: 'hyfin', errors: answer.errors, hints: answer.errors, externalId: plan.externalId, sent: plan.sent },
				itemIndex,
				rejectedRecords,
				pairedItem,
			);
		case 'failure': {
			if (answer.failure.reason === 'cancelled') return { error: cancelledError(context, itemIndex, true, plan.externalId) };
			const unclear = 'notRepeated' in sent && sent.notRepeated ? plan.unclear : undefined;
			return { error: failureError(context, answer.failure, itemIndex, label, attempts, unclear) };
		}
	}
}

/** The options every operation reads once for the whole run, from the first item. */
export interface RunOptions {
	maxConcurrent?: number;
	maxRetries?: number;
	rejectedRecords?: RejectedRecords;
}

const RUN_OPTIONS: ReadonlyArray<keyof RunOptions> = ['maxConcurrent', 'maxRetries', 'rejectedRecords'];

async function connect(context: IExecuteFunctions): Promise<ConnectionResult> {
	try {
		return readConnection(await context.getCredentials(CREDENTIAL_NAME));
	} catch (error) {
		return { ok: false, message: `The Hyfin API credential could not be read: ${error instanceof Error ? error.message : String(error)}` };
	}
}

/**
 * Runs an operation: reads the credential and the run's options once, checks each item's options,
 * and hands each item with them to `planItem`. A broken credential or run option fails every
 * item with what to fix, and nothing is sent.
 */
export async function runOperation<O extends RunOptions>(
	context: IExecuteFunctions,
	optionsProperty: INodeProperties,
	planItem: (itemIndex: number, connection: HyfinConnection, options: O) => ItemPlan,
	/** When input items are grouped (an invoice's lines, one per row): each group's items, in order. */
	groups?: number[][],
): Promise<INodeExecutionData[][]> {
	const itemCount = groups ? groups.length : context.getInputData().length;
	const connection = await connect(context);
	const optionsOf = optionsPerItem<O>(context, optionsProperty);
	const perItem = (optionsProperty.options ?? []).map((option) => option.name).filter((name) => !(RUN_OPTIONS as string[]).includes(name));
	const run = optionsOf(0, RUN_OPTIONS);
	const redact: Redact = connection.ok ? connection.connection.redact : (text) => text;

	let plan: (itemIndex: number) => ItemPlan;
	if (!connection.ok) {
		plan = () => ({ kind: 'failed', message: connection.message });
	} else if (!run.ok) {
		plan = () => ({ kind: 'failed', message: `${run.message}. It is one setting for the whole run, so no item was sent.` });
	} else {
		plan = (itemIndex) => {
			const options = optionsOf(groups ? groups[itemIndex][0] : itemIndex, perItem);
			if (!options.ok) return { kind: 'failed', message: options.message };
			return planItem(itemIndex, connection.connection, { ...options.options, ...run.options });
		};
	}
	const runOptions: RunOptions = run.ok ? run.options : {};
	const output = await executePlans(
		context,
		itemCount,
		plan,
		{
			rejectedRecords: runOptions.rejectedRecords ?? 'outputItems',
			maxConcurrent: runOptions.maxConcurrent ?? DEFAULT_CEILING,
			retry: { ...DEFAULT_RETRY_POLICY, maxRetries: runOptions.maxRetries ?? DEFAULT_MAX_RETRIES },
			redact,
		},
		groups ? (index) => groups[index] : undefined,
	);
	return [output];
}
