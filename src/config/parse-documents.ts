/**
 * Splits one file's text into documents. YAML files may hold several
 * documents separated by `---`; a JSON file is one document. A document that
 * does not parse is reported and skipped; the other documents still load.
 */
import { parseAllDocuments } from 'yaml';
import type { ConfigError } from './config-error.js';

export interface ParsedDocument {
  /** 1-based: the first document of a file is document 1 ("file.yaml#1"). */
  readonly index: number;
  readonly value: unknown;
}

export interface ParsedFile {
  readonly documents: readonly ParsedDocument[];
  readonly errors: readonly ConfigError[];
}

export function documentSource(file: string, index: number): string {
  return `${file}#${index}`;
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

export function parseDocuments(file: string, text: string): ParsedFile {
  if (file.toLowerCase().endsWith('.json')) return parseJson(file, text);
  const documents: ParsedDocument[] = [];
  const errors: ConfigError[] = [];
  // parseAllDocuments returns an empty array-like for an empty stream; both iterate the same.
  const yamlDocuments = [...parseAllDocuments(text)];
  yamlDocuments.forEach((doc, i) => {
    const index = i + 1;
    if (doc.errors.length > 0) {
      const reason = doc.errors.map((e) => firstLine(e.message)).join('; ');
      errors.push({ source: documentSource(file, index), message: `document ${index} is not valid YAML: ${reason}` });
      return;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    // A document holding only comments, or an empty one after a trailing `---`, is not an error.
    if (value === null || value === undefined) return;
    documents.push({ index, value });
  });
  return { documents, errors };
}

function parseJson(file: string, text: string): ParsedFile {
  if (text.trim() === '') return { documents: [], errors: [] };
  try {
    return { documents: [{ index: 1, value: JSON.parse(text) as unknown }], errors: [] };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { documents: [], errors: [{ source: documentSource(file, 1), message: `document 1 is not valid JSON: ${reason}` }] };
  }
}
