import type { IDataObject } from 'n8n-workflow';

import { CUSTOMER } from '../../schemas/customer';
import * as record from '../../schemas/record';

/** A customer's fields from an input item, by hand or automatically (see schemas/record.ts). */

export type RawCustomer = record.RawRecord;

/** "Map Each Column Manually": the resource mapper's values, one per field id. */
export const fromMappedFields = (values: IDataObject | null | undefined): RawCustomer => record.fromMappedFields(CUSTOMER, values);

/** "Map Automatically": input columns named like Hyfin's fields, or by a common synonym. */
export const fromInputItem = (json: IDataObject): record.AutoMapping => record.fromInputItem(CUSTOMER, json);

export const describeConflicts = record.describeConflicts;
