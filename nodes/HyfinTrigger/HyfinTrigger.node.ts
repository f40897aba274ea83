import {
	NodeConnectionTypes,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { eventKey, forgetOld, itemOf, keeps, parseEvent, remember, secretMatches, type Filters, type Seen } from './events';

/**
 * Recently seen events per trigger, in this process: two copies of one message arriving at once
 * both read the workflow's static data before either saves it, so the static data alone would let
 * both through. The static data keeps them across restarts.
 */
const recent = new Map<string, Seen>();

/**
 * Starts a workflow when Hyfin posts a payment or a notification (a text or email delivered,
 * clicked or failed). It answers Hyfin at once, drops messages Hyfin re-sends, and refuses
 * requests without the trigger's secret (Hyfin signs nothing).
 */
export class HyfinTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hyfin Trigger',
		name: 'hyfinTrigger',
		icon: { light: 'file:hyfin.svg', dark: 'file:hyfin.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow when a Hyfin customer pays, or a payment request is delivered, clicked or fails',
		defaults: { name: 'Hyfin Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'hyfin', responseData: '' }],
		triggerPanel: {
			header: 'Pay an invoice, or send one, to see an event here',
			executionsHelp: {
				inactive:
					"While testing, give Hyfin the <b>Test URL</b> followed by <code>?secret=</code> and the Secret (or post Hyfin's sample payload to it), then click 'Listen for test event'. Once the workflow is active, use the <b>Production URL</b> the same way.",
				active:
					'Hyfin posts to the Production URL followed by <code>?secret=</code> and the Secret; each payment or notification starts one execution.',
			},
			activationHint: 'Once activated, Hyfin can post to the Production URL (with ?secret=...) and each event starts the workflow.',
		},
		properties: [
			{
				displayName:
					"Give Hyfin this trigger's Production URL followed by <code>?secret=</code> and the Secret below: as the invoice's Webhook URL (Invoice → Add or Update), or for the whole site (ask Hyfin). Requests without the secret get 401 and start nothing.",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['payment', 'notification'],
				options: [
					{ name: 'Payment', value: 'payment', description: 'A customer paid an invoice (or a payment was refunded or voided)' },
					{ name: 'Notification', value: 'notification', description: 'A text or email was delivered, clicked, or failed' },
					{ name: 'Other Actions', value: 'other', description: 'Any other action Hyfin may send, with its payload as sent' },
				],
			},
			{
				displayName: 'Payment Statuses',
				name: 'paymentStatuses',
				type: 'multiOptions',
				default: [],
				description: 'Only payments with these statuses start the workflow; none chosen, every status does',
				displayOptions: { show: { events: ['payment'] } },
				options: [
					{ name: 'Captured', value: 'captured' },
					{ name: 'Failed', value: 'failed' },
					{ name: 'Paid', value: 'paid' },
					{ name: 'Refunded', value: 'refunded' },
					{ name: 'Settled', value: 'settled' },
					{ name: 'Voided', value: 'voided' },
				],
			},
			{
				displayName: 'Notifications',
				name: 'notifications',
				type: 'options',
				default: 'all',
				displayOptions: { show: { events: ['notification'] } },
				options: [
					{ name: 'All', value: 'all' },
					{ name: 'Only Failed', value: 'failed', description: 'A text or email that could not be delivered' },
					{ name: 'Only Successful', value: 'succeeded', description: 'Delivered, or the customer clicked the link' },
				],
			},
			{
				displayName: 'Secret',
				name: 'secret',
				type: 'string',
				typeOptions: { password: true },
				// The node's own id: random for every node added in the editor, and not part of the URL.
				default: '={{ $nodeId }}',
				required: true,
				description:
					"Hyfin must call the URL with ?secret= and this value. It starts as this node's own random ID; change it to any long random text (and tell Hyfin) if the URL ever leaks.",
			},
		],
	};

	/**
	 * Hyfin has no API for a merchant to register a webhook (it is set per invoice, or per site by
	 * Hyfin), so activating the trigger registers nothing remotely. What it does manage is its own
	 * memory of seen events: pruned when the workflow is activated, and this process's copy dropped
	 * when it is deactivated.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node');
				forgetOld((staticData.seen ??= {}) as Seen, Date.now());
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				recent.delete(`${this.getWorkflow().id ?? ''}:${this.getNode().id}`);
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const response = this.getResponseObject();
		const answer = (status: number, body: IDataObject, workflowData?: IWebhookResponseData['workflowData']): IWebhookResponseData => {
			response.status(status).json(body);
			// Answered here, before the run starts: Hyfin counts an answer after 10 s as a failure.
			return workflowData ? { noWebhookResponse: true, workflowData } : { noWebhookResponse: true };
		};

		const secret = String(this.getNodeParameter('secret', '') ?? '').trim();
		if (!secretMatches((this.getQueryData() as IDataObject).secret, secret)) {
			return answer(401, { received: false, error: "This URL needs ?secret= with the Hyfin Trigger's secret" });
		}
		const parsed = parseEvent(this.getBodyData());
		if (!parsed.ok) return answer(400, { received: false, error: `Not a Hyfin webhook message: ${parsed.reason}` });
		const { event } = parsed;

		const filters: Filters = {
			events: this.getNodeParameter('events', []) as string[],
			paymentStatuses: this.getNodeParameter('paymentStatuses', []) as string[],
			notifications: this.getNodeParameter('notifications', 'all') as Filters['notifications'],
		};
		if (!keeps(event, filters)) return answer(200, { received: true, ignored: true });

		// In the editor's test mode every event counts, so the same sample can be sent twice.
		if (this.getMode() !== 'manual') {
			const key = eventKey(event);
			const now = Date.now();
			const node = this.getNode();
			const memoryKey = `${this.getWorkflow().id ?? ''}:${node.id}`;
			const inMemory = recent.get(memoryKey) ?? {};
			recent.set(memoryKey, inMemory);
			const staticData = this.getWorkflowStaticData('node');
			const seen = (staticData.seen ??= {}) as Seen;
			const repeatedHere = remember(inMemory, key, now);
			const repeatedStored = remember(seen, key, now);
			if (repeatedHere || repeatedStored) return answer(200, { received: true, duplicate: true });
		}
		return answer(200, { received: true }, [this.helpers.returnJsonArray([itemOf(event)])]);
	}
}
