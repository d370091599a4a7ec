import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

describe('SseParser (text/event-stream, fed in arbitrary pieces)', () => {
  const stream = 'event: meta\ndata: {"a":1}\n\n: a comment\n\nevent: delta\ndata: line one\ndata: line two\nid: m_1\n\ndata: no event name\n\n';

  it('reads events, multi-line data, ids and the default event name; skips comments', () => {
    const events = new SseParser().push(stream);
    expect(events).toEqual([
      { event: 'meta', data: '{"a":1}' },
      { event: 'delta', data: 'line one\nline two', id: 'm_1' },
      { event: 'message', data: 'no event name', id: 'm_1' },
    ]);
  });

  it('gives the same events whatever the chunking, with CRLF and CR line ends too', () => {
    const whole = new SseParser().push(stream);
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = stream.replace(/\n/g, eol);
      for (const size of [1, 2, 3, 7, 13]) {
        const p = new SseParser();
        const got = [];
        for (let i = 0; i < text.length; i += size) got.push(...p.push(text.slice(i, i + size)));
        expect(got, `eol ${JSON.stringify(eol)} size ${size}`).toEqual(whole);
      }
    }
  });

  it('holds an unfinished event until its blank line; the end drops it', () => {
    const p = new SseParser();
    expect(p.push('event: done\ndata: {"x"')).toEqual([]);
    expect(p.push(':1}\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'done', data: '{"x":1}' }]);
    p.push('data: half');
    expect(p.end()).toEqual([]);
  });

  it('keeps the value after "data:" without a space, and a data line with no colon as empty', () => {
    expect(new SseParser().push('data:x\ndata\n\n')).toEqual([{ event: 'message', data: 'x\n' }]);
  });
});
