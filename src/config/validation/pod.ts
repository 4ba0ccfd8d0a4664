/** The Pod fields tsiod reads (labels are checked with the metadata). */
import type { ConfigObject } from '../config-object.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, objectElements, objectField, stringField } from './fields.js';
import { checkLabels } from './names.js';

export const validatePod: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  checkLabels(errors, object.metadata.labels, 'metadata.labels');
  const spec = objectField(errors, object.content['spec'], 'spec');
  if (spec) {
    stringField(errors, spec['serviceAccountName'], 'spec.serviceAccountName');
    stringField(errors, spec['nodeName'], 'spec.nodeName');
  }
  const status = objectField(errors, object.content['status'], 'status');
  if (status) {
    stringField(errors, status['podIP'], 'status.podIP');
    for (const [podIp, path] of objectElements(errors, arrayField(errors, status['podIPs'], 'status.podIPs'), 'status.podIPs')) {
      stringField(errors, podIp['ip'], `${path}.ip`);
    }
  }
  return errors.list();
};
