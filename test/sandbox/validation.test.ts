import { startSandbox, type Sandbox } from '../../sandbox/server';
import { JOHN, addUpdate, calmDown } from './helpers';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ dbFile: ':memory:' });
});
afterAll(() => sandbox.close());
beforeEach(() => calmDown(sandbox));

/** Sends the body; expects a rejection with exactly these errors and nothing stored. */
async function expectRejected(body: unknown, errors: string[]): Promise<void> {
	const answer = await addUpdate(sandbox, body);
	expect({ status: answer.status, json: answer.json }).toEqual({ status: 200, json: { success: false, errors } });
	expect(sandbox.store.count()).toBe(0);
}

async function expectAccepted(body: unknown): Promise<void> {
	const answer = await addUpdate(sandbox, body);
	expect(answer.json).toMatchObject({ success: true, action: 'added' });
}

const without = (field: string): Record<string, unknown> => {
	const copy: Record<string, unknown> = { ...JOHN };
	delete copy[field];
	return copy;
};

describe('required fields', () => {
	test.each(['external_id', 'first_name', 'last_name'])('rejects a body without %s as missing', async (field) => {
		await expectRejected(without(field), [`missing ${field}`]);
	});

	test.each(['external_id', 'first_name', 'last_name'])('rejects %s: null as missing', async (field) => {
		await expectRejected({ ...JOHN, [field]: null }, [`missing ${field}`]);
	});

	test.each(['external_id', 'first_name', 'last_name'])('rejects a blank %s as missing', async (field) => {
		await expectRejected({ ...JOHN, [field]: '  ' }, [`missing ${field}`]);
	});

	test('rejects an empty object with all three missing, in the document order', async () => {
		await expectRejected({}, ['missing external_id', 'missing first_name', 'missing last_name']);
	});
});

describe('types are strict', () => {
	test.each(['external_id', 'first_name', 'last_name', 'account_name', 'mobile_phone', 'email', 'notes'])(
		'rejects a number in %s as invalid',
		async (field) => {
			await expectRejected({ ...JOHN, [field]: 39772634 }, [`invalid ${field}`]);
		},
	);

	test.each([['true'], [1], [null]])('rejects active: %p as invalid active', async (value) => {
		await expectRejected({ ...JOHN, active: value }, ['invalid active']);
	});

	test.each([['yes'], [[true, true]], [null], [true]])(
		'rejects notification_options: %p as invalid notification_options',
		async (value) => {
			await expectRejected({ ...JOHN, notification_options: value }, ['invalid notification_options']);
		},
	);

	test('rejects notify_phone: "true" and notify_email: 1 as invalid', async () => {
		await expectRejected({ ...JOHN, notification_options: { notify_phone: 'true', notify_email: 1 } }, [
			'invalid notification_options.notify_phone',
			'invalid notification_options.notify_email',
		]);
	});

	test('accepts notification_options with one flag, the other meaning off', async () => {
		await expectAccepted({ ...without('email'), notification_options: { notify_phone: true } });
		expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)?.notification_options).toEqual({
			notify_phone: true,
			notify_email: false,
		});
	});
});

describe('notification options need their contact', () => {
	test('rejects notify_phone without mobile_phone as missing mobile_phone', async () => {
		await expectRejected(without('mobile_phone'), ['missing mobile_phone']);
	});

	test('rejects notify_phone with an empty mobile_phone as missing mobile_phone', async () => {
		await expectRejected({ ...JOHN, mobile_phone: '' }, ['missing mobile_phone']);
	});

	test('rejects notify_email without email as missing email', async () => {
		await expectRejected(without('email'), ['missing email']);
	});

	test('rejects notify_email with email: null as missing email', async () => {
		await expectRejected({ ...JOHN, email: null }, ['missing email']);
	});

	test('accepts no phone and no email when both notifications are off', async () => {
		await expectAccepted({
			...without('mobile_phone'),
			email: '',
			notification_options: { notify_phone: false, notify_email: false },
		});
	});
});

describe('formats', () => {
	test.each(['johndoe', 'john@', '@abc.com', 'john doe@abc.com', 'john@abc', 'john@@abc.com', 'john@abc..com'])(
		'rejects email %p as invalid email',
		async (email) => {
			await expectRejected({ ...JOHN, email }, ['invalid email']);
		},
	);

	test.each(['johndoe@abc.com', 'j.o+tag@mail.abc.co.uk', 'A_B@x.io'])('accepts email %p', async (email) => {
		await expectAccepted({ ...JOHN, email });
	});

	test.each([
		['123456', '6 digits'],
		['1234567890123456', '16 digits'],
		['111-222-33x3', 'a letter'],
		['call 1112223333', 'words'],
		['', 'nothing but notify_phone is on'],
	])('rejects mobile_phone %p (%s)', async (mobile_phone) => {
		const error = mobile_phone === '' ? 'missing mobile_phone' : 'invalid mobile_phone';
		await expectRejected({ ...JOHN, mobile_phone }, [error]);
	});

	test.each(['1234567', '123456789012345', '111-222-3333', '+1 (222) 333-4444', '1.222.333.4444', '12223334444'])(
		'accepts mobile_phone %p',
		async (mobile_phone) => {
			await expectAccepted({ ...JOHN, mobile_phone });
		},
	);

	test('does not check the format of an empty email or phone when notifications are off', async () => {
		await expectAccepted({ ...JOHN, email: '', mobile_phone: '', notification_options: { notify_phone: false, notify_email: false } });
	});
});

test('collects every error at once, in the document field order', async () => {
	await expectRejected(
		{
			first_name: 7,
			account_name: false,
			mobile_phone: '12',
			email: 'nope',
			notes: ['x'],
			active: 'yes',
			notification_options: { notify_phone: true, notify_email: 'on' },
		},
		[
			'missing external_id',
			'invalid first_name',
			'missing last_name',
			'invalid account_name',
			'invalid mobile_phone',
			'invalid email',
			'invalid notes',
			'invalid active',
			'invalid notification_options.notify_email',
		],
	);
});

test('reports missing contacts after the field errors', async () => {
	await expectRejected(
		{ external_id: '1', first_name: 'A', last_name: 'B', active: 0, notification_options: { notify_phone: true, notify_email: true } },
		['invalid active', 'missing mobile_phone', 'missing email'],
	);
});

test('a rejected update leaves the stored customer as it was', async () => {
	await addUpdate(sandbox, JOHN);
	const answer = await addUpdate(sandbox, { ...JOHN, first_name: 'Jim', email: 'broken' });
	expect(answer.json).toEqual({ success: false, errors: ['invalid email'] });
	expect(sandbox.store.get(sandbox.siteId, JOHN.external_id)).toMatchObject({ first_name: 'John', email: JOHN.email });
});
