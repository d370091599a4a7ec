import { describe, expect, it } from 'vitest';
import { CONVERSATION_STATES, IllegalTransitionError, canTransition, nextState, statesAllowing, type HandoffEvent } from './state.js';

describe('handoff state machine', () => {
  it('follows bot -> waiting -> staff -> closed', () => {
    expect(nextState('bot', 'request')).toBe('waiting');
    expect(nextState('waiting', 'claim')).toBe('staff');
    expect(nextState('staff', 'close')).toBe('closed');
  });

  it('goes back to the bot when the citizen cancels, and closes a wait that ends in a left message', () => {
    expect(nextState('waiting', 'cancel')).toBe('bot');
    expect(nextState('waiting', 'leave_message')).toBe('closed');
  });

  it('lets a closed conversation ask again, and a transfer put it back in a queue', () => {
    expect(nextState('closed', 'request')).toBe('waiting');
    expect(nextState('staff', 'transfer')).toBe('waiting');
    expect(nextState('waiting', 'transfer')).toBe('waiting');
  });

  it('refuses every other transition with a typed 409 error', () => {
    const illegal: Array<[string, HandoffEvent]> = [
      ['bot', 'claim'],
      ['bot', 'close'],
      ['bot', 'cancel'],
      ['staff', 'claim'],
      ['staff', 'request'],
      ['waiting', 'request'],
      ['closed', 'claim'],
      ['closed', 'close'],
      ['staff', 'cancel'],
      ['bot', 'transfer'],
      ['nonsense', 'request'],
    ];
    for (const [from, event] of illegal) {
      expect(canTransition(from, event)).toBe(false);
      let err: unknown;
      try {
        nextState(from, event);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IllegalTransitionError);
      expect((err as IllegalTransitionError).status).toBe(409);
      expect((err as IllegalTransitionError).toBody().error.code).toBe('illegal_transition');
      expect((err as IllegalTransitionError).message).toMatch(/不能/);
    }
  });

  it('gives the states each event may start from (the WHERE of the atomic update)', () => {
    expect(statesAllowing('claim')).toEqual(['waiting']);
    expect(statesAllowing('request').sort()).toEqual(['bot', 'closed']);
    for (const event of ['request', 'cancel', 'claim', 'transfer', 'close', 'leave_message'] as HandoffEvent[]) {
      for (const s of CONVERSATION_STATES) expect(statesAllowing(event).includes(s)).toBe(canTransition(s, event));
    }
  });
});
