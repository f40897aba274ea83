import { startSandbox, type Sandbox } from '../../sandbox/server';
import { JOHN, OBJECT_ID, ISO_DATE, addUpdate, getCustomer, call, calmDown } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ dbFile: ':memory:' });
});
afterAll(() => sandbox.close());
beforeEach(() => calmDown(sandbox));

describe('POST /api/v3/site/{site_id}/customer/addUpdate', () => {
	test('adds a new customer and answers its 24-hex _id', async () => {
		const answer = await addUpdate(sandbox, JOHN);
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(answer.json).toEqual({ success: true, action: 'added', _id: expect.stringMatching(OBJECT_ID) });
	});

	test('updates the customer with the same external_id, keeping its _id', async () => {
		const added = await addUpdate(sandbox, JOHN);
		const updated = await addUpdate(sandbox, { ...JOHN, last_name: 'Smith' });
		expect(updated.status).toBe(200);
		expect(updated.json).toEqual({ success: true, action: 'updated', _id: added.json._id });
		expect(sandbox.store.count()).toBe(1);
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)?.last_name).toBe('Smith');
	});

	test('sending the same record twice leaves one customer (retries are safe)', async () => {
		const first = await addUpdate(sandbox, JOHN);
		const second = await addUpdate(sandbox, JOHN);
		expect(second.json).toEqual({ success: true, action: 'updated', _id: first.json._id });
		expect(sandbox.store.list()).toHaveLength(1);
	});

	test('different external_ids are different customers', async () => {
		const a = await addUpdate(sandbox, JOHN);
		const b = await addUpdate(sandbox, { ...JOHN, external_id: '39772635' });
		expect(b.json.action).toBe('added');
		expect(b.json._id).not.toBe(a.json._id);
		expect(sandbox.store.count()).toBe(2);
	});

	test('stores empty strings as given', async () => {
		await addUpdate(sandbox, { ...JOHN, account_name: '', notes: '' });
		const stored = sandbox.store.get(sandbox.siteId, JOHN.external_id);
		expect(stored?.account_name).toBe('');
		expect(stored?.notes).toBe('');
	});

	test('defaults active to true and both notifications to off', async () => {
		await addUpdate(sandbox, { external_id: 'min', first_name: 'Min', last_name: 'Imal' });
		expect(sandbox.store.get(sandbox.siteId, 'min')).toMatchObject({
			active: true,
			account_name: null,
			mobile_phone: null,
			email: null,
			notes: null,
			notification_options: { notify_phone: false, notify_email: false },
		});
	});

	test('an update keeps the fields it does not send', async () => {
		await addUpdate(sandbox, JOHN);
		await addUpdate(sandbox, { external_id: JOHN.external_id, first_name: 'Johnny', last_name: 'Doe' });
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)).toMatchObject({
			first_name: 'Johnny',
			email: JOHN.email,
			mobile_phone: JOHN.mobile_phone,
			notes: JOHN.notes,
			notification_options: JOHN.notification_options,
		});
	});

	test('null clears an optional field (as the GET sample answers account_name: null)', async () => {
		await addUpdate(sandbox, { ...JOHN, account_name: 'ABC Company' });
		const answer = await addUpdate(sandbox, { ...JOHN, account_name: null });
		expect(answer.json.action).toBe('updated');
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)?.account_name).toBeNull();
	});

	test('an active: false update deactivates the customer', async () => {
		await addUpdate(sandbox, JOHN);
		await addUpdate(sandbox, { ...JOHN, active: false });
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)?.active).toBe(false);
	});

	test('ignores fields the document does not name', async () => {
		const answer = await addUpdate(sandbox, { ...JOHN, favourite_colour: 'blue' });
		expect(answer.json).toEqual({ success: true, action: 'added', _id: expect.stringMatching(OBJECT_ID) });
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)).not.toHaveProperty('favourite_colour');
	});

	test('answers 400 invalid json to a body that is not JSON, storing nothing', async () => {
		const answer = await addUpdate(sandbox, '{"external_id": "1",');
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ success: false, errors: ['invalid json'] });
		expect(sandbox.store.count()).toBe(0);
	});

	test('answers 400 invalid json to an empty body', async () => {
		const answer = await addUpdate(sandbox, '');
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ success: false, errors: ['invalid json'] });
	});

	test('rejects a JSON body that is not an object as invalid body', async () => {
		const answer = await addUpdate(sandbox, [JOHN]);
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({ success: false, errors: ['invalid body'] });
	});
});

describe('GET /api/v3/site/{site_id}/customer/{external_id}', () => {
	test('answers the stored customer with _id, created_at and updated_at', async () => {
		const added = await addUpdate(sandbox, JOHN);
		const answer = await getCustomer(sandbox, JOHN.external_id);
		expect(answer.status).toBe(200);
		// Every field as sent (the document's sample request), plus the three the API adds.
		expect(answer.json).toEqual({
			_id: added.json._id,
			...JOHN,
			created_at: expect.stringMatching(ISO_DATE),
			updated_at: expect.stringMatching(ISO_DATE),
		});
	});

	test('keeps created_at and moves updated_at on update', async () => {
		await addUpdate(sandbox, JOHN);
		const before = (await getCustomer(sandbox, JOHN.external_id)).json;
		await new Promise((resolve) => setTimeout(resolve, 5));
		await addUpdate(sandbox, { ...JOHN, notes: 'changed' });
		const after = (await getCustomer(sandbox, JOHN.external_id)).json;
		expect(after.created_at).toBe(before.created_at);
		expect(Date.parse(after.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
		expect(after.notes).toBe('changed');
	});

	test('URL-decodes the external_id, so ids with / and spaces work', async () => {
		await addUpdate(sandbox, { ...JOHN, external_id: 'acct/7 b?' });
		const answer = await getCustomer(sandbox, 'acct/7 b?');
		expect(answer.status).toBe(200);
		expect(answer.json.external_id).toBe('acct/7 b?');
	});

	test('answers 404 customer not found for an unknown external_id', async () => {
		const answer = await getCustomer(sandbox, 'nobody');
		expect(answer.status).toBe(404);
		expect(answer.json).toEqual({ success: false, errors: ['customer not found'] });
	});
});

describe('access token and site', () => {
	test('answers 401 invalid access token without the x-access-token header', async () => {
		const answer = await addUpdate(sandbox, JOHN, { token: null });
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual({ success: false, errors: ['invalid access token'] });
		expect(sandbox.store.count()).toBe(0);
	});

	test('answers 401 invalid access token to a wrong token', async () => {
		const answer = await addUpdate(sandbox, JOHN, { token: `${sandbox.token}x` });
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual({ success: false, errors: ['invalid access token'] });
	});

	test('does not take the token as Authorization: Bearer', async () => {
		const answer = await call(sandbox, `/api/v3/site/${sandbox.siteId}/customer/addUpdate`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${sandbox.token}` },
			body: JSON.stringify(JOHN),
		});
		expect(answer.status).toBe(401);
	});

	test('answers 401 on GET customer with a wrong token', async () => {
		const answer = await getCustomer(sandbox, JOHN.external_id, { token: 'nope' });
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual({ success: false, errors: ['invalid access token'] });
	});

	test('answers 404 site not found (JSON) for an unknown site id', async () => {
		const post = await addUpdate(sandbox, JOHN, { siteId: 'site_other' });
		expect(post.status).toBe(404);
		expect(post.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(post.json).toEqual({ success: false, errors: ['site not found'] });
		const get = await getCustomer(sandbox, JOHN.external_id, { siteId: 'site_other' });
		expect(get.status).toBe(404);
		expect(get.json).toEqual({ success: false, errors: ['site not found'] });
		expect(sandbox.store.count()).toBe(0);
	});

	test('checks the token before the site', async () => {
		const answer = await addUpdate(sandbox, JOHN, { siteId: 'site_other', token: 'nope' });
		expect(answer.status).toBe(401);
	});
});

describe('paths that are not Hyfin routes', () => {
	test.each([
		['GET', '/api/v3/site/site_demo/customers'],
		['POST', '/api/v3/site/site_demo/customer/addUpdate/'],
		['POST', '/api/v3/site/site_demo/customer/39772634'],
		['GET', '/api/v2/site/site_demo/customer/39772634'],
		['GET', '/wrong/base/api/v3/site/site_demo/customer/39772634'],
		['POST', '/'],
		['POST', '/api/v3/site/site_demo/invoice/other'],
		['POST', '/api/v3/site/site_demo/product/send'],
		['GET', '/api/v3/site/site_demo/invoices'],
		['PUT', '/api/v3/site/site_demo/invoice/addUpdate'],
	])('%s %s answers 404 with an HTML page, not JSON', async (method, path) => {
		const answer = await call(sandbox, path, {
			method,
			headers: { 'x-access-token': sandbox.token },
			body: method === 'POST' ? JSON.stringify(JOHN) : undefined,
		});
		expect(answer.status).toBe(404);
		expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(answer.json).toBeUndefined();
		expect(answer.text).toContain(`<pre>Cannot ${method} ${path}</pre>`);
	});
});
