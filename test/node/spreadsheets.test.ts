import nock from 'nock';

import { shutdownEngine } from './harness';
import { added, autoColumns, idFor, interceptAddUpdate, jsonOf, runAddUpdate } from './fixtures';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(async () => {
	nock.enableNetConnect();
	await shutdownEngine();
});

describe('rows as spreadsheets and forms bring them, mapped automatically', () => {
	it('maps everyday headers and values, formats the phone, and reports the columns it did not use', async () => {
		const seen = interceptAddUpdate(1, added);
		const result = await runAddUpdate({ columns: autoColumns, options: { phoneFormat: 'e164', reportUnmappedColumns: true } }, [
			{
				row_number: 2,
				'Customer ID': 12223334444,
				'First Name': '\u00a0Ana ',
				Surname: 'Lopez',
				Company: 'Lopez Auto Repair',
				'Mobile Number': '(305) 555-0177',
				'E-mail': 'ANA@LOPEZAUTO.EXAMPLE',
				'Notify by Text': 'x',
				'Notify by Email': '',
				Source: 'Spring fair',
			},
		]);
		expect(seen.map((request) => request.body)).toEqual([
			{
				external_id: '12223334444',
				first_name: 'Ana',
				last_name: 'Lopez',
				account_name: 'Lopez Auto Repair',
				mobile_phone: '+13055550177',
				email: 'ANA@LOPEZAUTO.EXAMPLE',
				notification_options: { notify_phone: true },
			},
		]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{ success: true, action: 'added', _id: idFor('12223334444'), external_id: '12223334444', unmapped_columns: ['row_number', 'Source'] },
		]);
	});

	it('fails a row whose columns claim one field twice, naming both, and sends nothing for it', async () => {
		const result = await runAddUpdate({ columns: autoColumns, options: { reportUnmappedColumns: true } }, [
			{ external_id: 'd1', first_name: 'Dee', last_name: 'Two', Phone: '111-222-3333', Mobile: '444-555-6666' },
		]);
		expect(nock.pendingMocks()).toEqual([]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: false,
				errors: ['ambiguous mobile_phone'],
				external_id: 'd1',
				message:
					'Item 0 (external_id "d1") was not sent to Hyfin: Columns "Phone" and "Mobile" both mean mobile_phone: rename or remove all but one, or map the fields by hand',
				unmapped_columns: [],
			},
		]);
	});

	it("reports a claimed-twice required field as ambiguous, not missing, beside the record's other problems", async () => {
		const result = await runAddUpdate({ columns: autoColumns }, [{ 'Customer ID': 'a', external_id: 'b', first_name: 'No', email: 'bad' }]);
		expect(jsonOf(result.outputs[0])).toEqual([
			{
				success: false,
				errors: ['ambiguous external_id', 'invalid email', 'missing last_name'],
				external_id: null,
				message:
					'Item 0 was not sent to Hyfin: Columns "Customer ID" and "external_id" both mean external_id: rename or remove all but one, or map the fields by hand; Email must look like name@example.com; Last Name is required: map a value to it',
			},
		]);
	});
});
