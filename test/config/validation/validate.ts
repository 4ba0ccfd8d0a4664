import type { ConfigError } from '../../../src/config/config-error.js';
import { formatConfigError } from '../../../src/config/config-error.js';
import { loadConfigText } from '../../../src/config/load-config-text.js';

/** Loads one YAML document and returns its validation messages as "path: message". */
export function problems(yaml: string): string[] {
  return loadConfigText('t.yaml', yaml).errors.map((e: ConfigError) => (e.path ? `${e.path}: ${e.message}` : formatConfigError(e)));
}
