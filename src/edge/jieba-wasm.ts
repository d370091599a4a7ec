import { cut, cut_for_search, initSync, with_dict } from 'jieba-wasm/web';
import type { DomainDictionary } from '../search/dictionary.js';
import { searchModeSegmenter, userDictionary } from '../search/jieba-core.js';
import type { Segmenter } from '../search/tokenizer.js';

let initialised = false;

/**
 * jieba at the edge: jieba-wasm is the same jieba-rs library that @node-rs/jieba wraps, compiled to
 * WebAssembly, with the same default dictionary built in. Given the same user dictionary and the
 * same cut/search-mode logic (jieba-core.ts) it segments exactly as the origin does, so the BM25
 * postings built on Node match the edge's query terms. In workerd the module must be a compiled
 * WebAssembly.Module imported by the worker (code generation from bytes is not allowed); on Node
 * the bytes of the .wasm file do as well.
 *
 * The instance is global to the isolate (wasm-bindgen keeps one), so the user words are loaded once.
 * The first cut builds jieba's dictionary: about 1–2 s of CPU, paid once per isolate.
 */
export function wasmJiebaSegmenter(wasm: WebAssembly.Module | BufferSource, domain: DomainDictionary): Segmenter {
  if (!initialised) {
    initSync({ module: wasm });
    const user = userDictionary(domain);
    if (user) with_dict(user);
    initialised = true;
  }
  return searchModeSegmenter({ cut: (t) => cut(t, true), cutForSearch: (t) => cut_for_search(t, true) }, domain);
}
