'use strict';
/**
 * The unkind parts of a real network, driven by the knobs: a rate limit, a cap on concurrent
 * requests, latency with jitter, and faults. Every random draw comes from one seeded PRNG, so a
 * test that sends requests one after another sees the same sequence every run.
 */
const { FAULT_NAMES } = require('./knobs');

/** @typedef {import('./server').SandboxKnobs} Knobs */
/** @typedef {typeof FAULT_NAMES[number]} FaultName */

/**
 * mulberry32: tiny, fast, and good enough for picking faults; not for secrets.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
function mulberry32(seed) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * @param {() => Knobs} getKnobs read on every request, so knob changes apply at once
 * @param {() => number} [now] milliseconds; replaceable so the limiter can be reasoned about
 */
function createTraffic(getKnobs, now = () => performance.now()) {
	let random = mulberry32(getKnobs().seed);
	let inFlight = 0;
	let peakInFlight = 0;
	// Token bucket holding one second's worth of requests (at least one): a steady client at the
	// limit never sees 429, a burst above it does.
	const capacity = (/** @type {number} */ rate) => Math.max(1, rate);
	let tokens = capacity(getKnobs().rateLimitPerSec);
	let refilledAt = now();

	return {
		/**
		 * Call after the knobs change. Setting the seed restarts the sequence even when the value is
		 * the same, so a test can replay a run; a new rate refills the bucket.
		 * @param {Knobs} before
		 * @param {Knobs} after
		 * @param {boolean} seedSet
		 */
		knobsChanged(before, after, seedSet) {
			if (seedSet) random = mulberry32(after.seed);
			if (before.rateLimitPerSec !== after.rateLimitPerSec) {
				tokens = capacity(after.rateLimitPerSec);
				refilledAt = now();
			}
		},

		/**
		 * Takes one request from the bucket.
		 * @returns {number | null} null when allowed, else whole seconds until a request would be
		 */
		rateLimitRetryAfterSec() {
			const rate = getKnobs().rateLimitPerSec;
			if (rate <= 0) return null;
			const t = now();
			tokens = Math.min(capacity(rate), tokens + ((t - refilledAt) / 1000) * rate);
			refilledAt = t;
			if (tokens >= 1) {
				tokens -= 1;
				return null;
			}
			return Math.max(1, Math.ceil((1 - tokens) / rate));
		},

		/** @returns {boolean} false when maxInFlight requests are already being processed */
		tryEnter() {
			const max = getKnobs().maxInFlight;
			if (max > 0 && inFlight >= max) return false;
			inFlight += 1;
			peakInFlight = Math.max(peakInFlight, inFlight);
			return true;
		},

		leave() {
			inFlight -= 1;
		},

		/** @returns {number} ms to wait before answering: latencyMs plus or minus up to jitterMs */
		delayMs() {
			const { latencyMs, jitterMs } = getKnobs();
			if (jitterMs === 0) return latencyMs;
			return Math.max(0, latencyMs + (random() * 2 - 1) * jitterMs);
		},

		/**
		 * One draw mapped onto the fault rates laid end to end: each fault happens with exactly
		 * its own probability and at most one happens.
		 * @returns {FaultName | null}
		 */
		pickFault() {
			const knobs = getKnobs();
			if (FAULT_NAMES.every((name) => knobs[name] === 0)) return null;
			const draw = random();
			let edge = 0;
			for (const name of FAULT_NAMES) {
				edge += knobs[name];
				if (draw < edge) return name;
			}
			return null;
		},

		/**
		 * Whether this answer quotes the request's token. Drawn only while echoToken is on, so the
		 * seeded sequence of the other draws stays as it was without it.
		 * @returns {boolean}
		 */
		echoesToken() {
			const rate = getKnobs().echoToken;
			return rate > 0 && random() < rate;
		},

		inFlight: () => inFlight,
		peakInFlight: () => peakInFlight,
		/** Back to a fresh start: a full bucket, and the peak counted from what is in flight now. */
		reset() {
			tokens = capacity(getKnobs().rateLimitPerSec);
			refilledAt = now();
			peakInFlight = inFlight;
		},
	};
}

module.exports = { createTraffic, mulberry32 };
