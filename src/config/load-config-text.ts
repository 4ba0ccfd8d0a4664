/**
 * One file's text to valid config objects plus everything wrong with it. An
 * invalid document or object is left out alone; the rest of the file loads.
 */
import type { ConfigError } from './config-error.js';
import type { ConfigObject } from './config-object.js';
import { documentSource, parseDocuments } from './parse-documents.js';
import { readObjects } from './read-object.js';
import { validateObject } from './validation/validate-object.js';

export interface LoadedFile {
  /** Valid objects, in document order. */
  readonly objects: readonly ConfigObject[];
  readonly errors: readonly ConfigError[];
}

/** `file` is the path shown in sources and messages (relative to the config directory). */
export function loadConfigText(file: string, text: string): LoadedFile {
  const parsed = parseDocuments(file, text);
  const objects: ConfigObject[] = [];
  const errors: ConfigError[] = [...parsed.errors];
  for (const document of parsed.documents) {
    const read = readObjects(document.value, documentSource(file, document.index), document.index);
    errors.push(...read.errors);
    for (const object of read.objects) {
      const problems = validateObject(object);
      if (problems.length > 0) errors.push(...problems);
      else objects.push(object);
    }
  }
  return { objects, errors };
}
