import { resourceOf } from '../options';
import * as addUpdate from './addUpdate.operation';
import * as get from './get.operation';
import * as send from './send.operation';

/** The Invoice resource. A new operation is one new file, listed here. */
export const { description, operations } = resourceOf('invoice', [addUpdate, send, get]);
