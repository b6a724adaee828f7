import { describe, expect, it } from 'vitest';
import { DraftHistory } from './draft-history.js';

describe('DraftHistory', () => {
  it('undo and redo walk the texts; a new push drops the redo branch', () => {
    const h = new DraftHistory('a');
    expect(h.push('b', 'to b')).toBe(true);
    expect(h.push('c', 'to c')).toBe(true);
    expect([h.canUndo, h.canRedo, h.undoLabel]).toEqual([true, false, 'to c']);
    expect(h.undo()).toBe('b');
    expect(h.redoLabel).toBe('to c');
    expect(h.undo()).toBe('a');
    expect(h.undo()).toBeNull();
    expect(h.redo()).toBe('b');
    h.push('d', 'to d');
    expect(h.canRedo).toBe(false);
    expect(h.undo()).toBe('b');
  });

  it('records nothing for an unchanged text', () => {
    const h = new DraftHistory('a');
    expect(h.push('a', 'same')).toBe(false);
    expect(h.canUndo).toBe(false);
  });

  it('merges calls of one group that come close together, and not after an undo or a pause', () => {
    let now = 0;
    const h = new DraftHistory('', { groupMs: 1000, now: () => now });
    h.push('a', 'Edit source', 'source');
    now += 300;
    h.push('ab', 'Edit source', 'source');
    now += 300;
    h.push('abc', 'Edit source', 'source');
    expect(h.undo()).toBe('');
    expect(h.redo()).toBe('abc');
    h.push('abcd', 'Edit source', 'source');
    // After a redo the group ended: this is a step of its own.
    expect(h.undo()).toBe('abc');
    h.redo();
    now += 5000;
    h.push('abcde', 'Edit source', 'source');
    expect(h.undo()).toBe('abcd');
  });

  it('a group that comes back to its starting text leaves no step', () => {
    const h = new DraftHistory('x');
    h.push('xy', 'typing', 'g');
    h.push('x', 'typing', 'g');
    expect(h.canUndo).toBe(false);
    expect(h.text).toBe('x');
  });

  it('is bounded: the oldest steps go first', () => {
    const h = new DraftHistory('0', { maxEntries: 5 });
    for (let i = 1; i <= 20; i++) h.push(String(i), `step ${i}`);
    let undos = 0;
    while (h.undo() !== null) undos++;
    expect(undos).toBe(4);
    expect(h.text).toBe('16');
    const small = new DraftHistory('', { maxBytes: 100 });
    for (let i = 0; i < 10; i++) small.push('x'.repeat(20 + i), 'big');
    let n = 0;
    while (small.undo() !== null) n++;
    expect(n).toBeLessThan(3);
  });
});
