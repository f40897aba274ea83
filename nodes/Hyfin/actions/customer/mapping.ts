import type { IDataObject } from 'n8n-workflow';

import { customerFields, notificationFlags } from '../../schemas/customer';

/** A record in Hyfin's request shape, values still as the input gave them (the schema reads them). */
export type RawCustomer = Record<string, unknown>;

const topLevelIds = customerFields
	.map((field) => field.id as string)
	.filter((id) => !(notificationFlags as readonly string[]).includes(id));

/** Copies the fields Hyfin knows from flat keys, nesting the two notification flags as Hyfin does. */
function pickFields(source: IDataObject, notification: unknown): RawCustomer {
	const raw: RawCustomer = {};
	for (const id of topLevelIds) {
		if (source[id] !== undefined) raw[id] = source[id];
	}
	const flags: IDataObject = isPlainObject(notification) ? { ...notification } : {};
	for (const flag of notificationFlags) {
		if (source[flag] !== undefined) flags[flag] = source[flag];
	}
	if (notification !== undefined && !isPlainObject(notification)) {
		// Not an object: keep it so validation reports `invalid notification_options`.
		raw.notification_options = notification;
	} else if (Object.keys(flags).length > 0) {
		raw.notification_options = flags;
	}
	return raw;
}

/** "Map Each Field Manually": the resource mapper's values, one per field id. */
export function fromMappedFields(values: IDataObject | null | undefined): RawCustomer {
	return pickFields(values ?? {}, undefined);
}

/**
 * "Map Automatically": input keys named like Hyfin's fields. The flags may come nested as
 * `notification_options`, as Hyfin's own sample has them, or flat as `notify_phone` / `notify_email`;
 * a flat key wins over the nested one.
 */
export function fromInputItem(json: IDataObject): RawCustomer {
	// null is blank, as Hyfin's own Get Customer answers give it.
	return pickFields(json, json.notification_options ?? undefined);
}

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
