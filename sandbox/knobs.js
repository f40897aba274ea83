'use strict';
/**
 * The sandbox's knobs: what each one means, its default, how it is checked, and how it is
 * spelled as a CLI flag and an environment variable. One table, so the three spellings
 * (options object, `--flag=value`, HYFIN_SANDBOX_*) cannot drift apart.
 */

/** @typedef {import('./server').SandboxKnobs} Knobs */
/** @typedef {'ms' | 'rate' | 'seconds' | 'count' | 'flag' | 'probability' | 'status' | 'seed' | 'externalIds' | 'timeout' | 'scale' | 'shape'} KnobKind */
/** @typedef {{ name: keyof Knobs, flag: string, kind: KnobKind, help: string }} KnobSpec */

/** @type {KnobSpec[]} */
const KNOB_SPECS = [
	{ name: 'latencyMs', flag: 'latency-ms', kind: 'ms', help: 'delay each /api/ request by this many ms' },
	{ name: 'jitterMs', flag: 'jitter-ms', kind: 'ms', help: 'plus or minus a uniform random delay of up to this many ms' },
	{ name: 'rateLimitPerSec', flag: 'rate-limit', kind: 'rate', help: 'requests per second before 429 + Retry-After (0 = off)' },
	{ name: 'maxInFlight', flag: 'max-in-flight', kind: 'count', help: 'requests processed at once before 503 + Retry-After (0 = off)' },
	{
		name: 'retryAfterSec',
		flag: 'retry-after-sec',
		kind: 'count',
		help: 'the Retry-After, in seconds, of the maxInFlight 503 and of fault429 and fault503 (0: at once)',
	},
	{
		name: 'overloadRetryAfter',
		flag: 'overload-retry-after',
		kind: 'flag',
		help: 'whether the maxInFlight 503 carries Retry-After: 1 (default) or 0 (only the status)',
	},
	{ name: 'fault500', flag: 'fault-500', kind: 'probability', help: 'share of requests answered 500 (JSON), nothing stored' },
	{ name: 'fault502Html', flag: 'fault-502-html', kind: 'probability', help: 'share answered 502 with an HTML proxy page, nothing stored' },
	{
		name: 'fault429',
		flag: 'fault-429',
		kind: 'probability',
		help: 'share answered 429 + Retry-After regardless of the rate, nothing stored',
	},
	{ name: 'fault503', flag: 'fault-503', kind: 'probability', help: 'share answered 503 + Retry-After, nothing stored' },
	{ name: 'faultReset', flag: 'fault-reset', kind: 'probability', help: 'share whose connection is destroyed unanswered, nothing stored' },
	{ name: 'faultHang', flag: 'fault-hang', kind: 'probability', help: 'share never answered (socket kept open), nothing stored' },
	{ name: 'faultTruncated', flag: 'fault-truncated', kind: 'probability', help: 'share STORED, then answered with the body cut in half' },
	{
		name: 'faultCutOff',
		flag: 'fault-cut-off',
		kind: 'probability',
		help: 'share STORED, then the connection closed halfway through the answer (its length promised in full)',
	},
	{
		name: 'faultResetAfterStore',
		flag: 'fault-reset-after-store',
		kind: 'probability',
		help: 'share STORED (and notifications recorded), then the connection destroyed without an answer',
	},
	{ name: 'echoToken', flag: 'echo-token', kind: 'probability', help: 'share of answers that quote the access token the request carried' },
	{
		name: 'duplicateSendWindowSec',
		flag: 'duplicate-send-window-sec',
		kind: 'seconds',
		help: "invoice/send is refused while the invoice's last notification is younger than this (0 = never)",
	},
	{ name: 'rejectionStatus', flag: 'rejection-status', kind: 'status', help: 'HTTP status of validation rejections: 200 or 4xx' },
	{ name: 'seed', flag: 'seed', kind: 'seed', help: 'seed of the random draws (jitter, faults, duplicate webhooks) so runs repeat' },
	{
		name: 'failExternalIds',
		flag: 'fail-external-ids',
		kind: 'externalIds',
		help: 'comma-separated external_ids whose requests are always answered 502 (HTML), nothing stored',
	},
	{ name: 'webhookShape', flag: 'webhook-shape', kind: 'shape', help: "payload of the webhooks sent: '3.x' (default) or '4.0'" },
	{
		name: 'webhookTimeoutMs',
		flag: 'webhook-timeout-ms',
		kind: 'timeout',
		help: 'a webhook not answered 200 within this many ms has failed and is re-sent (default 10000)',
	},
	{
		name: 'webhookTimeScale',
		flag: 'webhook-time-scale',
		kind: 'scale',
		help: 'multiplies the re-send schedule (5 min, 1 h, 2 h, 24 h, 48 h): 0.001 re-sends after 300 ms, 3.6 s, ...',
	},
	{
		name: 'webhookResendDelivered',
		flag: 'webhook-resend-delivered',
		kind: 'probability',
		help: 'share of delivered webhooks sent once more later, as duplicates',
	},
];

/** What webhookShape may be. */
const WEBHOOK_SHAPES = ['3.x', '4.0'];

/** Fault knobs in the order one random draw is mapped onto them (see traffic.js). */
const FAULT_NAMES = /** @type {const} */ ([
	'fault429',
	'fault500',
	'fault502Html',
	'fault503',
	'faultReset',
	'faultHang',
	'faultTruncated',
	'faultCutOff',
	// Appended last, so the seeded sequences of the faults above stay as they were.
	'faultResetAfterStore',
]);

/** Keeps a typo'd latency from parking a test for hours. */
const MAX_DELAY_MS = 600_000;

/** failExternalIds is a short list of chosen records, not a data set. */
const MAX_FAIL_EXTERNAL_IDS = 1000;

/**
 * @param {number} [seed] the seed to start from; a random one when absent, shown by GET knobs so
 *   a surprising run can be repeated
 * @returns {Knobs}
 */
function defaultKnobs(seed) {
	return {
		latencyMs: 0,
		jitterMs: 0,
		rateLimitPerSec: 0,
		maxInFlight: 0,
		retryAfterSec: 1,
		overloadRetryAfter: 1,
		fault429: 0,
		fault500: 0,
		fault502Html: 0,
		fault503: 0,
		faultReset: 0,
		faultHang: 0,
		faultTruncated: 0,
		faultCutOff: 0,
		faultResetAfterStore: 0,
		echoToken: 0,
		duplicateSendWindowSec: 300,
		rejectionStatus: 200,
		seed: seed ?? Math.floor(Math.random() * 2 ** 32),
		failExternalIds: [],
		webhookShape: '3.x',
		webhookTimeoutMs: 10_000,
		webhookTimeScale: 1,
		webhookResendDelivered: 0,
	};
}

/**
 * @param {KnobSpec} spec
 * @param {unknown} value
 * @returns {string | null} what is wrong with the value, or null
 */
function knobProblem(spec, value) {
	if (spec.kind === 'externalIds') {
		const ok = Array.isArray(value) && value.length <= MAX_FAIL_EXTERNAL_IDS && value.every((id) => typeof id === 'string' && id !== '');
		return ok ? null : `${spec.name} must be a list of at most ${MAX_FAIL_EXTERNAL_IDS} non-empty strings`;
	}
	if (spec.kind === 'shape') {
		return typeof value === 'string' && WEBHOOK_SHAPES.includes(value) ? null : `${spec.name} must be one of ${WEBHOOK_SHAPES.join(', ')}`;
	}
	if (typeof value !== 'number' || !Number.isFinite(value)) return `${spec.name} must be a number`;
	switch (spec.kind) {
		case 'ms':
			return value >= 0 && value <= MAX_DELAY_MS ? null : `${spec.name} must be 0..${MAX_DELAY_MS}`;
		case 'rate':
		case 'seconds':
			return value >= 0 ? null : `${spec.name} must be 0 or more`;
		case 'count':
			return Number.isInteger(value) && value >= 0 ? null : `${spec.name} must be a whole number, 0 or more`;
		case 'flag':
			return value === 0 || value === 1 ? null : `${spec.name} must be 0 or 1`;
		case 'probability':
			return value >= 0 && value <= 1 ? null : `${spec.name} must be 0..1`;
		case 'status':
			return value === 200 || (Number.isInteger(value) && value >= 400 && value <= 499) ? null : `${spec.name} must be 200 or 400..499`;
		case 'seed':
			return Number.isInteger(value) && value >= 0 && value < 2 ** 32 ? null : `${spec.name} must be an integer 0..4294967295`;
		case 'timeout':
			return value >= 1 && value <= MAX_DELAY_MS ? null : `${spec.name} must be 1..${MAX_DELAY_MS}`;
		case 'scale':
			return value >= 0 && value <= 1 ? null : `${spec.name} must be 0..1`;
	}
}

/**
 * JSON-merges `patch` into `current`. All or nothing: one bad value and nothing changes, so a
 * test never runs against half of the knobs it asked for.
 * @param {Knobs} current
 * @param {unknown} patch
 * @returns {{ knobs: Knobs, errors: string[] }}
 */
function mergeKnobs(current, patch) {
	if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
		return { knobs: current, errors: ['knobs must be a JSON object'] };
	}
	/** @type {string[]} */
	const errors = [];
	const next = { ...current };
	for (const [name, value] of Object.entries(patch)) {
		const spec = KNOB_SPECS.find((s) => s.name === name);
		if (!spec) {
			errors.push(`unknown knob ${name}`);
			continue;
		}
		const problem = knobProblem(spec, value);
		if (problem) errors.push(problem);
		// A copy, so that the caller changing its array later does not change the knobs.
		else if (spec.kind === 'externalIds') next.failExternalIds = [.../** @type {string[]} */ (value)];
		else if (spec.kind === 'shape') next.webhookShape = /** @type {Knobs['webhookShape']} */ (value);
		else next[/** @type {Exclude<keyof Knobs, 'failExternalIds' | 'webhookShape'>} */ (spec.name)] = /** @type {number} */ (value);
	}
	const faultSum = FAULT_NAMES.reduce((sum, name) => sum + next[name], 0);
	// One draw picks at most one fault, so the rates are shares of a single whole.
	if (faultSum > 1 + 1e-9) errors.push(`fault rates add up to ${faultSum}, more than 1`);
	return errors.length ? { knobs: current, errors } : { knobs: next, errors };
}

/**
 * Reads knob values spelled as CLI flags (`--latency-ms=50`) or environment variables
 * (`HYFIN_SANDBOX_LATENCY_MS=50`); the caller merges the result with mergeKnobs.
 * @param {Record<string, string | undefined>} byFlag values keyed by flag name (without `--`)
 * @returns {{ patch: Record<string, unknown>, errors: string[] }}
 */
function knobsFromFlags(byFlag) {
	/** @type {Record<string, unknown>} */
	const patch = {};
	/** @type {string[]} */
	const errors = [];
	for (const spec of KNOB_SPECS) {
		const raw = byFlag[spec.flag];
		if (raw === undefined) continue;
		if (spec.kind === 'externalIds') {
			patch[spec.name] = raw
				.split(',')
				.map((id) => id.trim())
				.filter((id) => id !== '');
			continue;
		}
		if (spec.kind === 'shape') {
			patch[spec.name] = raw.trim();
			continue;
		}
		const value = raw.trim() === '' ? NaN : Number(raw);
		if (Number.isNaN(value)) errors.push(`--${spec.flag} must be a number, got "${raw}"`);
		else patch[spec.name] = value;
	}
	return { patch, errors };
}

/**
 * @param {string} flag e.g. `fault-502-html`
 * @returns {string} e.g. `HYFIN_SANDBOX_FAULT_502_HTML`
 */
function envNameOf(flag) {
	return `HYFIN_SANDBOX_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** A well-behaved sandbox that repeats itself: no delay, no limit, no fault, seed 1. Tests and scripts reset to it. */
const CALM = Object.freeze(defaultKnobs(1));

module.exports = { KNOB_SPECS, FAULT_NAMES, CALM, defaultKnobs, mergeKnobs, knobsFromFlags, envNameOf };
