// The sandbox's public contract, for TypeScript callers (tests, scripts). The JavaScript files
// name these types in their JSDoc, so `npx tsc -p sandbox/jsconfig.json` checks them against it.

/** Run-time behaviour of the fake API; see knobs.js for what each one does. */
export interface SandboxKnobs {
	latencyMs: number;
	jitterMs: number;
	rateLimitPerSec: number;
	maxInFlight: number;
	/** The Retry-After (seconds) of the maxInFlight 503, fault429 and fault503; 1 unless set. */
	retryAfterSec: number;
	fault500: number;
	fault502Html: number;
	fault429: number;
	fault503: number;
	faultReset: number;
	faultHang: number;
	faultTruncated: number;
	/** Stored, then the connection is closed halfway through the answer. */
	faultCutOff: number;
	/** Share of answers that quote the request's access token (in errors, a message, or the page). */
	echoToken: number;
	rejectionStatus: number;
	seed: number;
	/**
	 * Requests about these external_ids (an addUpdate body's, or GET's path) are always answered
	 * 502 with an HTML proxy page and never stored: specific items fail, deterministically.
	 */
	failExternalIds: string[];
}

export interface SandboxOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	/** A file path, or ':memory:' (default). */
	dbFile?: string;
	siteId?: string;
	token?: string;
	knobs?: Partial<SandboxKnobs>;
}

export interface NotificationOptions {
	notify_phone: boolean;
	notify_email: boolean;
}

/** A customer as the sandbox stores it; GET customer answers it without site_id. */
export interface StoredCustomer {
	_id: string;
	site_id: string;
	external_id: string;
	first_name: string;
	last_name: string;
	account_name: string | null;
	mobile_phone: string | null;
	email: string | null;
	notes: string | null;
	active: boolean;
	notification_options: NotificationOptions;
	created_at: string;
	updated_at: string;
}

/** The fields of one accepted addUpdate body: only those the client sent. */
export type CustomerFields = Partial<Omit<StoredCustomer, '_id' | 'site_id' | 'created_at' | 'updated_at'>> & { external_id: string };

export interface SandboxStore {
	upsert(siteId: string, fields: CustomerFields): { action: 'added' | 'updated'; _id: string };
	get(siteId: string, externalId: string): StoredCustomer | null;
	/** Newest first (by updated_at). */
	list(query?: { siteId?: string; limit?: number; offset?: number }): StoredCustomer[];
	count(siteId?: string): number;
	clear(): void;
	close(): void;
}

export interface SandboxStats {
	/** /api/ requests that arrived, counted as they arrive (before any answer). */
	received: number;
	/** "METHOD route" -> status (or "reset" / "hang" / "cutOff") -> count; /__sandbox/ calls are not counted. */
	requests: Record<string, Record<string, number>>;
	customers: number;
	inFlight: number;
	peakInFlight: number;
	faults: Record<string, number>;
	rateLimited: number;
	overloaded: number;
}

export interface Sandbox {
	/** The merchant page, e.g. http://127.0.0.1:4010/ */
	url: string;
	/** What goes into the n8n credential's base URL, e.g. http://127.0.0.1:4010 */
	baseUrl: string;
	siteId: string;
	token: string;
	port: number;
	store: SandboxStore;
	/** JSON-merges knobs; throws (changing nothing) when one is invalid. Returns all knobs. */
	setKnobs(patch: Partial<SandboxKnobs>): SandboxKnobs;
	getKnobs(): SandboxKnobs;
	stats(): SandboxStats;
	/** Forgets customers and stats; knobs stay. */
	reset(): void;
	/** Ends hung and open connections, stops listening, closes the database. Safe to call twice. */
	close(): Promise<void>;
}

export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;

/** A well-behaved sandbox that repeats itself: no delay, no limit, no fault, seed 1. */
export declare const CALM: Readonly<SandboxKnobs>;

export declare const DEFAULT_SITE_ID: string;
export declare const DEFAULT_TOKEN: string;
