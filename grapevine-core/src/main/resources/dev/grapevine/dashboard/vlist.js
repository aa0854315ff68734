// A virtualised table: however many rows it holds (thousands of peers), only the ones in view
// (plus a few either side) exist in the DOM. Rows have a fixed height, read from the CSS variable
// --row-h of the list, which the stylesheet raises on narrow screens where a row wraps onto
// several lines.

import { el, fill } from './format.js';

const OVERSCAN = 6;

export class VirtualList {
  /**
   * @param root the container element
   * @param options {columns: [{label, cls, value(item) → string | Node, title?(item)}],
   *     key(item) → string, attrs?(item) → data attributes, actions?(item) → [{label, run}],
   *     empty: text shown when there are no rows}
   */
  constructor(root, options) {
    this.root = root;
    this.options = options;
    this.items = [];
    this.filter = '';
    this.shown = [];
    root.classList.add('vlist');
    const head = el('div', { class: 'vhead row', role: 'row' });
    this.head = head;
    for (const c of options.columns) head.append(el('span', { class: `cell ${c.cls || ''}`, role: 'columnheader', text: c.label }));
    if (options.actions) head.append(el('span', { class: 'cell actions', role: 'columnheader', text: '' }));
    this.viewport = el('div', { class: 'vviewport', role: 'rowgroup', tabindex: '0' });
    this.spacer = el('div', { class: 'vspacer' });
    this.rows = el('div', { class: 'vrows' });
    this.spacer.append(this.rows);
    this.viewport.append(this.spacer);
    this.emptyNote = el('p', { class: 'empty', text: options.empty || 'Nothing here.' });
    fill(root, head, this.viewport, this.emptyNote);
    let pending = false;
    const later = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        this.render();
      });
    };
    this.viewport.addEventListener('scroll', later, { passive: true });
    window.addEventListener('resize', later);
  }

  /** Replaces the rows. */
  set(items) {
    this.items = items;
    this.apply();
  }

  /** Shows only rows whose text contains `text` (case-insensitive). */
  setFilter(text) {
    this.filter = text.trim().toLowerCase();
    this.apply();
  }

  apply() {
    const f = this.filter;
    this.shown = !f
      ? this.items
      : this.items.filter((it) =>
          this.options.columns.some((c) => {
            const v = c.search ? c.search(it) : c.value(it);
            return typeof v === 'string' && v.toLowerCase().includes(f);
          }) || this.options.key(it).toLowerCase().includes(f));
    this.emptyNote.hidden = this.shown.length > 0;
    this.viewport.hidden = this.shown.length === 0;
    this.head.hidden = this.shown.length === 0;
    this.render();
  }

  rowHeight() {
    const h = parseFloat(getComputedStyle(this.root).getPropertyValue('--row-h'));
    return Number.isFinite(h) && h > 0 ? h : 36;
  }

  render() {
    const rowH = this.rowHeight();
    const n = this.shown.length;
    this.spacer.style.height = `${n * rowH}px`;
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || rowH * 10;
    const first = Math.max(0, Math.floor(top / rowH) - OVERSCAN);
    const last = Math.min(n, Math.ceil((top + height) / rowH) + OVERSCAN);
    const out = [];
    for (let i = first; i < last; i++) out.push(this.row(this.shown[i], i, rowH));
    fill(this.rows, ...out);
  }

  row(item, index, rowH) {
    const o = this.options;
    const r = el('div', { class: 'row', role: 'row', data: { key: o.key(item), ...(o.attrs ? o.attrs(item) : {}) } });
    r.style.transform = `translateY(${index * rowH}px)`;
    r.style.height = `${rowH}px`;
    for (const c of o.columns) {
      const v = c.value(item);
      const cell = el('span', { class: `cell ${c.cls || ''}`, role: 'cell', title: c.title ? c.title(item) : undefined, data: { label: c.label } });
      cell.append(v instanceof Node ? v : String(v ?? '—'));
      r.append(cell);
    }
    if (o.actions) {
      const cell = el('span', { class: 'cell actions', role: 'cell' });
      for (const a of o.actions(item)) {
        cell.append(el('button', { type: 'button', class: 'small', text: a.label, data: { action: a.name || a.label }, on: { click: () => a.run(item) } }));
      }
      r.append(cell);
    }
    return r;
  }
}
