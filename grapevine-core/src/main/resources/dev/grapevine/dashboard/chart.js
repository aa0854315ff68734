// The ingest-rate chart: messages stored per interval over the last couple of minutes, drawn as
// SVG bars. The node sends its recent history with each snapshot; file_uploaded events extend it
// live between snapshots.

const SVG = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 120;

export class IngestChart {
  constructor(svg, summary) {
    this.svg = svg;
    this.summary = summary;
    this.bucketMillis = 1000;
    this.size = 120;
    this.counts = new Map(); // bucket number → messages
    this.offset = 0; // node clock − page clock, in ms
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('preserveAspectRatio', 'none');
  }

  /** Takes the node's history: {bucketMillis, endMillis, counts}, with the node's `now`. */
  load(ingest, nodeNow) {
    if (!ingest || !Array.isArray(ingest.counts)) return;
    this.bucketMillis = ingest.bucketMillis;
    this.size = ingest.counts.length;
    this.offset = nodeNow - Date.now();
    const newest = Math.round(ingest.endMillis / this.bucketMillis) - 1;
    this.counts = new Map();
    ingest.counts.forEach((c, i) => {
      if (c) this.counts.set(newest - this.size + 1 + i, c);
    });
    this.render();
  }

  /** One more message stored now (or at `t`, epoch ms of the node's clock). */
  bump(t) {
    const b = Math.floor((t || Date.now() + this.offset) / this.bucketMillis);
    this.counts.set(b, (this.counts.get(b) || 0) + 1);
    this.render();
  }

  render() {
    const newest = Math.floor((Date.now() + this.offset) / this.bucketMillis);
    const oldest = newest - this.size + 1;
    for (const b of this.counts.keys()) if (b < oldest) this.counts.delete(b);
    let max = 1;
    let total = 0;
    for (const [b, c] of this.counts) {
      if (b <= newest) {
        max = Math.max(max, c);
        total += c;
      }
    }
    const bw = W / this.size;
    const bars = [];
    for (let i = 0; i < this.size; i++) {
      const c = this.counts.get(oldest + i) || 0;
      if (!c) continue;
      const h = Math.max(1, (c / max) * (H - 4));
      const r = document.createElementNS(SVG, 'rect');
      r.setAttribute('x', (i * bw).toFixed(2));
      r.setAttribute('y', (H - h).toFixed(2));
      r.setAttribute('width', Math.max(0.5, bw - 0.5).toFixed(2));
      r.setAttribute('height', h.toFixed(2));
      r.setAttribute('class', 'bar');
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${c} message${c === 1 ? '' : 's'}`;
      r.append(title);
      bars.push(r);
    }
    const base = document.createElementNS(SVG, 'line');
    base.setAttribute('x1', '0');
    base.setAttribute('x2', String(W));
    base.setAttribute('y1', String(H - 0.5));
    base.setAttribute('y2', String(H - 0.5));
    base.setAttribute('class', 'axis');
    this.svg.replaceChildren(base, ...bars);
    const secs = (this.size * this.bucketMillis) / 1000;
    const now = this.counts.get(newest) || 0;
    const per = this.bucketMillis === 1000 ? '/s' : ` per ${this.bucketMillis / 1000} s`;
    this.summary.textContent = `${total} in the last ${secs} s · now ${now}${per} · peak ${total ? max : 0}${per}`;
    this.svg.dataset.total = String(total);
  }
}
