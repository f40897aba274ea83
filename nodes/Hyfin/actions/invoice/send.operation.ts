import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { siteUrl } from '../../transport/connection';
import { runOperation } from '../execution';
import { optionsCollection, timeoutMsOf, type ItemOptions } from '../options';
import { externalIdPerItem } from '../parameters';

/**
 * Invoice → Send: `POST {base_url}/api/v3/site/{site_id}/invoice/send`. Each call texts and/or
 * emails the customer, so it is never repeated after an answer that leaves open whether Hyfin
 * acted, and one run sends each invoice at most once.
 */

export const operation = {
	name: 'Send',
	value: 'send',
	description: 'Send an invoice to its customer again, by text and/or email as the customer chose',
	action: 'Send an invoice',
};

const options = optionsCollection('invoice', 'send', []);

export const description: INodeProperties[] = [
	{
		displayName: 'Invoice External ID',
		name: 'externalId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 439772921',
		description: "The invoice's external ID, as it was added to Hyfin",
		displayOptions: { show: { resource: ['invoice'], operation: ['send'] } },
	},
	options,
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const externalIdOf = externalIdPerItem(this, 'Invoice External ID', 'invoice');
	return await runOperation<ItemOptions>(this, options, (itemIndex, connection, chosen) => {
		const read = externalIdOf(itemIndex);
		if ('rejection' in read) return { kind: 'rejected', rejection: read.rejection };
		const { externalId } = read;
		const url = siteUrl(connection, 'invoice/send');
		const body = { external_id: externalId };
		if (chosen.dryRun)
			return { kind: 'output', json: { success: true, dryRun: true, external_id: externalId, request: { method: 'POST', url, body } } };
		return {
			kind: 'send',
			connection,
			request: { method: 'POST', url, body, timeoutMs: timeoutMsOf(chosen), repeatable: false },
			externalId,
			succeeded: (answer: IDataObject) => ({ ...answer, external_id: externalId }),
			oncePerRun: { what: 'invoice' },
			unclear: "the customer may have been texted or emailed; check the invoice's notifications with Invoice → Get before sending it again",
		};
	});
}
