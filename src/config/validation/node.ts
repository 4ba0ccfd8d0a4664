/**
 * A Node needs only its name (checked with the envelope) and labels: tsiod
 * reads nothing else of it, so the rest (spec, status) is not checked.
 */
import type { ConfigObject } from '../config-object.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { checkLabels } from './names.js';

export const validateNode: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  checkLabels(errors, object.metadata.labels, 'metadata.labels');
  return errors.list();
};
