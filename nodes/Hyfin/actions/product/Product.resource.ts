import { resourceOf } from '../options';
import * as addUpdate from './addUpdate.operation';
import * as get from './get.operation';

/** The Product resource. A new operation is one new file, listed here. */
export const { description, operations } = resourceOf('product', [addUpdate, get]);
