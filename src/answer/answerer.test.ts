import { describe, expect, it } from 'vitest';
import { sharedLibrary } from '../../test/support/library.js';
import { SearchIndex } from '../search/hybrid.js';
import { Answerer } from './answerer.js';

describe('answer cache', () => {
  it('asked again, a question is answered from the cache: the same frozen analysis and answer, retrieval run once', async () => {
    const library = await sharedLibrary();
    let retrievals = 0;
    const told: boolean[] = [];
    const answerer = new Answerer(() => library.current, { minConfidence: 0.5, cacheSize: 10, onRetrieval: () => retrievals++, onCache: (hit) => told.push(hit) });
    const a1 = await answerer.analyze('身份证丢了怎么办');
    const r1 = await answerer.answer('身份证丢了怎么办', {}, a1);
    const a2 = await answerer.analyze(' 身份证丢了怎么办 ');
    const r2 = await answerer.answer('身份证丢了怎么办', {}, a2);
    expect(a2).toBe(a1);
    expect(r2).toBe(r1);
    expect(retrievals).toBe(1);
    expect(told).toEqual([false, true]);
    expect(r1.type).toBe('answer');
    // Shared by every turn that asks it, so nobody may change it.
    expect(Object.isFrozen(r1) && Object.isFrozen(r1.blocks) && Object.isFrozen(r1.citations[0])).toBe(true);
    expect(() => (r1.blocks as unknown[]).push('x')).toThrow(TypeError);
    // Uncached, it is the same answer.
    const fresh = await new Answerer(() => library.current, { minConfidence: 0.5 }).answer('身份证丢了怎么办');
    expect(fresh).toEqual(r1);
    expect(Object.isFrozen(fresh)).toBe(false);
  });

  it('answers in another context are kept apart (a follow-up on the current guide)', async () => {
    const library = await sharedLibrary();
    const answerer = new Answerer(() => library.current, { minConfidence: 0.5, cacheSize: 10 });
    const plain = await answerer.answer('要多少钱');
    const onId = await answerer.answer('要多少钱', { currentGuideId: 'id-card-replacement', currentAspect: 'materials' });
    expect(onId.guideId).toBe('id-card-replacement');
    expect(plain.guideId).not.toBe('id-card-replacement');
    expect(await answerer.answer('要多少钱', { currentGuideId: 'id-card-replacement', currentAspect: 'materials' })).toBe(onId);
    expect(await answerer.answer('要多少钱')).toBe(plain);
  });

  it('keeps only the most recently asked questions, starts afresh with a rebuilt index, and is off at size 0', async () => {
    const library = await sharedLibrary();
    let index = library.current;
    let retrievals = 0;
    const answerer = new Answerer(() => index, { minConfidence: 0.5, cacheSize: 2, onRetrieval: () => retrievals++ });
    for (const q of ['结婚登记', '新生儿落户', '结婚登记', '公积金提取', '新生儿落户']) await answerer.analyze(q);
    // 结婚登记 hit once; 新生儿落户 was dropped when 公积金提取 came (the two most recent were 结婚登记, 公积金提取).
    expect(retrievals).toBe(4);
    const i = index;
    index = new SearchIndex(i.kb, i.chunks, i.bm25, i.vectors, i.tokenizer, i.embedder, i.weights);
    await answerer.analyze('公积金提取');
    expect(retrievals).toBe(5);
    const off = new Answerer(() => index, { minConfidence: 0.5, cacheSize: 0 });
    expect(await off.analyze('结婚登记')).not.toBe(await off.analyze('结婚登记'));
  });
});
