'use strict';
/**
 * Counters a test reads back through GET /__sandbox/stats: what arrived, how it was answered,
 * and which faults were injected. Routes are counted by their pattern (`:external_id`), so
 * 100,000 customers make one row, not 100,000.
 */
const { FAULT_NAMES } = require('./knobs');

const zeroFaults = () => Object.fromEntries(FAULT_NAMES.map((name) => [name, 0]));

function createStats() {
	/** @type {Record<string, Record<string, number>>} */
	let requests = {};
	/** @type {Record<string, number>} */
	let faults = zeroFaults();
	let rateLimited = 0;
	let overloaded = 0;
	let received = 0;

	return {
		/** An /api/ request arrived. */
		received() {
			received += 1;
		},
		/**
		 * @param {string} route e.g. `POST /api/v3/site/:site_id/customer/addUpdate`
		 * @param {number | 'reset' | 'hang' | 'cutOff'} outcome the status sent, or what happened instead
		 */
		request(route, outcome) {
			const byOutcome = (requests[route] ??= {});
			byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
		},
		/** @param {typeof FAULT_NAMES[number]} name */
		fault(name) {
			faults[name] += 1;
		},
		rateLimited() {
			rateLimited += 1;
		},
		overloaded() {
			overloaded += 1;
		},
		snapshot() {
			return {
				received,
				requests: structuredClone(requests),
				faults: { ...faults },
				rateLimited,
				overloaded,
			};
		},
		reset() {
			requests = {};
			faults = zeroFaults();
			rateLimited = 0;
			overloaded = 0;
			received = 0;
		},
	};
}

module.exports = { createStats };
