import nock from 'nock';

import { shutdownEngine } from './harness';
import {
	ADD_UPDATE_PATH,
	BASE_URL,
	TOKEN,
	added,
	autoColumns,
	idFor,
	interceptAddUpdate,
	jsonOf,
	manualColumns,
	pairingOf,
	runAddUpdate,
} from './fixtures';

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
	nock.cleanAll();
});
afterAll(async () => {
	nock.enableNetConnect();
	await shutdownEngine();
});

const byExpression = manualColumns({
	external_id: '={{ $json.id }}',
	first_name: '={{ $json.first }}',
	last_name: '={{ $json.last }}',
	mobile_phone: '={{ $json.phone }}',
	email: '={{ $json.email }}',
	notify_phone: '={{ $json.text_me }}',
	notify_email: '={{ $json.mail_me }}',
});

describe('Customer → Add or Update, fields mapped by hand', () => {
	it('sends each item once, resolving expressions per item, with the token in x-access-token', async () => {
		const seen = interceptAddUpdate(2, added);
		const result = await runAddUpdate({ columns: byExpression }, [
			{ id: 39772634, first: 'John', last: 'Doe', phone: '111-222-3333', email: 'johndoe@abc.com', text_me: true, mail_me: 'yes' },
			{ id: 'C-2', first: ' Ada ', last: 'Lovelace', phone: '', email: '', text_me: false, mail_me: false },
		]);

		expect(result.error).toBeUndefined();
		expect(seen).toEqual([
			{
				token: TOKEN,
				body: {
					external_id: '39772634',
					first_name: 'John',
					last_name: 'Doe',
					mobile_phone: '111-222-3333',
					email: 'johndoe@abc.com',
					notification_options: { notify_phone: true, notify_email: true },
				},
			},
			{
				token: TOKEN,
				body: {
					external_id: 'C-2',
					first_name: 'Ada',
					last_name: 'Lovelace',
					notification_options: { notify_phone: false, notify_email: false },
				},
			},
		]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{ success: true, action: 'added', _id: idFor('39772634'), external_id: '39772634' },
			{ success: true, action: 'added', _id: idFor('C-2'), external_id: 'C-2' },
		]);
		expect(pairingOf(result.outputs[0])).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('outputs "updated" as Hyfin answers it', async () => {
		interceptAddUpdate(1, (body) => [200, { success: true, action: 'updated', _id: idFor(String(body.external_id)) }]);
		const result = await runAddUpdate({ columns: manualColumns({ external_id: 'A1', first_name: 'A', last_name: 'B' }) }, [{}]);
		expect(jsonOf(result.outputs[0])).toEqual([{ success: true, action: 'updated', _id: idFor('A1'), external_id: 'A1' }]);
	});
});

describe('Customer → Add or Update, fields mapped automatically', () => {
	it('reads Hyfin-named input keys, with the notification flags nested or flat', async () => {
		const seen = interceptAddUpdate(3, added);
		const result = await runAddUpdate({ columns: autoColumns }, [
			{
				external_id: '39772634',
				first_name: 'John',
				last_name: 'Doe',
				account_name: 'ABC Company',
				mobile_phone: '111-222-3333',
				email: 'johndoe@abc.com',
				notes: "World's best customer",
				active: true,
				notification_options: { notify_phone: true, notify_email: true },
			},
			{
				external_id: 7,
				first_name: 'Flat',
				last_name: 'Flags',
				email: 'f@x.io',
				notify_email: 'TRUE',
				notify_phone: '0',
				unrelated: 'ignored',
			},
			{ external_id: 'n1', first_name: 'Both', last_name: 'Ways', notification_options: { notify_phone: true }, notify_phone: false },
		]);

		expect(seen.map((request) => request.body)).toEqual([
			{
				external_id: '39772634',
				first_name: 'John',
				last_name: 'Doe',
				account_name: 'ABC Company',
				mobile_phone: '111-222-3333',
				email: 'johndoe@abc.com',
				notes: "World's best customer",
				active: true,
				notification_options: { notify_phone: true, notify_email: true },
			},
			{
				external_id: '7',
				first_name: 'Flat',
				last_name: 'Flags',
				email: 'f@x.io',
				notification_options: { notify_phone: false, notify_email: true },
			},
			{ external_id: 'n1', first_name: 'Both', last_name: 'Ways', notification_options: { notify_phone: false } },
		]);
		expect(jsonOf(result.outputs[0]).map((json) => json.external_id)).toEqual(['39772634', '7', 'n1']);
	});
});

describe('rejected records', () => {
	it('outputs a record that fails validation as success false with Hyfin-style errors, sending nothing for it', async () => {
		const seen = interceptAddUpdate(1, added);
		const result = await runAddUpdate({ columns: autoColumns }, [
			{ external_id: 'bad-1', first_name: 'No', last_name: '', notify_phone: true, email: 'not-an-email' },
			{ external_id: 'ok-1', first_name: 'Fine', last_name: 'Row' },
		]);

		expect(seen.map((request) => request.body.external_id)).toEqual(['ok-1']);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: false,
				errors: ['invalid email', 'missing last_name', 'missing mobile_phone'],
				external_id: 'bad-1',
				message:
					'Item 0 (external_id "bad-1") was not sent to Hyfin: Email must look like name@example.com; Last Name is required: map a value to it; Notify by Text is on, so Mobile Phone is required: map a phone number or turn Notify by Text off',
			},
			{ success: true, action: 'added', _id: idFor('ok-1'), external_id: 'ok-1' },
		]);
		expect(pairingOf(result.outputs[0])).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it.each([200, 400, 422])("outputs Hyfin's own rejection at HTTP %i as success false with its errors", async (status) => {
		interceptAddUpdate(1, () => [status, { success: false, errors: ['invalid field2', 'missing field_name'] }]);
		const result = await runAddUpdate({ columns: manualColumns({ external_id: 'r1', first_name: 'R', last_name: 'J' }) }, [{}]);
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: false,
				errors: ['invalid field2', 'missing field_name'],
				external_id: 'r1',
				message: 'Hyfin rejected item 0 (external_id "r1"): invalid field2; missing field_name',
			},
		]);
	});

	it('with Rejected Records = Treat as Errors, stops the workflow on a rejection naming the item', async () => {
		const result = await runAddUpdate({ columns: autoColumns, options: { rejectedRecords: 'error' } }, [
			{ external_id: 'x', first_name: 'Only' },
		]);
		expect(result.outputs).toEqual([]);
		expect(result.error?.message).toBe('Item 0 (external_id "x") was not sent to Hyfin: Last Name is required: map a value to it');
	});

	it('with Rejected Records = Treat as Errors and the error output, routes exactly the rejected items there', async () => {
		interceptAddUpdate(2, (body) => (body.external_id === 'h2' ? [422, { success: false, errors: ['invalid email'] }] : added(body)));
		const result = await runAddUpdate(
			{ columns: autoColumns, options: { rejectedRecords: 'error' } },
			[
				{ external_id: 'h1', first_name: 'A', last_name: 'B' },
				{ external_id: 'v1', first_name: 'No last name' },
				{ external_id: 'h2', first_name: 'C', last_name: 'D', email: 'c@d.io' },
			],
			{ onError: 'continueErrorOutput' },
		);
		expect(jsonOf(result.outputs[0])).toEqual([{ success: true, action: 'added', _id: idFor('h1'), external_id: 'h1' }]);
		expect(pairingOf(result.outputs[0])).toEqual([{ item: 0 }]);
		expect(jsonOf(result.outputs[1])).toEqual([
			{
				external_id: 'v1',
				first_name: 'No last name',
				error: 'Item 1 (external_id "v1") was not sent to Hyfin: Last Name is required: map a value to it',
			},
			{
				external_id: 'h2',
				first_name: 'C',
				last_name: 'D',
				email: 'c@d.io',
				error: 'Hyfin rejected item 2 (external_id "h2"): invalid email',
			},
		]);
		expect(pairingOf(result.outputs[1])).toEqual([{ item: 1 }, { item: 2 }]);
	});
});

describe('options', () => {
	it('Dry Run validates and outputs the request it would send, sending nothing', async () => {
		const result = await runAddUpdate({ columns: autoColumns, options: { dryRun: true } }, [
			{ external_id: 'd1', first_name: 'Dry', last_name: 'Run', mobile_phone: 5551234567 },
			{ external_id: 'd2', first_name: 'Bad' },
		]);
		expect(nock.pendingMocks()).toEqual([]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: true,
				dryRun: true,
				external_id: 'd1',
				request: {
					method: 'POST',
					url: `${BASE_URL}${ADD_UPDATE_PATH}`,
					body: { external_id: 'd1', first_name: 'Dry', last_name: 'Run', mobile_phone: '5551234567' },
				},
			},
			{
				success: false,
				errors: ['missing last_name'],
				external_id: 'd2',
				message: 'Item 1 (external_id "d2") was not sent to Hyfin: Last Name is required: map a value to it',
			},
		]);
	});

	it('Include Sent Fields adds the body that was sent', async () => {
		interceptAddUpdate(1, added);
		const result = await runAddUpdate({ columns: autoColumns, options: { includeSentFields: true } }, [
			{ external_id: 's1', first_name: 'Sent', last_name: 'Fields', active: 'no' },
		]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: true,
				action: 'added',
				_id: idFor('s1'),
				external_id: 's1',
				sent: { external_id: 's1', first_name: 'Sent', last_name: 'Fields', active: false },
			},
		]);
	});

	it('resolves an option given as an expression for each item', async () => {
		interceptAddUpdate(2, added);
		const result = await runAddUpdate({ columns: autoColumns, options: { includeSentFields: '={{ $json.show }}' } }, [
			{ external_id: 'o1', first_name: 'A', last_name: 'B', show: true },
			{ external_id: 'o2', first_name: 'C', last_name: 'D', show: false },
		]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{ success: true, action: 'added', _id: idFor('o1'), external_id: 'o1', sent: { external_id: 'o1', first_name: 'A', last_name: 'B' } },
			{ success: true, action: 'added', _id: idFor('o2'), external_id: 'o2' },
		]);
	});

	it("Send Empty Fields sends blank optional fields as empty strings, as Hyfin's sample does", async () => {
		const seen = interceptAddUpdate(2, added);
		await runAddUpdate({ columns: autoColumns, options: { sendEmptyFields: true } }, [
			{ external_id: 'e1', first_name: 'E', last_name: 'F', account_name: '', notes: '  ' },
			{ external_id: 'e2', first_name: 'G', last_name: 'H' },
		]);
		expect(seen.map((request) => request.body)).toEqual([
			{ external_id: 'e1', first_name: 'E', last_name: 'F', account_name: '', notes: '' },
			{ external_id: 'e2', first_name: 'G', last_name: 'H' },
		]);
	});
});
