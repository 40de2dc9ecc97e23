/** Deliveries and failures per minute as an inline SVG bar chart: one bar per minute, failures drawn over it. */
import type { MinuteCount } from '../../webhooks/history/delivery-history';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 720;
const HEIGHT = 140;
const AXIS = 16; // room for the time labels under the bars

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | number>>,
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

const hhmm = (iso: string) => iso.slice(11, 16);

export function activityChart(minutes: readonly MinuteCount[]): SVGSVGElement {
  const deliveries = minutes.reduce((sum, minute) => sum + minute.deliveries, 0);
  const failures = minutes.reduce((sum, minute) => sum + minute.failures, 0);
  const summary = `Deliveries and failures per minute over the last ${minutes.length} minutes: ${deliveries} deliveries, ${failures} failures`;
  const chart = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    width: WIDTH,
    height: HEIGHT,
    role: 'img',
    'aria-label': summary,
  });
  chart.append(svg('title', {}, summary));
  const peak = Math.max(1, ...minutes.map((minute) => minute.deliveries));
  const plot = HEIGHT - AXIS;
  const slot = WIDTH / Math.max(1, minutes.length);
  const barWidth = Math.max(1, slot - 1);
  minutes.forEach((minute, index) => {
    const x = index * slot;
    const bar = (count: number, kind: string) => {
      const height = (count / peak) * plot;
      return svg('rect', { class: `bar-${kind}`, x, y: plot - height, width: barWidth, height });
    };
    const group = svg('g', { 'data-minute': minute.minute });
    group.append(
      svg(
        'title',
        {},
        `${hhmm(minute.minute)}: ${minute.deliveries} deliveries, ${minute.failures} failures`,
      ),
      bar(minute.deliveries, 'deliveries'),
      bar(minute.failures, 'failures'),
    );
    chart.append(group);
  });
  chart.append(
    svg('line', { x1: 0, y1: plot, x2: WIDTH, y2: plot, stroke: 'currentColor', 'stroke-width': 1 }),
  );
  const first = minutes[0];
  const last = minutes[minutes.length - 1];
  if (first && last) {
    chart.append(svg('text', { x: 2, y: HEIGHT - 4 }, hhmm(first.minute)));
    chart.append(svg('text', { x: WIDTH - 2, y: HEIGHT - 4, 'text-anchor': 'end' }, hhmm(last.minute)));
  }
  chart.append(svg('text', { x: 2, y: 10 }, `peak ${peak}/min`));
  return chart;
}
