import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { customerFields } from '../schemas/customer';
import { invoiceFields, LINE_IN_ROWS } from '../schemas/invoice';
import { paymentFields } from '../schemas/payment';
import { productFields } from '../schemas/product';
import { mapperFields } from '../schemas/record';

/** Each record's fields, from its table, for n8n's resource mapper. */

export async function getCustomerFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return { fields: mapperFields(customerFields) };
}

/** With lines from rows, each row's line fields too. */
export async function getInvoiceFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const fromRows = this.getNodeParameter('linesFrom', 'field') === 'rows';
	return {
		fields: mapperFields(fromRows ? [...invoiceFields.filter((field) => field.id !== 'lines'), ...LINE_IN_ROWS.fields] : invoiceFields),
	};
}

export async function getProductFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return { fields: mapperFields(productFields) };
}

export async function getPaymentFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return { fields: mapperFields(paymentFields) };
}
