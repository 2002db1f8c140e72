import { describe, expect, it } from 'vitest';
import { renderFields, renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns columns under their headers and trims the last column', () => {
    const rows = [
      { id: 'a', state: 'QUEUED' },
      { id: 'bbbb', state: 'RUNNING' },
    ];
    const text = renderTable(rows, [
      { header: 'ID', value: (r) => r.id },
      { header: 'STATE', value: (r) => r.state },
    ]);
    expect(text).toBe('ID    STATE\na     QUEUED\nbbbb  RUNNING');
  });

  it('keeps each cell on one line and cuts long values', () => {
    const text = renderTable(
      [{ v: `x\ny${'z'.repeat(100)}` }],
      [{ header: 'V', value: (r) => r.v }],
    );
    const cell = text.split('\n')[1] ?? '';
    expect(cell.startsWith('x y')).toBe(true);
    expect(cell.length).toBe(60);
    expect(cell.endsWith('…')).toBe(true);
  });
});

describe('renderFields', () => {
  it('aligns values after the longest key', () => {
    expect(
      renderFields([
        ['job', 'j1'],
        ['state', 'DONE'],
      ]),
    ).toBe('job:    j1\nstate:  DONE');
  });
});
