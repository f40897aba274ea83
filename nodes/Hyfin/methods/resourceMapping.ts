import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { customerFields, isRequiredField } from '../schemas/customer';

/**
 * The fields of Hyfin's Add/Update Customer request table, for n8n's resource mapper. The editor
 * gives a boolean field `false` the moment it is shown, so Active and the notification flags
 * start out of the mapping ("removed", to add from the field list): shown, an untouched Active
 * would deactivate every customer it updates.
 */
export async function getCustomerFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return {
		fields: customerFields.map((field) => ({
			id: field.id,
			displayName: field.displayName,
			type: field.type,
			required: isRequiredField(field.id),
			defaultMatch: field.id === 'external_id',
			canBeUsedToMatch: false,
			display: true,
			removed: field.type === 'boolean',
		})),
	};
}
