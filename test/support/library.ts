/**
 * The knowledge base's library, opened once per test file from the persisted index under data/
 * (built on first use), for tests that need the tokenizer, the guides or retrieval.
 */
import { Library, defaultIndexDir } from '../../src/search/library.js';

let shared: Promise<Library> | null = null;

export function sharedLibrary(): Promise<Library> {
  shared ??= Library.open({ roots: ['knowledge'], indexDir: defaultIndexDir('data') });
  return shared;
}
