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
	/** 1 (the default): the maxInFlight 503 carries Retry-After; 0: it says only 503, as some servers do. */
	overloadRetryAfter: number;
	fault500: number;
	fault502Html: number;
	fault429: number;
	fault503: number;
	faultReset: number;
	faultHang: number;
	faultTruncated: number;
	/** Stored, then the connection is closed halfway through the answer. */
	faultCutOff: number;
	/** Processed and stored (notifications recorded too), then the connection is destroyed without an answer. */
	faultResetAfterStore: number;
	/** Share of answers that quote the request's access token (in errors, a message, or the page). */
	echoToken: number;
	/**
	 * invoice/send answers "Duplicate email sent < 300 sec. ago" while the invoice's last notification
	 * is younger than this many seconds (fractions allowed; 0 turns the rule off). 300 unless set.
	 */
	duplicateSendWindowSec: number;
	rejectionStatus: number;
	seed: number;
	/**
	 * Requests about these external_ids (a POST body's `external_id`, or a GET's path) are always answered
	 * 502 with an HTML proxy page and never stored: specific items fail, deterministically.
	 */
	failExternalIds: string[];
	/** The payload of the webhooks sent: Hyfin 3.x's (default) or 4.0's. Read when the event happens. */
	webhookShape: '3.x' | '4.0';
	/** A webhook whose 200 (status and body) has not arrived within this many ms has failed. 10000 unless set. */
	webhookTimeoutMs: number;
	/** Multiplies the re-send schedule (5 min, 1 h, 2 h, 24 h, 48 h after the first try); 0..1, 1 unless set. */
	webhookTimeScale: number;
	/** Share of delivered webhooks sent once more, 5 minutes (scaled) after their delivery: duplicates. */
	webhookResendDelivered: number;
}

export interface SandboxOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	/** A file path, or ':memory:' (default). */
	dbFile?: string;
	siteId?: string;
	token?: string;
	knobs?: Partial<SandboxKnobs>;
	/**
	 * The site-level webhook (Add/Update Site's `webhook.url`): every payment and notification of the
	 * site is sent there, besides an invoice's own `webhook_url`. null (default): none.
	 */
	siteWebhookUrl?: string | null;
	/**
	 * false (default): webhooks go to loopback hosts only (localhost, 127.x.x.x, [::1]); one for any
	 * other host is recorded as not sent. true: to any host, as Hyfin would.
	 */
	allowRemoteWebhooks?: boolean;
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

/** What an invoice's `totals` keeps; with lines, `total` is their sum (within a cent) and taxes are not in it. */
export interface InvoiceTotals {
	total: number;
	taxes?: number;
}

/** An invoice line as it was sent (only the keys sent). */
export interface InvoiceLine {
	description?: string;
	/** A snapshot on the line; it need not be (and is not made) a stored product. */
	product?: { external_id: string; name?: string; unit_price?: number };
	qty?: number;
	unit_price?: number;
	total: number;
}

/** The invoice's customer as Get Invoice answers it, read from the customer record. */
export type InvoiceCustomer = Pick<StoredCustomer, 'external_id' | 'first_name' | 'last_name' | 'mobile_phone' | 'email'>;

/** A payment request sent for an invoice, as Get Invoice lists it. */
export interface InvoiceNotification {
	error: boolean;
	/** The phone or email it went to. */
	value: string;
	/** "Text to 111-222-3333 sent" or "Email to johndoe@abc.com sent". */
	description: string;
	at: string;
}

/** An invoice as the sandbox stores it; GET invoice answers it without site_id. */
export interface StoredInvoice {
	_id: string;
	site_id: string;
	external_id: string;
	invoice_number: string;
	invoice_term_name: string | null;
	description: string | null;
	customer_memo: string | null;
	internal_memo: string | null;
	/** YYYY-MM-DD; today (UTC) unless sent. */
	invoice_date: string;
	/** YYYY-MM-DD; today (UTC) unless sent. */
	due_date: string;
	expire_at: string | null;
	po_number: string | null;
	totals: InvoiceTotals;
	customer: InvoiceCustomer | null;
	lines: InvoiceLine[];
	/** The payments stored against this invoice, oldest first, as GET payment answers them. */
	payments: Omit<StoredPayment, 'site_id'>[];
	/** Oldest first. */
	notifications: InvoiceNotification[];
	webhook_url: string | null;
	active: boolean;
	options: { tippingEnabled: boolean };
	created_at: string;
	updated_at: string;
	/** The payment link, present only while the invoice has no customer. */
	link?: string;
}

/**
 * The fields of one accepted invoice addUpdate body: only those the client sent. `customer` holding
 * only external_id refers to a stored customer; with more fields it is added or updated as well;
 * null detaches it.
 */
export type InvoiceFields = Partial<
	Pick<
		StoredInvoice,
		| 'invoice_number'
		| 'invoice_term_name'
		| 'description'
		| 'customer_memo'
		| 'internal_memo'
		| 'expire_at'
		| 'po_number'
		| 'totals'
		| 'lines'
		| 'webhook_url'
		| 'active'
		| 'options'
	>
> & {
	external_id: string;
	/** null: today. */
	invoice_date?: string | null;
	/** null: today. */
	due_date?: string | null;
	customer?: CustomerFields | null;
};

/** A product as the sandbox stores it; GET product answers it without site_id. */
export interface StoredProduct {
	_id: string;
	site_id: string;
	external_id: string;
	name: string;
	description: string | null;
	/** Two decimals, as a string: "15.00", as the documented sample answers. */
	unit_price: string;
	active: boolean;
	created_at: string;
	updated_at: string;
}

export type ProductFields = Partial<Pick<StoredProduct, 'name' | 'description' | 'active'>> & { external_id: string; unit_price?: number };

/** payment/addUpdate's list; a payment made through the pay endpoint may also have the webhook document's apple_pay, google_pay, external. */
export type PaymentType = 'payment_card' | 'ach' | 'cash' | 'check' | 'apple_pay' | 'google_pay' | 'external';
export type PaymentSubType = 'checking' | 'savings' | 'visa' | 'mastercard' | 'discover' | 'amex' | 'cash' | 'other' | 'external';
export type PaymentStatus =
	'declined' | 'authorized' | 'captured' | 'voided' | 'settled' | 'returned' | 'refundFailed' | 'refunded' | 'refundSettled';

/** A payment as the sandbox stores it; GET payment answers it without site_id. */
export interface StoredPayment {
	_id: string;
	site_id: string;
	external_id: string;
	gateway_transaction_id: string;
	display_name: string;
	/** The last four digits of display_name, or null when it does not end with four digits. */
	last_4: string | null;
	/** The amount that was paid. */
	total: number;
	tip: number | null;
	tax: number | null;
	fee: number | null;
	/** As sent. */
	paid_on: string;
	payment_type: PaymentType | null;
	payment_sub_type: PaymentSubType | null;
	status: PaymentStatus;
	transaction_type: 'capture';
	active: boolean;
	invoice: { external_id: string } | null;
	created_at: string;
	updated_at: string;
}

export type PaymentFields = Partial<
	Pick<
		StoredPayment,
		| 'gateway_transaction_id'
		| 'display_name'
		| 'tip'
		| 'tax'
		| 'fee'
		| 'paid_on'
		| 'payment_type'
		| 'payment_sub_type'
		| 'status'
		| 'active'
		| 'invoice'
	>
> & { external_id: string; amount?: number };

/** A text or an email the sandbox "sent" for an invoice: nothing leaves it, this is the record. */
export interface SandboxNotification {
	site_id: string;
	invoice_external_id: string;
	channel: 'text' | 'email';
	/** The customer's mobile_phone or email, as stored. */
	to: string;
	/** 'added': the invoice was added with a customer; 'sent': invoice/send. */
	reason: 'added' | 'sent';
	/** ISO date. */
	at: string;
}

export interface SandboxCounts {
	customers: number;
	invoices: number;
	products: number;
	payments: number;
	notifications: number;
}

/** Which records a list answers: one site or all, newest first (by last write), a page of them. */
export interface ListQuery {
	siteId?: string;
	limit?: number;
	offset?: number;
}

export interface SandboxStore {
	upsert(siteId: string, fields: CustomerFields): { action: 'added' | 'updated'; _id: string };
	get(siteId: string, externalId: string): StoredCustomer | null;
	/** Newest first (by updated_at). */
	list(query?: ListQuery): StoredCustomer[];
	count(siteId?: string): number;
	/**
	 * Adds or updates the invoice, and the customer it carries (when more than a reference). When the
	 * invoice is added with a customer and an invoice_date that is not in the future, records its
	 * payment request (see notify). All in one transaction. `link` while it has no customer.
	 */
	upsertInvoice(siteId: string, fields: InvoiceFields): { action: 'added' | 'updated'; _id: string; link?: string };
	getInvoice(siteId: string, externalId: string): StoredInvoice | null;
	listInvoices(query?: ListQuery): StoredInvoice[];
	upsertProduct(siteId: string, fields: ProductFields): { action: 'added' | 'updated'; _id: string };
	getProduct(siteId: string, externalId: string): StoredProduct | null;
	listProducts(query?: ListQuery): StoredProduct[];
	upsertPayment(siteId: string, fields: PaymentFields): { action: 'added' | 'updated'; _id: string };
	/** Adds a payment made by a customer in Hyfin's app (the pay endpoint): its external_id is its _id. */
	recordPayment(siteId: string, fields: Omit<PaymentFields, 'external_id'>): StoredPayment;
	getPayment(siteId: string, externalId: string): StoredPayment | null;
	listPayments(query?: ListQuery): StoredPayment[];
	/**
	 * Records the payment request of a stored invoice: an email if its customer's notify_email is on
	 * and it has an email, a text if notify_phone is on and it has a mobile_phone. Answers what it
	 * recorded (nothing for an unknown invoice or one without a customer).
	 */
	notify(siteId: string, invoiceExternalId: string, reason: SandboxNotification['reason']): SandboxNotification[];
	/** Oldest first. */
	notifications(query?: { siteId?: string; invoiceExternalId?: string }): SandboxNotification[];
	counts(siteId?: string): SandboxCounts;
	/** Forgets every record and notification. */
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

/** The site as a 3.x webhook names it; merchant_id is fixed (the documented sample's). */
export interface WebhookSite {
	external_id: string;
	merchant_id: string;
}

/** Hyfin 3.x's payment webhook (reference §4.2): amounts in dollars. */
export interface PaymentWebhook3 {
	action: 'payment';
	data: {
		/** The payment's _id. */
		id: string;
		site: WebhookSite;
		invoice: { external_id: string };
		/** Absent when the invoice has no customer. */
		customer?: { external_id: string };
		gateway_transaction_id: string;
		payment_type: PaymentType;
		payment_sub_type: PaymentSubType;
		display_name: string;
		amount: number;
		tax: number;
		tip: number;
		fee: number;
		/** YYYY-MM-DDTHH:mm:ssZ */
		paid_on: string;
		status: 'paid';
		transaction_type: 'capture';
	};
}

/** Hyfin 4.0's payment webhook: ids, camelCase, amounts in cents. */
export interface PaymentWebhook4 {
	action: 'payment';
	data: {
		id: string;
		/** The sandbox's site id (it has no other). */
		site: string;
		/** The customer's _id; absent when the invoice has none. */
		customer?: string;
		type: PaymentType;
		subType: PaymentSubType;
		displayName: string;
		amount: number;
		/** total = amount - tips - extraFees; subtotal = total - taxes. */
		totals: { subtotal: number; taxes: number; total: number; extraFees: number; tips: number };
		paidOn: string;
		status: 'captured';
		/** The invoice's _id, with totals.total. */
		allocations: { refType: 'Invoice'; ref: string; amount: number }[];
		paymentTransactionEvents: { type: 'sale'; amount: number; successful: true; createdAt: string; transactionId: string }[];
	};
}

/** Hyfin 3.1's notification webhook (reference §4.3). */
export interface NotificationWebhook3 {
	action: 'notification';
	data: { site: WebhookSite; invoice: { external_id: string }; message: string; error: boolean };
}

/** 4.0's: the site id and the invoice's _id as plain strings. */
export interface NotificationWebhook4 {
	action: 'notification';
	data: { site: string; invoice: string; message: string; error: boolean };
}

export type WebhookPayload = PaymentWebhook3 | PaymentWebhook4 | NotificationWebhook3 | NotificationWebhook4;

export interface WebhookAttempt {
	/** ISO date the POST started. */
	at: string;
	/** The receiver's status, when it answered in time. */
	status?: number;
	/** Why there is no status: a timeout, a refused connection, a host the sandbox does not send to. */
	error?: string;
}

/** One webhook message to one URL, as the sandbox sent it (and re-sent it). */
export interface WebhookMessage {
	/** 1, 2, 3... in the order the events happened; not Hyfin's (it documents none). */
	id: number;
	url: string;
	action: 'payment' | 'notification';
	payload: WebhookPayload;
	/** Oldest first. */
	attempts: WebhookAttempt[];
	/** Whether an attempt was answered 200 in time. */
	delivered: boolean;
	/** ISO date of the next (re-)send, or null when none is due: delivered, given up, or not sent. */
	next_attempt_at: string | null;
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
	/** Forgets every record, notification, stat and webhook message (cancelling re-sends); knobs and the site webhook stay. */
	reset(): void;
	/** Sets (an absolute http(s) URL) or removes (null) the site-level webhook; throws on anything else. */
	setSiteWebhook(url: string | null): void;
	getSiteWebhook(): string | null;
	/** Every webhook message, oldest first (copies). */
	webhooks(): WebhookMessage[];
	/**
	 * Resolves with the messages once `predicate` holds for them (checked now and after every attempt);
	 * rejects after timeoutMs (5000 unless given) or when the sandbox closes.
	 */
	waitForWebhooks(predicate: (messages: WebhookMessage[]) => boolean, timeoutMs?: number): Promise<WebhookMessage[]>;
	/** Cancels webhook re-sends, ends hung and open connections, stops listening, closes the database. Safe to call twice. */
	close(): Promise<void>;
}

export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;

/** A well-behaved sandbox that repeats itself: no delay, no limit, no fault, seed 1. */
export declare const CALM: Readonly<SandboxKnobs>;

export declare const DEFAULT_SITE_ID: string;
export declare const DEFAULT_TOKEN: string;
